/* batch.c — the group-commit writer. The writer waits a moment (GATHER_US at most, while fewer
 * than GATHER_MIN jobs are queued) so one commit carries the writes of many requests: the wait
 * costs each request less than a commit of its own would cost all of them. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "db/batch.h"

#define GATHER_US 500
#define GATHER_MIN 32
#define BATCH_MAX 512

struct batch {
	pthread_mutex_t mu;
	pthread_cond_t work, finished;
	struct batch_job *head, *tail;
	bool stop;
	pthread_t thread;
	struct db *db;
	struct batch_stats stats; /* batches and jobs so far (batch_stats) */
	batch_idle_fn idle; /* work for the writer's idle time (batch_on_idle) */
	void *idle_arg;
	bool idle_more;     /* the idle work may have something to do */
};

#define IDLE_RECHECK_MS 500

/* Called with b->mu held. */
static void gather(struct batch *b)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += GATHER_US * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	for (;;) {
		int n = 0;
		for (struct batch_job *j = b->head; j && n < GATHER_MIN; j = j->next)
			n++;
		if (n >= GATHER_MIN || b->stop || pthread_cond_timedwait(&b->work, &b->mu, &until))
			return;
	}
}

/* Takes up to BATCH_MAX jobs off the queue; *n says how many. Called with b->mu held. */
static struct batch_job *take(struct batch *b, size_t *n)
{
	struct batch_job *list = b->head, *last = list;
	for (*n = 1; last->next && *n < BATCH_MAX; ++*n)
		last = last->next;
	b->head = last->next;
	if (!b->head)
		b->tail = NULL;
	last->next = NULL;
	return list;
}

/* Each job in a savepoint of its own, so that a failing one is undone alone. */
static int run_guarded(struct db *db, struct batch_job *j)
{
	/* prepared once per connection, like every statement */
	if (db_run(db, "SAVEPOINT job", "") != DB_DONE)
		return -1;
	int rc = j->apply(db, j);
	if (rc)
		db_run(db, "ROLLBACK TO job", "");
	db_run(db, "RELEASE job", "");
	return rc ? -1 : 0;
}

/* Whether an applied job before j in list has j's tail (which then ran for both). */
static bool tail_ran(const struct batch_job *list, const struct batch_job *j)
{
	for (const struct batch_job *k = list; k != j; k = k->next)
		if (!k->rc && k->tail == j->tail)
			return true;
	return false;
}

/* Each distinct tail of the applied jobs once, given its jobs. 0, or -1. */
static int run_tails(struct db *db, struct batch_job *list)
{
	size_t n = 0;
	int rc = 0;
	for (struct batch_job *j = list; j; j = j->next)
		n++;
	struct batch_job **mine = NULL;
	for (struct batch_job *j = list; j && !rc; j = j->next) {
		if (j->rc || !j->tail || tail_ran(list, j))
			continue;
		if (!mine && !(mine = malloc(n * sizeof *mine)))
			return -1;
		size_t m = 0;
		for (struct batch_job *k = j; k; k = k->next)
			if (!k->rc && k->tail == j->tail)
				mine[m++] = k;
		rc = j->tail(db, mine, m) ? 1 : 0;
	}
	free(mine);
	return rc ? -1 : 0;
}

/* One transaction for the list: first every job straight through (the usual case: nothing
 * fails); if one does, the transaction is rolled back and run again with a savepoint per job. */
