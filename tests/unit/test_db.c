/* test_db.c — db.h behaves the same on both engines: each test runs on a fresh SQLite file and,
 * when TRONDOI_TEST_PG names a cluster (tests/pg.sh), on a fresh PostgreSQL database too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/batch.h"
#include "db/db.h"

static char url[512];   /* the database of the current engine */
static char sqlite_dir[] = "/tmp/trondoi-test-db-XXXXXX";
static int serial;

/* A fresh database on the engine of *state ("sqlite" or "pgsql"), open, with a table t. */
static struct db *fresh(void **state)
{
	struct err e = {0};
	struct db *db;
	serial++;
	if (!strcmp(*state, "sqlite")) {
		snprintf(url, sizeof url, "sqlite:%s/t%d.db", sqlite_dir, serial);
	} else {
		char admin[512];
		snprintf(admin, sizeof admin, "%s/postgres", getenv("TRONDOI_TEST_PG"));
		assert_int_equal(db_open(&db, admin, false, &e), 0);
		char name[64], sql[128];
		snprintf(name, sizeof name, "test_db_%d_%d", (int)getpid(), serial);
		/* one statement a call: CREATE DATABASE cannot run inside a transaction */
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
		assert_int_equal(db_exec(db, sql), 0);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
		assert_int_equal(db_exec(db, sql), 0);
		db_close(db);
		snprintf(url, sizeof url, "%s/%s", getenv("TRONDOI_TEST_PG"), name);
	}
	assert_int_equal(db_open(&db, url, true, &e), 0);
	assert_int_equal(db_exec(db, "CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, flag INTEGER NOT NULL DEFAULT 0)"), 0);
	return db;
}

static void placeholders_and_columns(void **state)
{
	struct db *db = fresh(state);
	/* a '?' inside a literal is text, not a parameter */
	struct db_stmt *st = db_prepare(db, "SELECT '?' || ?, CAST(? AS BIGINT) + 1, NULL, 1 = 1, 1 = 2");
	assert_non_null(st);
	assert_int_equal(db_bind(st, "ti", "x", (int64_t)41), 0);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "?x");
	assert_int_equal(db_col_int(st, 1), 42);
	assert_true(db_col_null(st, 2));
	assert_false(db_col_null(st, 1));
	assert_string_equal(db_col_text(st, 2), "");
	assert_int_equal(db_col_int(st, 2), 0);
	assert_int_equal(db_col_int(st, 3), 1); /* a comparison reads as 1 or 0 on both */
	assert_int_equal(db_col_int(st, 4), 0);
	assert_int_equal(db_step(st), DB_DONE);
	/* the same statement again, bound in parts, with a NULL and a big number */
	st = db_prepare(db, "INSERT INTO t (k, n) VALUES (?, ?)");
	assert_int_equal(db_bind(st, "t", "a"), 0);
	assert_int_equal(db_bind_at(st, 2, "i", (int64_t)9223372036854775807LL), 0);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_run(db, "INSERT INTO t (k, n) VALUES (?, ?)", "tn", "b"), DB_DONE);
	st = db_prepare(db, "SELECT SUM(CASE WHEN n IS NULL THEN 1 ELSE 0 END), MAX(n), COUNT(*) FROM t");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_int_equal(db_col_int(st, 1), 9223372036854775807LL);
	assert_int_equal(db_col_int(st, 2), 2);
	db_reset(st);
	db_close(db);
}

static void constraints_changes_and_rollback(void **state)
{
	struct db *db = fresh(state);
	assert_int_equal(db_run(db, "INSERT INTO t (k, n) VALUES (?, ?)", "ti", "a", (int64_t)1), DB_DONE);
	assert_int_equal(db_run(db, "INSERT INTO t (k, n) VALUES (?, ?)", "ti", "b", (int64_t)2), DB_DONE);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "UPDATE t SET n = n + 10", ""), DB_DONE);
	assert_int_equal(db_changes(db), 2);
	assert_int_equal(db_run(db, "SELECT k FROM t", ""), DB_DONE); /* a read leaves the count alone */
	assert_int_equal(db_changes(db), 2);
	assert_int_equal(db_run(db, "INSERT INTO t (k, n) VALUES (?, ?)", "ti", "a", (int64_t)3), DB_CONSTRAINT);
	db_rollback(db);
	/* the connection works on; the update went with the rollback */
	struct db_stmt *st = db_prepare(db, "SELECT SUM(n) FROM t");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 3);
	db_reset(st);
	assert_int_equal(db_run(db, "INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT DO NOTHING", "ti", "a", (int64_t)5), DB_DONE);
	assert_int_equal(db_changes(db), 0);
	db_close(db);
}

