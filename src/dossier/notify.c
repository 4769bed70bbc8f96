/* notify.c — telling applicants what happened to their dossiers. Every status change of the
 * timeline is a message in the citizen's inbox (GET /api/v1/me/notifications reads the timeline).
 * A sender round per channel takes the changes after its cursor (feed.c) and delivers them: by
 * e-mail through an SMTP relay (libcurl) to the address in the registry, by SMS as JSON posted to
 * an HTTP gateway for the registry's phone number. A channel writes its columns of the message's
 * row when it has tried: it retries with back-off on its own and never sends a delivered message
 * again. No address for a channel: the message stays in the inbox only. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"
#include "dossier/dossier.h"
#include "security/seal.h"
#include "registry/record.h"

#define BATCH 20
#define ROUND_US 400000 /* a round takes new changes for this long at most, then lets other tasks run */
#define NEVER INT64_MAX
#define SMS_MAX 300 /* bytes of UTF-8: a few SMS segments at most */
#define ELLIPSIS "…"

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_col_null(st, col) ? json_null() : json_string(db_col_text(st, col));
}

/* One channel's {to, sent_at, error} from the columns col (sealed as context for the
 * notification id), col + 1 and col + 2 of st. */
static json_t *delivery_json(struct db_stmt *st, int col, const char *context, const char *id)
{
	char sent[40], *to = db_col_null(st, col) ? NULL : unseal_col(st, col, context, id);
	clock_iso(db_col_int(st, col + 1), sent, sizeof sent);
	json_t *o = json_pack("{s:s?,s:o,s:o}", "to", to, "sent_at", db_col_null(st, col + 1) ? json_null() : json_string(sent),
			      "error", text_or_null(st, col + 2));
	free(to);
	return o;
}

int notification_list(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT e.seq, e.code, e.to_status, e.note, e.at, n.id, n.email_to, n.sent_at, n.last_error, "
					    "n.sms_to, n.sms_sent_at, n.sms_error FROM dossiers d JOIN dossier_events e ON e.code = d.code "
					    "LEFT JOIN notifications n ON n.event_id = e.id WHERE d.applicant_id = ? "
					    "ORDER BY e.at DESC, e.id DESC LIMIT 200");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	while (db_step(st) == DB_ROW) {
		int to = (int)db_col_int(st, 2);
		char at[40], key[64];
		clock_iso(db_col_int(st, 4), at, sizeof at);
		const char *code = db_col_text(st, 1), *id = key;
		if (db_col_null(st, 5))
			feed_key(code, db_col_int(st, 0), key, sizeof key);
		else
			id = db_col_text(st, 5);
		char *note = unseal_col(st, 3, "dossier_events.note", code);
		json_t *o = json_pack("{s:s,s:s,s:i,s:{s:s,s:s},s:s?,s:s}", "id", id, "code", code, "status", to, "status_name", "vi",
				      workflow_status_name(d->workflow, to, "vi"), "en", workflow_status_name(d->workflow, to, "en"),
				      "note", note, "at", at);
		free(note);
		json_object_set_new(o, "email", delivery_json(st, 6, "notifications.email_to", id));
		json_object_set_new(o, "sms", delivery_json(st, 9, "notifications.sms_to", id));
		json_array_append_new(list, o);
	}
	*out = json_pack("{s:o}", "notifications", list);
	return 0;
}

