/* db_pgsql.c — the PostgreSQL engine of db.h (libpq). One connection a thread, as with SQLite;
 * each statement's SQL is translated once ('?' → $n) and prepared on the connection under a name
 * of its own, cached by the address of the caller's SQL. Parameters and results travel as text:
 * db_col_int parses, a boolean reads as 1 or 0. A statement runs whole at its first db_step and
 * its rows are read from the result, so the connection is free for other statements meanwhile
 * (the code reads a list and writes per row, as SQLite allows).
 *
 * Writers: db_begin takes one advisory lock for the whole database inside the transaction, so
 * write transactions run one at a time, as BEGIN IMMEDIATE makes them on SQLite; READ COMMITTED
 * then lets each statement see every write committed before it (docs/postgresql.md).
 *
 * Reads from a replica (db_use_replica): a connection keeps a second one to the replica, opened
 * on first use; during a request that allows it (db_read_stale), a SELECT outside a transaction
 * is prepared and run there, while the replica has replayed the WAL up to the floor: past every
 * commit of this process (read after each) and the primary's position as of at most max_lag
 * ago. Anything else, and any read that fails there, runs on the primary. */
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "db/engine.h"

#define CACHE_SLOTS 512
#define WRITE_LOCK "7660766" /* the advisory lock key of the write transaction */
#define LOCK_WAIT "10s"      /* how long a writer waits for the lock: SQLite's busy timeout */
#define REPLICA_RETRY_US 5000000 /* a thread tries an unreachable replica again after 5 s */

struct pg_stmt {
	struct db_stmt base;
	const char *sql; /* key: the caller's string, which lives as long as the program */
	char name[16];   /* the prepared statement's name on the connection */
	int nparams;
	char **params; /* text of each parameter, NULL for NULL; owned */
	PGresult *res; /* the rows of the running statement, NULL when not running */
	int row, nrows;
	bool read; /* a SELECT: may run on the replica */
};

struct pg_db {
	struct db base;
	PGconn *c;
	struct pg_stmt cache[CACHE_SLOTS];
	int ncached;
	int64_t changes;
	char err[512];
	struct pg_db *replica; /* this connection's one to the replica, NULL until used (or lost) */
	struct pg_db *primary; /* on a replica connection: the connection it reads for */
	int64_t retry_at;      /* no new attempt to reach the replica before then (monotonic µs) */
	bool stale_ok;         /* db_read_stale: reads may go to the replica until db_reset_all */
};

/* The process's replica: where it is, the bound on staleness, and what is known of its progress.
 * WAL positions are LSNs as 64-bit numbers. */
static struct {
	const char *url; /* NULL: no replica */
	int64_t max_lag_us;
	_Atomic uint64_t floor;      /* a replica read needs the replica to have replayed this far */
	_Atomic int64_t floor_at;    /* when floor last took the primary's position (monotonic µs; 0 never) */
	_Atomic uint64_t replayed;   /* the replica's replay position as last read */
	_Atomic bool down;           /* last found unreachable: logged once, until it answers again */
	_Atomic uint64_t reads[2];   /* SELECTs run on the primary [0] and on the replica [1] */
	_Atomic uint64_t behind, unavailable, failed;
	_Atomic int connections;
} rep;

static const struct db_engine pgsql_engine;

#define PG(db) ((struct pg_db *)(db))
#define ST(st) ((struct pg_stmt *)(st))

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Keeps the error of res (or of the connection) for db_errmsg, without its final newline. */
static void keep_error(struct pg_db *db, const PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	if (!m[0])
		m = PQerrorMessage(db->c);
	snprintf(db->err, sizeof db->err, "%s", m);
	size_t n = strlen(db->err);
	while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = 0;
}

/* What a failed result means to the caller: a broken constraint, a lock not had in time, or an
 * error. */
static enum db_rc failure(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state)
		return DB_ERROR;
	if (!strncmp(state, "23", 2)) /* integrity constraint violation, as SQLITE_CONSTRAINT */
		return DB_CONSTRAINT;
	static const char *const busy[] = {"40001", "40P01", "55P03", "57014"};
	for (size_t i = 0; i < sizeof busy / sizeof *busy; i++)
		if (!strcmp(state, busy[i]))
			return DB_BUSY;
	return DB_ERROR;
}

static void pg_close(struct db *base);

