/* test_calendar.c — the Vietnamese lunar calendar, public holidays and the working-day clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar/calendar.h"
#include "core/clock.h"

static struct calendar *cal;

static int setup(void **state)
{
	(void)state;
	struct err e = {0};
	cal = cal_new();
	if (!cal || cal_load_dir(cal, "data/holidays", &e)) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cal_free(cal);
	return 0;
}

static long jd(int y, int m, int d)
{
	return cal_jd(y, m, d);
}

/* ---- days ---- */

static void julian_days_and_weekdays(void **state)
{
	(void)state;
	int y, m, d;
	long x;
	char s[11];
	assert_int_equal(jd(2000, 1, 1), 2451545);
	assert_int_equal(jd(1900, 1, 1), CAL_JD_MIN);
	assert_int_equal(jd(2100, 12, 31), CAL_JD_MAX);
	cal_jd_to_date(jd(2024, 2, 29), &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	assert_int_equal(cal_weekday(2026, 1, 10), 6); /* Saturday */
	assert_int_equal(cal_weekday(2025, 4, 7), 1);  /* Monday */
	assert_int_equal(cal_weekday(1970, 1, 1), 4);  /* Thursday */
	assert_true(cal_valid_date(2000, 2, 29));
	assert_false(cal_valid_date(1900, 2, 29));
	assert_false(cal_valid_date(2101, 1, 1));
	assert_int_equal(cal_parse_date("2026-02-17", &x), 0);
	assert_int_equal(x, jd(2026, 2, 17));
	assert_int_equal(cal_parse_date("2026-02-30", &x), -1);
	assert_int_equal(cal_parse_date("2026-2-17", &x), -1);
	assert_int_equal(cal_parse_date("1899-12-31", &x), -1);
	cal_format_date(jd(2025, 9, 2), s, sizeof s);
	assert_string_equal(s, "2025-09-02");
}

/* ---- lunar calendar ---- */

static void assert_lunar_to_solar(int ly, int lm, int ld, bool leap, int y, int m, int d)
{
	int yy = 0, mm = 0, dd = 0;
	assert_int_equal(cal_lunar_to_solar(ly, lm, ld, leap, &yy, &mm, &dd), 0);
	if (yy != y || mm != m || dd != d)
		fail_msg("lunar %d/%d%s/%d: got %04d-%02d-%02d, want %04d-%02d-%02d", ld, lm, leap ? "L" : "", ly, yy,
			 mm, dd, y, m, d);
}

static void assert_solar_to_lunar(int y, int m, int d, int ly, int lm, int ld, bool leap)
{
	struct lunar_date l;
	assert_int_equal(cal_solar_to_lunar(y, m, d, &l), 0);
	if (l.year != ly || l.month != lm || l.day != ld || l.leap != leap)
		fail_msg("%04d-%02d-%02d: got %d/%d%s/%d, want %d/%d%s/%d", y, m, d, l.day, l.month, l.leap ? "L" : "",
			 l.year, ld, lm, leap ? "L" : "", ly);
}

static void tet_dates(void **state)
{
	(void)state;
	static const int tet[][4] = {
		{2024, 2024, 2, 10}, {2025, 2025, 1, 29}, {2026, 2026, 2, 17}, {2023, 2023, 1, 22},
		{1985, 1985, 1, 21}, /* China: 1985-02-20 */
		{2007, 2007, 2, 17}, /* China: 2007-02-18 */
		{1900, 1900, 1, 31},
	};
	for (size_t i = 0; i < sizeof tet / sizeof *tet; i++) {
		assert_lunar_to_solar(tet[i][0], 1, 1, false, tet[i][1], tet[i][2], tet[i][3]);
		assert_solar_to_lunar(tet[i][1], tet[i][2], tet[i][3], tet[i][0], 1, 1, false);
	}
	/* the Chinese dates are not Tết in Vietnam */
	assert_solar_to_lunar(2007, 2, 18, 2007, 1, 2, false);
	struct lunar_date l;
	assert_int_equal(cal_solar_to_lunar(1985, 2, 20, &l), 0);
	assert_false(l.month == 1 && l.day == 1 && !l.leap);
	/* the eve: 2025 ended on 29 of month 12 */
	assert_solar_to_lunar(2025, 1, 28, 2024, 12, 29, false);
	assert_solar_to_lunar(2026, 2, 16, 2025, 12, 29, false);
	/* days where the mean new moon is a lunation ahead of the true one */
	assert_solar_to_lunar(2054, 5, 7, 2054, 3, 30, false);
	assert_solar_to_lunar(2062, 4, 9, 2062, 2, 30, false);
}

static void hung_kings_day(void **state)
{
	(void)state;
	assert_lunar_to_solar(2025, 3, 10, false, 2025, 4, 7);
	assert_lunar_to_solar(2026, 3, 10, false, 2026, 4, 26);
	assert_lunar_to_solar(2023, 3, 10, false, 2023, 4, 29);
}

static void leap_months(void **state)
{
	(void)state;
	int y, m, d;
	assert_int_equal(cal_leap_month(2023), 2);
	assert_int_equal(cal_leap_month(2025), 6);
	assert_int_equal(cal_leap_month(2020), 4);
	assert_int_equal(cal_leap_month(2024), 0);
	assert_int_equal(cal_leap_month(2026), 0);
	assert_int_equal(cal_leap_month(2033), 11); /* a leap month after month 11 */
	assert_int_equal(cal_leap_month(2101), -1);
	assert_solar_to_lunar(2023, 3, 22, 2023, 2, 1, true);
	assert_lunar_to_solar(2023, 2, 1, true, 2023, 3, 22);
	assert_solar_to_lunar(2023, 2, 20, 2023, 2, 1, false);
	assert_int_equal(cal_lunar_to_solar(2023, 3, 1, true, &y, &m, &d), -1); /* 2023 has no leap 3 */
	assert_int_equal(cal_lunar_to_solar(2024, 1, 1, true, &y, &m, &d), -1);
	assert_int_equal(cal_lunar_to_solar(2025, 6, 1, true, &y, &m, &d), 0);
	struct lunar_date l;
	assert_int_equal(cal_solar_to_lunar(y, m, d, &l), 0);
	assert_true(l.year == 2025 && l.month == 6 && l.day == 1 && l.leap);
	assert_int_equal(cal_lunar_to_solar(2033, 11, 1, true, &y, &m, &d), 0);
	assert_int_equal(cal_solar_to_lunar(y, m, d, &l), 0);
	assert_true(l.year == 2033 && l.month == 11 && l.day == 1 && l.leap);
	/* month lengths and bad days */
	assert_int_equal(cal_lunar_month_days(2024, 12, false), 29);
	assert_int_equal(cal_lunar_to_solar(2024, 12, 30, false, &y, &m, &d), -1);
	assert_int_equal(cal_lunar_to_solar(2025, 13, 1, false, &y, &m, &d), -1);
	assert_int_equal(cal_lunar_to_solar(2025, 1, 0, false, &y, &m, &d), -1);
	assert_int_equal(cal_solar_to_lunar(1899, 12, 31, &l), -1);
}

/* Every day 1900-01-31 (Tết 1900) .. 2100-12-31: solar -> lunar -> solar is the identity, and
 * consecutive days step through the lunar calendar one day at a time. */
static void round_trip_1900_2100(void **state)
{
	(void)state;
	struct lunar_date prev = {0}, l;
	for (long x = jd(1900, 1, 31); x <= CAL_JD_MAX; x++) {
		int y, m, d, y2, m2, d2;
		cal_jd_to_date(x, &y, &m, &d);
		assert_int_equal(cal_solar_to_lunar(y, m, d, &l), 0);
		assert_int_equal(cal_lunar_to_solar(l.year, l.month, l.day, l.leap, &y2, &m2, &d2), 0);
		if (y2 != y || m2 != m || d2 != d)
			fail_msg("%04d-%02d-%02d -> %d/%d%s/%d -> %04d-%02d-%02d", y, m, d, l.day, l.month,
				 l.leap ? "L" : "", l.year, y2, m2, d2);
		bool same_month = l.day == prev.day + 1 && l.month == prev.month && l.leap == prev.leap;
		bool new_month = l.day == 1 && (prev.day == 29 || prev.day == 30);
		if (prev.day && !same_month && !new_month)
			fail_msg("%04d-%02d-%02d: %d/%d/%d follows %d/%d/%d", y, m, d, l.day, l.month, l.year, prev.day,
				 prev.month, prev.year);
		prev = l;
	}
}

/* ---- holidays ---- */

static const struct cal_entry *find(const struct cal_year *y, const char *date)
{
	for (size_t i = 0; i < y->n; i++)
		if (!strcmp(y->v[i].date, date))
			return &y->v[i];
	return NULL;
}

static void assert_kind(const struct cal_year *y, const char *date, enum cal_kind k)
{
	const struct cal_entry *x = find(y, date);
	if (!x || x->kind != k)
		fail_msg("%d: %s should be %s, is %s", y->year, date, cal_kind_name(k), x ? cal_kind_name(x->kind) : "absent");
}

static size_t count_kind(const struct cal_year *y, enum cal_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < y->n; i++)
		n += y->v[i].kind == k;
	return n;
}

