/* batch.c — the group-commit writer. One commit carries the writes of many requests. Where the
 * engine allows (SQLite), the flush to disk is not the writer's: it commits a batch and hands it
 * to the flusher thread, which makes it durable and only then reports the jobs' outcome; while
 * the flusher is busy, the writer applies the jobs that come into its next batch's open
 * transaction, and commits it the moment the flusher is free. Where each commit is durable itself
 * (PostgreSQL), the writer waits a moment (GATHER_US at most, while fewer than GATHER_MIN jobs are
 * queued) so that one durable commit serves many: the wait costs each request less than a commit
 * of its own would cost all. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/batch.h"

#define GATHER_US 500
#define GATHER_MIN 32
#define BATCH_MAX 512

/* Jobs in order: appended at the end, taken from the front. */
struct job_list {
	struct batch_job *head, *tail;
};

/* Appends list (one job or several, linked by next) at the end of l. */
static void list_append(struct job_list *l, struct batch_job *list)
{
	if (l->tail)
		l->tail->next = list;
	else
		l->head = list;
	for (l->tail = list; l->tail->next; l->tail = l->tail->next)
		;
}

struct batch {
	pthread_mutex_t mu;
	pthread_cond_t work, finished;
	struct job_list queue; /* jobs not yet taken by the writer */
	bool stop;
	pthread_t thread;
	struct db *db;
	struct db_flush *flush; /* NULL: each commit is durable itself, and the writer reports */
	pthread_t flusher;
	pthread_cond_t committed;           /* the flusher's: batches wait for the disk */
	struct job_list unflushed;          /* their jobs, in the order of their commits */
	bool in_flush;                      /* the flusher is flushing */
	struct batch_stats stats;           /* batches, jobs and flushes so far (batch_stats) */
	bool writer_gone;                   /* the writer stopped: the flusher ends once all is flushed */
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
		for (struct batch_job *j = b->queue.head; j && n < GATHER_MIN; j = j->next)
			n++;
		if (n >= GATHER_MIN || b->stop || pthread_cond_timedwait(&b->work, &b->mu, &until))
			return;
	}
}

