/* registers.c — the registers the targets scorecard reads: work dossiers (hồ sơ công việc: a unit's
 * own work, opened, closed, processed online or on paper) and inspections (thanh tra, kiểm tra:
 * done digitally or not). Each register is a row of the table below (its fields and its SQL); the
 * same code records one row (POST), lists a unit's rows (GET, paged), imports a CSV file (all or
 * nothing, each bad line named), corrects a row's correctable fields later (PATCH: a work dossier
 * closed, or processed online after all) and counts rows for a unit and a period (the scorecard's
 * counters, hooked into index766.c's table). A row's unit is read on the map of the row's own
 * date (opened, held), so rows from before the 2025 reform keep their districts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/utf8.h"
#include "report/report.h"

#define REG_FIELDS 5
#define UNIT_COLUMN REG_FIELDS /* the optional "unit" column of an import */
#define IMPORT_LISTED 100      /* bad lines named in the answer; all are counted */

enum ftype { F_TEXT, F_DATE, F_BOOL };

struct field {
	const char *name;
	enum ftype type;
	bool required;
	size_t max;       /* bytes, for text */
	bool correctable; /* changed later by register_correct */
};

struct reg {
	const char *name;
	struct field fields[REG_FIELDS]; /* ends at the first without a name; ref comes first */
	int dated, flag;                 /* which field dates the row (map, period) and which is its flag */
	const char *audit_one, *audit_import;
	/* columns: id, unit, level, the fields in order, created_by, created_at */
	const char *insert_sql, *get_sql, *list_sql, *count_sql, *exists_sql;
	/* unit, the row's date, its flag: the rows that fall in a period (two dates, from and until) */
	const char *period_sql;
	int (*check)(const char **v, struct err *e); /* a rule across fields, or NULL */
	/* the correctable fields in order, then the id; its audit action (NULL: rows are not corrected) */
	const char *correct_sql, *audit_correct;
};

/* A work dossier closes on or after the day it opened. */
static int work_check(const char **v, struct err *e)
{
	if (v[3] && strcmp(v[3], v[2]) < 0)
		return err_set(e, 422, "invalid_field", "closed_on (%s) is before opened_on (%s)", "closed_on (%s) trước opened_on (%s)", v[3],
			       v[2]);
	return 0;
}

static const struct reg regs[] = {
	{"work-items",
	 {{"ref", F_TEXT, true, 64}, {"title", F_TEXT, true, 500}, {"opened_on", F_DATE, true, 0}, {"closed_on", F_DATE, false, 0, true},
	  {"online", F_BOOL, true, 0, true}},
	 2, 4, "work-item.create", "work-items.import",
	 "INSERT INTO work_items (id, unit, level, ref, title, opened_on, closed_on, online, created_by, created_at) "
	 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	 "SELECT id, unit, level, ref, title, opened_on, closed_on, online, created_by, created_at FROM work_items WHERE id = ?",
	 "SELECT id, unit, level, ref, title, opened_on, closed_on, online, created_by, created_at FROM work_items WHERE unit = ? "
	 "ORDER BY opened_on DESC, id DESC LIMIT ? OFFSET ?",
	 "SELECT COUNT(*) FROM work_items WHERE unit = ?", "SELECT 1 FROM work_items WHERE unit = ? AND ref = ?",
	 "SELECT unit, opened_on, online FROM work_items WHERE closed_on >= ? AND closed_on < ?", work_check,
	 "UPDATE work_items SET closed_on = ?, online = ? WHERE id = ?", "work-item.correct"},
	{"inspections",
	 {{"ref", F_TEXT, true, 64}, {"subject", F_TEXT, true, 500}, {"held_on", F_DATE, true, 0}, {"digital", F_BOOL, true, 0}},
	 2, 3, "inspection.create", "inspections.import",
	 "INSERT INTO inspections (id, unit, level, ref, subject, held_on, digital, created_by, created_at) "
	 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	 "SELECT id, unit, level, ref, subject, held_on, digital, created_by, created_at FROM inspections WHERE id = ?",
	 "SELECT id, unit, level, ref, subject, held_on, digital, created_by, created_at FROM inspections WHERE unit = ? "
	 "ORDER BY held_on DESC, id DESC LIMIT ? OFFSET ?",
	 "SELECT COUNT(*) FROM inspections WHERE unit = ?", "SELECT 1 FROM inspections WHERE unit = ? AND ref = ?",
	 "SELECT unit, held_on, digital FROM inspections WHERE held_on >= ? AND held_on < ?", NULL},
};

