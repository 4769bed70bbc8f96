/* outbox.c — publishing status changes to the National Public Service Portal. The changes are read
 * from the timeline (feed.c) by the "portal" cursor; a sender thread posts them in order, one
 * dossier's changes never overtaking each other, until the portal answers 2xx, and writes an
 * outbox row for each change it has posted: acknowledged, or waiting to be sent again. Each post
 * carries the change's number as Idempotency-Key, so a retry after a lost answer is not applied
 * twice. The time from the change to its acknowledgement is kept: the service index measures it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "dossier/dossier.h"

#define BATCH 20
#define ROUND_US 400000 /* a round takes new changes for this long at most, then lets other tasks run */

json_t *outbox_list(struct db *db, const char *code)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT e.seq, e.to_status, e.at, o.id, o.acked_at, o.attempts FROM dossier_events e "
					    "LEFT JOIN outbox o ON o.event_id = e.id WHERE e.code = ? ORDER BY e.seq");
	if (!st || db_bind(st, "t", code))
		return list;
	while (db_step(st) == DB_ROW) {
		char id[64], q[40], a[40];
		feed_key(code, db_col_int(st, 0), id, sizeof id);
		clock_iso(db_col_int(st, 2), q, sizeof q);
		clock_iso(db_col_int(st, 4), a, sizeof a);
		bool acked = !db_col_null(st, 4);
		json_t *o = json_pack("{s:s,s:I,s:s,s:I}", "id", db_col_null(st, 3) ? id : db_col_text(st, 3), "to",
				      (json_int_t)db_col_int(st, 1), "queued_at", q, "attempts", (json_int_t)db_col_int(st, 5));
		json_object_set_new(o, "acked_at", acked ? json_string(a) : json_null());
		json_object_set_new(o, "delay_ms", acked ? json_integer((db_col_int(st, 4) - db_col_int(st, 2)) / 1000) : json_null());
		json_array_append_new(list, o);
	}
	return list;
}

struct item {
	char id[40], code[48];
	char *payload;
	int attempts;
};

static int due_items(struct db *db, struct item *v, int64_t now)
{
	/* only the oldest unacknowledged change of each dossier: one dossier's changes keep their order */
	struct db_stmt *st = db_prepare(db, "SELECT id, code, payload, attempts FROM outbox WHERE acked_at IS NULL AND next_at <= ? "
					      "AND NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.code = outbox.code AND "
					      "o2.acked_at IS NULL AND o2.event_id < outbox.event_id) ORDER BY event_id LIMIT 20");
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

/* The portal acknowledged it: the index counts dossiers whose every change was acknowledged. A
 * failure leaves the change unacknowledged, to be sent again (the portal takes it once). */
static void record_ack(struct db *db, const struct item *it)
{
	if (db_begin(db))
		return;
	if (db_run(db, "UPDATE outbox SET acked_at = ?, attempts = attempts + 1 WHERE id = ?", "it", clock_now_us(), it->id) != DB_DONE ||
	    dossier_mark_changed(db, it->code) || db_commit(db))
		db_rollback(db);
}

/* Sends again what is due: a failed change waits (backing off), and so do its dossier's later ones. */
static void retry_round(struct db *db, CURL *curl, const char *url)
{
	struct item v[BATCH];
	int64_t now = clock_now_us();
	int n = due_items(db, v, now);
	for (int i = 0; i < n; i++) {
		char why[200] = "";
		if (sender_post_json(curl, url, v[i].id, NULL, v[i].payload, why, sizeof why) == 0)
			record_ack(db, &v[i]);
		else {
			db_run(db, "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?", "itt",
			       now + sender_backoff_us(v[i].attempts), why, v[i].id);
			log_error("portal_outbox", "%s: %s (attempt %d)", v[i].id, why, v[i].attempts + 1);
		}
		free(v[i].payload);
	}
}

/* A change of the timeline as taken by this round: posted (acknowledged or not), or held back
 * behind an earlier change of its dossier that the portal has not acknowledged yet. */
struct taken {
	char payload[320], why[200];
	bool posted, acked;
	int64_t acked_at;
};

static int payload_of(const struct feed_event *f, struct taken *t)
{
	char when[40];
	clock_iso(f->at, when, sizeof when);
	/* the fields are ours (a generated code, numbers, a time): nothing to escape */
	int n = snprintf(t->payload, sizeof t->payload, "{\"id\":\"%s\",\"code\":\"%s\",\"from\":%d,\"to\":%d,\"at\":\"%s\"}",
			 f->key, f->code, f->from, f->to, when);
	return n < 0 || (size_t)n >= sizeof t->payload ? -1 : 0;
}

/* Whether an earlier change of the dossier still waits: in the outbox, or taken before in this round. */
static bool held_back(struct db *db, const struct feed_event *v, const struct taken *t, int i)
{
	for (int k = 0; k < i; k++)
		if (!t[k].acked && !strcmp(v[k].code, v[i].code))
			return true;
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM outbox WHERE code = ? AND acked_at IS NULL LIMIT 1");
	bool waiting = st && !db_bind(st, "t", v[i].code) && db_step(st) == DB_ROW;
	db_reset(st);
	return waiting;
}

/* Writes the outbox rows of the changes taken and moves the cursor past them, in one transaction;
 * if it fails, the next round takes them again (the portal takes a change once). */
static void record_taken(struct db *db, const struct feed_event *v, const struct taken *t, int n, int64_t now)
{
	if (db_begin(db))
		return;
	for (int i = 0; i < n; i++) {
		int64_t next = t[i].posted && !t[i].acked ? now + sender_backoff_us(0) : now;
		char acked[24]; /* a number, or NULL when not acknowledged */
		snprintf(acked, sizeof acked, "%lld", (long long)t[i].acked_at);
		if (db_run(db, "INSERT INTO outbox (id, code, payload, created_at, attempts, next_at, acked_at, last_error, event_id) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
			   "tttiiitti", v[i].key, v[i].code, t[i].payload, v[i].at, (int64_t)t[i].posted, next,
			   t[i].acked ? acked : NULL, t[i].why[0] ? t[i].why : NULL, v[i].id) != DB_DONE ||
		    (t[i].acked && dossier_mark_changed(db, v[i].code))) {
			db_rollback(db);
			return;
		}
	}
	if (feed_advance(db, "portal", v[n - 1].id) || db_commit(db))
		db_rollback(db);
}

/* Posts the changes after the cursor, in order; returns how many were taken. */
static int new_changes(struct db *db, CURL *curl, const char *url)
{
	struct feed_event v[BATCH];
	struct taken t[BATCH] = {0};
	int n = feed_next(db, "portal", v, BATCH);
	int64_t now = clock_now_us();
	for (int i = 0; i < n; i++) {
		if (payload_of(&v[i], &t[i]) || held_back(db, v, t, i))
			continue;
		t[i].posted = true;
		t[i].acked = sender_post_json(curl, url, v[i].key, NULL, t[i].payload, t[i].why, sizeof t[i].why) == 0;
		t[i].acked_at = clock_now_us();
		if (!t[i].acked)
			log_error("portal_outbox", "%s: %s (attempt 1)", v[i].key, t[i].why);
	}
	if (n)
		record_taken(db, v, t, n, now);
	return n;
}

/* One round (arg is the portal's URL): what is due again, then the new changes. */
void outbox_round(struct db *db, CURL *curl, void *arg)
{
	const char *url = arg;
	retry_round(db, curl, url);
	int64_t until = clock_now_us() + ROUND_US;
	while (new_changes(db, curl, url) == BATCH && clock_now_us() < until)
		;
}
