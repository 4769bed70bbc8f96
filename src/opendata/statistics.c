/* statistics.c — dataset 3, monthly dossier statistics: per calendar month (Vietnam time), the
 * receiving unit and the procedure, how many dossiers were received (online among them), finished
 * and finished on time — summed from the index's counters (report_counts: per unit, procedure
 * and half-month, kept up to date as dossiers change), one month at a time, from the first
 * dossier's month to this one. Counts only: no codes, no applicants, no fields. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "opendata/dataset.h"
#include "report/facts.h"

static const struct od_field fields[] = {
	{"month", "text", "Tháng", "the calendar month, YYYY-MM, Vietnam time"},
	{"unit", "text", "Mã đơn vị", "the code of the unit that received the dossiers (as recorded then)"},
	{"unit_name", "text", "Tên đơn vị", "that unit's name on the month's map"},
	{"procedure", "text", "Mã thủ tục", "the procedure's code (see the procedure-catalog dataset)"},
	{"procedure_name", "text", "Tên thủ tục", "the procedure's name"},
	{"received", "int", "Hồ sơ tiếp nhận", "dossiers received in the month"},
	{"received_online", "int", "Tiếp nhận trực tuyến", "of them, received online"},
	{"finished", "int", "Hồ sơ giải quyết xong", "dossiers finished in the month (statuses 9 and 10), whenever received"},
	{"finished_on_time", "int", "Giải quyết đúng hạn",
	 "of them, finished by the due time with at most one supplement request (as Decision 766 counts)"},
};
#define NFIELDS (sizeof fields / sizeof *fields)

static json_t *statistic_fields(const struct opendata *o)
{
	(void)o;
	return od_fields_json(fields, NFIELDS);
}

static json_t *record(const struct opendata *o, struct db_stmt *st, const char *month, const char *map_day)
{
	const char *unit = db_col_text(st, 0), *procedure = db_col_text(st, 1);
	const struct unit *u = units_find(o->d->registry->units, unit, map_day);
	const json_t *p = catalog_procedure(o->d->registry->catalog, procedure);
	const char *pname = json_string_value(json_object_get(json_object_get(p, "name"), "vi"));
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I}", "month", month, "unit", unit, "unit_name", u ? u->name : "",
			 "procedure", procedure, "procedure_name", pname ? pname : "", "received", (json_int_t)db_col_int(st, 2),
			 "received_online", (json_int_t)db_col_int(st, 3), "finished", (json_int_t)db_col_int(st, 4),
			 "finished_on_time", (json_int_t)db_col_int(st, 5));
}

/* The records of one month, by unit and procedure. */
static int month_records(const struct opendata *o, struct db *db, const char *month, struct od_page *pg)
{
	struct period p;
	if (od_month_period(month, &p))
		return -1;
	struct db_stmt *st = db_prepare(db, "SELECT unit, procedure_code, SUM(received), SUM(received_online), SUM(finished), "
					    "SUM(finished_on_time) FROM report_counts WHERE half >= ? AND half < ? GROUP BY unit, procedure_code "
					    "HAVING SUM(received) > 0 OR SUM(finished) > 0 ORDER BY unit, procedure_code");
	if (!st || db_bind(st, "ii", fact_half(p.from_us), fact_half(p.until_us)))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW)
		if (od_page_wants(pg))
			od_page_add(pg, record(o, st, month, p.last_day));
	return rc == DB_DONE ? 0 : -1;
}

static int statistic_records(const struct opendata *o, struct db *db, struct od_page *pg, struct err *e)
{
	char month[8], now[8];
	if (od_first_month(db, month))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	od_month_of(clock_now_us(), now);
	for (; month[0] && strcmp(month, now) <= 0; od_month_add(month, 1, month))
		if (month_records(o, db, month, pg))
			return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	return 0;
}

/* From the first day of the first dossier's month to today; changed when a dossier was last
 * received or finished. */
static int statistic_coverage(const struct opendata *o, struct db *db, struct od_coverage *cv, struct err *e)
{
	(void)o;
	char month[8];
	struct db_stmt *st = db_prepare(db, "SELECT MAX(x) FROM (SELECT MAX(received_at) AS x FROM report_facts UNION ALL "
					    "SELECT MAX(finished_at) FROM report_facts) m");
	if (od_first_month(db, month) || !st || db_step(st) != DB_ROW)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	cv->modified_us = db_col_int(st, 0);
	db_reset(st);
	if (!month[0]) /* no dossier yet: the dataset is empty */
		return od_loaded_at(db, &cv->modified_us) ? err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu") : 0;
	snprintf(cv->from, sizeof cv->from, "%s-01", month);
	clock_today_vn(cv->until, sizeof cv->until);
	return 0;
}

const struct od_dataset od_statistics = {"dossier-statistics-monthly", statistic_fields, statistic_records, statistic_coverage};
