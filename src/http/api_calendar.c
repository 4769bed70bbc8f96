/* api_calendar.c — the lunar calendar, the year's holidays and the working-day clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "http/api.h"

/* Public lists say "holiday" for an extra day off the Government granted too: for a dossier's
 * clock both are simply days off. */
static const char *public_kind(enum cal_kind k)
{
	return k == CAL_DAYOFF ? "holiday" : cal_kind_name(k);
}

/* An instant as ISO 8601 in Vietnam time: "2026-03-03T17:00:00+07:00". */
static void iso_vn(int64_t us, char *out, size_t n)
{
	long jd = cal_jd_of_us(us);
	int64_t minutes = (us - cal_local_us(jd, 0)) / 60000000;
	int64_t secs = (us - cal_local_us(jd, 0)) / 1000000 % 60;
	char date[11];
	cal_format_date(jd, date, sizeof date);
	snprintf(out, n, "%sT%02d:%02d:%02d+07:00", date, (int)(minutes / 60), (int)(minutes % 60), (int)secs);
}

int api_calendar_lunar(struct call *c)
{
	const char *s = call_query(c, "date");
	long jd;
	if (!s || cal_parse_date(s, &jd))
		return err_set(&c->err, 400, "invalid_query", "date must be a date YYYY-MM-DD from 1900 to 2100",
			       "date phải là ngày YYYY-MM-DD từ năm 1900 đến 2100");
	int y, m, d;
	cal_jd_to_date(jd, &y, &m, &d);
	struct lunar_date l;
	if (cal_solar_to_lunar(y, m, d, &l))
		return err_set(&c->err, 400, "invalid_query", "%s is outside 1900-2100", "%s nằm ngoài 1900-2100", s);
	c->result = json_pack("{s:s,s:{s:i,s:i,s:i,s:b}}", "solar", s, "lunar", "year", l.year, "month", l.month, "day",
			      l.day, "leap", l.leap);
	return 0;
}

int api_calendar_holidays(struct call *c)
{
	long year;
	char today[11];
	clock_today_vn(today, sizeof today);
	if (call_query_int(c, "year", CAL_YEAR_MIN, CAL_YEAR_MAX, atol(today), &year))
		return -1;
	struct cal_year *y = malloc(sizeof *y);
	if (!y)
		return err_set(&c->err, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	if (cal_holidays(c->app->calendar, (int)year, y, &c->err)) {
		free(y);
		return -1;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < y->n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}", "date", y->v[i].date, "name", y->v[i].name_vi,
						      "name_en", y->v[i].name_en, "kind", public_kind(y->v[i].kind)));
	c->result = json_pack("{s:i,s:b,s:s,s:o}", "year", y->year, "official", y->official, "source", y->source,
			      "holidays", list);
	free(y);
	return 0;
}

/* "HH:MM" as minutes after midnight, or -1. */
static int parse_hhmm(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

int api_calendar_due(struct call *c)
{
	const char *at = call_query(c, "received_at"), *cut = call_query(c, "cutoff");
	long days;
	int64_t received;
	if (!at || strlen(at) > 40 || clock_parse_iso(at, &received))
		return err_set(&c->err, 400, "invalid_query", "received_at must be an ISO 8601 time, e.g. 2026-03-02T09:30:00+07:00",
			       "received_at phải là thời điểm ISO 8601, ví dụ 2026-03-02T09:30:00+07:00");
	if (!call_query(c, "days"))
		return err_set(&c->err, 400, "invalid_query", "days (working days, 0-%d) is required",
			       "cần days (số ngày làm việc, 0-%d)", CAL_MAX_DAYS);
	if (call_query_int(c, "days", 0, CAL_MAX_DAYS, 0, &days))
		return -1;
	int cutoff = cut ? parse_hhmm(cut) : CAL_CUTOFF_DEFAULT;
	if (cutoff < 1 || cutoff > CAL_CUTOFF_DEFAULT)
		return err_set(&c->err, 400, "invalid_query", "cutoff must be a time HH:MM from 00:01 to 17:00",
			       "cutoff phải là giờ HH:MM từ 00:01 đến 17:00");
	int64_t start, due;
	if (cal_due(c->app->calendar, received, (int)days, cutoff, &start, &due))
		return err_set(&c->err, 400, "invalid_query", "the clock must start and end between 1900 and 2100",
			       "thời hạn phải bắt đầu và kết thúc trong khoảng 1900-2100");
	char s[40], d[40];
	iso_vn(start, s, sizeof s);
	iso_vn(due, d, sizeof d);
	c->result = json_pack("{s:s,s:s,s:I,s:s}", "start", s, "due", d, "days", (json_int_t)days, "cutoff",
			      cut ? cut : "17:00");
	return 0;
}