/* The scorecard's counters over the registers: rows of the period (work dossiers closed in it,
 * inspections held in it) within the unit; flagged: only those processed online / done digitally.
 * Or over a report regime's forms (regimes.c): an indicator's figure consolidated from the
 * approved forms of the unit and the units within it, for the latest of the regime's periods
 * ending inside the period that has any. */
static const struct reg_counter {
	const char *name;
	const struct reg *reg;
	bool flagged;
	const char *regime, *indicator;
} reg_counters[] = {
	{"work_closed", &regs[0], false},
	{"work_closed_online", &regs[0], true},
	{"inspections", &regs[1], false},
	{"inspections_digital", &regs[1], true},
	{"epay_adults", NULL, false, "cds-quarterly", "adults"},
	{"epay_accounts", NULL, false, "cds-quarterly", "adults_epay"},
	{"households", NULL, false, "cds-quarterly", "households"},
	{"households_fibre", NULL, false, "cds-quarterly", "households_fibre"},
};

static const struct reg *reg_find(const char *name, struct err *e)
{
	for (size_t i = 0; name && i < sizeof regs / sizeof *regs; i++)
		if (!strcmp(regs[i].name, name))
			return &regs[i];
	err_set(e, 404, "not_found", "no register %s", "không có sổ %s", name ? name : "");
	return NULL;
}

static int nfields(const struct reg *r)
{
	int n = 0;
	while (n < REG_FIELDS && r->fields[n].name)
		n++;
	return n;
}

static json_t *row_json(const struct reg *r, struct db_stmt *st)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "id", db_col_text(st, 0), "unit", db_col_text(st, 1), "level", db_col_text(st, 2));
	int c = 3;
	for (int i = 0; i < nfields(r); i++, c++) {
		json_t *x = db_col_null(st, c)		      ? json_null()
			    : r->fields[i].type == F_BOOL ? json_boolean(db_col_int(st, c))
							  : json_string(db_col_text(st, c));
		json_object_set_new(o, r->fields[i].name, x);
	}
	json_object_set_new(o, "created_by", json_string(db_col_text(st, c)));
	json_object_set_new(o, "created_at", json_time(db_col_int(st, c + 1), true));
	return o;
}

/* Checks the values v (one a field; NULL or "" when absent) and clears the empty optional ones. */
static int check_values(const struct reg *r, const char **v, const char *today, struct err *e)
{
	for (int i = 0; i < nfields(r); i++) {
		const struct field *f = &r->fields[i];
		if (!v[i] || !v[i][0]) {
			v[i] = NULL;
			if (f->required)
				return err_set(e, 422, "missing_field", "%s is required", "thiếu %s", f->name);
			continue;
		}
		if (f->type == F_TEXT && strlen(v[i]) > f->max)
			return err_set(e, 422, "field_too_long", "%s is longer than %zu bytes", "%s dài quá %zu byte", f->name, f->max);
		if (f->type == F_DATE && !clock_valid_date(v[i]))
			return err_set(e, 422, "invalid_date", "%s must be a date YYYY-MM-DD", "%s phải là ngày YYYY-MM-DD", f->name);
		if (f->type == F_DATE && strcmp(v[i], today) > 0)
			return err_set(e, 422, "invalid_date", "%s (%s) is after today", "%s (%s) sau ngày hôm nay", f->name, v[i]);
		if (f->type == F_BOOL && strcmp(v[i], "1") && strcmp(v[i], "0"))
			return err_set(e, 422, "invalid_field", "%s must be true or false", "%s phải là true hoặc false", f->name);
	}
	return r->check ? r->check(v, e) : 0;
}

/* The row's unit: the one asked, else who's own; it must be on the map of the row's date and lie
 * within who's unit (who NULL: the command line, which names the unit and may name any). */
