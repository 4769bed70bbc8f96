/* remind.c — reminders of report forms go out by e-mail. Every ten minutes the reminders each
 * officer and leader with a work address would see (report_forms_reminders: forms of their unit
 * due soon or overdue, forms waiting for a leader's approval) become messages, one per form,
 * person and stage (due, overdue, to approve) — the key makes each go out once, across restarts;
 * then the messages due are sent through the SMTP relay, retried with back-off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "report/report.h"

#define SCAN_EVERY_US (600 * 1000000LL)
#define SEND_BATCH 20

static const struct stage {
	const char *id, *vi, *en;
} stages[] = {
	{"due", "sắp đến hạn nộp", "due soon"},
	{"overdue", "đã quá hạn nộp", "overdue"},
	{"approve", "chờ lãnh đạo phê duyệt", "waiting for your approval"},
};

static const struct stage *stage_of(const json_t *item)
{
	const char *action = json_string_value(json_object_get(item, "action"));
	if (action && !strcmp(action, "approve"))
		return &stages[2];
	return json_is_true(json_object_get(item, "overdue")) ? &stages[1] : &stages[0];
}

/* The message of one reminder item for a person, queued once (its key). */
static int queue_item(struct db *db, const char *username, const char *email, const json_t *item, int64_t now)
{
	const char *regime = json_string_value(json_object_get(item, "regime")), *period = json_string_value(json_object_get(item, "period"));
	const char *unit = json_string_value(json_object_get(item, "unit")), *deadline = json_string_value(json_object_get(item, "deadline"));
	const json_t *name = json_object_get(item, "name");
	const char *vi = json_string_value(json_object_get(name, "vi")), *en = json_string_value(json_object_get(name, "en"));
	if (!regime || !period || !unit)
		return 0;
	const struct stage *st = stage_of(item);
	char key[200], id[33], subject[400], body[2048], when_vi[80] = "", when_en[80] = "";
	if (deadline && st != &stages[2]) {
		snprintf(when_vi, sizeof when_vi, " (hạn: %s)", deadline);
		snprintf(when_en, sizeof when_en, " (deadline: %s)", deadline);
	}
	snprintf(key, sizeof key, "%s|%s|%s|%s|%s", regime, period, unit, username, st->id);
	snprintf(subject, sizeof subject, "%s kỳ %s: %s", vi ? vi : regime, period, st->vi); /* the name says "Báo cáo …" */
	snprintf(body, sizeof body,
		 "Báo cáo \"%s\" kỳ %s của đơn vị %s %s%s.\r\nThe report \"%s\" for %s of unit %s is %s%s.\r\n\r\n"
		 "Mở biểu mẫu / Open the form: /report-form.html?regime=%s&period=%s&unit=%s\r\n",
		 vi ? vi : regime, period, unit, st->vi, when_vi, en ? en : regime, period, unit, st->en, when_en, regime, period, unit);
	crypto_random_hex(id, 16);
	return db_run(db, "INSERT INTO staff_messages (id, message_key, username, email, subject, body, created_at, attempts, next_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (message_key) DO NOTHING",
		      "ttttttii", id, key, username, email, subject, body, now, now) == DB_DONE
		       ? 0
		       : -1;
}

/* Each officer's and leader's reminders, as messages. */
static int queue_reminders(const struct dossiers *d, struct db *db, int64_t now)
{
	struct db_stmt *st = db_prepare(db, "SELECT username, role, unit, email FROM users WHERE role IN ('officer', 'leader') "
					    "AND email IS NOT NULL AND disabled = 0 ORDER BY username");
	if (!st)
		return -1;
	json_t *people = json_array();
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(people, json_pack("{s:s,s:s,s:s,s:s}", "username", db_col_text(st, 0), "role", db_col_text(st, 1),
							"unit", db_col_text(st, 2), "email", db_col_text(st, 3)));
	size_t i, j;
	json_t *p, *item;
	json_array_foreach(people, i, p) {
		struct principal who = {0};
		enum role role;
		snprintf(who.username, sizeof who.username, "%s", json_string_value(json_object_get(p, "username")));
		snprintf(who.unit, sizeof who.unit, "%s", json_string_value(json_object_get(p, "unit")));
		who.role = role_parse(json_string_value(json_object_get(p, "role")), &role) ? ROLE_OFFICER : role;
		json_t *out = NULL;
		struct err e;
		if (report_forms_reminders(d, db, &who, &out, &e))
			continue;
		json_array_foreach(json_object_get(out, "reminders"), j, item)
			if (rc == DB_DONE && queue_item(db, who.username, json_string_value(json_object_get(p, "email")), item, now))
				rc = DB_ERROR;
		json_decref(out);
	}
	json_decref(people);
	return rc == DB_DONE ? 0 : -1;
}

struct outgoing {
	char id[33], email[256], subject[400], body[2048];
	int attempts;
};

/* Sends the messages due, oldest first; a failure waits longer each time. */
static void send_due(struct db *db, CURL *curl, const struct notify_config *mail, int64_t now)
{
	struct outgoing v[SEND_BATCH];
	int n = 0;
	struct db_stmt *st = db_prepare(db, "SELECT id, email, subject, body, attempts FROM staff_messages WHERE sent_at IS NULL "
					    "AND next_at <= ? ORDER BY created_at, id LIMIT 20");
	if (!st || db_bind(st, "i", now))
		return;
	while (n < SEND_BATCH && db_step(st) == DB_ROW) {
		snprintf(v[n].id, sizeof v[n].id, "%s", db_col_text(st, 0));
		snprintf(v[n].email, sizeof v[n].email, "%s", db_col_text(st, 1));
		snprintf(v[n].subject, sizeof v[n].subject, "%s", db_col_text(st, 2));
		snprintf(v[n].body, sizeof v[n].body, "%s", db_col_text(st, 3));
		v[n].attempts = (int)db_col_int(st, 4);
		n++;
	}
	db_reset(st);
	for (int i = 0; i < n; i++) {
		char why[200] = "";
		if (notify_mail(curl, mail, v[i].email, v[i].subject, v[i].body, why, sizeof why) == 0)
			db_run(db, "UPDATE staff_messages SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", "it", clock_now_us(), v[i].id);
		else {
			db_run(db, "UPDATE staff_messages SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?", "itt",
			       now + sender_backoff_us(v[i].attempts), why, v[i].id);
			log_error("report_reminders", "%s: %s (attempt %d)", v[i].id, why, v[i].attempts + 1);
		}
	}
}

void report_remind_round(struct db *db, CURL *curl, void *arg)
{
	struct report_reminders *r = arg;
	int64_t now = clock_now_us();
	if (now >= r->next_scan) {
		r->next_scan = now + SCAN_EVERY_US;
		if (db_begin(db) || queue_reminders(r->mail->dossiers, db, now) || db_commit(db)) {
			db_rollback(db);
			log_error("report_reminders", "the reminders were not queued: %s", db_errmsg(db));
		}
	}
	send_due(db, curl, r->mail, now);
}
