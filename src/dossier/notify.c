/* notify.c — telling applicants what happened to their dossiers. Every status change leaves a
 * message in the citizen's inbox (GET /api/v1/me/notifications), written in the transaction of
 * the change; a sender round e-mails it through an SMTP relay (libcurl) to the address in the
 * registry, retrying with back-off. No address: it stays in the inbox only. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "dossier/dossier.h"
#include "registry/record.h"

#define BATCH 20
#define NEVER INT64_MAX

int notification_add(struct db *db, const char *code, int to, const char *note, int64_t at)
{
	char id[33];
	crypto_time_id(at, id);
	return db_run(db, "INSERT INTO notifications (id, citizen_id, code, to_status, note, created_at, attempts, next_at) "
			  "SELECT ?, applicant_id, code, ?, ?, ?, 0, ? FROM dossiers WHERE code = ?",
		      "titiit", id, (int64_t)to, note ? note : "", at, at, code) == DB_DONE
		       ? 0
		       : -1;
}

int notification_list(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, code, to_status, note, created_at, email_to, sent_at, last_error FROM "
					    "notifications WHERE citizen_id = ? ORDER BY created_at DESC LIMIT 200");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	while (db_step(st) == DB_ROW) {
		int to = (int)db_col_int(st, 2);
		char at[40], sent[40];
		clock_iso(db_col_int(st, 4), at, sizeof at);
		clock_iso(db_col_int(st, 6), sent, sizeof sent);
		json_t *o = json_pack("{s:s,s:s,s:i,s:{s:s,s:s},s:s,s:s}", "id", db_col_text(st, 0), "code", db_col_text(st, 1), "status",
				      to, "status_name", "vi", workflow_status_name(d->workflow, to, "vi"), "en",
				      workflow_status_name(d->workflow, to, "en"), "note", db_col_text(st, 3), "at", at);
		json_object_set_new(o, "email", json_pack("{s:o,s:o,s:o}", "to", db_col_null(st, 5) ? json_null() : json_string(db_col_text(st, 5)),
							  "sent_at", db_col_null(st, 6) ? json_null() : json_string(sent), "error",
							  db_col_null(st, 7) ? json_null() : json_string(db_col_text(st, 7))));
		json_array_append_new(list, o);
	}
	*out = json_pack("{s:o}", "notifications", list);
	return 0;
}

/* "=?UTF-8?B?...?=": a header value in UTF-8. */
static int encoded_word(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	char *b64 = malloc(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL));
	if (!b64)
		return -1;
	sodium_bin2base64(b64, sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), (const unsigned char *)s, n,
			  sodium_base64_VARIANT_ORIGINAL);
	int rc = buf_addf(b, "=?UTF-8?B?%s?=", b64);
	free(b64);
	return rc;
}

struct message {
	const char *data;
	size_t len, pos;
};

static size_t feed(char *out, size_t size, size_t n, void *ud)
{
	struct message *m = ud;
	size_t room = size * n, left = m->len - m->pos;
	size_t k = left < room ? left : room;
	memcpy(out, m->data + m->pos, k);
	m->pos += k;
	return k;
}

/* Sends one message; 0 when the relay accepted it. */
static int smtp_send(CURL *curl, const struct notify_config *cfg, const char *to, const char *subject, const char *body,
		     char *why, size_t whylen)
{
	struct buf msg;
	buf_init(&msg, 1 << 16);
	char date[64], from[300], rcpt[300];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(from, sizeof from, "<%s>", cfg->from);
	snprintf(rcpt, sizeof rcpt, "<%s>", to);
	int rc = buf_addf(&msg, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date, from, rcpt) || encoded_word(&msg, subject) ||
		 buf_addf(&msg, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
				"Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", body);
	if (rc) {
		buf_release(&msg);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	struct message m = {msg.data, msg.len, 0};
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, feed);
	curl_easy_setopt(curl, CURLOPT_READDATA, &m);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode res = curl_easy_perform(curl);
	curl_slist_free_all(rcpts);
	buf_release(&msg);
	if (res != CURLE_OK)
		snprintf(why, whylen, "%s", curl_easy_strerror(res));
	return res == CURLE_OK ? 0 : -1;
}

/* The citizen's e-mail address from the registry, or "". */
static void email_of(struct db *db, const char *citizen, char *out, size_t n)
{
	const json_t *doc;
	struct err e;
	struct stored s;
	out[0] = 0;
	if (citizen_read(db, citizen, &doc, &e))
		return;
	if (record_get(doc, "email", &s) && json_is_string(s.value))
		snprintf(out, n, "%s", json_string_value(s.value));
	json_decref((json_t *)doc);
}

struct pending_note {
	char id[40], citizen[13], code[48], note[512];
	int to, attempts;
};

void notify_round(struct db *db, CURL *curl, void *arg)
{
	const struct notify_config *cfg = arg;
	struct pending_note v[BATCH];
	int n = 0;
	int64_t now = clock_now_us();
	struct db_stmt *st = db_prepare(db, "SELECT id, citizen_id, code, to_status, note, attempts FROM notifications "
					    "WHERE sent_at IS NULL AND next_at <= ? ORDER BY id LIMIT 20");
	if (!st || db_bind(st, "i", now))
		return;
	while (n < BATCH && db_step(st) == DB_ROW) {
		snprintf(v[n].id, sizeof v[n].id, "%s", db_col_text(st, 0));
		snprintf(v[n].citizen, sizeof v[n].citizen, "%s", db_col_text(st, 1));
		snprintf(v[n].code, sizeof v[n].code, "%s", db_col_text(st, 2));
		v[n].to = (int)db_col_int(st, 3);
		snprintf(v[n].note, sizeof v[n].note, "%s", db_col_text(st, 4));
		v[n].attempts = (int)db_col_int(st, 5);
		n++;
	}
	db_reset(st);
	for (int i = 0; i < n; i++) {
		char to[256], why[200] = "", subject[300], body[2048];
		email_of(db, v[i].citizen, to, sizeof to);
		if (!to[0]) { /* nowhere to send: the inbox holds it */
			db_run(db, "UPDATE notifications SET next_at = ?, last_error = 'no e-mail address' WHERE id = ?", "it", NEVER, v[i].id);
			continue;
		}
		const char *vi = workflow_status_name(cfg->dossiers->workflow, v[i].to, "vi");
		const char *en = workflow_status_name(cfg->dossiers->workflow, v[i].to, "en");
		snprintf(subject, sizeof subject, "Hồ sơ %s: %s", v[i].code, vi);
		snprintf(body, sizeof body,
			 "Hồ sơ %s của bạn: %s.\r\n%s%s%s\r\nYour dossier %s: %s.\r\n\r\nTra cứu / Look it up: /api/v1/lookup/%s\r\n",
			 v[i].code, vi, v[i].note[0] ? "Ghi chú / Note: " : "", v[i].note, v[i].note[0] ? "\r\n" : "", v[i].code, en,
			 v[i].code);
		if (smtp_send(curl, cfg, to, subject, body, why, sizeof why) == 0)
			db_run(db, "UPDATE notifications SET sent_at = ?, email_to = ?, attempts = attempts + 1 WHERE id = ?", "itt",
			       clock_now_us(), to, v[i].id);
		else {
			db_run(db, "UPDATE notifications SET attempts = attempts + 1, next_at = ?, email_to = ?, last_error = ? WHERE id = ?",
			       "ittt", now + sender_backoff_us(v[i].attempts), to, why, v[i].id);
			log_error("notify", "%s to %s: %s", v[i].id, to, why);
		}
	}
}