/* Takes up to max jobs off the queue. Called with b->mu held. */
static struct batch_job *take(struct batch *b, size_t max)
{
	struct batch_job *list = b->queue.head, *last = list;
	for (size_t n = 1; last->next && n < max; n++)
		last = last->next;
	b->queue.head = last->next;
	if (!b->queue.head)
		b->queue.tail = NULL;
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

/* One transaction for the list with a savepoint per job, so that a failing one is undone alone
 * (after the batch failed straight through). 0, or -1. */
static int run_list_guarded(struct db *db, struct batch_job *list)
{
	if (db_begin(db))
		return -1;
	for (struct batch_job *j = list; j; j = j->next)
		j->rc = run_guarded(db, j);
	if (run_tails(db, list) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* The batch the writer is building: its transaction stays open while the flusher is busy, and
 * the jobs that come meanwhile are applied into it, so the commit is made when the flusher can
 * take it at once, with everything that arrived until then. */
struct open_batch {
	struct job_list jobs;
	size_t n;
	bool open;   /* its transaction began */
	bool failed; /* a job failed (or the transaction could not begin): run again, guarded */
};

/* Applies list's jobs into o, straight through (the usual case: nothing fails). */
static void apply_open(struct db *db, struct open_batch *o, struct batch_job *list)
{
	if (!o->open && !o->failed)
		o->failed = !(o->open = !db_begin(db));
	list_append(&o->jobs, list);
	for (struct batch_job *j = list; j; j = j->next) {
		o->n++;
		j->rc = 0;
		if (!o->failed && j->apply(db, j))
			o->failed = true;
	}
}

/* Commits o (its tails first) and hands back its jobs with their outcome. Should a job have
 * failed, the transaction is rolled back and the whole batch run again with a savepoint per job,
 * so only that one is undone. */
static struct batch_job *close_open(struct db *db, struct open_batch *o)
{
	struct batch_job *list = o->jobs.head;
	int rc;
	if (o->failed) {
		if (o->open)
			db_rollback(db);
		rc = run_list_guarded(db, list);
	} else if ((rc = run_tails(db, list) || db_commit(db) ? -1 : 0))
		db_rollback(db);
	if (rc) {
		log_error("batch", "a batch of writes failed: %s", db_errmsg(db));
		for (struct batch_job *j = list; j; j = j->next)
			j->rc = -1;
	}
	*o = (struct open_batch){0};
	return list;
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
	while (!b->queue.head && !b->stop) {
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

/* The outcome of list's jobs: waiters woken, done callbacks run (without the lock, which is held
 * on entry and on return). */
static void report(struct batch *b, struct batch_job *list)
{
	struct batch_job *callbacks = settle(b, list);
	pthread_mutex_unlock(&b->mu);
	for (struct batch_job *j = callbacks, *next; j; j = next) {
		next = j->next;
		j->done(j, j->rc);
	}
	pthread_mutex_lock(&b->mu);
}

/* A committed list, queued for the flusher behind those committed before it. Called with b->mu
 * held. */
static void hand_to_flusher(struct batch *b, struct batch_job *list)
{
	list_append(&b->unflushed, list);
	pthread_cond_signal(&b->committed);
}

/* Whether a commit now would wait for the flusher. Called with b->mu held. */
static bool flushing(const struct batch *b)
{
	return b->flush && (b->in_flush || b->unflushed.head);
}

static void *writer(void *arg)
{
	struct batch *b = arg;
	struct open_batch o = {0};
	pthread_mutex_lock(&b->mu);
	for (;;) {
		if (!o.jobs.head)
			wait_for_jobs(b);
		else /* more jobs into the open batch, until the flusher can take it */
			while (!b->queue.head && flushing(b) && !b->stop)
				pthread_cond_wait(&b->work, &b->mu);
		if (!b->queue.head && !o.jobs.head && b->stop)
			break;
		if (!b->flush) /* with the flusher apart, the open batch gathers instead */
			gather(b);
		struct batch_job *list = b->queue.head && o.n < BATCH_MAX ? take(b, BATCH_MAX - o.n) : NULL;
		pthread_mutex_unlock(&b->mu);
		if (list)
			apply_open(b->db, &o, list);
		pthread_mutex_lock(&b->mu);
		if (!o.jobs.head || !(o.failed || o.n >= BATCH_MAX || !flushing(b) || b->stop))
			continue;
		pthread_mutex_unlock(&b->mu);
		size_t n = o.n;
		list = close_open(b->db, &o);
		pthread_mutex_lock(&b->mu);
		b->stats.batches++;
		b->stats.jobs += n;
		b->idle_more = true; /* the jobs may have left idle work */
		if (b->flush)
			hand_to_flusher(b, list);
		else
			report(b, list);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Makes the committed batches durable, as many as have come since the last flush at once, and
 * reports their jobs. A failed flush fails them: whether the disk has them is unknown. */
static void *flusher(void *arg)
{
	struct batch *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->unflushed.head && !b->writer_gone)
			pthread_cond_wait(&b->committed, &b->mu);
		if (!b->unflushed.head)
			break;
		struct batch_job *list = b->unflushed.head;
		b->unflushed = (struct job_list){0};
		b->in_flush = true;
		pthread_mutex_unlock(&b->mu);
		if (db_flush(b->flush)) {
			log_error("batch", "flushing committed writes to disk failed: %s", strerror(errno));
			for (struct batch_job *j = list; j; j = j->next)
				j->rc = -1;
		}
		pthread_mutex_lock(&b->mu);
		b->in_flush = false;
		b->stats.flushes++;
		pthread_cond_signal(&b->work); /* the writer's open batch may commit now */
		report(b, list);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

void batch_stats(struct batch *b, struct batch_stats *out)
{
	pthread_mutex_lock(&b->mu);
	*out = b->stats;
	out->waiting = 0;
	for (struct batch_job *j = b->queue.head; j; j = j->next)
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

/* Once the writer is gone: the flusher flushes and reports what is left, then ends. */
static void batch_stop_flusher(struct batch *b)
{
	if (!b->flush)
		return;
	pthread_mutex_lock(&b->mu);
	b->writer_gone = true;
	pthread_cond_signal(&b->committed);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->flusher, NULL);
	db_flush_free(b->flush);
	b->flush = NULL;
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
	pthread_cond_init(&b->committed, NULL);
	b->flush = db_flush_later(b->db);
	if (b->flush && pthread_create(&b->flusher, NULL, flusher, b)) {
		db_flush_free(b->flush);
		b->flush = NULL;
	}
	if (pthread_create(&b->thread, NULL, writer, b)) {
		batch_stop_flusher(b);
		db_close(b->db);
		free(b);
		err_set(e, 500, "thread_failed", "cannot start the writer thread", "không khởi động được luồng ghi");
		return NULL;
	}
	pthread_setname_np(b->thread, "td-writer"); /* as top -H and perf name it */
	if (b->flush)
		pthread_setname_np(b->flusher, "td-flusher");
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
	batch_stop_flusher(b);
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
	pthread_cond_destroy(&b->committed);
	free(b);
}

/* Called with b->mu held. */
static int enqueue(struct batch *b, struct batch_job *j)
{
	if (b->stop)
		return -1;
	j->next = NULL;
	j->finished = false;
	list_append(&b->queue, j);
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