int db_pgsql_open(struct db **out, const char *url, bool create, struct err *e)
{
	(void)create; /* the database itself is the operator's (CREATE DATABASE); init fills it */
	*out = NULL;
	struct pg_db *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	db->base.engine = &pgsql_engine;
	/* the URL may name the application; the encoding and the session settings are ours */
	const char *const keys[] = {"application_name", "dbname", "client_encoding", "options", NULL};
	const char *const values[] = {"trondoi", url, "UTF8",
				      "-c lock_timeout=" LOCK_WAIT " -c client_min_messages=warning "
				      "-c default_transaction_isolation=read\\ committed",
				      NULL};
	db->c = PQconnectdbParams(keys, values, 1);
	if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
		if (db->c)
			keep_error(db, NULL);
		err_set(e, 500, "db_open_failed", "cannot connect to PostgreSQL: %s", "không kết nối được PostgreSQL: %s",
			db->c ? db->err : "out of memory");
		pg_close(&db->base);
		return -1;
	}
	PQsetNoticeProcessor(db->c, ignore_notice, NULL);
	*out = &db->base;
	return 0;
}

static void clear(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = s->nrows = 0;
}

static void unbind(struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		free(s->params[i]);
		s->params[i] = NULL;
	}
}

static void pg_close(struct db *base)
{
	struct pg_db *db = PG(base);
	if (db->replica) {
		pg_close(&db->replica->base);
		atomic_fetch_sub(&rep.connections, 1);
	}
	for (int i = 0; i < CACHE_SLOTS; i++) {
		clear(&db->cache[i]);
		unbind(&db->cache[i]);
		free(db->cache[i].params);
	}
	PQfinish(db->c);
	free(db);
}

static const char *pg_errmsg(struct db *db)
{
	return PG(db)->err[0] ? PG(db)->err : PQerrorMessage(PG(db)->c);
}

static int pg_exec(struct db *base, const char *sql)
{
	struct pg_db *db = PG(base);
	PGresult *res = PQexec(db->c, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
	if (rc)
		keep_error(db, res);
	PQclear(res);
	return rc;
}

/* sql with each '?' outside quotes and comments as $1, $2…; *n: how many. NULL when out of memory. */
static char *translate(const char *sql, int *n)
{
	size_t len = strlen(sql);
	size_t size = len * 6 + 1; /* "?" → "$NNNNN" at most */
	char *out = malloc(size);
	if (!out)
		return NULL;
	char *o = out;
	*n = 0;
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') { /* a literal or a quoted name, up to its closing quote */
			char q = *p;
			*o++ = *p++;
			while (*p && *p != q)
				*o++ = *p++;
			if (*p)
				*o++ = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				*o++ = *p++;
		} else if (*p == '?') {
			o += snprintf(o, size - (size_t)(o - out), "$%d", ++*n);
			p++;
		} else
			*o++ = *p++;
	}
	*o = 0;
	return out;
}

static size_t slot_of(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;
	return (size_t)((p >> 3) ^ (p >> 13)) % CACHE_SLOTS;
}

static bool is_select(const char *sql)
{
	sql += strspn(sql, " \t\r\n");
	return !strncasecmp(sql, "SELECT", 6);
}

static int prepare_new(struct pg_db *db, struct pg_stmt *s, const char *sql)
{
	int n;
	char *text = translate(sql, &n);
	if (!text)
		return -1;
	snprintf(s->name, sizeof s->name, "s%d", db->ncached);
	PGresult *res = PQprepare(db->c, s->name, text, 0, NULL);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc) {
		keep_error(db, res);
		log_error("db", "cannot prepare %s: %s", text, db->err);
	}
	PQclear(res);
	free(text);
	if (rc || !(s->params = calloc(n ? (size_t)n : 1, sizeof *s->params)))
		return -1;
	s->nparams = n;
	s->sql = sql;
	s->read = is_select(sql);
	s->base.db = &db->base;
	db->ncached++;
	return 0;
}

/* After the server restarted or the network dropped the connection: connects again and forgets
 * the statements prepared on the old one (they are prepared again on first use). A transaction
 * that was open is lost with the connection; its caller sees its statements fail. */
static void reconnect(struct pg_db *db)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		struct pg_stmt *s = &db->cache[i];
		clear(s);
		unbind(s);
		free(s->params);
		memset(s, 0, sizeof *s);
	}
	db->ncached = 0;
	PQreset(db->c);
	if (PQstatus(db->c) == CONNECTION_OK)
		log_info("db", "connected to PostgreSQL again");
}

