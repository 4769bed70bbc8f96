/* holidays.c — public holidays per year: the default rules of Labour Code 2019 art. 111-112,
 * replaced year by year by the official lists in data/holidays/YYYY.json.
 *
 * Default rules (used for a year without a file):
 * - 1 Jan; 30 Apr; 1 May; Hùng Kings' day 10/3 lunar; 2 Sep.
 * - Tết, 5 days: the last day of the lunar year (29 or 30 of month 12) and days 1-4 of month 1.
 *   The Government fixes the real days each year (often shifted by a day or two to join a
 *   weekend), so a computed Tết is a default to be replaced by the year's file.
 * - National Day's adjacent day (art. 112: "02/9 and one day before or after"): the day that
 *   makes a continuous break with a weekend — the day before, unless that is a weekend day or
 *   2 Sep is a Thursday: Sun/Mon/Thu -> 3 Sep, Tue/Wed/Fri/Sat -> 1 Sep. This matches the
 *   decisions of 2021-2026 (2026, a Wednesday, took 1 Sep).
 * - Compensation (art. 111(3)): a holiday on a Saturday or Sunday, or on a day another holiday
 *   already takes, gives a compensatory day off on the next weekday that is neither a holiday nor
 *   already compensatory; so the compensatory days of a Tết run that spans a weekend follow the
 *   run. Two holidays on one day (only 1947 in 1900-2100: 10/3 lunar = 30 Apr) are listed as one
 *   entry naming both, plus the compensatory day.
 * Official files list each weekday off (holiday, compensatory, dayoff) and each make-up working
 * day; weekends inside a break are not listed. The public list keeps `dayoff` as its own kind; a
 * caller that shows only holiday/compensatory/workday may show a dayoff as a holiday. */
#include "calendar/calendar.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define YEARS (CAL_YEAR_MAX - CAL_YEAR_MIN + 1)
#define SPAN (CAL_JD_MAX - CAL_JD_MIN + 1)
#define FILE_MAX (256 * 1024)

enum day_state { DAY_PLAIN = 0, DAY_OFF = 1, DAY_WORK = 2 };

struct calendar {
	unsigned char state[SPAN];        /* enum day_state per day, CAL_JD_MIN..CAL_JD_MAX */
	struct cal_year *official[YEARS]; /* loaded files, NULL for computed years */
};

/* ---- kinds ---- */

struct kind_info {
	const char *name;
	enum cal_kind kind;
	bool weekday_only; /* must fall Mon-Fri */
	bool weekend_only; /* must fall Sat/Sun */
	enum day_state state;
};

static const struct kind_info kinds[] = {
	{"holiday", CAL_HOLIDAY, false, false, DAY_OFF},
	{"compensatory", CAL_COMPENSATORY, true, false, DAY_OFF},
	{"dayoff", CAL_DAYOFF, true, false, DAY_OFF},
	{"workday", CAL_WORKDAY, false, true, DAY_WORK},
};

static const struct kind_info *kind_info(enum cal_kind k)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (kinds[i].kind == k)
			return &kinds[i];
	return &kinds[0];
}

const char *cal_kind_name(enum cal_kind k)
{
	return kind_info(k)->name;
}

static const struct kind_info *kind_by_name(const char *s)
{
	for (size_t i = 0; s && i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i].name, s))
			return &kinds[i];
	return NULL;
}

static bool weekend(long jd)
{
	int w = cal_weekday_jd(jd);
	return w == 0 || w == 6;
}

/* ---- lists ---- */

static int add_entry(struct cal_year *y, long jd, enum cal_kind k, const char *vi, const char *en)
{
	if (y->n >= CAL_MAX_ENTRIES)
		return -1;
	struct cal_entry *x = &y->v[y->n++];
	x->jd = jd;
	cal_format_date(jd, x->date, sizeof x->date);
	x->kind = k;
	snprintf(x->name_vi, sizeof x->name_vi, "%s", vi);
	snprintf(x->name_en, sizeof x->name_en, "%s", en);
	return 0;
}