struct pending_note {
	char id[64], citizen[13], code[48], note[512];
	int to, attempts;
};

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
int notify_mail(CURL *curl, const struct notify_config *cfg, const char *to, const char *subject, const char *body,
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

/* The e-mail: subject and body in Vietnamese, then English, with the officer's note. */
static int email_send(CURL *curl, const struct notify_config *cfg, const char *to, const struct pending_note *n,
		      char *why, size_t whylen)
{
	const char *vi = workflow_status_name(cfg->dossiers->workflow, n->to, "vi");
	const char *en = workflow_status_name(cfg->dossiers->workflow, n->to, "en");
	char subject[300], body[2048];
	snprintf(subject, sizeof subject, "Hồ sơ %s: %s", n->code, vi);
	snprintf(body, sizeof body,
		 "Hồ sơ %s của bạn: %s.\r\n%s%s%s\r\nYour dossier %s: %s.\r\n\r\n"
		 "Tra cứu / Look it up: /api/v1/lookup/%s\r\n",
		 n->code, vi, n->note[0] ? "Ghi chú / Note: " : "", n->note, n->note[0] ? "\r\n" : "", n->code, en, n->code);
	return notify_mail(curl, cfg, to, subject, body, why, whylen);
}

/* Appends s to out (cap bytes, *len of them used); what does not fit is cut on a character
 * boundary and marked with an ellipsis. */
static void append_clipped(char *out, size_t cap, size_t *len, const char *s)
{
	size_t room = cap - 1 - *len, n = strlen(s), mark = sizeof ELLIPSIS - 1;
	bool cut = n > room;
	if (cut)
		n = room < mark ? 0 : utf8_clip(s, n, room - mark);
	memcpy(out + *len, s, n);
	*len += n;
	if (cut && room >= mark) {
		memcpy(out + *len, ELLIPSIS, mark);
		*len += mark;
	}
	out[*len] = 0;
}

/* The SMS text, at most SMS_MAX bytes: code and status in Vietnamese and English, then as much of
 * the officer's note as fits. */
static void sms_text(const struct notify_config *cfg, const struct pending_note *n, char out[SMS_MAX + 1])
{
	const struct workflow *w = cfg->dossiers->workflow;
	char head[512], note[600];
	size_t len = 0;
	snprintf(head, sizeof head, "Hồ sơ/Dossier %s: %s / %s.", n->code, workflow_status_name(w, n->to, "vi"),
		 workflow_status_name(w, n->to, "en"));
	snprintf(note, sizeof note, "%s%s", n->note[0] ? " Ghi chú/Note: " : "", n->note);
	out[0] = 0;
	append_clipped(out, SMS_MAX + 1, &len, head);
	append_clipped(out, SMS_MAX + 1, &len, note);
}

/* Posts {"to","text","id"} to the gateway, the notification's id as the idempotency key. */
static int sms_send(CURL *curl, const struct notify_config *cfg, const char *to, const struct pending_note *n,
		    char *why, size_t whylen)
{
	char text[SMS_MAX + 1];
	sms_text(cfg, n, text);
	json_t *o = json_pack("{s:s,s:s,s:s}", "to", to, "text", text, "id", n->id);
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!body) {
		snprintf(why, whylen, "cannot encode the message as JSON");
		return -1;
	}
	int rc = sender_post_json(curl, cfg->sms_url, n->id, cfg->sms_token, body, why, whylen);
	free(body);
	return rc;
}

/* A way to reach the applicant. Its delivery state is its own columns of notifications, so each
 * channel has its own statements (string literals: db_prepare caches them by address). */
struct channel {
	const char *name;        /* its cursor (feed.c) */
	const char *log;         /* event name in the log */
	const char *attribute;   /* the registry attribute that holds the address */
	const char *no_address;  /* the error recorded when the citizen has none (not retried) */
	const char *to_context;  /* the column the address is sealed in */
	const char *pending;     /* due rows: id, citizen_id, code, to_status, note, attempts; binds now */
	const char *first;       /* a new change tried: binds id, citizen, code, to, note, created_at, next_at, to,
				    sent_at, error, event_id (the other channel's columns kept) */
	const char *sent;        /* binds sent_at, to, id */
	const char *failed;      /* binds next_at, to, error, id */
	const char *unreachable; /* binds next_at, error, id */
	int (*send)(CURL *curl, const struct notify_config *cfg, const char *to, const struct pending_note *n, char *why,
		    size_t whylen);
};

enum { CHANNEL_EMAIL, CHANNEL_SMS };