/* The statement prepared on this very connection. */
static struct pg_stmt *prepare_here(struct pg_db *db, const char *sql)
{
	if (PQstatus(db->c) == CONNECTION_BAD)
		reconnect(db);
	size_t i = slot_of(sql);
	for (int probes = 0; probes < CACHE_SLOTS; probes++, i = (i + 1) % CACHE_SLOTS) {
		struct pg_stmt *s = &db->cache[i];
		if (s->sql == sql) {
			clear(s);
			unbind(s);
			return s;
		}
		if (!s->sql)
			return prepare_new(db, s, sql) ? NULL : s;
	}
	return NULL;
}

static struct db_stmt *pg_prepare(struct db *base, const char *sql)
{
	struct pg_db *db = PG(base);
	if (db->stale_ok && is_select(sql) && PQtransactionStatus(db->c) == PQTRANS_IDLE) {
		if (!db->replica || PQstatus(db->replica->c) != CONNECTION_OK)
			atomic_fetch_add(&rep.unavailable, 1);
		else if (atomic_load(&rep.replayed) < atomic_load(&rep.floor))
			atomic_fetch_add(&rep.behind, 1);
		else {
			struct pg_stmt *s = prepare_here(db->replica, sql);
			if (s)
				return &s->base;
			atomic_fetch_add(&rep.failed, 1);
		}
	}
	struct pg_stmt *s = prepare_here(db, sql);
	return s ? &s->base : NULL;
}

static int set_param(struct pg_stmt *s, int idx, const char *text)
{
	if (idx < 1 || idx > s->nparams)
		return -1;
	free(s->params[idx - 1]);
	s->params[idx - 1] = NULL;
	if (text && !(s->params[idx - 1] = strdup(text)))
		return -1;
	return 0;
}

static int pg_bind(struct db_stmt *base, int first, const char *types, va_list ap)
{
	struct pg_stmt *s = ST(base);
	clear(s);
	int rc = 0;
	char num[24];
	for (int i = 0; types[i] && !rc; i++) {
		int idx = first + i;
		switch (types[i]) {
		case 't':
			rc = set_param(s, idx, va_arg(ap, const char *));
			break;
		case 'i':
			snprintf(num, sizeof num, "%lld", (long long)va_arg(ap, int64_t));
			rc = set_param(s, idx, num);
			break;
		case 'b':
			rc = set_param(s, idx, va_arg(ap, int) ? "1" : "0");
			break;
		case 'n':
			rc = set_param(s, idx, NULL);
			break;
		default:
			rc = -1;
		}
	}
	return rc;
}

/* The rows affected, as sqlite3_changes counts them: by INSERT, UPDATE and DELETE only. True
 * when rows were. */
static bool count_changes(struct pg_db *db, PGresult *res)
{
	const char *tag = PQcmdStatus(res);
	if (!strncmp(tag, "INSERT", 6) || !strncmp(tag, "UPDATE", 6) || !strncmp(tag, "DELETE", 6)) {
		db->changes = strtoll(PQcmdTuples(res), NULL, 10);
		return db->changes > 0;
	}
	return false;
}

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + 1; /* never 0: floor_at's "never" */
}

/* The WAL position sql (one value, an LSN like "16/B374D848") answers on c: 0 when it fails or
 * is NULL. */
static uint64_t lsn_of(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	unsigned hi, lo;
	uint64_t lsn = 0;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    sscanf(PQgetvalue(res, 0, 0), "%X/%X", &hi, &lo) == 2)
		lsn = (uint64_t)hi << 32 | lo;
	PQclear(res);
	return lsn;
}

static void raise_floor(uint64_t lsn)
{
	uint64_t now = atomic_load(&rep.floor);
	while (now < lsn && !atomic_compare_exchange_weak(&rep.floor, &now, lsn))
		;
}

/* After a commit on the primary: replica reads must see it from now on. The insert position is
 * past the commit's record whatever synchronous_commit says. */
static void note_commit(struct pg_db *db)
{
	if (rep.url)
		raise_floor(lsn_of(db->c, "SELECT pg_current_wal_insert_lsn()"));
}

/* A replica read that failed (the replica went away, a conflict with its recovery…): the
 * primary runs it instead, and this request reads there from now on. The result goes into the
 * replica's statement, which the caller holds. */