static int place(const struct units *u, const struct principal *who, const char *asked, const char *date, char unit[8],
		 char level[12], struct err *e)
{
	const char *code = asked && asked[0] ? asked : who ? who->unit : NULL;
	if (!code)
		return err_set(e, 422, "missing_field", "unit is required", "thiếu unit (mã đơn vị)");
	const struct unit *x = units_valid_code(code) ? units_find(u, code, date) : NULL;
	if (!x)
		return err_set(e, 422, "invalid_unit", "no unit %s on the map of %s", "không có đơn vị %s trên bản đồ ngày %s", code, date);
	char today[11];
	clock_today_vn(today, sizeof today);
	if (who && !units_within(u, code, date, who->unit, today))
		return err_set(e, 403, "forbidden", "unit %s is not your unit %s nor within it", "đơn vị %s không phải đơn vị %s của bạn hay đơn vị trực thuộc",
			       code, who->unit);
	snprintf(unit, 8, "%s", code);
	snprintf(level, 12, "%s", units_level_name(x->level));
	return 0;
}

static enum db_rc insert(struct db *db, const struct reg *r, const char *unit, const char *level, const char **v, const char *actor,
			 int64_t now, char id[33])
{
	crypto_time_id(now, id);
	struct db_stmt *st = db_prepare(db, r->insert_sql);
	if (!st || db_bind_at(st, 1, "ttt", id, unit, level))
		return DB_ERROR;
	int n = 4;
	for (int i = 0; i < nfields(r); i++, n++)
		if (r->fields[i].type == F_BOOL ? db_bind_at(st, n, "i", (int64_t)(v[i][0] == '1')) : db_bind_at(st, n, "t", v[i]))
			return DB_ERROR;
	return db_bind_at(st, n, "ti", actor, now) ? DB_ERROR : db_step(st);
}

static int get_one(const struct reg *r, struct db *db, const char *id, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, r->get_sql);
	if (!st || db_bind(st, "t", id) || db_step(st) != DB_ROW)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	*out = row_json(r, st);
	db_reset(st);
	return 0;
}

static int duplicate(const struct reg *r, const char *unit, const char *ref, struct err *e)
{
	return err_set(e, 409, "duplicate_ref", "unit %s has already recorded ref %s in the %s register", "đơn vị %s đã ghi số %s trong sổ %s", unit,
		       ref, r->name);
}

int register_create(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const json_t *body,
		    json_t **out, struct err *e)
{
	const struct reg *r = reg_find(name, e);
	const char *v[REG_FIELDS] = {0}, *asked;
	if (!r)
		return -1;
	for (int i = 0; i < nfields(r); i++) {
		const struct field *f = &r->fields[i];
		bool b;
		if (f->type == F_BOOL ? json_get_bool(body, f->name, f->required, &b, e)
				      : json_get_str(body, f->name, f->required, f->type == F_DATE ? 16 : f->max, &v[i], e))
			return -1;
		if (f->type == F_BOOL)
			v[i] = b ? "1" : "0";
	}
	char today[11], unit[8], level[12], id[33];
	clock_today_vn(today, sizeof today);
	if (json_get_str(body, "unit", false, 7, &asked, e) || check_values(r, v, today, e) ||
	    place(d->registry->units, who, asked, v[r->dated], unit, level, e))
		return -1;
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	enum db_rc rc = insert(db, r, unit, level, v, who->username, clock_now_us(), id);
	if (rc == DB_DONE && !audit_append(db, who->username, r->audit_one, id, "{}") && !db_commit(db))
		return get_one(r, db, id, out, e);
	db_rollback(db);
	return rc == DB_CONSTRAINT ? duplicate(r, unit, v[0], e) : err_set(e, 500, "db_error", "the record was not saved", "chưa lưu được bản ghi");
}

/* ---- corrections ---- */