/* Stable insertion sort by date (lists are short). */
static void sort_entries(struct cal_year *y)
{
	for (size_t i = 1; i < y->n; i++) {
		struct cal_entry x = y->v[i];
		size_t j = i;
		for (; j > 0 && y->v[j - 1].jd > x.jd; j--)
			y->v[j] = y->v[j - 1];
		y->v[j] = x;
	}
}

static bool listed(const struct cal_year *y, size_t upto, long jd)
{
	for (size_t i = 0; i < upto; i++)
		if (y->v[i].jd == jd)
			return true;
	return false;
}

/* ---- default rules ---- */

static long solar_day(int year, int m, int d)
{
	return cal_jd(year, m, d);
}

static long lunar_day(int year, int lm, int ld)
{
	int y, m, d;
	return cal_lunar_to_solar(year, lm, ld, false, &y, &m, &d) ? 0 : cal_jd(y, m, d);
}

static long lunar_year_end(int year, int unused1, int unused2)
{
	(void)unused1;
	(void)unused2;
	long tet = lunar_day(year, 1, 1);
	return tet ? tet - 1 : 0;
}

static long national_day_adjacent(int year, int m, int d)
{
	/* by the weekday of 2 Sep, Sunday first: the step to the adjacent day off */
	static const signed char step[7] = {+1, +1, -1, -1, +1, -1, -1};
	long jd = cal_jd(year, m, d);
	return jd + step[cal_weekday_jd(jd)];
}

struct rule {
	long (*when)(int year, int a, int b); /* 0 when the day cannot be computed */
	int a, b;
	const char *vi, *en;
};

static const struct rule rules[] = {
	{solar_day, 1, 1, "Tết Dương lịch", "New Year's Day"},
	{lunar_year_end, 0, 0, "Tết Nguyên đán (ngày cuối năm âm lịch)", "Lunar New Year (last day of the year)"},
	{lunar_day, 1, 1, "Tết Nguyên đán (mùng 1 tháng Giêng)", "Lunar New Year (1st day)"},
	{lunar_day, 1, 2, "Tết Nguyên đán (mùng 2 tháng Giêng)", "Lunar New Year (2nd day)"},
	{lunar_day, 1, 3, "Tết Nguyên đán (mùng 3 tháng Giêng)", "Lunar New Year (3rd day)"},
	{lunar_day, 1, 4, "Tết Nguyên đán (mùng 4 tháng Giêng)", "Lunar New Year (4th day)"},
	{lunar_day, 3, 10, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "Hùng Kings' Commemoration Day (10/3 lunar)"},
	{solar_day, 4, 30, "Ngày Chiến thắng (30/4)", "Reunification Day (30 Apr)"},
	{solar_day, 5, 1, "Ngày Quốc tế Lao động (1/5)", "International Labour Day (1 May)"},
	{solar_day, 9, 2, "Quốc khánh (2/9)", "National Day (2 Sep)"},
	{national_day_adjacent, 9, 2, "Quốc khánh (ngày liền kề)", "National Day (adjacent day)"},
};

/* The next weekday after jd that the list does not already take. */
static long next_free_weekday(const struct cal_year *y, long jd)
{
	do
		jd++;
	while (weekend(jd) || listed(y, y->n, jd));
	return jd;
}

static int add_compensatory(struct cal_year *y)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	size_t holidays = y->n;
	for (size_t i = 0; i < holidays; i++) {
		const struct cal_entry *h = &y->v[i];
		if (!weekend(h->jd) && !listed(y, i, h->jd))
			continue;
		int yy, m, d;
		cal_jd_to_date(h->jd, &yy, &m, &d);
		char vi[128], en[128];
		snprintf(vi, sizeof vi, "Nghỉ bù ngày %02d/%02d: %s", d, m, h->name_vi);
		snprintf(en, sizeof en, "Day off in lieu of %d %s: %s", d, mon[m - 1], h->name_en);
		if (add_entry(y, next_free_weekday(y, h->jd), CAL_COMPENSATORY, vi, en))
			return -1;
	}
	return 0;
}