static void default_rules(void **state)
{
	(void)state;
	struct cal_year y;
	for (int year = CAL_YEAR_MIN; year <= CAL_YEAR_MAX; year++) {
		assert_int_equal(cal_default_holidays(year, &y), 0);
		/* Labour Code art. 112: 11 days; in 1947 10/3 lunar was 30 Apr, one entry for both */
		assert_int_equal(count_kind(&y, CAL_HOLIDAY), year == 1947 ? 10 : 11);
		for (size_t i = 1; i < y.n; i++)
			assert_true(y.v[i - 1].jd < y.v[i].jd); /* sorted, one entry per day */
	}
	/* 2024: Tết Sat 10 Feb; the run is Fri 9 - Tue 13, its two weekend days follow it */
	assert_int_equal(cal_default_holidays(2024, &y), 0);
	assert_false(y.official);
	assert_kind(&y, "2024-02-09", CAL_HOLIDAY);
	assert_kind(&y, "2024-02-13", CAL_HOLIDAY);
	assert_kind(&y, "2024-02-14", CAL_COMPENSATORY);
	assert_kind(&y, "2024-02-15", CAL_COMPENSATORY);
	assert_kind(&y, "2024-09-03", CAL_HOLIDAY); /* 2 Sep a Monday: the day after */
	/* 2023: Hùng Kings Sat 29 Apr, 30 Apr Sunday: compensated on 2 and 3 May, after 1 May */
	assert_int_equal(cal_default_holidays(2023, &y), 0);
	assert_kind(&y, "2023-05-02", CAL_COMPENSATORY);
	assert_kind(&y, "2023-05-03", CAL_COMPENSATORY);
	assert_kind(&y, "2023-09-01", CAL_HOLIDAY); /* 2 Sep a Saturday: Friday before, Monday in lieu */
	assert_kind(&y, "2023-09-04", CAL_COMPENSATORY);
	assert_kind(&y, "2023-01-02", CAL_COMPENSATORY); /* 1 Jan a Sunday */
	/* National Day's adjacent day by the weekday of 2 Sep */
	assert_int_equal(cal_default_holidays(2021, &y), 0);
	assert_kind(&y, "2021-09-03", CAL_HOLIDAY); /* Thursday -> Friday after */
	assert_int_equal(cal_default_holidays(2022, &y), 0);
	assert_kind(&y, "2022-09-01", CAL_HOLIDAY); /* Friday -> Thursday before */
	assert_int_equal(cal_default_holidays(2029, &y), 0);
	assert_kind(&y, "2029-09-03", CAL_HOLIDAY); /* Sunday -> Monday after, Tuesday in lieu */
	assert_kind(&y, "2029-09-04", CAL_COMPENSATORY);
	assert_int_equal(cal_default_holidays(1947, &y), 0);
	assert_kind(&y, "1947-04-30", CAL_HOLIDAY);
	assert_non_null(strstr(find(&y, "1947-04-30")->name_en, "Hùng Kings"));
	assert_kind(&y, "1947-05-02", CAL_COMPENSATORY);
	assert_int_equal(cal_default_holidays(2101, &y), -1);
}