/* The row id of register r as JSON: 0; 404 when there is none. */
static int find_row(const struct reg *r, struct db *db, const char *id, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, r->get_sql);
	if (!st || db_bind(st, "t", id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_json(r, st);
	db_reset(st);
	if (rc == DB_ROW)
		return 0;
	return rc == DB_DONE ? err_set(e, 404, "not_found", "no row %s in the %s register", "không có bản ghi %s trong sổ %s", id, r->name)
			     : err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
}

/* The field of r named name, or NULL. */
static const struct field *field_named(const struct reg *r, const char *name)
{
	for (int i = 0; i < nfields(r); i++)
		if (!strcmp(r->fields[i].name, name))
			return &r->fields[i];
	return NULL;
}

/* The body names only correctable fields (and reason), at least one. */
static int correction_fields(const struct reg *r, const json_t *body, struct err *e)
{
	const char *key;
	json_t *v;
	int n = 0;
	json_object_foreach((json_t *)body, key, v) {
		const struct field *f = field_named(r, key);
		if (!strcmp(key, "reason"))
			continue;
		if (!f || !f->correctable)
			return err_set(e, 422, "not_correctable", "%s cannot be corrected; send only the correctable fields and reason",
				       "không sửa được %s; chỉ gửi các trường được sửa và reason", key);
		n++;
	}
	return n ? 0 : err_set(e, 422, "missing_field", "nothing to correct", "không có gì để sửa");
}

/* The row's values as check_values takes them (v[i] points into row), with the body's over them
 * (a null clears an optional field). */
static int corrected_values(const struct reg *r, const json_t *row, const json_t *body, const char **v, struct err *e)
{
	for (int i = 0; i < nfields(r); i++) {
		const struct field *f = &r->fields[i];
		const json_t *x = json_object_get(body, f->name) ? json_object_get(body, f->name) : json_object_get(row, f->name);
		if (f->type == F_BOOL && !json_is_boolean(x))
			return err_set(e, 422, "invalid_field", "%s must be true or false", "%s phải là true hoặc false", f->name);
		if (f->type != F_BOOL && !json_is_string(x) && !json_is_null(x))
			return err_set(e, 422, "invalid_field", "%s must be a string or null", "%s phải là chuỗi hoặc null", f->name);
		v[i] = f->type == F_BOOL ? (json_is_true(x) ? "1" : "0") : json_string_value(x);
	}
	return 0;
}

/* The correctable fields' before and after, and why. */
static char *correction_detail(const struct reg *r, const json_t *row, const json_t *after, const char *reason)
{
	json_t *d = json_object();
	for (int i = 0; i < nfields(r); i++)
		if (r->fields[i].correctable)
			json_object_set_new(d, r->fields[i].name, json_pack("{s:O,s:O}", "before", json_object_get(row, r->fields[i].name), "after",
									    json_object_get(after, r->fields[i].name)));
	json_object_set_new(d, "reason", reason ? json_string(reason) : json_null());
	char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	return text;
}

static int write_correction(const struct reg *r, struct db *db, const char *id, const char **v)
{
	struct db_stmt *st = db_prepare(db, r->correct_sql);
	int n = 1;
	if (!st)
		return -1;
	for (int i = 0; i < nfields(r); i++) {
		if (!r->fields[i].correctable)
			continue;
		int rc = r->fields[i].type == F_BOOL ? db_bind_at(st, n++, "i", (int64_t)(v[i][0] == '1'))
			 : v[i]			     ? db_bind_at(st, n++, "t", v[i])
						     : db_bind_at(st, n++, "n");
		if (rc)
			return -1;
	}
	return db_bind_at(st, n, "t", id) || db_step(st) != DB_DONE ? -1 : 0;
}

int register_correct(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const char *id,
		     const json_t *body, json_t **out, struct err *e)
{
	const struct reg *r = reg_find(name, e);
	const char *v[REG_FIELDS] = {0}, *reason = NULL;
	json_t *row = NULL;
	if (!r || !r->correct_sql)
		return r ? err_set(e, 405, "not_correctable", "the %s register is not corrected", "sổ %s không sửa được", name) : -1;
	char today[11];
	clock_today_vn(today, sizeof today);
	if (correction_fields(r, body, e) || json_get_str(body, "reason", false, 500, &reason, e) || find_row(r, db, id, &row, e))
		return -1;
	const char *unit = json_string_value(json_object_get(row, "unit")), *dated = json_string_value(json_object_get(row, r->fields[r->dated].name));
	int rc = -1;
	if (!units_within(d->registry->units, unit, dated, who->unit, today))
		err_set(e, 403, "forbidden", "the registers of unit %s are corrected by its staff and those above it",
			"sổ của đơn vị %s do cán bộ của đơn vị và cấp trên sửa", unit);
	else if (!corrected_values(r, row, body, v, e) && !check_values(r, v, today, e)) {
		json_t *after = json_object();
		for (int i = 0; i < nfields(r); i++)
			json_object_set_new(after, r->fields[i].name, !v[i] ? json_null() : r->fields[i].type == F_BOOL ? json_boolean(v[i][0] == '1')
														    : json_string(v[i]));
		char *detail = correction_detail(r, row, after, reason);
		json_decref(after);
		if (db_begin(db))
			err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
		else if (!detail || write_correction(r, db, id, v) || audit_append(db, who->username, r->audit_correct, id, detail) || db_commit(db)) {
			db_rollback(db);
			err_set(e, 500, "db_error", "the correction was not saved", "chưa lưu được nội dung sửa");
		} else
			rc = get_one(r, db, id, out, e);
		free(detail);
	}
	json_decref(row);
	return rc;
}

/* The map date a unit code can be read on: today's, else the last day of the map it was on. */
static const char *readable_on(const struct units *u, const char *code, const char *today)
{
	if (units_find(u, code, today))
		return today;
	const struct unit *x = units_find(u, code, "1900-01-01");
	return x && x->valid_to[0] ? x->valid_to : NULL;
}

int register_list(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const char *unit, long limit,
		  long offset, json_t **out, struct err *e)
{
	const struct reg *r = reg_find(name, e);
	if (!r)
		return -1;
	if (!unit)
		unit = who->unit;
	if (!units_valid_code(unit))
		return err_set(e, 400, "invalid_query", "unit must be a unit code", "unit phải là mã đơn vị");
	char today[11];
	clock_today_vn(today, sizeof today);
	const char *on = readable_on(d->registry->units, unit, today);
	if (!on)
		return err_set(e, 404, "unit_not_found", "no unit %s", "không có đơn vị %s", unit);
	if (!(who->role & ROLE_STAFF) || !units_within(d->registry->units, unit, on, who->unit, today))
		return err_set(e, 403, "forbidden", "the registers of unit %s are for its staff and those above it",
			       "sổ của đơn vị %s dành cho cán bộ của đơn vị và cấp trên", unit);
	struct db_stmt *st = db_prepare(db, r->count_sql);
	if (!st || db_bind(st, "t", unit) || db_step(st) != DB_ROW)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	int64_t count = db_col_int(st, 0);
	db_reset(st);
	st = db_prepare(db, r->list_sql);
	if (!st || db_bind(st, "tii", unit, (int64_t)limit, (int64_t)offset))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *items = json_array();
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, row_json(r, st));
	if (rc != DB_DONE) {
		json_decref(items);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:s,s:I,s:o,s:o}", "unit", unit, "count", (json_int_t)count, "items", items, "next_offset",
			 offset + limit < count ? json_integer(offset + limit) : json_null());
	return 0;
}

