/* months.c — calendar months in Vietnam time for the monthly datasets, and the database's dates
 * the datasets' metadata reports (first dossier, reference data's load). */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "opendata/dataset.h"

void od_month_of(int64_t us, char out[8])
{
	char day[11];
	clock_date_vn(us, day, sizeof day);
	snprintf(out, 8, "%.7s", day);
}

void od_month_add(const char *month, int k, char out[8])
{
	int y = 0, m = 0;
	if (sscanf(month, "%4d-%2d", &y, &m) != 2)
		y = 1970, m = 1;
	int n = y * 12 + (m - 1) + k;
	snprintf(out, 8, "%04d-%02d", n / 12, n % 12 + 1);
}

int od_month_period(const char *month, struct period *p)
{
	struct err e;
	return period_parse(month, "calendar", p, &e);
}

int od_first_month(struct db *db, char out[8])
{
	out[0] = 0;
	struct db_stmt *st = db_prepare(db, "SELECT MIN(received_at) FROM report_facts");
	if (!st)
		return -1;
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0))
		od_month_of(db_col_int(st, 0), out);
	db_reset(st);
	return rc == DB_ROW ? 0 : -1;
}

/* Whether any dossier was received or finished in p. */
static int has_dossiers(struct db *db, const struct period *p, bool *yes)
{
	struct db_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM (SELECT 1 FROM report_facts WHERE (received_at >= ? AND received_at < ?) "
					    "OR (finished_at >= ? AND finished_at < ?) LIMIT 1) x");
	if (!st || db_bind(st, "iiii", p->from_us, p->until_us, p->from_us, p->until_us) || db_step(st) != DB_ROW)
		return -1;
	*yes = db_col_int(st, 0) > 0;
	db_reset(st);
	return 0;
}

int od_months_with_dossiers(struct db *db, const char *since, char (*months)[8], size_t max, size_t *n)
{
	char month[8], now[8];
	od_month_of(clock_now_us(), now);
	snprintf(month, sizeof month, "%s", since);
	*n = 0;
	while (strcmp(month, now) <= 0 && *n < max) {
		struct period p;
		bool yes = false;
		if (od_month_period(month, &p) || has_dossiers(db, &p, &yes))
			return -1;
		if (yes)
			snprintf(months[(*n)++], 8, "%s", month);
		od_month_add(month, 1, month);
	}
	return 0;
}

int od_loaded_at(struct db *db, int64_t *out)
{
	*out = 0;
	struct db_stmt *st = db_prepare(db, "SELECT MAX(loaded_at) FROM procedures");
	if (!st || db_step(st) != DB_ROW)
		return -1;
	*out = db_col_int(st, 0);
	db_reset(st);
	return 0;
}
