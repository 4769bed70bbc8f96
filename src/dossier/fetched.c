/* fetched.c — data fetched for a dossier from another node through the exchange (exchange/peers.c):
 * kept with the dossier, sealed, naming the node that provided it, the service and the message,
 * and shown with the dossier (GET /dossiers/{code}, "fetched"). */
#include <stdlib.h>

#include "core/json.h"
#include "dossier/dossier.h"
#include "security/seal.h"

int dossier_fetched_add(struct db *db, const struct dossier_fetched *f)
{
	char *sealed = seal_json("dossier_fetches.data", f->code, f->data);
	enum db_rc rc = sealed ? db_run(db, "INSERT INTO dossier_fetches (code, seq, at, actor, node, service, message_id, "
					     "request_hash, data) VALUES (?, (SELECT COUNT(*) + 1 FROM dossier_fetches "
					     "WHERE code = ?), ?, ?, ?, ?, ?, ?, ?)",
					"ttitttttt", f->code, f->code, f->at, f->actor, f->node, f->service, f->message_id,
					f->request_hash, sealed)
			       : DB_ERROR;
	free(sealed);
	return rc == DB_DONE ? 0 : -1;
}

json_t *dossier_fetched_list(struct db *db, const char *code)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT at, actor, node, service, message_id, request_hash, data "
					    "FROM dossier_fetches WHERE code = ? ORDER BY seq");
	if (!st || db_bind(st, "t", code))
		return list;
	while (db_step(st) == DB_ROW) {
		json_t *data = unseal_json("dossier_fetches.data", code, db_col_text(st, 6));
		json_array_append_new(list, json_pack("{s:o,s:s,s:s,s:s,s:s,s:s,s:o}", "at", json_time(db_col_int(st, 0), true), "by",
						      db_col_text(st, 1), "source", db_col_text(st, 2), "service",
						      db_col_text(st, 3), "message_id", db_col_text(st, 4), "request_hash",
						      db_col_text(st, 5), "data", data ? data : json_null()));
	}
	return list;
}
