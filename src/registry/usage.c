/* usage.c — the data-usage log: who read or changed a citizen's data, when and why. Reads by
 * staff must leave a durable entry before the data is shown; to keep that fast, a writer thread
 * commits the entries of many requests in one transaction (group commit) and wakes each waiter
 * once its entry is on disk. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "registry/registry.h"

#define USAGE_LIST_MAX 500

struct pending {
	char *citizen_id, *actor, *actor_unit, *action, *purpose, *attributes;
	int64_t at;
	bool durable;
	bool done;
	int rc;
	struct usage_wait wait; /* fn set: report through it instead of waking a blocked caller */
	struct pending *next;
};

struct usage_queue {
	pthread_mutex_t mu;
	pthread_cond_t work, committed;
	struct pending *head, *tail;
	bool stop;
	pthread_t thread;
	struct db *db;
};

static void pending_free(struct pending *p)
{
	free(p->citizen_id);
	free(p->actor);
	free(p->actor_unit);
	free(p->action);
	free(p->purpose);
	free(p->attributes);
	free(p);
}

static int insert_row(struct db *db, const char *citizen, const char *actor, const char *unit, const char *action,
		      const char *attrs, const char *purpose, int64_t at)
{
	char id[33];
	crypto_time_id(at, id);
	return db_run(db, "INSERT INTO data_usage (id, citizen_id, at, actor, actor_unit, action, attributes, purpose) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ttittttt", id, citizen, at, actor, unit, action, attrs, purpose) == DB_DONE
		       ? 0
		       : -1;
}

int usage_insert(struct db *db, const struct usage_entry *x, int64_t at)
{
	char *attrs = json_to_str(x->attributes);
	int rc = attrs ? insert_row(db, x->citizen_id, x->actor, x->actor_unit, x->action, attrs, x->purpose, at) : -1;
	free(attrs);
	return rc;
}

static int write_batch(struct db *db, struct pending *list)
{
	if (db_begin(db))
		return -1;
	for (struct pending *p = list; p; p = p->next)
		if (insert_row(db, p->citizen_id, p->actor, p->actor_unit, p->action, p->attributes, p->purpose, p->at)) {
			db_rollback(db);
			return -1;
		}
	if (db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* Waits a moment (GATHER_US at most, while fewer than GATHER_MIN entries are queued) so one
 * commit carries the entries of many requests: the waiting costs each request less than a
 * commit of its own would cost all of them. Called with q->mu held. */
#define GATHER_US 500
#define GATHER_MIN 32

static void gather(struct usage_queue *q)
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
		for (struct pending *p = q->head; p && n < GATHER_MIN; p = p->next)
			n++;
		if (n >= GATHER_MIN || q->stop || pthread_cond_timedwait(&q->work, &q->mu, &until))
			return;
	}
}

static void *writer(void *arg)
{
	struct usage_queue *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->work, &q->mu);
		if (!q->head && q->stop)
			break;
		gather(q);
		struct pending *list = q->head;
		q->head = q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		int rc = write_batch(q->db, list);
		if (rc)
			log_error("usage_log", "a batch of data-usage entries failed: %s", db_errmsg(q->db));
		struct pending *callbacks = NULL;
		pthread_mutex_lock(&q->mu);
		for (struct pending *p = list, *next; p; p = next) {
			next = p->next;
			if (p->wait.fn) {
				p->next = callbacks;
				callbacks = p;
			} else if (p->durable) {
				p->rc = rc;
				p->done = true;
			} else
				pending_free(p);
		}
		pthread_cond_broadcast(&q->committed);
		pthread_mutex_unlock(&q->mu);
		for (struct pending *p = callbacks, *next; p; p = next) {
			next = p->next;
			p->wait.fn(p->wait.arg, rc);
			pending_free(p);
		}
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct usage_queue *usage_queue_start(const char *db_url, struct err *e)
{
	struct usage_queue *q = calloc(1, sizeof *q);
	if (!q || db_open(&q->db, db_url, false, e)) {
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->committed, NULL);
	if (pthread_create(&q->thread, NULL, writer, q)) {
		db_close(q->db);
		free(q);
		err_set(e, 500, "thread_failed", "cannot start the usage-log writer", "không khởi động được luồng ghi nhật ký");
		return NULL;
	}
	return q;
}

