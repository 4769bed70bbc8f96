/* sender.c — a thread that delivers what other parts queued in the database (portal changes,
 * notifications): every half second it runs each task's round with its own connection and a
 * libcurl handle. A round sends what is due and records the outcome, so nothing is lost when the
 * server stops and nothing is sent twice when it starts again. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dossier/dossier.h"

#define POLL_MS 500
#define MAX_TASKS 8
#define BACKOFF_MAX_S 300

struct sender {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, started;
	struct db *db;
	CURL *curl;
	struct sender_task tasks[MAX_TASKS];
	size_t n;
};

static void *run(void *arg)
{
	struct sender *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		pthread_mutex_unlock(&s->mu);
		for (size_t i = 0; i < s->n; i++)
			s->tasks[i].round(s->db, s->curl, s->tasks[i].arg);
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

int64_t sender_backoff_us(int attempts)
{
	int64_t wait = (int64_t)1 << (attempts < 8 ? attempts : 8);
	return (wait > BACKOFF_MAX_S ? BACKOFF_MAX_S : wait) * 1000000;
}

/* Keeps the first bytes of an answer (reply may be NULL: nothing kept). */
static size_t keep(char *p, size_t size, size_t n, void *ud)
{
	struct sender_reply *r = ud;
	size_t len = size * n;
	if (r) {
		size_t room = sizeof r->body - 1 - r->len, take = len < room ? len : room;
		memcpy(r->body + r->len, p, take);
		r->len += take;
		r->body[r->len] = 0;
	}
	return len;
}

int sender_post(CURL *curl, const char *url, const char *const *headers, const char *body, struct sender_reply *reply,
		char *why, size_t whylen)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	if (reply)
		*reply = (struct sender_reply){0};
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (reply)
		reply->status = status;
	if (rc != CURLE_OK)
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		snprintf(why, whylen, "HTTP %ld", status);
	return rc == CURLE_OK && status >= 200 && status <= 299 ? 0 : -1;
}

int sender_post_json(CURL *curl, const char *url, const char *key, const char *token, const char *body, char *why,
		     size_t whylen)
{
	char idem[128], auth[1100];
	const char *headers[3] = {idem, NULL, NULL};
	snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
	if (token && token[0]) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		headers[1] = auth;
	}
	return sender_post(curl, url, headers, body, NULL, why, whylen);
}

struct sender *sender_start(const char *db_url, const struct sender_task *tasks, size_t n, struct err *e)
{
	if (n == 0 || n > MAX_TASKS)
		return NULL;
	struct sender *s = calloc(1, sizeof *s);
	if (!s || curl_global_init(CURL_GLOBAL_DEFAULT) || !(s->curl = curl_easy_init()) || db_open(&s->db, db_url, false, e)) {
		if (s && s->curl)
			curl_easy_cleanup(s->curl);
		free(s);
		if (!e->status)
			err_set(e, 500, "sender_failed", "cannot start the delivery thread", "không khởi động được luồng gửi");
		return NULL;
	}
	memcpy(s->tasks, tasks, n * sizeof *tasks);
	s->n = n;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->started = pthread_create(&s->thread, NULL, run, s) == 0;
	if (s->started)
		pthread_setname_np(s->thread, "td-sender");
	if (!s->started) {
		sender_stop(s);
		err_set(e, 500, "sender_failed", "cannot start the delivery thread", "không khởi động được luồng gửi");
		return NULL;
	}
	return s;
}

void sender_stop(struct sender *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thread, NULL);
	db_close(s->db);
	curl_easy_cleanup(s->curl);
	curl_global_cleanup();
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
