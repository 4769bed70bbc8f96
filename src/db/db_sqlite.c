/* db_sqlite.c — the SQLite engine of db.h: WAL, synchronous=FULL, one connection per thread,
 * prepared statements cached per connection. */
#include "db/engine.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 512

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
	const char *sql; /* key: the caller's string, which lives as long as the program */
	bool used;       /* handed out since the last reset_all */
};

struct sq_db {
	struct db base;
	sqlite3 *h;
	struct sq_stmt cache[CACHE_SLOTS];
	int ncached;
	int used[CACHE_SLOTS], nused; /* the slots handed out since the last reset_all, which resets only those */
};

static const struct db_engine sqlite_engine;
static void sq_close(struct db *db);
static int sq_exec(struct db *db, const char *sql);

#define SQ(db) ((struct sq_db *)(db))
#define ST(st) ((struct sq_stmt *)(st))

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

int db_sqlite_open(struct db **out, const char *url, bool create, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure);
	*out = NULL;
	struct sq_db *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	db->base.engine = &sqlite_engine;
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
	if (sq_exec(&db->base, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			       "PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;")) {
		err_set(e, 500, "db_open_failed", "cannot configure database %s: %s",
			"không cấu hình được cơ sở dữ liệu %s: %s", path, sqlite3_errmsg(db->h));
		sq_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}

static void sq_close(struct db *base)
{
	struct sq_db *db = SQ(base);
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (db->cache[i].st)
			sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	free(db);
}

static const char *sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(SQ(db)->h);
}

static int sq_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(SQ(db)->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static size_t slot_of(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;
	return (size_t)((p >> 3) ^ (p >> 13)) % CACHE_SLOTS;
}

static struct db_stmt *handed_out(struct sq_db *db, size_t i)
{
	struct sq_stmt *s = &db->cache[i];
	if (!s->used) {
		s->used = true;
		db->used[db->nused++] = (int)i;
	}
	return &s->base;
}

static struct db_stmt *sq_prepare(struct db *base, const char *sql)
{
	struct sq_db *db = SQ(base);
	size_t i = slot_of(sql);
	for (int probes = 0; probes < CACHE_SLOTS; probes++, i = (i + 1) % CACHE_SLOTS) {
		struct sq_stmt *s = &db->cache[i];
		if (s->sql == sql) {
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			return handed_out(db, i);
		}
		if (!s->sql) {
			if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK)
				return NULL;
			s->sql = sql;
			s->base.db = base;
			db->ncached++;
			return handed_out(db, i);
		}
	}
	return NULL;
}

static int sq_bind(struct db_stmt *base, int first, const char *types, va_list ap)
{
	sqlite3_stmt *st = ST(base)->st;
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		int idx = first + i;
		switch (types[i]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, idx, va_arg(ap, int64_t));
			break;
		case 'b':
			rc = sqlite3_bind_int(st, idx, va_arg(ap, int) ? 1 : 0);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, idx);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

static enum db_rc sq_step(struct db_stmt *base)
{
	sqlite3_stmt *st = ST(base)->st;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return DB_DONE;
	}
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return DB_CONSTRAINT;
	if ((rc & 0xff) == SQLITE_BUSY)
		return DB_BUSY;
	return DB_ERROR;
}

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset(ST(st)->st);
}

static void sq_reset_all(struct db *base)
{
	struct sq_db *db = SQ(base);
	for (int k = 0; k < db->nused; k++) {
		struct sq_stmt *s = &db->cache[db->used[k]];
		sqlite3_reset(s->st);
		s->used = false;
	}
	db->nused = 0;
}

static const char *sq_col_text(struct db_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(ST(st)->st, col);
	return t ? (const char *)t : "";
}

static int64_t sq_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(ST(st)->st, col);
}

static bool sq_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(ST(st)->st, col) == SQLITE_NULL;
}

static int64_t sq_changes(struct db *db)
{
	return sqlite3_changes64(SQ(db)->h);
}

static void sq_bulk_mode(struct db *db, bool on)
{
	/* while loading: a 1 GiB page cache, and checkpoints of the WAL only every ~400 MB, so a
	 * page rewritten by many batches is copied into the database once */
	sq_exec(db, on ? "PRAGMA cache_size=-1048576; PRAGMA wal_autocheckpoint=100000"
		       : "PRAGMA cache_size=-32000; PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(TRUNCATE)");
}

static int sq_begin(struct db *db)
{
	return sq_exec(db, "BEGIN IMMEDIATE");
}

static int sq_commit(struct db *db)
{
	return sq_exec(db, "COMMIT");
}

static void sq_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(SQ(db)->h))
		sq_exec(db, "ROLLBACK");
}

/* The online backup API: pages copied in steps, so other connections go on meanwhile. */
static int sq_copy(struct db *db, const char *url, const char *file, bool restore, struct err *e)
{
	(void)url;
	sqlite3 *other = NULL;
	int flags = restore ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(file, &other, flags, NULL) != SQLITE_OK) {
		err_set(e, 400, "backup_file", "cannot open %s: %s", "không mở được %s: %s", file, other ? sqlite3_errmsg(other) : "out of memory");
		sqlite3_close(other);
		return -1;
	}
	sqlite3_busy_timeout(other, 10000);
	sqlite3 *to = restore ? SQ(db)->h : other, *from = restore ? other : SQ(db)->h;
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc = SQLITE_ERROR;
	if (b) {
		while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(rc == SQLITE_OK ? 0 : 20);
		rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	if (rc != SQLITE_OK)
		err_set(e, 500, "backup_failed", "the copy failed: %s", "sao chép thất bại: %s", sqlite3_errmsg(to));
	sqlite3_close(other);
	return rc == SQLITE_OK ? 0 : -1;
}

static int sq_col_count(struct db_stmt *st) { return sqlite3_column_count(ST(st)->st); }
static const char *sq_col_name(struct db_stmt *st, int col) { return sqlite3_column_name(ST(st)->st, col); }

static const struct db_engine sqlite_engine = {
	.close = sq_close, .errmsg = sq_errmsg, .exec = sq_exec, .prepare = sq_prepare, .bind = sq_bind,
	.step = sq_step, .reset = sq_reset, .reset_all = sq_reset_all, .col_text = sq_col_text,
	.col_int = sq_col_int, .col_null = sq_col_null, .changes = sq_changes, .bulk_mode = sq_bulk_mode,
	.begin = sq_begin, .commit = sq_commit, .rollback = sq_rollback, .copy = sq_copy,
	.col_count = sq_col_count, .col_name = sq_col_name,
};