static const struct channel channels[] = {
	[CHANNEL_EMAIL] =
		{"email", "notify_email", "email", "no e-mail address", "notifications.email_to",
		 "SELECT id, citizen_id, code, to_status, note, attempts FROM notifications "
		 "WHERE sent_at IS NULL AND next_at <= ? ORDER BY id LIMIT 20",
		 "INSERT INTO notifications (id, citizen_id, code, to_status, note, created_at, attempts, next_at, email_to, "
		 "sent_at, last_error, event_id) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
		 "attempts = 1, next_at = excluded.next_at, email_to = excluded.email_to, sent_at = excluded.sent_at, "
		 "last_error = excluded.last_error",
		 "UPDATE notifications SET sent_at = ?, email_to = ?, attempts = attempts + 1, last_error = NULL "
		 "WHERE id = ?",
		 "UPDATE notifications SET next_at = ?, email_to = ?, last_error = ?, attempts = attempts + 1 "
		 "WHERE id = ?",
		 "UPDATE notifications SET next_at = ?, last_error = ? WHERE id = ?", email_send},
	[CHANNEL_SMS] =
		{"sms", "notify_sms", "phone", "no phone number", "notifications.sms_to",
		 "SELECT id, citizen_id, code, to_status, note, sms_attempts FROM notifications "
		 "WHERE sms_sent_at IS NULL AND sms_next_at <= ? ORDER BY id LIMIT 20",
		 "INSERT INTO notifications (id, citizen_id, code, to_status, note, created_at, attempts, next_at, sms_attempts, "
		 "sms_next_at, sms_to, sms_sent_at, sms_error, event_id) VALUES (?, ?, ?, ?, ?, ?, 0, 9223372036854775807, 1, ?, ?, "
		 "?, ?, ?) ON CONFLICT (id) DO UPDATE SET sms_attempts = 1, sms_next_at = excluded.sms_next_at, "
		 "sms_to = excluded.sms_to, sms_sent_at = excluded.sms_sent_at, sms_error = excluded.sms_error",
		 "UPDATE notifications SET sms_sent_at = ?, sms_to = ?, sms_attempts = sms_attempts + 1, "
		 "sms_error = NULL WHERE id = ?",
		 "UPDATE notifications SET sms_next_at = ?, sms_to = ?, sms_error = ?, sms_attempts = sms_attempts + 1 "
		 "WHERE id = ?",
		 "UPDATE notifications SET sms_next_at = ?, sms_error = ? WHERE id = ?", sms_send},
};

/* The citizen's value of a registry attribute ("email", "phone"), or "". */
static void address_of(struct db *db, const char *citizen, const char *attribute, char *out, size_t n)
{
	const json_t *doc;
	struct err e;
	struct stored s;
	out[0] = 0;
	if (citizen_read(db, citizen, &doc, &e))
		return;
	if (record_get(doc, attribute, &s) && json_is_string(s.value))
		snprintf(out, n, "%s", json_string_value(s.value));
	json_decref((json_t *)doc);
}

/* Reads up to BATCH messages the channel has to send again and that are due at now. */
static int due_notes(struct db *db, const struct channel *ch, struct pending_note *v, int64_t now)
{
	struct db_stmt *st = db_prepare(db, ch->pending);
	int n = 0;
	if (!st || db_bind(st, "i", now))
		return 0;
	while (n < BATCH && db_step(st) == DB_ROW) {
		utf8_copy(v[n].id, sizeof v[n].id, db_col_text(st, 0));
		utf8_copy(v[n].citizen, sizeof v[n].citizen, db_col_text(st, 1));
		utf8_copy(v[n].code, sizeof v[n].code, db_col_text(st, 2));
		v[n].to = (int)db_col_int(st, 3);
		char *note = unseal_col(st, 4, "notifications.note", v[n].id);
		utf8_copy(v[n].note, sizeof v[n].note, note ? note : "");
		free(note);
		v[n].attempts = (int)db_col_int(st, 5);
		n++;
	}
	db_reset(st);
	return n;
}

/* What one try of one message on one channel came to. */
struct outcome {
	char to[256], why[200];
	bool sent;
};

static void attempt(struct db *db, CURL *curl, const struct notify_config *cfg, const struct channel *ch,
		    const struct pending_note *n, struct outcome *o)
{
	*o = (struct outcome){0};
	address_of(db, n->citizen, ch->attribute, o->to, sizeof o->to);
	if (o->to[0])
		o->sent = ch->send(curl, cfg, o->to, n, o->why, sizeof o->why) == 0;
	if (o->why[0])
		log_error(ch->log, "%s: %s (attempt %d)", n->id, o->why, n->attempts + 1);
}

