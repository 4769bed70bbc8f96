/* outbox.c — publishing status changes to the National Public Service Portal. A change is queued
 * in the same transaction that makes it; a sender thread posts the queued changes in order, one
 * dossier's changes never overtaking each other, until the portal answers 2xx. Each post carries
 * the row's id as Idempotency-Key, so a retry after a lost answer is not applied twice. The time
 * from queueing to acknowledgement is kept: the service index measures it. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "dossier/dossier.h"

#define BATCH 20
#define BACKOFF_MAX_S 300
#define POLL_MS 500

int outbox_add(struct db *db, const char *code, int from, int to, int64_t at)
{
	char id[40], rnd[17], when[40];
	crypto_random_hex(rnd, 8);
	snprintf(id, sizeof id, "%016llx%s", (unsigned long long)at, rnd);
	clock_iso(at, when, sizeof when);
	json_t *p = json_pack("{s:s,s:s,s:i,s:i,s:s}", "id", id, "code", code, "from", from, "to", to, "at", when);
	char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	int rc = text && db_run(db, "INSERT INTO outbox (id, code, payload, created_at, attempts, next_at) VALUES (?, ?, ?, ?, 0, ?)",
				"tttii", id, code, text, at, at) == DB_DONE
			 ? 0
			 : -1;
	free(text);
	return rc;
}

json_t *outbox_list(struct db *db, const char *code)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT id, payload, created_at, acked_at, attempts FROM outbox WHERE code = ? ORDER BY id");
	if (!st || db_bind(st, "t", code))
		return list;
	while (db_step(st) == DB_ROW) {
		json_t *p = json_loads(db_col_text(st, 1), 0, NULL);
		char q[40], a[40];
		clock_iso(db_col_int(st, 2), q, sizeof q);
		clock_iso(db_col_int(st, 3), a, sizeof a);
		bool acked = !db_col_null(st, 3);
		json_t *o = json_pack("{s:s,s:O,s:s,s:I}", "id", db_col_text(st, 0), "to", json_object_get(p, "to"), "queued_at", q,
				      "attempts", (json_int_t)db_col_int(st, 4));
		json_object_set_new(o, "acked_at", acked ? json_string(a) : json_null());
		json_object_set_new(o, "delay_ms", acked ? json_integer((db_col_int(st, 3) - db_col_int(st, 2)) / 1000) : json_null());
		json_array_append_new(list, o);
		json_decref(p);
	}
	return list;
}

struct outbox_sender {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	char *url;
	struct db *db;
	CURL *curl;
};

struct item {
	char id[40], code[48];
	char *payload;
	int attempts;
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* Posts one change; 0 when the portal acknowledged it. */
static int post(struct outbox_sender *s, const struct item *it, char *why, size_t whylen)
{
	char key[64];
	snprintf(key, sizeof key, "Idempotency-Key: %s", it->id);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, key);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, it->payload);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(s->curl);
	long status = 0;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		snprintf(why, whylen, "HTTP %ld", status);
	return rc == CURLE_OK && status >= 200 && status <= 299 ? 0 : -1;
}

static int due_items(struct outbox_sender *s, struct item *v, int64_t now)
{
	/* only the oldest unacknowledged change of each dossier: one dossier's changes keep their order */
	struct db_stmt *st = db_prepare(s->db, "SELECT id, code, payload, attempts FROM outbox WHERE acked_at IS NULL AND next_at <= ? "
					      "AND NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.code = outbox.code AND "
					      "o2.acked_at IS NULL AND o2.id < outbox.id) ORDER BY id LIMIT 20");
	int n = 0;
	if (!st || db_bind(st, "i", now))
		return 0;
	while (n < BATCH && db_step(st) == DB_ROW) {
		snprintf(v[n].id, sizeof v[n].id, "%s", db_col_text(st, 0));
		snprintf(v[n].code, sizeof v[n].code, "%s", db_col_text(st, 1));
		v[n].payload = strdup(db_col_text(st, 2));
		v[n].attempts = (int)db_col_int(st, 3);
		if (v[n].payload)
			n++;
	}
	db_reset(st);
	return n;
}

/* Sends what is due; a failed change waits (backing off), and so do its dossier's later ones. */
static void send_due(struct outbox_sender *s)
{
	struct item v[BATCH];
	int64_t now = clock_now_us();
	int n = due_items(s, v, now);
	for (int i = 0; i < n; i++) {
		char why[200] = "";
		if (post(s, &v[i], why, sizeof why) == 0)
			db_run(s->db, "UPDATE outbox SET acked_at = ?, attempts = attempts + 1 WHERE id = ?", "it", clock_now_us(), v[i].id);
		else {
			int shift = v[i].attempts < 8 ? v[i].attempts : 8;
			int64_t wait = (int64_t)1 << shift;
			if (wait > BACKOFF_MAX_S)
				wait = BACKOFF_MAX_S;
			db_run(s->db, "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?", "itt",
			       now + wait * 1000000, why, v[i].id);
			log_error("portal_outbox", "%s: %s (attempt %d)", v[i].id, why, v[i].attempts + 1);
		}
		free(v[i].payload);
	}
}

static void *sender(void *arg)
{
	struct outbox_sender *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		pthread_mutex_unlock(&s->mu);
		send_due(s);
		pthread_mutex_lock(&s->mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (!s->stop)
			pthread_cond_timedwait(&s->cv, &s->mu, &until);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct outbox_sender *outbox_start(const char *db_url, const char *portal_url, struct err *e)
{
	struct outbox_sender *s = calloc(1, sizeof *s);
	if (!s || curl_global_init(CURL_GLOBAL_DEFAULT) || !(s->curl = curl_easy_init()) || !(s->url = strdup(portal_url)) ||
	    db_open(&s->db, db_url, false, e)) {
		if (s && s->curl)
			curl_easy_cleanup(s->curl);
		if (s)
			free(s->url);
		free(s);
		if (!e->status)
			err_set(e, 500, "outbox_failed", "cannot start the portal outbox", "không khởi động được hàng đợi gửi cổng DVC");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, sender, s)) {
		outbox_stop(s);
		return NULL;
	}
	return s;
}

void outbox_stop(struct outbox_sender *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	bool running = !s->stop;
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (running)
		pthread_join(s->thread, NULL);
	db_close(s->db);
	curl_easy_cleanup(s->curl);
	curl_global_cleanup();
	free(s->url);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
