/* store.c — writing the catalogs into the database (trondoi init). */
#include <stdlib.h>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/json.h"

static int put(struct db *db, const char *sql, const char *key, json_t *doc)
{
	char *text = json_to_str(doc);
	int rc = text && db_run(db, sql, "tt", key, text) == DB_DONE ? 0 : -1;
	free(text);
	return rc;
}

int catalog_store(const struct catalog *c, struct db *db)
{
	if (db_run(db, "DELETE FROM attribute_catalog", "") != DB_DONE || db_run(db, "DELETE FROM agencies", "") != DB_DONE ||
	    db_run(db, "DELETE FROM procedures", "") != DB_DONE)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(c->attributes, "attributes"), i, v)
		if (put(db, "INSERT INTO attribute_catalog (name, doc) VALUES (?, ?)",
			json_string_value(json_object_get(v, "name")), v))
			return -1;
	json_array_foreach(json_object_get(c->agencies, "agencies"), i, v)
		if (put(db, "INSERT INTO agencies (kind, doc) VALUES (?, ?)", json_string_value(json_object_get(v, "kind")), v))
			return -1;
	int64_t now = clock_now_us();
	json_array_foreach(c->procedures, i, v) {
		char *text = json_to_str(v);
		int rc = text && db_run(db, "INSERT INTO procedures (code, doc, loaded_at) VALUES (?, ?, ?)", "tti",
					json_string_value(json_object_get(v, "code")), text, now) == DB_DONE
				 ? 0
				 : -1;
		free(text);
		if (rc)
			return -1;
	}
	return 0;
}
