/* units_db.c — administrative units kept in the database, so a served node needs no data files
 * and SQL reports can join on units. */
#include <stdio.h>

#include "catalog/catalog.h"
#include "units/units.h"

int units_store(const struct units *u, struct db *db)
{
	if (db_run(db, "DELETE FROM units", "") != DB_DONE || db_run(db, "DELETE FROM unit_links", "") != DB_DONE)
		return -1;
	for (size_t i = 0; i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (db_run(db, "INSERT INTO units (code, valid_from, valid_to, name, type, level, parent) VALUES (?, ?, ?, ?, ?, ?, ?)",
			   "ttttttt", x->code, x->valid_from, x->valid_to[0] ? x->valid_to : NULL, x->name, x->type,
			   units_level_name(x->level), x->parent[0] ? x->parent : NULL) != DB_DONE)
			return -1;
	}
	for (size_t i = 0; i < units_link_count(u); i++) {
		const struct unit_link *l = units_link_at(u, i);
		if (db_run(db, "INSERT INTO unit_links (old_code, new_code, level, kind, effective) VALUES (?, ?, ?, ?, ?)",
			   "ttttt", l->old_code, l->new_code, units_level_name(l->level), l->kind, l->effective) != DB_DONE)
			return -1;
	}
	return 0;
}

int units_load_db(struct units *u, struct db *db, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT code, valid_from, valid_to, name, type, level, parent FROM units");
	enum db_rc rc = st ? DB_ROW : DB_ERROR;
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct unit x = {0};
		snprintf(x.code, sizeof x.code, "%s", db_col_text(st, 0));
		snprintf(x.valid_from, sizeof x.valid_from, "%s", db_col_text(st, 1));
		snprintf(x.valid_to, sizeof x.valid_to, "%s", db_col_text(st, 2));
		snprintf(x.name, sizeof x.name, "%s", db_col_text(st, 3));
		snprintf(x.type, sizeof x.type, "%s", db_col_text(st, 4));
		units_level_parse(db_col_text(st, 5), &x.level);
		snprintf(x.parent, sizeof x.parent, "%s", db_col_text(st, 6));
		if (units_add(u, &x))
			rc = DB_ERROR;
	}
	st = rc == DB_DONE ? db_prepare(db, "SELECT old_code, new_code, level, kind, effective FROM unit_links") : NULL;
	rc = st ? DB_ROW : DB_ERROR;
	while (st && (rc = db_step(st)) == DB_ROW) {
		struct unit_link l = {0};
		snprintf(l.old_code, sizeof l.old_code, "%s", db_col_text(st, 0));
		snprintf(l.new_code, sizeof l.new_code, "%s", db_col_text(st, 1));
		units_level_parse(db_col_text(st, 2), &l.level);
		snprintf(l.kind, sizeof l.kind, "%s", db_col_text(st, 3));
		snprintf(l.effective, sizeof l.effective, "%s", db_col_text(st, 4));
		if (units_link(u, &l))
			rc = DB_ERROR;
	}
	if (rc != DB_DONE || units_count(u) == 0)
		return err_set(e, 500, "no_units", "the database holds no administrative units: run 'trondoi init'",
			       "cơ sở dữ liệu chưa có đơn vị hành chính: hãy chạy 'trondoi init'");
	units_index(u);
	return 0;
}
