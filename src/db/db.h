/* db.h — the one storage interface. Capabilities use only this; an engine (db_sqlite.c,
 * db_pgsql.c) implements it. SQL is portable — both engines run the same text: '?' placeholders,
 * TEXT, BIGINT and INTEGER columns, no engine-specific syntax (docs/postgresql.md lists the rules).
 * A connection belongs to one thread. */
#ifndef TD_DB_H
#define TD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct db_stmt;

enum db_rc { DB_ROW = 1, DB_DONE = 0, DB_ERROR = -1, DB_CONSTRAINT = -2, DB_BUSY = -3 };

/* url: a file path or "sqlite:PATH" (SQLite), or "postgresql://…" / "postgres://…" (PostgreSQL: a
 * libpq URI of a database that exists). Opens (creating a SQLite file when create is true) and
 * configures. */
int db_open(struct db **out, const char *url, bool create, struct err *e);
void db_close(struct db *db);
/* Whether url names a PostgreSQL database. */
bool db_is_pgsql(const char *url);
/* A file that belongs with the database but not in it (a key file): the one the environment
 * variable env names, else PATH.suffix beside a SQLite file; -1 with PostgreSQL and env unset. */
int db_beside(const char *url, const char *env, const char *suffix, char *out, size_t n);
const char *db_errmsg(struct db *db);

/* Applies the embedded migrations not yet applied, in order, each in a transaction. */
int db_migrate(struct db *db, int *applied, struct err *e);

/* Runs SQL text with no parameters and no result (may hold several statements). */
int db_exec(struct db *db, const char *sql);

/* Returns the prepared statement for sql, cached on the connection (keyed by the address of sql:
 * pass string literals, never built strings), reset
 * and with bindings cleared. NULL on error. Never finalize it; it lives as long as db. */
struct db_stmt *db_prepare(struct db *db, const char *sql);

/* Binds parameters from 1 by a type string: 't' text (const char*, NULL binds NULL),
 * 'i' int64_t, 'b' bool as 0/1 (int), 'n' null (no argument). */
int db_bind(struct db_stmt *st, const char *types, ...);
/* The same, from parameter number first on (to bind a statement in parts). */
int db_bind_at(struct db_stmt *st, int first, const char *types, ...);
enum db_rc db_step(struct db_stmt *st);
/* Ends a statement that still has rows (a stepping statement holds its read snapshot). */
void db_reset(struct db_stmt *st);
/* Ends every statement of the connection: called at the end of each request. */
void db_reset_all(struct db *db);
const char *db_col_text(struct db_stmt *st, int col); /* "" for NULL */
int64_t db_col_int(struct db_stmt *st, int col);
bool db_col_null(struct db_stmt *st, int col);
int64_t db_changes(struct db *db);
/* The number and the names of the columns of a statement's rows (after its first step): for
 * tools that copy tables whole (trondoi migrate). */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int col);

/* Prepare + bind + step to completion. Returns DB_DONE, or a negative db_rc. */
enum db_rc db_run(struct db *db, const char *sql, const char *types, ...);

/* Hints that a bulk load follows (true) or is over (false): the backend may use more memory. */
void db_bulk_mode(struct db *db, bool on);

/* A consistent copy of the whole database (url is the one it was opened with) into file:
 * SQLite's online backup (a database file); PostgreSQL's pg_dump (custom format). 0, or -1 with e. */
int db_backup(struct db *db, const char *url, const char *file, struct err *e);
/* The reverse, into this database: SQLite replaces its content page by page; PostgreSQL's
 * pg_restore into an empty database. */
int db_restore(struct db *db, const char *url, const char *file, struct err *e);
/* Write transaction: serialises writers (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and one
 * advisory lock for the database). A statement that fails inside leaves it to be rolled back. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Read scaling (PostgreSQL only; docs/postgresql.md, "Read replica"). Once, before any thread
 * opens a connection: the connections of the process may then read from a streaming replica of
 * the primary at replica_url. Which reads, and how stale they may be: db_read_stale. max_lag_s
 * bounds the staleness for writes made elsewhere (other processes); this process's own commits
 * are always seen. 0, or -1 with e (400 unless both URLs are PostgreSQL's). */
int db_use_replica(const char *primary_url, const char *replica_url, int max_lag_s, struct err *e);
/* The SELECTs that follow on db outside a transaction, until db_reset_all, may be served by the
 * replica when it has replayed every commit of this process and every commit anywhere older than
 * max_lag_s; otherwise (behind, unreachable, or a read that fails there) by the primary. Does
 * nothing without a replica. */
void db_read_stale(struct db *db);
/* What the replica and the primary served, process-wide. False when there is no replica. */
struct db_replica_stats {
	uint64_t primary_reads, replica_reads; /* SELECTs run on each */
	uint64_t behind, unavailable, failed;  /* replica-eligible reads the primary ran instead: the
						* replica had not replayed far enough, was not connected,
						* or the read failed there */
	int connections;                       /* replica connections open */
};
bool db_replica_stats(struct db_replica_stats *out);

#endif
