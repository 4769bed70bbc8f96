/* db_sqlite.c — the SQLite backend of db.h: WAL, synchronous=FULL, one connection per thread,
 * prepared statements cached per connection. */
#include "db/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 512

struct db_stmt {
	sqlite3_stmt *st;
	struct db *db;
	const char *sql; /* key: the caller's string, which lives as long as the program */
};

struct db {
	sqlite3 *h;
	struct db_stmt cache[CACHE_SLOTS];
	int ncached;
};

static const char *strip_scheme(const char *url)
{
	return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
}

/* Process-wide settings, before SQLite's first use: no memory statistics, which would take a
 * global lock on every allocation of every connection. */
static void configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_open(struct db **out, const char *url, bool create, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure);
	*out = NULL;
	if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0)
		return err_set(e, 400, "engine_unavailable",
			       "this build has no PostgreSQL engine yet; use a file path for SQLite",
			       "bản dựng này chưa có PostgreSQL; hãy dùng đường dẫn tệp SQLite");
	struct db *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	const char *path = strip_scheme(url);
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		err_set(e, 500, "db_open_failed", "cannot open database %s: %s (run 'trondoi init --db %s' first)",
			"không mở được cơ sở dữ liệu %s: %s (hãy chạy 'trondoi init --db %s' trước)", path,
			db->h ? sqlite3_errmsg(db->h) : "out of memory", path);
		sqlite3_close(db->h);
		free(db);
		return -1;
	}
	sqlite3_busy_timeout(db->h, 10000);
	if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			"PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;")) {
		err_set(e, 500, "db_open_failed", "cannot configure database %s: %s",
			"không cấu hình được cơ sở dữ liệu %s: %s", path, sqlite3_errmsg(db->h));
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (db->cache[i].st)
			sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	free(db);
}

const char *db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int db_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static size_t slot_of(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;
	return (size_t)((p >> 3) ^ (p >> 13)) % CACHE_SLOTS;
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	size_t i = slot_of(sql);
	for (int probes = 0; probes < CACHE_SLOTS; probes++, i = (i + 1) % CACHE_SLOTS) {
		struct db_stmt *s = &db->cache[i];
		if (s->sql == sql) {
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			return s;
		}
		if (!s->sql) {
			if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK)
				return NULL;
			s->sql = sql;
			s->db = db;
			db->ncached++;
			return s;
		}
	}
	return NULL;
}

static int bind_va(struct db_stmt *st, int first, const char *types, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		int idx = first + i;
		switch (types[i]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st->st, idx, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st->st, idx);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st->st, idx, va_arg(ap, int64_t));
			break;
		case 'b':
			rc = sqlite3_bind_int(st->st, idx, va_arg(ap, int) ? 1 : 0);
			break;
		case 'n':
			rc = sqlite3_bind_null(st->st, idx);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

int db_bind(struct db_stmt *st, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = bind_va(st, 1, types, ap);
	va_end(ap);
	return rc;
}

int db_bind_at(struct db_stmt *st, int first, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = bind_va(st, first, types, ap);
	va_end(ap);
	return rc;
}

enum db_rc db_step(struct db_stmt *st)
{
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st->st);
		return DB_DONE;
	}
	sqlite3_reset(st->st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return DB_CONSTRAINT;
	if ((rc & 0xff) == SQLITE_BUSY)
		return DB_BUSY;
	return DB_ERROR;
}

void db_reset(struct db_stmt *st)
{
	sqlite3_reset(st->st);
}

void db_reset_all(struct db *db)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (db->cache[i].st)
			sqlite3_reset(db->cache[i].st);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st->st, col);
	return t ? (const char *)t : "";
}

int64_t db_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

bool db_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t db_changes(struct db *db)
{
	return sqlite3_changes64(db->h);
}

enum db_rc db_run(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return DB_ERROR;
	va_list ap;
	va_start(ap, types);
	int rc = bind_va(st, 1, types, ap);
	va_end(ap);
	if (rc)
		return DB_ERROR;
	enum db_rc r;
	while ((r = db_step(st)) == DB_ROW)
		;
	return r;
}

void db_bulk_mode(struct db *db, bool on)
{
	/* while loading: a 1 GiB page cache, and checkpoints of the WAL only every ~400 MB, so a
	 * page rewritten by many batches is copied into the database once */
	db_exec(db, on ? "PRAGMA cache_size=-1048576; PRAGMA wal_autocheckpoint=100000"
		       : "PRAGMA cache_size=-32000; PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(TRUNCATE)");
}

int db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		db_exec(db, "ROLLBACK");
}