void usage_queue_stop(struct usage_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL); /* the writer drains what is queued first */
	db_close(q->db);
	q->db = NULL;
}

void usage_queue_free(struct usage_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->committed);
	free(q);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int usage_record(const struct registry *r, struct db *db, const struct usage_entry *x, bool durable,
		 const struct usage_wait *w)
{
	int64_t at = clock_now_us();
	struct usage_queue *q = r->usage;
	if (!q) {
		if (db_begin(db))
			return -1;
		if (usage_insert(db, x, at) || db_commit(db)) {
			db_rollback(db);
			return -1;
		}
		return 0;
	}
	struct pending *p = calloc(1, sizeof *p);
	if (!p)
		return -1;
	p->citizen_id = strdup(x->citizen_id);
	p->actor = strdup(x->actor);
	p->actor_unit = dup_or_null(x->actor_unit);
	p->action = strdup(x->action);
	p->purpose = strdup(x->purpose);
	p->attributes = json_to_str(x->attributes);
	p->at = at;
	p->durable = durable;
	if (durable && w)
		p->wait = *w;
	if (!p->citizen_id || !p->actor || !p->action || !p->purpose || !p->attributes) {
		pending_free(p);
		return -1;
	}
	pthread_mutex_lock(&q->mu);
	if (q->stop) { /* shutting down: nothing more is written */
		pthread_mutex_unlock(&q->mu);
		pending_free(p);
		return -1;
	}
	if (q->tail)
		q->tail->next = p;
	else
		q->head = p;
	q->tail = p;
	pthread_cond_signal(&q->work);
	int rc = durable && w ? USAGE_PENDING : 0;
	if (durable && !w) {
		while (!p->done)
			pthread_cond_wait(&q->committed, &q->mu);
		rc = p->rc;
	}
	pthread_mutex_unlock(&q->mu);
	if (durable && !w)
		pending_free(p);
	return rc;
}

int usage_list(struct db *db, const struct principal *who, const char *before, int limit, json_t **out, struct err *e)
{
	int64_t cursor = INT64_MAX;
	if (before && clock_parse_iso(before, &cursor))
		return err_set(e, 400, "invalid_query", "before must be an ISO 8601 time", "before phải là thời điểm ISO 8601");
	if (limit <= 0 || limit > USAGE_LIST_MAX)
		limit = 100;
	struct db_stmt *st = db_prepare(db, "SELECT at, actor, actor_unit, action, attributes, purpose FROM data_usage "
					    "WHERE citizen_id = ? AND actor <> ? AND at < ? ORDER BY at DESC LIMIT ?");
	if (!st || db_bind(st, "ttii", who->citizen_id, who->username, cursor, (int64_t)limit + 1))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	enum db_rc rc;
	int n = 0;
	char at[40];
	bool more = false;
	while ((rc = db_step(st)) == DB_ROW) {
		clock_iso(db_col_int(st, 0), at, sizeof at);
		if (++n > limit) { /* one more than asked: there is a next page */
			more = true;
			db_reset(st);
			rc = DB_DONE;
			break;
		}
		json_t *attrs = json_loads(db_col_text(st, 4), 0, NULL);
		json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "at", at, "actor", db_col_text(st, 1), "action",
				      db_col_text(st, 3), "attributes", attrs ? attrs : json_array(), "purpose", db_col_text(st, 5));
		json_object_set_new(o, "actor_unit", db_col_null(st, 2) ? json_null() : json_string(db_col_text(st, 2)));
		json_array_append_new(list, o);
	}
	if (rc != DB_DONE) {
		json_decref(list);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:o}", "entries", list);
	if (more) {
		/* the last entry shown is the cursor: entries strictly older come next */
		json_t *last = json_array_get(list, json_array_size(list) - 1);
		json_object_set_new(*out, "next_before", json_string(json_string_value(json_object_get(last, "at"))));
	}
	return 0;
}
