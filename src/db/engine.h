/* engine.h — what a storage engine provides behind db.h (db_sqlite.c, db_pgsql.c). Private to
 * src/db: each engine's connection and statement begin with struct db and struct db_stmt, which
 * name the engine; db.c picks the engine by the URL and passes every call on. */
#ifndef TD_DB_ENGINE_H
#define TD_DB_ENGINE_H

#include <stdarg.h>

#include "db/db.h"

struct db_engine {
	void (*close)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	int (*bind)(struct db_stmt *st, int first, const char *types, va_list ap);
	enum db_rc (*step)(struct db_stmt *st);
	void (*reset)(struct db_stmt *st);
	void (*reset_all)(struct db *db);
	const char *(*col_text)(struct db_stmt *st, int col);
	int64_t (*col_int)(struct db_stmt *st, int col);
	bool (*col_null)(struct db_stmt *st, int col);
	int64_t (*changes)(struct db *db);
	void (*bulk_mode)(struct db *db, bool on);
	int (*begin)(struct db *db);
	int (*commit)(struct db *db);
	void (*rollback)(struct db *db);
	/* A copy of the whole database into file (restore: from file back into the database). */
	int (*copy)(struct db *db, const char *url, const char *file, bool restore, struct err *e);
	/* The columns of a statement's rows (after its first step). */
	int (*col_count)(struct db_stmt *st);
	const char *(*col_name)(struct db_stmt *st, int col);
	/* The reads that follow may come from the replica (db_read_stale); NULL: the engine has none. */
	void (*read_stale)(struct db *db);
};

struct db {
	const struct db_engine *engine;
};

struct db_stmt {
	struct db *db;
};

/* Each engine's opener: url as given to db_open. */
int db_sqlite_open(struct db **out, const char *url, bool create, struct err *e);
int db_pgsql_open(struct db **out, const char *url, bool create, struct err *e);
/* PostgreSQL's read replica for the process (db_use_replica), and what it served. */
void db_pgsql_use_replica(const char *url, int max_lag_s);
bool db_pgsql_replica_stats(struct db_replica_stats *out);

#endif