static PGresult *read_on_primary(struct pg_db *replica, struct pg_stmt *s)
{
	struct pg_db *db = replica->primary;
	atomic_fetch_add(&rep.failed, 1);
	db->stale_ok = false;
	if (PQstatus(replica->c) == CONNECTION_BAD && !atomic_exchange(&rep.down, true))
		log_error("db_replica", "lost the replica, reads go to the primary: %s", replica->err);
	struct pg_stmt *p = prepare_here(db, s->sql);
	int rc = p ? 0 : -1;
	for (int i = 0; !rc && i < s->nparams; i++)
		rc = set_param(p, i + 1, s->params[i]);
	PGresult *res = rc ? NULL : PQexecPrepared(db->c, p->name, p->nparams, (const char *const *)p->params, NULL, NULL, 0);
	if (p)
		unbind(p);
	return res;
}

static enum db_rc pg_step(struct db_stmt *base)
{
	struct pg_stmt *s = ST(base);
	struct pg_db *db = PG(base->db);
	if (s->res) {
		if (++s->row < s->nrows)
			return DB_ROW;
		clear(s);
		return DB_DONE;
	}
	PGresult *res = PQexecPrepared(db->c, s->name, s->nparams, (const char *const *)s->params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (db->primary && st != PGRES_TUPLES_OK) {
		keep_error(db, res);
		PQclear(res);
		res = read_on_primary(db, s);
		st = PQresultStatus(res);
		db = db->primary;
	}
	if (s->read)
		atomic_fetch_add(&rep.reads[db->primary != NULL], 1);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		enum db_rc rc = failure(res);
		keep_error(db, res);
		if (rc == DB_ERROR)
			log_error("db", "%s: %s", s->sql, db->err);
		PQclear(res);
		return rc;
	}
	if (count_changes(db, res) && rep.url && PQtransactionStatus(db->c) == PQTRANS_IDLE)
		note_commit(db); /* a write outside a transaction is committed */
	if (st == PGRES_TUPLES_OK && PQntuples(res) > 0) {
		s->res = res;
		s->row = 0;
		s->nrows = PQntuples(res);
		return DB_ROW;
	}
	PQclear(res);
	return DB_DONE;
}

static void pg_reset(struct db_stmt *st)
{
	clear(ST(st));
}

static void pg_reset_all(struct db *base)
{
	struct pg_db *db = PG(base);
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (db->cache[i].res)
			clear(&db->cache[i]);
	db->stale_ok = false;
	if (db->replica)
		pg_reset_all(&db->replica->base);
}

static const char *pg_col_text(struct db_stmt *base, int col)
{
	struct pg_stmt *s = ST(base);
	if (!s->res || col < 0 || col >= PQnfields(s->res))
		return "";
	return PQgetvalue(s->res, s->row, col); /* "" for NULL */
}

static int64_t pg_col_int(struct db_stmt *base, int col)
{
	const char *t = pg_col_text(base, col);
	if (t[0] == 't' && !t[1]) /* a boolean, as SQLite gives it */
		return 1;
	return strtoll(t, NULL, 10); /* a NUMERIC (SUM of BIGINT) as its whole part */
}

static bool pg_col_null(struct db_stmt *base, int col)
{
	struct pg_stmt *s = ST(base);
	return !s->res || col < 0 || col >= PQnfields(s->res) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_changes(struct db *db)
{
	return PG(db)->changes;
}

static void pg_bulk_mode(struct db *db, bool on)
{
	(void)db; /* nothing to tune per connection */
	(void)on;
}

static int pg_begin(struct db *db)
{
	if (!pg_exec(db, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")"))
		return 0;
	pg_exec(db, "ROLLBACK");
	return -1;
}

/* COMMIT of a transaction that failed answers ROLLBACK: that is a failure here. */
static int pg_commit(struct db *base)
{
	struct pg_db *db = PG(base);
	PGresult *res = PQexec(db->c, "COMMIT");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(res), "COMMIT") ? 0 : -1;
	if (rc) {
		keep_error(db, res);
		if (!db->err[0])
			snprintf(db->err, sizeof db->err, "the transaction failed and was rolled back");
	}
	PQclear(res);
	if (!rc)
		note_commit(db);
	return rc;
}

static void pg_rollback(struct db *db)
{
	if (PQtransactionStatus(PG(db)->c) != PQTRANS_IDLE)
		pg_exec(db, "ROLLBACK");
}