static void official_files_replace_defaults(void **state)
{
	(void)state;
	struct cal_year y;
	struct err e = {0};
	assert_int_equal(cal_holidays(cal, 2026, &y, &e), 0);
	assert_true(y.official);
	assert_true(y.source[0] != '\0');
	assert_kind(&y, "2026-01-01", CAL_HOLIDAY);
	assert_kind(&y, "2026-01-02", CAL_DAYOFF);
	assert_kind(&y, "2026-01-10", CAL_WORKDAY);
	assert_kind(&y, "2026-04-26", CAL_HOLIDAY);
	assert_kind(&y, "2026-04-27", CAL_COMPENSATORY);
	assert_int_equal(count_kind(&y, CAL_HOLIDAY), 11);
	assert_string_equal(find(&y, "2026-01-10")->name_en, "Make-up working day for 2 Jan");
	assert_int_equal(cal_holidays(cal, 2025, &y, &e), 0);
	assert_true(y.official);
	assert_int_equal(count_kind(&y, CAL_HOLIDAY), 11);
	assert_null(find(&y, "2025-02-03")); /* the default rule would give a compensatory day */
	assert_int_equal(cal_holidays(cal, 2027, &y, &e), 0);
	assert_false(y.official);
	assert_int_equal(cal_holidays(cal, 1899, &y, &e), -1);
	assert_string_equal(e.code, "year_out_of_range");
}