/* Sends a message again and records the outcome in the channel's columns. */
static void retry(struct db *db, CURL *curl, const struct notify_config *cfg, const struct channel *ch,
		  const struct pending_note *n, int64_t now)
{
	struct outcome o;
	attempt(db, curl, cfg, ch, n, &o);
	if (!o.to[0]) { /* nowhere to send: the inbox holds it */
		db_run(db, ch->unreachable, "itt", NEVER, ch->no_address, n->id);
		return;
	}
	char *sealed = seal_text(ch->to_context, n->id, o.to);
	if (o.sent)
		db_run(db, ch->sent, "itt", clock_now_us(), sealed, n->id);
	else
		db_run(db, ch->failed, "ittt", now + sender_backoff_us(n->attempts), sealed, o.why, n->id);
	free(sealed);
}

/* The row of a change tried for the first time: its note and address sealed for the row. */
static int record_first(struct db *db, const struct channel *ch, const struct feed_event *f, const struct pending_note *n,
			const struct outcome *o, int64_t now)
{
	char sent[24];
	snprintf(sent, sizeof sent, "%lld", (long long)clock_now_us());
	int64_t next = o->sent || !o->to[0] ? NEVER : now + sender_backoff_us(0);
	const char *why = o->to[0] ? (o->why[0] ? o->why : NULL) : ch->no_address;
	char *note = seal_text("notifications.note", n->id, n->note), *to = o->to[0] ? seal_text(ch->to_context, n->id, o->to) : NULL;
	enum db_rc rc = note && (to || !o->to[0]) ? db_run(db, ch->first, "tttitiittti", n->id, n->citizen, n->code, (int64_t)n->to, note,
							   f->at, next, to, o->sent ? sent : NULL, why, f->id)
						  : DB_ERROR;
	free(note);
	free(to);
	return rc == DB_DONE ? 0 : -1;
}

/* Delivers the changes after the channel's cursor, then writes their rows and moves the cursor in
 * one transaction (if that fails, the next round tries them again); returns how many it took. */
static int new_changes(struct db *db, CURL *curl, const struct notify_config *cfg, const struct channel *ch)
{
	struct feed_event v[BATCH];
	struct pending_note n[BATCH];
	struct outcome o[BATCH];
	int64_t now = clock_now_us();
	int k = feed_next(db, ch->name, v, BATCH);
	for (int i = 0; i < k; i++) {
		n[i] = (struct pending_note){.to = v[i].to};
		snprintf(n[i].id, sizeof n[i].id, "%s", v[i].key);
		snprintf(n[i].citizen, sizeof n[i].citizen, "%s", v[i].applicant);
		snprintf(n[i].code, sizeof n[i].code, "%s", v[i].code);
		snprintf(n[i].note, sizeof n[i].note, "%s", v[i].note);
		attempt(db, curl, cfg, ch, &n[i], &o[i]);
	}
	if (!k || db_begin(db))
		return k;
	for (int i = 0; i < k; i++)
		if (record_first(db, ch, &v[i], &n[i], &o[i], now)) {
			db_rollback(db);
			return k;
		}
	if (feed_advance(db, ch->name, v[k - 1].id) || db_commit(db))
		db_rollback(db);
	return k;
}

static void channel_round(struct db *db, CURL *curl, const struct notify_config *cfg, const struct channel *ch)
{
	struct pending_note v[BATCH];
	int64_t now = clock_now_us();
	int n = due_notes(db, ch, v, now);
	for (int i = 0; i < n; i++)
		retry(db, curl, cfg, ch, &v[i], now);
	int64_t until = now + ROUND_US;
	while (new_changes(db, curl, cfg, ch) == BATCH && clock_now_us() < until)
		;
}

void notify_round(struct db *db, CURL *curl, void *arg)
{
	channel_round(db, curl, arg, &channels[CHANNEL_EMAIL]);
}

void notify_sms_round(struct db *db, CURL *curl, void *arg)
{
	channel_round(db, curl, arg, &channels[CHANNEL_SMS]);
}