/* pg_dump / pg_restore of PostgreSQL 15 (the client programs), run with the database's URL. */
static int pg_copy(struct db *db, const char *url, const char *file, bool restore, struct err *e)
{
	(void)db;
	const char *dump[] = {"pg_dump", "--format=custom", "--no-owner", "--file", file, "--dbname", url, NULL};
	const char *load[] = {"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname", url, file, NULL};
	const char *const *argv = restore ? load : dump;
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return err_set(e, 500, "backup_failed", "%s failed (exit %d): see its messages above", "%s thất bại (mã %d): xem thông báo phía trên",
			       argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static int pg_col_count(struct db_stmt *st) { return ST(st)->res ? PQnfields(ST(st)->res) : 0; }
static const char *pg_col_name(struct db_stmt *st, int col) { return ST(st)->res ? PQfname(ST(st)->res, col) : ""; }

void db_pgsql_use_replica(const char *url, int max_lag_s)
{
	rep.url = url;
	rep.max_lag_us = (int64_t)max_lag_s * 1000000;
}

bool db_pgsql_replica_stats(struct db_replica_stats *out)
{
	*out = (struct db_replica_stats){atomic_load(&rep.reads[0]), atomic_load(&rep.reads[1]), atomic_load(&rep.behind),
					 atomic_load(&rep.unavailable), atomic_load(&rep.failed), atomic_load(&rep.connections)};
	return rep.url != NULL;
}

/* This thread's connection to the replica, made when there is none (at most every 5 s while it
 * cannot be reached); NULL when there is none to be had. */
static struct pg_db *replica_of(struct pg_db *db)
{
	int64_t now = mono_us();
	if (db->replica && PQstatus(db->replica->c) == CONNECTION_BAD) { /* lost during an earlier request */
		pg_close(&db->replica->base);
		atomic_fetch_sub(&rep.connections, 1);
		db->replica = NULL;
		db->retry_at = now + REPLICA_RETRY_US;
	}
	if (db->replica || now < db->retry_at)
		return db->replica;
	struct db *r;
	struct err e;
	int rc = db_pgsql_open(&r, rep.url, false, &e);
	if (!rc && !lsn_of(PG(r)->c, "SELECT pg_last_wal_replay_lsn()")) { /* NULL: it replays nothing */
		err_set(&e, 500, "replica_not_standby", "it is not a standby (pg_last_wal_replay_lsn() is NULL)",
			"nó không phải máy dự phòng (pg_last_wal_replay_lsn() là NULL)");
		pg_close(r);
		rc = -1;
	}
	if (rc) {
		db->retry_at = now + REPLICA_RETRY_US;
		if (!atomic_exchange(&rep.down, true))
			log_error("db_replica", "the replica is unavailable, reads go to the primary: %s", e.msg);
		return NULL;
	}
	if (atomic_exchange(&rep.down, false))
		log_info("db_replica", "the replica answers again: reads go to it");
	db->replica = PG(r);
	db->replica->primary = db;
	atomic_fetch_add(&rep.connections, 1);
	return db->replica;
}

/* Decides once a request whether its reads can use the replica: the floor takes the primary's
 * position when it is older than max_lag, and the replica's progress is read again when it is
 * not known to be past the floor. */
static void pg_read_stale(struct db *base)
{
	struct pg_db *db = PG(base);
	if (!rep.url || db->primary || PQtransactionStatus(db->c) != PQTRANS_IDLE)
		return;
	int64_t now = mono_us(), at = atomic_load(&rep.floor_at);
	if (!at || now - at >= rep.max_lag_us) {
		uint64_t lsn = lsn_of(db->c, "SELECT pg_current_wal_insert_lsn()");
		if (!lsn)
			return; /* the primary's position unknown: no bound, so no replica */
		raise_floor(lsn);
		atomic_store(&rep.floor_at, now);
	}
	db->stale_ok = true;
	struct pg_db *r = replica_of(db);
	if (r && atomic_load(&rep.replayed) < atomic_load(&rep.floor)) {
		uint64_t replayed = lsn_of(r->c, "SELECT pg_last_wal_replay_lsn()");
		uint64_t known = atomic_load(&rep.replayed);
		while (known < replayed && !atomic_compare_exchange_weak(&rep.replayed, &known, replayed))
			;
	}
}

static const struct db_engine pgsql_engine = {
	.close = pg_close, .errmsg = pg_errmsg, .exec = pg_exec, .prepare = pg_prepare, .bind = pg_bind,
	.step = pg_step, .reset = pg_reset, .reset_all = pg_reset_all, .col_text = pg_col_text,
	.col_int = pg_col_int, .col_null = pg_col_null, .changes = pg_changes, .bulk_mode = pg_bulk_mode,
	.begin = pg_begin, .commit = pg_commit, .rollback = pg_rollback, .copy = pg_copy,
	.col_count = pg_col_count, .col_name = pg_col_name, .read_stale = pg_read_stale,
};
