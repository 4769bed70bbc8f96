/* objections.c — a citizen's objection to an exchange that carried their data: it opens a case
 * for the data-protection officer, due within OBJECTION_DAYS working days (the working-day clock
 * of calendar/), and the citizen's usage log shows it beside the entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/utf8.h"
#include "exchange/exchange.h"
#include "security/seal.h"

#define OBJECTION_DAYS 15 /* working days for the officer's answer */
#define REASON_MAX 2000
#define ANSWER_MAX 4000

static int db_fail(struct db *db, struct err *e)
{
	return err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
}

/* True when the entry seq carried citizen and is no longer hidden from them. */
static int visible_to(struct db *db, const char *citizen, int64_t seq, bool *yes)
{
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM exchange_subjects s JOIN exchange_log l ON l.seq = s.seq "
					    "WHERE s.citizen_id = ? AND s.seq = ? AND l.hide_until <= ?");
	if (!st || db_bind(st, "tii", citizen, seq, clock_now_us()))
		return -1;
	*yes = db_step(st) == DB_ROW;
	db_reset(st);
	return 0;
}

int xobjection_create(const struct exchange *x, struct db *db, const char *citizen, const char *entry, const json_t *body,
		      json_t **out, struct err *e)
{
	char *end;
	long long seq = strtoll(entry, &end, 10);
	if (!entry[0] || *end || seq < 1)
		return err_set(e, 404, "not_found", "no exchange %s in your usage log", "không có lần trao đổi %s trong nhật ký của bạn",
			       entry);
	const char *reason = json_string_value(json_object_get(body, "reason"));
	size_t n = reason ? strlen(reason) : 0;
	if (!n || n > REASON_MAX || !utf8_valid(reason, n))
		return err_set(e, 422, "invalid_reason", "say why you object: \"reason\", 1-%d bytes of text",
			       "hãy nêu lý do phản đối: \"reason\", 1-%d byte văn bản", REASON_MAX);
	int64_t now = clock_now_us(), start, due;
	if (cal_due(x->calendar, now, OBJECTION_DAYS, CAL_CUTOFF_DEFAULT, &start, &due))
		return err_set(e, 500, "calendar_error", "cannot work out the deadline", "không tính được thời hạn");
	bool yes = false;
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
	if (visible_to(db, citizen, seq, &yes)) {
		db_rollback(db);
		return db_fail(db, e);
	}
	if (!yes) { /* not theirs, or still hidden: the same answer, so hidden ones are not revealed */
		db_rollback(db);
		return err_set(e, 404, "not_found", "no exchange %s in your usage log", "không có lần trao đổi %s trong nhật ký của bạn",
			       entry);
	}
	char id[33], object[80];
	crypto_time_id(now, id);
	snprintf(object, sizeof object, "exchange message %lld", seq);
	char *sealed = seal_text("exchange_objections.reason", id, reason);
	enum db_rc rc = sealed ? db_run(db, "INSERT INTO exchange_objections (id, seq, citizen_id, reason, status, created_at, "
					     "due_at) VALUES (?, ?, ?, ?, 'open', ?, ?)",
					"tittii", id, (int64_t)seq, citizen, sealed, now, due)
			       : DB_ERROR;
	free(sealed);
	if (rc == DB_CONSTRAINT) {
		db_rollback(db);
		return err_set(e, 409, "already_objected", "you already objected to exchange %lld", "bạn đã phản đối lần trao đổi %lld",
			       seq);
	}
	if (rc != DB_DONE || audit_append(db, citizen, "exchange.objection", object, NULL) || db_commit(db)) {
		db_rollback(db);
		return db_fail(db, e);
	}
	char created[40], due_iso[40];
	clock_iso(now, created, sizeof created);
	clock_iso(due, due_iso, sizeof due_iso);
	*out = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:i}", "id", id, "entry", (json_int_t)seq, "status", "open", "created_at", created,
			 "due_at", due_iso, "handled_by", "data-protection officer", "working_days", OBJECTION_DAYS);
	return 0;
}

void xobjection_answer_json(json_t *o, struct db_stmt *st, int col, const char *id)
{
	if (db_col_null(st, col + 2))
		return;
	char *answer = unseal_col(st, col, "exchange_objections.answer", id);
	json_object_set_new(o, "answer", json_string(answer ? answer : ""));
	json_object_set_new(o, "upheld", json_boolean(db_col_int(st, col + 1)));
	json_object_set_new(o, "answered_at", json_time(db_col_int(st, col + 2), true));
	free(answer);
}