/* Two holidays on one day (Hùng Kings' day on 30 Apr in 1947) become one entry naming both;
 * add_compensatory has already given the second its day in lieu. */
static void merge_same_day(struct cal_year *y)
{
	size_t w = 0;
	for (size_t i = 0; i < y->n; i++) {
		struct cal_entry *prev = w ? &y->v[w - 1] : NULL, *x = &y->v[i];
		if (prev && prev->jd == x->jd && prev->kind == CAL_HOLIDAY && x->kind == CAL_HOLIDAY) {
			size_t nv = strlen(prev->name_vi), ne = strlen(prev->name_en);
			snprintf(prev->name_vi + nv, sizeof prev->name_vi - nv, "; %s", x->name_vi);
			snprintf(prev->name_en + ne, sizeof prev->name_en - ne, "; %s", x->name_en);
			continue;
		}
		y->v[w++] = *x;
	}
	y->n = w;
}

int cal_default_holidays(int year, struct cal_year *out)
{
	memset(out, 0, sizeof *out);
	out->year = year;
	if (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX)
		return -1;
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		long jd = rules[i].when(year, rules[i].a, rules[i].b);
		if (!jd || add_entry(out, jd, CAL_HOLIDAY, rules[i].vi, rules[i].en))
			return -1;
	}
	sort_entries(out);
	if (add_compensatory(out))
		return -1;
	sort_entries(out);
	merge_same_day(out);
	return 0;
}

/* ---- the calendar ---- */

static void apply_year(struct calendar *c, const struct cal_year *y)
{
	long first = cal_jd(y->year, 1, 1), last = cal_jd(y->year, 12, 31);
	memset(&c->state[first - CAL_JD_MIN], DAY_PLAIN, (size_t)(last - first + 1));
	for (size_t i = 0; i < y->n; i++)
		if (y->v[i].jd >= CAL_JD_MIN && y->v[i].jd <= CAL_JD_MAX)
			c->state[y->v[i].jd - CAL_JD_MIN] = (unsigned char)kind_info(y->v[i].kind)->state;
}

struct calendar *cal_new(void)
{
	struct calendar *c = calloc(1, sizeof *c);
	struct cal_year *y = malloc(sizeof *y);
	int year = CAL_YEAR_MIN;
	for (; c && y && year <= CAL_YEAR_MAX && !cal_default_holidays(year, y); year++)
		apply_year(c, y);
	free(y);
	if (year <= CAL_YEAR_MAX) {
		free(c);
		return NULL;
	}
	return c;
}

void cal_free(struct calendar *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < YEARS; i++)
		free(c->official[i]);
	free(c);
}

int cal_holidays(const struct calendar *c, int year, struct cal_year *out, struct err *e)
{
	if (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX)
		return err_set(e, 422, "year_out_of_range", "year %d is outside %d-%d", "năm %d nằm ngoài %d-%d", year,
			       CAL_YEAR_MIN, CAL_YEAR_MAX);
	const struct cal_year *y = c->official[year - CAL_YEAR_MIN];
	if (y) {
		*out = *y;
		return 0;
	}
	if (cal_default_holidays(year, out))
		return err_set(e, 500, "calendar_failed", "cannot compute the holidays of %d",
			       "không tính được ngày nghỉ lễ năm %d", year);
	return 0;
}

bool cal_is_working_jd(const struct calendar *c, long jd)
{
	enum day_state s = jd >= CAL_JD_MIN && jd <= CAL_JD_MAX ? c->state[jd - CAL_JD_MIN] : DAY_PLAIN;
	return s == DAY_WORK || (s == DAY_PLAIN && !weekend(jd));
}

bool cal_is_working_day(const struct calendar *c, int y, int m, int d)
{
	return cal_is_working_jd(c, cal_jd(y, m, d));
}

/* ---- year files ---- */

struct reader {
	const char *path;
	struct cal_year *y;
	struct err *e;
	const char *section; /* "days" or "workdays" */
};