/* The group-commit writer's way: a savepoint per job, a failing job undone alone. */
static void savepoints_undo_one_job(void **state)
{
	struct db *db = fresh(state);
	assert_int_equal(db_run(db, "INSERT INTO t (k) VALUES (?)", "t", "a"), DB_DONE);
	assert_int_equal(db_begin(db), 0);
	const char *keys[] = {"b", "a", "c"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(db_run(db, "SAVEPOINT job", ""), DB_DONE);
		if (db_run(db, "INSERT INTO t (k) VALUES (?)", "t", keys[i]) != DB_DONE)
			assert_int_equal(db_run(db, "ROLLBACK TO job", ""), DB_DONE);
		assert_int_equal(db_run(db, "RELEASE job", ""), DB_DONE);
	}
	assert_int_equal(db_commit(db), 0);
	struct db_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM t");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 3);
	db_reset(st);
	db_close(db);
}

/* Reading a list and writing per row on the same connection, as the code does. */
static void writes_while_a_read_is_open(void **state)
{
	struct db *db = fresh(state);
	for (int i = 0; i < 3; i++)
		assert_int_equal(db_run(db, "INSERT INTO t (k, n) VALUES (?, ?)", "ti", (const char *[]){"a", "b", "c"}[i], (int64_t)i), DB_DONE);
	struct db_stmt *st = db_prepare(db, "SELECT k FROM t ORDER BY k");
	int rows = 0;
	while (db_step(st) == DB_ROW) {
		assert_int_equal(db_run(db, "UPDATE t SET flag = 1 WHERE k = ?", "t", db_col_text(st, 0)), DB_DONE);
		rows++;
	}
	assert_int_equal(rows, 3);
	st = db_prepare(db, "SELECT COUNT(*) FROM t WHERE flag = 1");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 3);
	db_reset(st);
	db_close(db);
}

struct second_writer {
	volatile int began;
};

static void *begin_second(void *arg)
{
	struct second_writer *w = arg;
	struct db *db;
	struct err e = {0};
	if (db_open(&db, url, false, &e))
		return NULL;
	if (!db_begin(db)) {
		w->began = 1;
		db_commit(db);
	}
	db_close(db);
	return NULL;
}

/* db_begin lets one writer in at a time: a second waits until the first commits. */
static void writers_take_turns(void **state)
{
	struct db *db = fresh(state);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO t (k) VALUES (?)", "t", "first"), DB_DONE);
	struct second_writer w = {0};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, begin_second, &w), 0);
	usleep(300000);
	assert_int_equal(w.began, 0);
	assert_int_equal(db_commit(db), 0);
	pthread_join(th, NULL);
	assert_int_equal(w.began, 1);
	db_close(db);
}

static void migrations_apply_once(void **state)
{
	struct db *db = fresh(state);
	struct err e = {0};
	int applied = 0;
	assert_int_equal(db_migrate(db, &applied, &e), 0);
	assert_true(applied >= 18);
	assert_int_equal(db_migrate(db, &applied, &e), 0);
	assert_int_equal(applied, 0);
	db_close(db);
}