static void working_days(void **state)
{
	(void)state;
	static const struct {
		int y, m, d;
		bool working;
	} days[] = {
		{2026, 1, 1, false},  {2026, 1, 2, false},  {2026, 1, 5, true},   {2026, 1, 10, true}, /* make-up Sat */
		{2026, 1, 11, false}, {2026, 2, 13, true},  {2026, 2, 16, false}, {2026, 2, 20, false},
		{2026, 2, 23, true},  {2026, 4, 27, false}, {2026, 4, 28, true},  {2026, 5, 1, false},
		{2026, 8, 22, true},  {2026, 8, 31, false}, {2026, 9, 1, false},  {2026, 9, 3, true},
		{2025, 1, 27, false}, {2025, 2, 3, true},   {2025, 4, 26, true},  {2025, 5, 2, false},
		{2025, 9, 1, false},  {2027, 2, 10, false}, {2027, 2, 12, true},  {2101, 1, 3, true},
	};
	for (size_t i = 0; i < sizeof days / sizeof *days; i++)
		if (cal_is_working_day(cal, days[i].y, days[i].m, days[i].d) != days[i].working)
			fail_msg("%04d-%02d-%02d should %sbe a working day", days[i].y, days[i].m, days[i].d,
				 days[i].working ? "" : "not ");
	/* 261 weekdays in 2026, 13 of them off, 2 make-up Saturdays */
	assert_int_equal(cal_count_working_days(cal, jd(2026, 1, 1), jd(2026, 12, 31)), 250);
	assert_int_equal(cal_count_working_days(cal, jd(2026, 2, 1), jd(2026, 2, 28)), 15);
	assert_int_equal(cal_count_working_days(cal, jd(2026, 2, 2), jd(2026, 2, 1)), 0);
	assert_int_equal(cal_next_working_day(cal, jd(2026, 2, 14)), jd(2026, 2, 23));
	assert_int_equal(cal_add_working_days(cal, jd(2026, 2, 13), 1), jd(2026, 2, 23));
	assert_int_equal(cal_add_working_days(cal, jd(2026, 2, 13), 0), jd(2026, 2, 13));
}

