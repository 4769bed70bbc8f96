/* calendar.h — the Vietnamese lunar calendar (UTC+7), public holidays and the working-day clock
 * for dossiers. Pure computation over data/holidays/: no database, no HTTP. A struct calendar is
 * filled once (cal_new, cal_load_dir) and is read-only afterwards, so threads may share it. */
#ifndef TD_CALENDAR_H
#define TD_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CAL_YEAR_MIN 1900
#define CAL_YEAR_MAX 2100
#define CAL_JD_MIN 2415021L     /* 1900-01-01 */
#define CAL_JD_MAX 2488434L     /* 2100-12-31 */
#define CAL_TZ_HOURS 7          /* Vietnam, UTC+7: the meridian of the lunar calendar and the clock */
#define CAL_CUTOFF_DEFAULT 1020 /* 17:00 in minutes after local midnight: end of working hours */
#define CAL_DUE_MINUTES 1020    /* a due instant is 17:00 local of the due day */
#define CAL_MAX_DAYS 3650       /* cal_due refuses longer clocks */
#define CAL_MAX_ENTRIES 64      /* entries in one year's list */

/* ---- days (lunar.c) ----
 * Days are Julian day numbers (JDN, an integer per civil day: 2000-01-01 is 2451545) in the
 * proleptic Gregorian calendar. */
long cal_jd(int y, int m, int d);
void cal_jd_to_date(long jd, int *y, int *m, int *d);
/* 0 = Sunday, 1 = Monday ... 6 = Saturday. */
int cal_weekday_jd(long jd);
int cal_weekday(int y, int m, int d);
/* True for a real date with the year in CAL_YEAR_MIN..CAL_YEAR_MAX. */
bool cal_valid_date(int y, int m, int d);
/* "YYYY-MM-DD" (years 1900-2100) into *jd; 0, or -1 when it is not such a date. */
int cal_parse_date(const char *s, long *jd);
/* jd as "YYYY-MM-DD" into out (>= 11 bytes). */
void cal_format_date(long jd, char *out, size_t n);

/* ---- Vietnamese lunar calendar (lunar.c) ---- */
struct lunar_date {
	int year;  /* lunar year: the solar year in which its month 1 begins */
	int month; /* 1..12 */
	int day;   /* 1..30 */
	bool leap; /* the intercalary (nhuận) repeat of `month` */
};

/* Solar date (1900-01-01..2100-12-31) to lunar; 0, or -1 outside the range or for a bad date. */
int cal_solar_to_lunar(int y, int m, int d, struct lunar_date *out);
/* Lunar date to solar; 0, or -1 when that lunar day does not exist (leap asked for a month that
 * is not the year's leap month, day past the month's end) or falls outside 1900-2100. */
int cal_lunar_to_solar(int ly, int lm, int ld, bool leap, int *y, int *m, int *d);
/* The leap month of lunar year ly (1..12), or 0 when it has twelve months; -1 out of range. */
int cal_leap_month(int ly);
/* 29 or 30, or -1 when the month does not exist. */
int cal_lunar_month_days(int ly, int lm, bool leap);

/* ---- public holidays (holidays.c) ---- */
enum cal_kind {
	CAL_HOLIDAY,      /* a public holiday of Labour Code art. 112 (may fall on a weekend) */
	CAL_COMPENSATORY, /* a weekday off in lieu of a holiday that fell on a weekend */
	CAL_DAYOFF,       /* an extra weekday off the Government granted, worked back on a CAL_WORKDAY */
	CAL_WORKDAY,      /* a make-up working day on a weekend */
};

struct cal_entry {
	long jd;
	char date[11]; /* YYYY-MM-DD */
	enum cal_kind kind;
	char name_vi[128];
	char name_en[128];
};

/* One year's list, sorted by date. Days off (holiday, compensatory, dayoff) and make-up working
 * days (workday) share the list; weekends inside a break are not listed. */
struct cal_year {
	int year;
	bool official;    /* true: from data/holidays/YYYY.json; false: computed by the default rules */
	char source[512]; /* the decision(s) behind an official list; "" when computed */
	size_t n;
	struct cal_entry v[CAL_MAX_ENTRIES];
};

struct calendar;

/* A calendar with the default rules applied to every year 1900-2100; NULL without memory.
 * Free with cal_free. */
struct calendar *cal_new(void);
void cal_free(struct calendar *c);
/* Loads every YYYY.json in dir (other files are ignored); each replaces that year's computed
 * list entirely. A bad file fails the call with a message naming it; years loaded before it
 * stay loaded. */
int cal_load_dir(struct calendar *c, const char *dir, struct err *e);
/* Loads one year file; the year comes from its "year" field. */
int cal_load_file(struct calendar *c, const char *path, struct err *e);
/* The same from a parsed year document (kept in the database by trondoi init); name is for
 * messages. */
struct json_t;
int cal_load_json(struct calendar *c, const struct json_t *doc, const char *name, struct err *e);

/* The list for year (official when loaded, computed otherwise) into *out; 0, or -1 (422)
 * for a year outside 1900-2100. */
int cal_holidays(const struct calendar *c, int year, struct cal_year *out, struct err *e);
/* The list the default rules give for year, ignoring data files; 0 or -1. See holidays.c. */
int cal_default_holidays(int year, struct cal_year *out);
/* Mon-Fri minus days off, plus make-up working days. Outside 1900-2100: Mon-Fri. */
bool cal_is_working_day(const struct calendar *c, int y, int m, int d);
bool cal_is_working_jd(const struct calendar *c, long jd);
/* "holiday", "compensatory", "dayoff", "workday". */
const char *cal_kind_name(enum cal_kind k);

/* ---- working-day clock (workdays.c); conventions at the top of workdays.c ---- */
/* The Vietnam (UTC+7) date of an instant in microseconds since the epoch (UTC). */
long cal_jd_of_us(int64_t us);
/* The instant (us since the epoch, UTC) of `minutes` after local midnight of day jd. */
int64_t cal_local_us(long jd, int minutes);
/* The first working day on or after jd. */
long cal_next_working_day(const struct calendar *c, long jd);
/* The n-th working day after jd (jd itself not counted; n = 0 gives jd). */
long cal_add_working_days(const struct calendar *c, long jd, int n);
/* Working days in from..to, both included; 0 when to < from. */
int cal_count_working_days(const struct calendar *c, long from, long to);
/* The clock of a dossier received at received_at_us with a legal time of `days` working days
 * (0..CAL_MAX_DAYS; 0 = the same day) and a cut-off of cutoff_minutes after local midnight
 * (1..CAL_CUTOFF_DEFAULT; pass CAL_CUTOFF_DEFAULT for 17:00). Sets *start_us (when the clock
 * starts) and *due_us (17:00 local of the days-th working day after the start day). 0, or -1 for bad
 * arguments or a due date past 2100. */
int cal_due(const struct calendar *c, int64_t received_at_us, int days, int cutoff_minutes, int64_t *start_us,
	    int64_t *due_us);
/* A clock paused at paused_us and resumed at now_us: the working days that were left after the
 * pause day up to the old due day run again from now_us. Sets *due_us; 0, or -1 as cal_due. */
int cal_resume(const struct calendar *c, int64_t paused_us, int64_t old_due_us, int64_t now_us, int64_t *due_us);

#endif
