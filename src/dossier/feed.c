/* feed.c — the timeline as a feed for the delivery channels. Every status change is numbered in
 * one order for the whole database (event_head, advanced inside the change's transaction: write
 * transactions are serialised, so the numbers follow the order of commits, with one server or
 * several). A channel (the portal, e-mail, SMS) keeps a cursor, the number of the last change it
 * has taken, and writes its own row for a change only when it delivers it: the change itself costs
 * one row in the timeline, whatever the channels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "dossier/dossier.h"
#include "security/seal.h"

int dossier_event_add(struct db *db, const char *code, const char *actor, int from, int to, const char *note, int64_t at)
{
	char *sealed = seal_text("dossier_events.note", code, note ? note : "");
	enum db_rc rc = sealed ? db_run(db, "UPDATE event_head SET last = last + 1 WHERE id = 1", "") : DB_ERROR;
	if (rc == DB_DONE)
		rc = db_run(db, "INSERT INTO dossier_events (id, code, seq, at, actor, from_status, to_status, note) "
				"VALUES ((SELECT last FROM event_head WHERE id = 1), ?, "
				"(SELECT COUNT(*) + 1 FROM dossier_events WHERE code = ?), ?, ?, ?, ?, ?)",
			    "ttitiit", code, code, at, actor, (int64_t)from, (int64_t)to, sealed);
	free(sealed);
	return rc == DB_DONE ? 0 : -1;
}

void feed_key(const char *code, int64_t seq, char *out, size_t n)
{
	snprintf(out, n, "%s.%lld", code, (long long)seq);
}

/* The last change channel has taken (0: none). */
static int64_t feed_cursor(struct db *db, const char *channel)
{
	struct db_stmt *st = db_prepare(db, "SELECT last FROM delivery_cursors WHERE channel = ?");
	if (!st || db_bind(st, "t", channel) || db_step(st) != DB_ROW)
		return 0;
	int64_t last = db_col_int(st, 0);
	db_reset(st);
	return last;
}

int feed_advance(struct db *db, const char *channel, int64_t last)
{
	/* never backwards: a second server's sender may have gone further meanwhile */
	return db_run(db, "INSERT INTO delivery_cursors (channel, last) VALUES (?, ?) ON CONFLICT (channel) DO UPDATE "
			  "SET last = excluded.last WHERE delivery_cursors.last < excluded.last",
		      "ti", channel, last) == DB_DONE
		       ? 0
		       : -1;
}

int feed_next(struct db *db, const char *channel, struct feed_event *v, int max)
{
	struct db_stmt *st = db_prepare(db, "SELECT e.id, e.code, d.applicant_id, e.from_status, e.to_status, e.at, e.note, e.seq "
					    "FROM dossier_events e JOIN dossiers d ON d.code = e.code WHERE e.id > ? "
					    "ORDER BY e.id LIMIT ?");
	int n = 0;
	if (!st || db_bind(st, "ii", feed_cursor(db, channel), (int64_t)max))
		return 0;
	while (n < max && db_step(st) == DB_ROW) {
		struct feed_event *f = &v[n++];
		f->id = db_col_int(st, 0);
		utf8_copy(f->code, sizeof f->code, db_col_text(st, 1));
		utf8_copy(f->applicant, sizeof f->applicant, db_col_text(st, 2));
		f->from = (int)db_col_int(st, 3);
		f->to = (int)db_col_int(st, 4);
		f->at = db_col_int(st, 5);
		char *note = unseal_col(st, 6, "dossier_events.note", f->code);
		utf8_copy(f->note, sizeof f->note, note ? note : "");
		free(note);
		feed_key(f->code, db_col_int(st, 7), f->key, sizeof f->key);
	}
	db_reset(st);
	return n;
}
