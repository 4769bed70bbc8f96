/* trend.c — a unit's service index month by month, for the leaders' dashboard: each month's total
 * and group points exactly as GET /reports/766 answers them for that month (the published version
 * of a closed month, the live figures of an open one), in one call. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

#define TREND_MONTHS_MAX 24

/* "YYYY-MM" as a count of months (year × 12 + month − 1), or -1. */
static long month_number(const char *s)
{
	int y, m, n = 0;
	if (!s || strlen(s) != 7 || s[4] != '-' || sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || y < 1900 || y > 2100 || m < 1 ||
	    m > 12)
		return -1;
	return (long)y * 12 + m - 1;
}

/* One month's figures from its report: period, state, total and each group's points of max. */
static json_t *month_of(const json_t *r)
{
	json_t *groups = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "groups"), i, g)
		json_array_append_new(groups, json_pack("{s:O,s:O,s:O}", "id", json_object_get(g, "id"), "points",
							json_object_get(g, "points"), "max", json_object_get(g, "max")));
	return json_pack("{s:O,s:O,s:O,s:O,s:o}", "period", json_object_get(r, "period"), "state", json_object_get(r, "state"), "total",
			 json_object_get(r, "total"), "max", json_object_get(r, "max"), "groups", groups);
}

int report_766_trend(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const char *from,
		     const char *to, const char *cut, json_t **out, struct err *e)
{
	long first = month_number(from), last = month_number(to);
	if (first < 0 || last < 0)
		return err_set(e, 400, "invalid_query", "from and to must be months, YYYY-MM (1900-2100)",
			       "from và to phải là tháng, dạng YYYY-MM (1900-2100)");
	if (first > last || last - first >= TREND_MONTHS_MAX)
		return err_set(e, 400, "invalid_query", "from must not be after to, and a trend spans at most %d months",
			       "from không được sau to, và xu hướng dài tối đa %d tháng", TREND_MONTHS_MAX);
	json_t *months = json_array(), *r = NULL;
	struct period p = {0};
	for (long n = first; n <= last; n++) {
		char name[16];
		snprintf(name, sizeof name, "%04ld-%02ld", n / 12, n % 12 + 1);
		if (period_parse(name, cut, &p, e) || report_766_view(d, db, who, unit, &p, &r, e)) {
			json_decref(months);
			return -1;
		}
		json_array_append_new(months, month_of(r));
		json_decref(r);
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:o}", "unit", unit, "cut", p.cut, "from", from, "to", to, "months", months);
	return 0;
}