/* ---- bad data files ---- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	unlink(path);
}

static void assert_load_fails(const char *text, const char *needle)
{
	struct calendar *c = cal_new();
	struct err e = {0};
	assert_non_null(c);
	write_file("2030.json", text);
	assert_int_equal(cal_load_dir(c, tmpdir, &e), -1);
	assert_string_equal(e.code, "bad_holiday_data");
	if (!strstr(e.msg, needle) || !strstr(e.msg, "2030.json") || !e.msg_vi[0])
		fail_msg("message '%s' should name the file and say '%s'", e.msg, needle);
	/* the year keeps its computed list */
	struct cal_year y;
	assert_int_equal(cal_holidays(c, 2030, &y, &e), 0);
	assert_false(y.official);
	assert_false(cal_is_working_day(c, 2030, 1, 1));
	cal_free(c);
	remove_file("2030.json");
}

#define NAME "\"name\":{\"vi\":\"x\",\"en\":\"x\"}"

static void bad_files_are_refused(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_calendar_XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	assert_load_fails("{\"year\":2030,\"days\":[", "line");
	assert_load_fails("{\"year\":2031,\"days\":[]}", "file name says 2030");
	assert_load_fails("{\"year\":2030}", "\"days\" array");
	assert_load_fails("{\"year\":2030,\"days\":[{\"date\":\"2031-01-01\"," NAME ",\"kind\":\"holiday\"}]}",
			  "days[0]: \"date\"");
	assert_load_fails("{\"year\":2030,\"days\":[{\"date\":\"2030-01-01\"," NAME ",\"kind\":\"feast\"}]}",
			  "\"kind\"");
	assert_load_fails("{\"year\":2030,\"days\":[{\"date\":\"2030-01-01\",\"kind\":\"holiday\"}]}", "\"name\"");
	assert_load_fails("{\"year\":2030,\"days\":[{\"date\":\"2030-01-05\"," NAME ",\"kind\":\"dayoff\"}]}",
			  "weekday"); /* a Saturday */
	assert_load_fails("{\"year\":2030,\"days\":[],\"workdays\":[{\"date\":\"2030-01-07\"," NAME "}]}",
			  "workdays[0]: a make-up working day must be a Saturday or Sunday");
	assert_load_fails("{\"year\":2030,\"days\":[{\"date\":\"2030-01-01\"," NAME ",\"kind\":\"holiday\"},"
			  "{\"date\":\"2030-01-01\"," NAME ",\"kind\":\"holiday\"}]}",
			  "days[1]: the date is listed twice");
	/* a good file replaces the year, other names are ignored */
	write_file("2030.json", "{\"year\":2030,\"days\":[{\"date\":\"2030-01-02\"," NAME ",\"kind\":\"holiday\"}]}");
	write_file("notes.json", "not json");
	struct calendar *c = cal_new();
	struct err e = {0};
	assert_int_equal(cal_load_dir(c, tmpdir, &e), 0);
	assert_true(cal_is_working_day(c, 2030, 1, 1));
	assert_false(cal_is_working_day(c, 2030, 1, 2));
	assert_int_equal(cal_load_dir(c, "/nonexistent/holidays", &e), -1);
	cal_free(c);
	remove_file("2030.json");
	remove_file("notes.json");
	rmdir(tmpdir);
}

/* ---- working-day clock ---- */

static int64_t at(int y, int m, int d, int hh, int mm)
{
	return cal_local_us(jd(y, m, d), hh * 60 + mm);
}

static void assert_clock(int64_t received, int days, int cutoff, int64_t want_start, int64_t want_due)
{
	int64_t start = 0, due = 0;
	char a[32], b[32], c[32], d[32];
	assert_int_equal(cal_due(cal, received, days, cutoff, &start, &due), 0);
	if (start != want_start || due != want_due) {
		clock_iso(start, a, sizeof a);
		clock_iso(want_start, b, sizeof b);
		clock_iso(due, c, sizeof c);
		clock_iso(want_due, d, sizeof d);
		fail_msg("start %s (want %s), due %s (want %s)", a, b, c, d);
	}
}