static int try_list(struct db *db, struct batch_job *list, bool guarded)
{
	if (db_begin(db))
		return -1;
	for (struct batch_job *j = list; j; j = j->next) {
		j->rc = guarded ? run_guarded(db, j) : j->apply(db, j) ? -1 : 0;
		if (j->rc && !guarded) {
			db_rollback(db);
			return 1;
		}
	}
	if (run_tails(db, list) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static void write_list(struct db *db, struct batch_job *list)
{
	int rc = try_list(db, list, false);
	if (rc > 0)
		rc = try_list(db, list, true);
	if (rc) {
		log_error("batch", "a batch of writes failed: %s", db_errmsg(db));
		for (struct batch_job *j = list; j; j = j->next)
			j->rc = -1;
	}
}

/* Wakes the waiters of list and hands back the jobs with a done callback. Called with b->mu held. */
static struct batch_job *settle(struct batch *b, struct batch_job *list)
{
	struct batch_job *callbacks = NULL, **end = &callbacks; /* in the jobs' order */
	for (struct batch_job *j = list, *next; j; j = next) {
		next = j->next;
		if (j->done) {
			*end = j;
			end = &j->next;
		} else
			j->finished = true; /* its waiter owns it from here */
	}
	*end = NULL;
	pthread_cond_broadcast(&b->finished);
	return callbacks;
}

/* Waits for jobs; meanwhile does the idle work, a little at a time, while it has any: jobs come
 * first, and the idle work shares the writer's own connection, so it never holds a lock a job
 * would wait for. Called with b->mu held. */
static void wait_for_jobs(struct batch *b)
{
	while (!b->head && !b->stop) {
		if (b->idle && b->idle_more) {
			pthread_mutex_unlock(&b->mu);
			bool more = b->idle(b->db, b->idle_arg);
			pthread_mutex_lock(&b->mu);
			b->idle_more = more;
			continue;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += IDLE_RECHECK_MS / 1000;
		until.tv_nsec += (IDLE_RECHECK_MS % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (pthread_cond_timedwait(&b->work, &b->mu, &until) == ETIMEDOUT)
			b->idle_more = true; /* others may have left work meanwhile */
	}
}

static void *writer(void *arg)
{
	struct batch *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		wait_for_jobs(b);
		if (!b->head && b->stop)
			break;
		gather(b);
		size_t n;
		struct batch_job *list = take(b, &n);
		pthread_mutex_unlock(&b->mu);
		write_list(b->db, list);
		pthread_mutex_lock(&b->mu);
		b->stats.batches++;
		b->stats.jobs += n;
		struct batch_job *callbacks = settle(b, list);
		b->idle_more = true; /* the jobs may have left idle work */
		pthread_mutex_unlock(&b->mu);
		for (struct batch_job *j = callbacks, *next; j; j = next) {
			next = j->next;
			j->done(j, j->rc);
		}
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

void batch_stats(struct batch *b, struct batch_stats *out)
{
	pthread_mutex_lock(&b->mu);
	*out = b->stats;
	out->waiting = 0;
	for (struct batch_job *j = b->head; j; j = j->next)
		out->waiting++;
	pthread_mutex_unlock(&b->mu);
}

void batch_on_idle(struct batch *b, batch_idle_fn fn, void *arg)
{
	pthread_mutex_lock(&b->mu);
	b->idle = fn;
	b->idle_arg = arg;
	b->idle_more = true;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->mu);
}

struct batch *batch_start(const char *db_url, struct err *e)
{
	struct batch *b = calloc(1, sizeof *b);
	if (!b || db_open(&b->db, db_url, false, e)) {
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->finished, NULL);
	if (pthread_create(&b->thread, NULL, writer, b)) {
		db_close(b->db);
		free(b);
		err_set(e, 500, "thread_failed", "cannot start the writer thread", "không khởi động được luồng ghi");
		return NULL;
	}
	pthread_setname_np(b->thread, "td-writer"); /* as top -H and perf name it */
	return b;
}

void batch_stop(struct batch *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL); /* the writer drains what is queued first */
	db_close(b->db);
	b->db = NULL;
}

void batch_free(struct batch *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->finished);
	free(b);
}

/* Called with b->mu held. */
static int enqueue(struct batch *b, struct batch_job *j)
{
	if (b->stop)
		return -1;
	j->next = NULL;
	j->finished = false;
	if (b->tail)
		b->tail->next = j;
	else
		b->head = j;
	b->tail = j;
	pthread_cond_signal(&b->work);
	return 0;
}

int batch_submit(struct batch *b, struct batch_job *j)
{
	pthread_mutex_lock(&b->mu);
	int rc = enqueue(b, j);
	pthread_mutex_unlock(&b->mu);
	return rc;
}

int batch_run(struct batch *b, struct db *db, struct batch_job *j)
{
	j->done = NULL;
	if (!b) {
		j->next = NULL;
		if (db_begin(db))
			return -1;
		if ((j->rc = j->apply(db, j) ? -1 : 0) || run_tails(db, j) || db_commit(db)) {
			db_rollback(db);
			return -1;
		}
		return 0;
	}
	pthread_mutex_lock(&b->mu);
	int rc = enqueue(b, j);
	while (!rc && !j->finished)
		pthread_cond_wait(&b->finished, &b->mu);
	pthread_mutex_unlock(&b->mu);
	return rc ? -1 : j->rc;
}