/* PostgreSQL only: a connection the server dropped is made again on the next statement. */
static void a_dropped_connection_comes_back(void **state)
{
	struct db *db = fresh(state);
	assert_int_equal(db_run(db, "INSERT INTO t (k) VALUES (?)", "t", "a"), DB_DONE);
	struct db_stmt *st = db_prepare(db, "SELECT pg_backend_pid()");
	assert_int_equal(db_step(st), DB_ROW);
	int64_t pid = db_col_int(st, 0);
	db_reset(st);
	struct db *other;
	struct err e = {0};
	assert_int_equal(db_open(&other, url, false, &e), 0);
	assert_int_equal(db_run(other, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)", "i", pid), DB_DONE);
	db_close(other);
	st = db_prepare(db, "SELECT COUNT(*) FROM t"); /* finds the connection gone */
	assert_null(st);
	st = db_prepare(db, "SELECT COUNT(*) FROM t");
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	db_reset(st);
	db_close(db);
}

/* PostgreSQL only, and last (the replica is the process's): a replica that cannot be reached, or
 * that is no standby (the primary itself), is never read from; the primary answers. SQLite has
 * no replicas. */
static void replica_reads_fall_back_to_the_primary(void **state)
{
	struct err e = {0};
	assert_int_equal(db_use_replica("sqlite:/tmp/x.db", "postgresql://trondoi@127.0.0.1:9/x", 1, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "replica_needs_pgsql");
	struct db_replica_stats was, now;
	assert_false(db_replica_stats(&was));
	struct db *db = fresh(state);
	assert_int_equal(db_run(db, "INSERT INTO t (k) VALUES (?)", "t", "a"), DB_DONE);
	const char *const replicas[] = {"postgresql://trondoi@127.0.0.1:9/nothing_listens", url};
	for (int i = 0; i < 2; i++) {
		struct db *reader;
		assert_int_equal(db_use_replica(url, replicas[i], 0, &e), 0);
		assert_int_equal(db_open(&reader, url, false, &e), 0);
		assert_true(db_replica_stats(&was));
		db_read_stale(reader);
		struct db_stmt *st = db_prepare(reader, "SELECT COUNT(*) FROM t");
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int(st, 0), 1);
		db_reset_all(reader);
		assert_true(db_replica_stats(&now));
		assert_int_equal(now.replica_reads, was.replica_reads);
		assert_int_equal(now.primary_reads, was.primary_reads + 1);
		/* unreachable, or the primary itself (it replays nothing): not used */
		assert_int_equal(now.unavailable - was.unavailable, 1);
		assert_int_equal(now.behind, was.behind);
		assert_int_equal(now.connections, 0);
		db_close(reader);
	}
	db_close(db);
}

#define ON_BOTH(f) cmocka_unit_test_prestate(f, "sqlite"), cmocka_unit_test_prestate(f, "pgsql")

/* The group-commit writer's tails: each batch's tail sees exactly the jobs that applied (a
 * failing one is undone alone, and not given to it), and its write commits with them. */
struct tjob {
	struct batch_job job;
	int id;
	int seen; /* how many tail calls were given this job */
};
static pthread_mutex_t tails_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tails_cv = PTHREAD_COND_INITIALIZER;
static int tails_done;

static int tjob_apply(struct db *db, struct batch_job *j)
{
	struct tjob *t = (struct tjob *)j;
	char k[16];
	snprintf(k, sizeof k, "job%d", t->id);
	if (db_run(db, "INSERT INTO t (k, n) VALUES (?, ?)", "ti", k, (int64_t)t->id) != DB_DONE)
		return -1;
	return t->id % 5 == 0 ? -1 : 0; /* every fifth fails after writing: its row must go too */
}

static int tjob_tail(struct db *db, struct batch_job *const *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((struct tjob *)jobs[i])->seen++;
	return db_run(db, "INSERT INTO t (k, n) VALUES ('tally', ?) ON CONFLICT (k) DO UPDATE SET n = t.n + excluded.n", "i",
		      (int64_t)n) == DB_DONE ? 0 : -1;
}

static void tjob_done(struct batch_job *j, int rc)
{
	(void)j;
	(void)rc;
	pthread_mutex_lock(&tails_mu);
	tails_done++;
	pthread_cond_signal(&tails_cv);
	pthread_mutex_unlock(&tails_mu);
}

static void batch_tails_see_the_jobs_that_applied(void **state)
{
	struct db *db = fresh(state);
	struct err e = {0};
	struct batch *b = batch_start(url, &e);
	assert_non_null(b);
	enum { N = 60 };
	static struct tjob jobs[N];
	memset(jobs, 0, sizeof jobs);
	tails_done = 0;
	for (int i = 0; i < N; i++) {
		jobs[i] = (struct tjob){.job = {.apply = tjob_apply, .done = tjob_done, .tail = tjob_tail}, .id = i + 1};
		assert_int_equal(batch_submit(b, &jobs[i].job), 0);
	}
	pthread_mutex_lock(&tails_mu);
	while (tails_done < N)
		pthread_cond_wait(&tails_cv, &tails_mu);
	pthread_mutex_unlock(&tails_mu);
	int applied = 0;
	for (int i = 0; i < N; i++) {
		bool ok = jobs[i].id % 5 != 0;
		assert_int_equal(jobs[i].job.rc, ok ? 0 : -1);
		assert_int_equal(jobs[i].seen, ok ? 1 : 0);
		applied += ok;
	}
	struct db_stmt *st = db_prepare(db, "SELECT (SELECT n FROM t WHERE k = 'tally'), (SELECT COUNT(*) FROM t WHERE k LIKE 'job%')");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), applied);
	assert_int_equal(db_col_int(st, 1), applied);
	db_reset(st);
	/* without a writer, the job runs at once, with its tail */
	struct tjob alone = {.job = {.apply = tjob_apply, .tail = tjob_tail}, .id = N + 1};
	assert_int_equal(batch_run(NULL, db, &alone.job), 0);
	assert_int_equal(alone.seen, 1);
	batch_stop(b);
	batch_free(b);
	db_close(db);
}

