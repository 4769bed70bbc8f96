/* period.c — reporting periods. Decree 09/2019's cut: a month runs from the 15th of the month
 * before to the 14th, a quarter from the 15th of the month before its first month to the 14th of
 * its last, a year from 15 December of the year before to 14 December; the calendar cut is the
 * calendar's. Instants are Vietnam time (UTC+7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"
#include "report/report.h"

static const struct {
	const char *name;
	int first_day; /* the day of the month a period starts on */
	int shift;     /* months before the period's first month it starts in */
} cuts[] = {{"nd09", 15, 1}, {"calendar", 1, 0}};

/* Parses Y, Y-Qn or Y-MM into the first and last month (1-12) of the period. */
static int months_of(const char *s, int *y, int *m1, int *m2)
{
	char tail[8] = "";
	int n = 0;
	if (sscanf(s, "%4d%n", y, &n) != 1 || n != 4 || *y < 1900 || *y > 2100)
		return -1;
	snprintf(tail, sizeof tail, "%s", s + 4);
	int q = 0, m = 0;
	if (!tail[0]) {
		*m1 = 1;
		*m2 = 12;
	} else if (strlen(tail) == 3 && tail[0] == '-' && tail[1] == 'Q' && (q = tail[2] - '0') >= 1 && q <= 4) {
		*m1 = 3 * q - 2;
		*m2 = 3 * q;
	} else if (strlen(tail) == 3 && tail[0] == '-' && sscanf(tail + 1, "%2d", &m) == 1 && m >= 1 && m <= 12 &&
		   tail[1] >= '0' && tail[1] <= '1') {
		*m1 = *m2 = m;
	} else
		return -1;
	return 0;
}

/* The day `day` of month m of year y, m may be 0 (December of the year before) or 13. */
static long day_of(int y, int m, int day)
{
	if (m < 1) {
		m += 12;
		y--;
	} else if (m > 12) {
		m -= 12;
		y++;
	}
	return cal_jd(y, m, day);
}

int period_parse(const char *name, const char *cut, struct period *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	int y, m1, m2;
	if (!name || months_of(name, &y, &m1, &m2))
		return err_set(e, 400, "invalid_query", "period must be YYYY, YYYY-Qn or YYYY-MM (1900-2100)",
			       "period phải có dạng YYYY, YYYY-Qn hoặc YYYY-MM (1900-2100)");
	size_t c = 0;
	while (c < sizeof cuts / sizeof *cuts && strcmp(cuts[c].name, cut ? cut : "nd09"))
		c++;
	if (c == sizeof cuts / sizeof *cuts)
		return err_set(e, 400, "invalid_query", "cut must be nd09 or calendar", "cut phải là nd09 hoặc calendar");
	long from = day_of(y, m1 - cuts[c].shift, cuts[c].first_day);
	long until = day_of(y, m2 - cuts[c].shift + 1, cuts[c].first_day); /* the day after the last */
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->cut, sizeof p->cut, "%s", cuts[c].name);
	p->from_us = cal_local_us(from, 0);
	p->until_us = cal_local_us(until, 0);
	cal_format_date(until - 1, p->last_day, sizeof p->last_day);
	return 0;
}