static void clock_cutoff(void **state)
{
	(void)state;
	int64_t t;
	/* Monday 2 Mar 2026 */
	t = at(2026, 3, 2, 9, 0);
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, t, at(2026, 3, 3, 17, 0));
	assert_clock(t, 0, CAL_CUTOFF_DEFAULT, t, at(2026, 3, 2, 17, 0)); /* a same-day procedure */
	assert_clock(at(2026, 3, 2, 18, 0), 1, CAL_CUTOFF_DEFAULT, at(2026, 3, 3, 0, 0), at(2026, 3, 4, 17, 0));
	assert_clock(at(2026, 3, 2, 17, 0), 1, CAL_CUTOFF_DEFAULT, at(2026, 3, 3, 0, 0), at(2026, 3, 4, 17, 0));
	t = at(2026, 3, 2, 17, 0) - 1;
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, t, at(2026, 3, 3, 17, 0));
	t = at(2026, 3, 2, 10, 0);
	assert_clock(t, 5, CAL_CUTOFF_DEFAULT, t, at(2026, 3, 9, 17, 0));
	/* the 15:00 cut-off of a procedure that sets one */
	t = at(2026, 3, 2, 14, 59);
	assert_clock(t, 1, 900, t, at(2026, 3, 3, 17, 0));
	assert_clock(at(2026, 3, 2, 15, 30), 1, 900, at(2026, 3, 3, 0, 0), at(2026, 3, 4, 17, 0));
	assert_clock(at(2026, 3, 2, 15, 30), 0, 900, at(2026, 3, 3, 0, 0), at(2026, 3, 3, 17, 0));
	t = at(2026, 3, 2, 15, 30);
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, t, at(2026, 3, 3, 17, 0));
}

static void clock_in_vietnam_time(void **state)
{
	(void)state;
	int64_t t;
	/* 23:00 UTC on Sunday is 06:00 on Monday in Vietnam */
	assert_int_equal(clock_parse_iso("2026-03-01T23:00:00Z", &t), 0);
	assert_int_equal(cal_jd_of_us(t), jd(2026, 3, 2));
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, t, at(2026, 3, 3, 17, 0));
	/* 10:30 UTC on Monday is 17:30 in Vietnam: after the cut-off */
	assert_int_equal(clock_parse_iso("2026-03-02T10:30:00Z", &t), 0);
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, at(2026, 3, 3, 0, 0), at(2026, 3, 4, 17, 0));
	int64_t due;
	assert_int_equal(clock_parse_iso("2026-03-03T10:00:00Z", &due), 0);
	assert_true(due == at(2026, 3, 3, 17, 0));
	assert_int_equal(cal_jd_of_us(-1), jd(1970, 1, 1)); /* 06:59:59.999999 on 1 Jan 1970 */
}

static void clock_weekends_and_breaks(void **state)
{
	(void)state;
	int64_t t;
	/* received on Saturday 7 Mar 2026: starts Monday; 3 working days after it is Thursday */
	assert_clock(at(2026, 3, 7, 10, 0), 3, CAL_CUTOFF_DEFAULT, at(2026, 3, 9, 0, 0), at(2026, 3, 12, 17, 0));
	/* received Friday 13 Feb 2026, before Tết: the first working day after it is Monday 23 Feb */
	t = at(2026, 2, 13, 10, 0);
	assert_clock(t, 3, CAL_CUTOFF_DEFAULT, t, at(2026, 2, 25, 17, 0));
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, t, at(2026, 2, 23, 17, 0));
	assert_clock(at(2026, 2, 13, 17, 30), 1, CAL_CUTOFF_DEFAULT, at(2026, 2, 23, 0, 0), at(2026, 2, 24, 17, 0));
	assert_clock(at(2026, 2, 17, 9, 0), 1, CAL_CUTOFF_DEFAULT, at(2026, 2, 23, 0, 0), at(2026, 2, 24, 17, 0));
	/* make-up Saturday 10 Jan 2026 is a working day */
	t = at(2026, 1, 9, 10, 0);
	assert_clock(t, 1, CAL_CUTOFF_DEFAULT, t, at(2026, 1, 10, 17, 0));
	assert_clock(t, 2, CAL_CUTOFF_DEFAULT, t, at(2026, 1, 12, 17, 0));
	t = at(2026, 1, 10, 9, 0);
	assert_clock(t, 0, CAL_CUTOFF_DEFAULT, t, at(2026, 1, 10, 17, 0));
	/* New Year 2026: Thu 1 and Fri 2 Jan off, then the weekend */
	assert_clock(at(2026, 1, 1, 9, 0), 1, CAL_CUTOFF_DEFAULT, at(2026, 1, 5, 0, 0), at(2026, 1, 6, 17, 0));
}