int xobjections_list(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT o.id, o.seq, o.citizen_id, o.reason, o.status, o.created_at, o.due_at, "
					    "l.client, l.service, l.purpose, o.answer, o.upheld, o.answered_at, o.answered_by "
					    "FROM exchange_objections o JOIN exchange_log l ON l.seq = o.seq ORDER BY o.due_at, o.id");
	if (!st)
		return db_fail(db, e);
	json_t *list = json_array();
	int64_t now = clock_now_us();
	while (db_step(st) == DB_ROW) {
		char created[40], due[40];
		const char *id = db_col_text(st, 0);
		clock_iso(db_col_int(st, 5), created, sizeof created);
		clock_iso(db_col_int(st, 6), due, sizeof due);
		char *reason = unseal_col(st, 3, "exchange_objections.reason", id);
		json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id", id, "entry",
				      (json_int_t)db_col_int(st, 1), "citizen_id", db_col_text(st, 2), "reason", reason ? reason : "",
				      "status", db_col_text(st, 4), "created_at", created, "due_at", due, "overdue",
				      !strcmp(db_col_text(st, 4), "open") && db_col_int(st, 6) < now, "client", db_col_text(st, 7),
				      "service", db_col_text(st, 8), "purpose", db_col_text(st, 9));
		free(reason);
		xobjection_answer_json(o, st, 10, id);
		if (!db_col_null(st, 13))
			json_object_set_new(o, "answered_by", json_string(db_col_text(st, 13)));
		json_array_append_new(list, o);
	}
	*out = json_pack("{s:o}", "objections", list);
	return 0;
}

/* The answer's body: "answer" 1-ANSWER_MAX bytes of text, "upheld" a boolean. */
static int answer_args(const json_t *body, const char **answer, bool *upheld, struct err *e)
{
	*answer = json_string_value(json_object_get(body, "answer"));
	json_t *u = json_object_get(body, "upheld");
	size_t n = *answer ? strlen(*answer) : 0;
	if (!n || n > ANSWER_MAX || !utf8_valid(*answer, n) || !json_is_boolean(u))
		return err_set(e, 422, "invalid_answer", "give the \"answer\" (1-%d bytes of text) and whether the objection is "
							 "\"upheld\" (true or false)",
			       "hãy nêu \"answer\" (1-%d byte văn bản) và phản đối có được chấp nhận không: \"upheld\" (true hoặc false)",
			       ANSWER_MAX);
	*upheld = json_is_true(u);
	return 0;
}

int xobjection_answer(struct db *db, const char *actor, const char *id, const json_t *body, json_t **out, struct err *e)
{
	const char *answer = NULL;
	bool upheld = false;
	if (answer_args(body, &answer, &upheld, e))
		return -1;
	int64_t now = clock_now_us();
	char *sealed = seal_text("exchange_objections.answer", id, answer);
	if (!sealed)
		return err_set(e, 500, "seal_failed", "cannot seal the answer", "không niêm phong được câu trả lời");
	const char *status = upheld ? "upheld" : "dismissed";
	if (db_begin(db)) {
		free(sealed);
		return err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
	}
	struct db_stmt *st = db_prepare(db, "SELECT status FROM exchange_objections WHERE id = ?");
	enum db_rc found = st && !db_bind(st, "t", id) ? db_step(st) : DB_ERROR;
	char was[16] = "";
	if (found == DB_ROW)
		snprintf(was, sizeof was, "%s", db_col_text(st, 0));
	if (st)
		db_reset(st);
	int rc = 0;
	if (found == DB_DONE)
		rc = err_set(e, 404, "not_found", "no objection %s", "không có phản đối %s", id);
	else if (found == DB_ROW && strcmp(was, "open"))
		rc = err_set(e, 409, "already_answered", "objection %s was already answered (%s)", "phản đối %s đã được trả lời (%s)",
			     id, was);
	else if (found != DB_ROW ||
		 db_run(db, "UPDATE exchange_objections SET status = ?, answer = ?, upheld = ?, answered_at = ?, answered_by = ? "
			    "WHERE id = ? AND status = 'open'", "ttiitt", status, sealed, (int64_t)upheld, now, actor, id) != DB_DONE ||
		 audit_append(db, actor, "exchange.objection.answer", id, upheld ? "{\"upheld\":true}" : "{\"upheld\":false}") ||
		 db_commit(db))
		rc = db_fail(db, e);
	free(sealed);
	if (rc) {
		db_rollback(db);
		return -1;
	}
	*out = json_pack("{s:s,s:s,s:s,s:b,s:o,s:s}", "id", id, "status", status, "answer", answer, "upheld", upheld,
			 "answered_at", json_time(now, true), "answered_by", actor);
	return 0;
}