/* ---- import ---- */

/* A checked line waiting for the insert. */
struct pending {
	long line;
	const char *v[REG_FIELDS];
	char unit[8], level[12];
};

struct import {
	const struct reg *r;
	const struct units *units;
	const struct principal *who;
	struct db *db;
	char today[11];
	int col[CSV_MAX_FIELDS]; /* the field each column holds, or UNIT_COLUMN */
	int ncols;
	struct pending *rows;
	long nrows, bad;
	json_t *problems, *refs; /* refs: "unit ref" → its line, to find repeats inside the file */
};

static void problem(struct import *im, long line, const struct err *e)
{
	if (im->bad++ < IMPORT_LISTED)
		json_array_append_new(im->problems, json_pack("{s:I,s:s,s:s,s:s}", "line", (json_int_t)line, "code", e->code, "message", e->msg,
							      "message_vi", e->msg_vi));
}

static int header(struct import *im, char *line, struct err *e)
{
	char *names[CSV_MAX_FIELDS];
	int n = csv_split(line, names, CSV_MAX_FIELDS), seen[REG_FIELDS + 1] = {0};
	if (n < 0)
		return err_set(e, 422, "invalid_csv", "the header line is not valid CSV", "dòng tiêu đề không đúng định dạng CSV");
	for (int c = 0; c < n; c++) {
		int f = !strcmp(names[c], "unit") ? UNIT_COLUMN : -1;
		for (int i = 0; f < 0 && i < nfields(im->r); i++)
			if (!strcmp(names[c], im->r->fields[i].name))
				f = i;
		if (f < 0)
			return err_set(e, 422, "unknown_column", "the header names an unknown column \"%s\"", "tiêu đề có cột không xác định \"%s\"",
				       names[c]);
		if (seen[f]++)
			return err_set(e, 422, "duplicate_column", "the header names \"%s\" twice", "tiêu đề có cột \"%s\" hai lần", names[c]);
		im->col[c] = f;
	}
	for (int i = 0; i < nfields(im->r); i++)
		if (im->r->fields[i].required && !seen[i])
			return err_set(e, 422, "missing_column", "the header has no \"%s\" column", "tiêu đề thiếu cột \"%s\"", im->r->fields[i].name);
	im->ncols = n;
	return 0;
}