static void clock_refuses_bad_arguments(void **state)
{
	(void)state;
	int64_t s, d, t = at(2026, 3, 2, 9, 0);
	assert_int_equal(cal_due(cal, t, -1, CAL_CUTOFF_DEFAULT, &s, &d), -1);
	assert_int_equal(cal_due(cal, t, CAL_MAX_DAYS + 1, CAL_CUTOFF_DEFAULT, &s, &d), -1);
	assert_int_equal(cal_due(cal, t, 1, 0, &s, &d), -1);
	assert_int_equal(cal_due(cal, t, 1, 18 * 60, &s, &d), -1);
	assert_int_equal(cal_due(cal, at(2101, 1, 3, 9, 0), 1, CAL_CUTOFF_DEFAULT, &s, &d), -1);
	assert_int_equal(cal_due(cal, at(2100, 12, 30, 9, 0), 10, CAL_CUTOFF_DEFAULT, &s, &d), -1);
	assert_int_equal(cal_due(cal, at(2100, 12, 30, 9, 0), 1, CAL_CUTOFF_DEFAULT, &s, &d), 0);
}

static void clock_resumes_after_a_pause(void **state)
{
	(void)state;
	int64_t due = 0;
	/* paused Monday 2 Mar with the due on Thursday 5 Mar: 3 working days were left (3-5 Mar) */
	assert_int_equal(cal_resume(cal, at(2026, 3, 2, 9, 0), at(2026, 3, 5, 17, 0), at(2026, 3, 9, 10, 0), &due), 0);
	assert_int_equal(due, at(2026, 3, 12, 17, 0));
	/* paused the day before the due, resumed on it just before Tết: 1 day left, after the break */
	assert_int_equal(cal_resume(cal, at(2026, 2, 12, 9, 0), at(2026, 2, 13, 17, 0), at(2026, 2, 13, 9, 0), &due), 0);
	assert_int_equal(due, at(2026, 2, 23, 17, 0));
	/* paused after the due: nothing left, due the day it resumes */
	assert_int_equal(cal_resume(cal, at(2026, 3, 6, 9, 0), at(2026, 3, 5, 17, 0), at(2026, 3, 10, 9, 0), &due), 0);
	assert_int_equal(due, at(2026, 3, 10, 17, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(julian_days_and_weekdays),
		cmocka_unit_test(tet_dates),
		cmocka_unit_test(hung_kings_day),
		cmocka_unit_test(leap_months),
		cmocka_unit_test(round_trip_1900_2100),
		cmocka_unit_test(default_rules),
		cmocka_unit_test(official_files_replace_defaults),
		cmocka_unit_test(working_days),
		cmocka_unit_test(bad_files_are_refused),
		cmocka_unit_test(clock_cutoff),
		cmocka_unit_test(clock_in_vietnam_time),
		cmocka_unit_test(clock_weekends_and_breaks),
		cmocka_unit_test(clock_refuses_bad_arguments),
		cmocka_unit_test(clock_resumes_after_a_pause),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
