/* db.c — db.h's front: picks the engine by the URL (postgresql:// or postgres:// is PostgreSQL,
 * a path or sqlite:PATH is SQLite) and passes each call on to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/engine.h"

bool db_is_pgsql(const char *url)
{
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

int db_beside(const char *url, const char *env, const char *suffix, char *out, size_t n)
{
	const char *named = getenv(env);
	out[0] = '\0';
	if (named && named[0]) {
		snprintf(out, n, "%s", named);
		return 0;
	}
	if (db_is_pgsql(url)) /* no database file to keep it beside */
		return -1;
	snprintf(out, n, "%s.%s", strncmp(url, "sqlite:", 7) ? url : url + 7, suffix);
	return 0;
}

int db_open(struct db **out, const char *url, bool create, struct err *e)
{
	return db_is_pgsql(url) ? db_pgsql_open(out, url, create, e) : db_sqlite_open(out, url, create, e);
}

void db_close(struct db *db)
{
	if (db)
		db->engine->close(db);
}

const char *db_errmsg(struct db *db) { return db->engine->errmsg(db); }
int db_exec(struct db *db, const char *sql) { return db->engine->exec(db, sql); }
struct db_stmt *db_prepare(struct db *db, const char *sql) { return db->engine->prepare(db, sql); }
enum db_rc db_step(struct db_stmt *st) { return st->db->engine->step(st); }
void db_reset(struct db_stmt *st) { st->db->engine->reset(st); }
void db_reset_all(struct db *db) { db->engine->reset_all(db); }
const char *db_col_text(struct db_stmt *st, int col) { return st->db->engine->col_text(st, col); }
int64_t db_col_int(struct db_stmt *st, int col) { return st->db->engine->col_int(st, col); }
bool db_col_null(struct db_stmt *st, int col) { return st->db->engine->col_null(st, col); }
int64_t db_changes(struct db *db) { return db->engine->changes(db); }
void db_bulk_mode(struct db *db, bool on) { db->engine->bulk_mode(db, on); }
int db_begin(struct db *db) { return db->engine->begin(db); }
int db_commit(struct db *db) { return db->engine->commit(db); }
void db_rollback(struct db *db) { db->engine->rollback(db); }

int db_bind(struct db_stmt *st, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = st->db->engine->bind(st, 1, types, ap);
	va_end(ap);
	return rc;
}

int db_bind_at(struct db_stmt *st, int first, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = st->db->engine->bind(st, first, types, ap);
	va_end(ap);
	return rc;
}

enum db_rc db_run(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return DB_ERROR;
	va_list ap;
	va_start(ap, types);
	int rc = db->engine->bind(st, 1, types, ap);
	va_end(ap);
	if (rc)
		return DB_ERROR;
	enum db_rc r;
	while ((r = db_step(st)) == DB_ROW)
		;
	return r;
}

int db_backup(struct db *db, const char *url, const char *file, struct err *e)
{
	return db->engine->copy(db, url, file, false, e);
}

int db_restore(struct db *db, const char *url, const char *file, struct err *e)
{
	return db->engine->copy(db, url, file, true, e);
}

int db_col_count(struct db_stmt *st) { return st->db->engine->col_count(st); }
const char *db_col_name(struct db_stmt *st, int col) { return st->db->engine->col_name(st, col); }

int db_use_replica(const char *primary_url, const char *replica_url, int max_lag_s, struct err *e)
{
	if (!db_is_pgsql(primary_url) || !db_is_pgsql(replica_url))
		return err_set(e, 400, "replica_needs_pgsql",
			       "--db-replica needs PostgreSQL: both --db and --db-replica must be postgresql:// URLs (SQLite has no replicas)",
			       "--db-replica cần PostgreSQL: cả --db và --db-replica phải là URL postgresql:// (SQLite không có bản sao)");
	db_pgsql_use_replica(replica_url, max_lag_s);
	return 0;
}

void db_read_stale(struct db *db)
{
	if (db->engine->read_stale)
		db->engine->read_stale(db);
}

bool db_replica_stats(struct db_replica_stats *out) { return db_pgsql_replica_stats(out); }
