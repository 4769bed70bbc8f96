/* outbox.c — publishing status changes to the National Public Service Portal. A change is queued
 * in the same transaction that makes it; a sender thread posts the queued changes in order, one
 * dossier's changes never overtaking each other, until the portal answers 2xx. Each post carries
 * the row's id as Idempotency-Key, so a retry after a lost answer is not applied twice. The time
 * from queueing to acknowledgement is kept: the service index measures it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "dossier/dossier.h"

#define BATCH 20

int outbox_add(struct db *db, const char *code, int from, int to, int64_t at)
{
	char id[33], when[40], text[256];
	crypto_time_id(at, id);
	clock_iso(at, when, sizeof when);
	/* the fields are ours (a generated code, an id in hex, a time): no escaping to do, and this
	 * runs on the group-commit writer, where every microsecond is everyone's */
	int n = snprintf(text, sizeof text, "{\"id\":\"%s\",\"code\":\"%s\",\"from\":%d,\"to\":%d,\"at\":\"%s\"}", id, code, from, to,
			 when);
	if (n < 0 || (size_t)n >= sizeof text)
		return -1;
	return db_run(db, "INSERT INTO outbox (id, code, payload, created_at, attempts, next_at) VALUES (?, ?, ?, ?, 0, ?)", "tttii",
		      id, code, text, at, at) == DB_DONE
		       ? 0
		       : -1;
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

/* One round: sends what is due; a failed change waits (backing off), and so do its dossier's
 * later ones. arg is the portal's URL. */
void outbox_round(struct db *db, CURL *curl, void *arg)
{
	const char *url = arg;
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
