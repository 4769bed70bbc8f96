/* drafts.c — listing a citizen's draft applications. */
#include "dossier/dossier.h"

#include "core/clock.h"
#include "security/seal.h"

int draft_list(const struct catalog *c, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, procedure_code, fields, created_at FROM drafts WHERE citizen_id = ? "
					    "ORDER BY created_at DESC");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char at[40];
		clock_iso(db_col_int(st, 3), at, sizeof at);
		const json_t *p = catalog_procedure(c, db_col_text(st, 1));
		json_t *fields = unseal_json("drafts.fields", db_col_text(st, 0), db_col_text(st, 2));
		json_t *o = json_pack("{s:s,s:s,s:o,s:s}", "id", db_col_text(st, 0), "procedure", db_col_text(st, 1), "fields",
				      fields ? fields : json_object(), "created_at", at);
		json_object_set(o, "name", p ? json_object_get(p, "name") : json_null());
		json_array_append_new(list, o);
	}
	if (rc != DB_DONE) {
		json_decref(list);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:o}", "drafts", list);
	return 0;
}