/* The two messages take different texts, so the Vietnamese one is written after err_set. */
static int bad(struct reader *r, const char *what_en, const char *what_vi, size_t i)
{
	err_set(r->e, 500, "bad_holiday_data", "%s: %s[%zu]: %s; fix the file or remove it", "%s: %s[%zu]: %s",
		r->path, r->section, i, what_en);
	if (r->e)
		snprintf(r->e->msg_vi, sizeof r->e->msg_vi, "%s: %s[%zu]: %s; hãy sửa hoặc xoá tệp", r->path,
			 r->section, i, what_vi);
	return -1;
}

static const char *str_at(const json_t *o, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(o, k1);
	if (k2)
		v = json_object_get(v, k2);
	return json_is_string(v) && json_string_length(v) < 128 && strlen(json_string_value(v)) == json_string_length(v)
		       ? json_string_value(v)
		       : NULL;
}

/* One element of "days" (workdays = false) or "workdays" (true). */
static int read_entry(struct reader *r, const json_t *o, size_t i, bool workdays)
{
	long jd;
	const char *vi = str_at(o, "name", "vi"), *en = str_at(o, "name", "en");
	const struct kind_info *k = workdays ? kind_info(CAL_WORKDAY) : kind_by_name(str_at(o, "kind", NULL));
	if (cal_parse_date(str_at(o, "date", NULL), &jd) || jd < cal_jd(r->y->year, 1, 1) ||
	    jd > cal_jd(r->y->year, 12, 31))
		return bad(r, "\"date\" must be YYYY-MM-DD within the file's year",
			   "\"date\" phải là YYYY-MM-DD trong năm của tệp", i);
	if (!vi || !en)
		return bad(r, "\"name\" needs \"vi\" and \"en\" strings under 128 bytes",
			   "\"name\" cần chuỗi \"vi\" và \"en\" dưới 128 byte", i);
	if (!k || (!workdays && k->kind == CAL_WORKDAY))
		return bad(r, "\"kind\" must be holiday, compensatory or dayoff (make-up days go under \"workdays\")",
			   "\"kind\" phải là holiday, compensatory hoặc dayoff (ngày làm bù đặt trong \"workdays\")", i);
	if ((k->weekday_only && weekend(jd)) || (k->weekend_only && !weekend(jd)))
		return bad(r, k->weekend_only ? "a make-up working day must be a Saturday or Sunday"
					      : "a compensatory day or extra day off must be a weekday",
			   k->weekend_only ? "ngày làm bù phải là thứ Bảy hoặc Chủ nhật"
					   : "ngày nghỉ bù hoặc ngày nghỉ thêm phải là ngày làm việc trong tuần",
			   i);
	if (listed(r->y, r->y->n, jd))
		return bad(r, "the date is listed twice", "ngày này bị liệt kê hai lần", i);
	if (add_entry(r->y, jd, k->kind, vi, en))
		return bad(r, "too many entries", "quá nhiều mục", i);
	return 0;
}

static int read_entries(struct reader *r, const json_t *a, bool workdays)
{
	size_t i;
	const json_t *o;
	r->section = workdays ? "workdays" : "days";
	json_array_foreach(a, i, o) {
		if (read_entry(r, o, i, workdays))
			return -1;
	}
	return 0;
}

static bool valid_source(const json_t *src, size_t max)
{
	return !src || (json_is_string(src) && json_string_length(src) < max &&
			strlen(json_string_value(src)) == json_string_length(src));
}