static const char *csv_bool(const char *s)
{
	static const char *const yes[] = {"1", "true", "yes", "có"}, *const no[] = {"0", "false", "no", "không"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(s, yes[i]))
			return "1";
		if (!strcmp(s, no[i]))
			return "0";
	}
	return s;
}

/* Checks one data line into im->rows; a bad line becomes a problem. */
static void data_line(struct import *im, long no, char *line)
{
	char *cells[CSV_MAX_FIELDS];
	struct err e = {0};
	struct pending *p = &im->rows[im->nrows];
	memset(p, 0, sizeof *p);
	p->line = no;
	const char *asked = NULL;
	int n = strlen(line) > CSV_MAX_LINE ? -2 : csv_split(line, cells, CSV_MAX_FIELDS);
	if (n == -2)
		err_set(&e, 422, "line_too_long", "the line is longer than %d bytes", "dòng dài quá %d byte", CSV_MAX_LINE);
	else if (n < 0)
		err_set(&e, 422, "invalid_csv", "the line is not valid CSV (quotes)", "dòng không đúng định dạng CSV (dấu ngoặc kép)");
	else if (n != im->ncols)
		err_set(&e, 422, "wrong_field_count", "the line has %d fields, the header %d", "dòng có %d trường, tiêu đề có %d", n, im->ncols);
	for (int c = 0; !e.status && c < n; c++) {
		if (im->col[c] == UNIT_COLUMN)
			asked = cells[c];
		else
			p->v[im->col[c]] = im->r->fields[im->col[c]].type == F_BOOL ? csv_bool(cells[c]) : cells[c];
	}
	if (e.status || check_values(im->r, p->v, im->today, &e) || place(im->units, im->who, asked, p->v[im->r->dated], p->unit, p->level, &e)) {
		problem(im, no, &e);
		return;
	}
	char key[8 + 1 + 64 + 1];
	snprintf(key, sizeof key, "%s %s", p->unit, p->v[0]);
	json_t *first = json_object_get(im->refs, key);
	if (first) {
		err_set(&e, 422, "duplicate_ref", "ref %s of unit %s is also on line %lld", "số %s của đơn vị %s cũng có ở dòng %lld", p->v[0], p->unit,
			(long long)json_integer_value(first));
		problem(im, no, &e);
		return;
	}
	json_object_set_new(im->refs, key, json_integer(no));
	struct db_stmt *st = db_prepare(im->db, im->r->exists_sql);
	enum db_rc rc = !st || db_bind(st, "tt", p->unit, p->v[0]) ? DB_ERROR : db_step(st);
	if (rc == DB_ROW) {
		db_reset(st);
		duplicate(im->r, p->unit, p->v[0], &e);
	} else if (rc != DB_DONE)
		err_set(&e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (rc != DB_DONE) {
		problem(im, no, &e);
		return;
	}
	im->nrows++;
}

/* Splits text (NUL-terminated, modified) into lines and checks them all: 0 (bad lines are
 * problems), or -1 with e when the file as a whole is refused, or 1 when its header is bad. */
static int check_lines(struct import *im, char *text, struct err *e)
{
	long no = 0;
	bool have_header = false;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		no++;
		size_t len = strlen(line);
		while (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (!len)
			continue;
		if (!have_header) {
			if (header(im, line, e)) {
				problem(im, no, e);
				return 1;
			}
			have_header = true;
			continue;
		}
		if (im->nrows + im->bad >= REGISTER_IMPORT_ROWS)
			return err_set(e, 413, "too_many_rows", "the file has more than %d rows; split it", "tệp có quá %d dòng; hãy chia nhỏ",
				       REGISTER_IMPORT_ROWS);
		data_line(im, no, line);
	}
	if (!have_header)
		return err_set(e, 422, "no_rows", "the file is empty: a header line and rows are needed", "tệp trống: cần dòng tiêu đề và các dòng dữ liệu");
	if (!im->nrows && !im->bad)
		return err_set(e, 422, "no_rows", "the file has no rows under its header", "tệp không có dòng dữ liệu nào dưới tiêu đề");
	return 0;
}

/* Inserts the checked rows in one transaction, with one audit entry. 0 or -1 with e. */
static int store(struct import *im, const char *actor, struct err *e)
{
	if (db_begin(im->db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	int64_t now = clock_now_us();
	enum db_rc rc = DB_DONE;
	for (long i = 0; rc == DB_DONE && i < im->nrows; i++) {
		char id[33];
		rc = insert(im->db, im->r, im->rows[i].unit, im->rows[i].level, im->rows[i].v, actor, now, id);
	}
	char detail[64];
	snprintf(detail, sizeof detail, "{\"rows\":%ld}", im->nrows);
	if (rc != DB_DONE || audit_append(im->db, actor, im->r->audit_import, im->r->name, detail) || db_commit(im->db)) {
		db_rollback(im->db);
		return rc == DB_CONSTRAINT ? err_set(e, 409, "conflict", "a row was recorded meanwhile; import the file again",
						     "có bản ghi vừa được ghi đồng thời; hãy nhập lại tệp")
					   : err_set(e, 500, "db_error", "the import was not saved", "chưa lưu được dữ liệu nhập");
	}
	return 0;
}

int register_import(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const char *text, size_t len,
		    json_t **out, json_t **problems, struct err *e)
{
	*problems = NULL;
	const struct reg *r = reg_find(name, e);
	if (!r)
		return -1;
	if (len > REGISTER_IMPORT_MAX)
		return err_set(e, 413, "body_too_large", "the file is larger than %d bytes; split it", "tệp lớn hơn %d byte; hãy chia nhỏ",
			       REGISTER_IMPORT_MAX);
	if (!text || memchr(text, 0, len) || !utf8_valid(text, len))
		return err_set(e, 422, "invalid_csv", "the file is not UTF-8 text", "tệp không phải văn bản UTF-8");
	size_t skip = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0; /* a byte-order mark */
	long lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	struct import im = {.r = r, .units = d->registry->units, .who = who, .db = db, .problems = json_array(), .refs = json_object()};
	clock_today_vn(im.today, sizeof im.today);
	char *copy = malloc(len - skip + 1);
	im.rows = calloc((size_t)(lines < REGISTER_IMPORT_ROWS ? lines : REGISTER_IMPORT_ROWS), sizeof *im.rows);
	int rc = -1;
	if (!copy || !im.rows) {
		err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		goto out;
	}
	memcpy(copy, text + skip, len - skip);
	copy[len - skip] = 0;
	if (check_lines(&im, copy, e) < 0)
		goto out;
	if (!im.bad && store(&im, who ? who->username : "cli", e))
		goto out;
	if (im.bad) {
		err_set(e, 422, "invalid_rows", "%ld line(s) of the file are bad (see fields); nothing was imported",
			"%ld dòng của tệp không hợp lệ (xem fields); chưa nhập dòng nào", im.bad);
		*problems = im.problems;
		im.problems = NULL;
		goto out;
	}
	*out = json_pack("{s:s,s:I}", "register", r->name, "imported", (json_int_t)im.nrows);
	rc = 0;
out:
	json_decref(im.problems);
	json_decref(im.refs);
	free(im.rows);
	free(copy);
	return rc;
}

/* ---- the scorecard's counters ---- */

int registers_count(const struct dossiers *d, struct db *db, const char *counter, const char *unit, const struct period *p, long *n)
{
	const struct units *u = d->registry->units;
	const struct reg_counter *c = NULL;
	for (size_t i = 0; !c && i < sizeof reg_counters / sizeof *reg_counters; i++)
		if (!strcmp(reg_counters[i].name, counter))
			c = &reg_counters[i];
	if (!c)
		return 1;
	if (c->regime)
		return report_forms_figure(d, db, c->regime, c->indicator, unit, p, n);
	char from[11], until[11];
	clock_date_vn(p->from_us, from, sizeof from);
	clock_date_vn(p->until_us, until, sizeof until);
	struct db_stmt *st = db_prepare(db, c->reg->period_sql);
	if (!st || db_bind(st, "tt", from, until))
		return -1;
	*n = 0;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW)
		if ((!c->flagged || db_col_int(st, 2)) && units_within(u, db_col_text(st, 0), db_col_text(st, 1), unit, p->last_day))
			(*n)++;
	return rc == DB_DONE ? 0 : -1;
}
