/* migrate.c — versioned migrations from the embedded src/db/migrations/NNN_name.sql files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/db.h"
#include "db/embedded.h"

static int applied_version(struct db *db, long version)
{
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?");
	if (!st || db_bind(st, "i", (int64_t)version))
		return -1;
	enum db_rc rc = db_step(st);
	db_reset(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

const struct embedded_file *embedded_find(const struct embedded_file *set, const char *name)
{
	for (; set->name; set++)
		if (!strcmp(set->name, name))
			return set;
	return NULL;
}

int db_migrate(struct db *db, int *applied, struct err *e)
{
	*applied = 0;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
			"name TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
		return err_set(e, 500, "migration_failed", "cannot create schema_migrations: %s",
			       "không tạo được bảng schema_migrations: %s", db_errmsg(db));
	for (const struct embedded_file *f = embedded_migrations; f->name; f++) {
		long version = strtol(f->name, NULL, 10);
		int have = applied_version(db, version);
		if (have < 0)
			return err_set(e, 500, "migration_failed", "cannot read schema_migrations: %s",
				       "không đọc được schema_migrations: %s", db_errmsg(db));
		if (have)
			continue;
		char *sql = malloc(f->len + 1);
		if (!sql)
			return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		memcpy(sql, f->data, f->len);
		sql[f->len] = 0;
		int rc = db_begin(db);
		if (!rc)
			rc = db_exec(db, sql);
		free(sql);
		if (!rc)
			rc = db_run(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				    "iti", (int64_t)version, f->name, clock_now_us()) == DB_DONE ? 0 : -1;
		if (rc || db_commit(db)) {
			err_set(e, 500, "migration_failed", "migration %s failed: %s", "chuyển đổi %s thất bại: %s",
				f->name, db_errmsg(db));
			db_rollback(db);
			return -1;
		}
		(*applied)++;
	}
	return 0;
}