static int read_year(struct reader *r, const json_t *doc)
{
	const json_t *year = json_object_get(doc, "year"), *days = json_object_get(doc, "days");
	const json_t *work = json_object_get(doc, "workdays"), *src = json_object_get(doc, "source");
	json_int_t yv = json_integer_value(year);
	if (!json_is_integer(year) || yv < CAL_YEAR_MIN || yv > CAL_YEAR_MAX || !json_is_array(days) ||
	    (work && !json_is_array(work)) || !valid_source(src, sizeof r->y->source))
		return err_set(r->e, 500, "bad_holiday_data",
			       "%s: needs \"year\" (%d-%d), a \"days\" array, and optionally a \"source\" "
			       "string under %zu bytes and a \"workdays\" array",
			       "%s: cần \"year\" (%d-%d), mảng \"days\", và tuỳ chọn chuỗi \"source\" "
			       "dưới %zu byte cùng mảng \"workdays\"",
			       r->path, CAL_YEAR_MIN, CAL_YEAR_MAX, sizeof r->y->source);
	r->y->year = (int)yv;
	r->y->official = true;
	snprintf(r->y->source, sizeof r->y->source, "%s", src ? json_string_value(src) : "");
	if (read_entries(r, days, false) || (work && read_entries(r, work, true)))
		return -1;
	sort_entries(r->y);
	return 0;
}

static json_t *read_json(const char *path, struct err *e)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		err_set(e, 500, "bad_holiday_data", "%s: missing, not a file or larger than %d bytes",
			"%s: không có, không phải tệp hoặc lớn hơn %d byte", path, FILE_MAX);
		return NULL;
	}
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		err_set(e, 500, "bad_holiday_data", "%s: line %d: %s", "%s: dòng %d: %s", path, je.line, je.text);
	else if (!json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		err_set(e, 500, "bad_holiday_data", "%s: must hold a JSON object", "%s: phải chứa một đối tượng JSON",
			path);
	}
	return doc;
}

static void install(struct calendar *c, struct cal_year *y);

/* Reads a parsed year document (named path in messages) into a new year list; expect_year 0
 * takes any year. */
static struct cal_year *year_of_doc(const json_t *doc, const char *path, int expect_year, struct err *e)
{
	struct cal_year *y = doc ? calloc(1, sizeof *y) : NULL;
	struct reader r = {path, y, e, ""};
	int rc = !y ? -1 : read_year(&r, doc);
	if (!rc && expect_year && y->year != expect_year)
		rc = err_set(e, 500, "bad_holiday_data", "%s: \"year\" is %d; the file name says %d",
			     "%s: \"year\" là %d; tên tệp ghi %d", path, y->year, expect_year);
	if (doc && !y)
		err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	if (rc) {
		free(y);
		return NULL;
	}
	return y;
}

/* Reads path into a new year list; expect_year 0 takes any year. */
static struct cal_year *load_year(const char *path, int expect_year, struct err *e)
{
	json_t *doc = read_json(path, e);
	struct cal_year *y = doc ? year_of_doc(doc, path, expect_year, e) : NULL;
	json_decref(doc);
	return y;
}

int cal_load_json(struct calendar *c, const json_t *doc, const char *name, struct err *e)
{
	if (!json_is_object(doc))
		return err_set(e, 500, "bad_holiday_data", "%s: must hold a JSON object", "%s: phải chứa một đối tượng JSON",
			       name);
	struct cal_year *y = year_of_doc(doc, name, 0, e);
	if (!y)
		return -1;
	install(c, y);
	return 0;
}

static void install(struct calendar *c, struct cal_year *y)
{
	free(c->official[y->year - CAL_YEAR_MIN]);
	c->official[y->year - CAL_YEAR_MIN] = y;
	apply_year(c, y);
}

int cal_load_file(struct calendar *c, const char *path, struct err *e)
{
	struct cal_year *y = load_year(path, 0, e);
	if (!y)
		return -1;
	install(c, y);
	return 0;
}

/* The year a file name like "2026.json" stands for, or 0. */
static int year_of_name(const char *name)
{
	int y = 0;
	for (int i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		y = y * 10 + (name[i] - '0');
	}
	return strcmp(name + 4, ".json") ? 0 : y;
}

int cal_load_dir(struct calendar *c, const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, 500, "bad_holiday_data", "cannot open the holiday directory %s",
			       "không mở được thư mục ngày nghỉ lễ %s", dir);
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		int year = year_of_name(de->d_name);
		if (!year)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct cal_year *y = load_year(path, year, e);
		if (y)
			install(c, y);
		else
			rc = -1;
	}
	closedir(d);
	return rc;
}