/* Jobs are reported in the order they were queued, batch after batch, and stopping reports every
 * job queued before it. */
static int reported[200], nreported;

static void ojob_done(struct batch_job *j, int rc)
{
	pthread_mutex_lock(&tails_mu);
	reported[nreported++] = rc ? -1 : ((struct tjob *)j)->id;
	pthread_mutex_unlock(&tails_mu);
}

static int ojob_apply(struct db *db, struct batch_job *j)
{
	char k[16];
	snprintf(k, sizeof k, "o%d", ((struct tjob *)j)->id);
	return db_run(db, "INSERT INTO t (k, n) VALUES (?, 1)", "t", k) == DB_DONE ? 0 : -1;
}

static void batch_reports_in_order_and_drains_on_stop(void **state)
{
	struct db *db = fresh(state);
	struct err e = {0};
	struct batch *b = batch_start(url, &e);
	assert_non_null(b);
	enum { N = 200 };
	static struct tjob jobs[N];
	nreported = 0;
	for (int i = 0; i < N; i++) {
		jobs[i] = (struct tjob){.job = {.apply = ojob_apply, .done = ojob_done}, .id = i + 1};
		assert_int_equal(batch_submit(b, &jobs[i].job), 0);
		if (i % 50 == 49)
			usleep(2000); /* several batches */
	}
	batch_stop(b); /* drains: every job queued is written and reported */
	assert_int_equal(nreported, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(reported[i], i + 1);
	struct db_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM t WHERE k LIKE 'o%'");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int(st, 0), N);
	db_reset(st);
	batch_free(b);
	db_close(db);
}

int main(void)
{
	if (!mkdtemp(sqlite_dir))
		return 1;
	struct CMUnitTest all[] = {ON_BOTH(placeholders_and_columns), ON_BOTH(constraints_changes_and_rollback),
				   ON_BOTH(savepoints_undo_one_job), ON_BOTH(writes_while_a_read_is_open),
				   ON_BOTH(writers_take_turns), ON_BOTH(migrations_apply_once), ON_BOTH(batch_tails_see_the_jobs_that_applied),
				   ON_BOTH(batch_reports_in_order_and_drains_on_stop),
				   cmocka_unit_test_prestate(a_dropped_connection_comes_back, "pgsql"),
				   cmocka_unit_test_prestate(replica_reads_fall_back_to_the_primary, "pgsql")};
	/* without a PostgreSQL cluster, the SQLite half only */
	struct CMUnitTest tests[sizeof all / sizeof *all];
	size_t n = 0;
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (strcmp(all[i].initial_state, "pgsql") || getenv("TRONDOI_TEST_PG"))
			tests[n++] = all[i];
	int failed = _cmocka_run_group_tests("db", tests, n, NULL, NULL);
	for (int i = 1; i <= serial; i++)
		for (size_t k = 0; k < 3; k++) {
			char path[128];
			snprintf(path, sizeof path, "%s/t%d.db%s", sqlite_dir, i, (const char *[]){"", "-wal", "-shm"}[k]);
			unlink(path);
		}
	rmdir(sqlite_dir);
	return failed;
}
