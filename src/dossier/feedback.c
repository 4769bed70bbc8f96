/* feedback.c — feedback and petitions (phản ánh, kiến nghị). A citizen — for themselves, or for
 * a business they declare (its tax code and name) — reports a problem to the responsible unit (the unit of the dossier it is about, or one they name); the unit's staff
 * answer within the deadline in data/feedback.json (working days, by the calendar); the sender
 * says once whether the answer satisfies them. Open ones past due show on the desk; the service
 * index's satisfaction group counts them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "dossier/dossier.h"
#include "security/seal.h"

static long limit(const struct dossiers *d, const char *key, long def)
{
	json_int_t v = json_integer_value(json_object_get(d->feedback, key));
	return v > 0 ? (long)v : def;
}

static json_t *feedback_json(struct db_stmt *st, int64_t now)
{
	bool answered = !db_col_null(st, 9);
	int64_t due = db_col_int(st, 7);
	const char *id = db_col_text(st, 0);
	char *subject = unseal_col(st, 4, "feedback.subject", id), *text = unseal_col(st, 5, "feedback.body", id),
	     *answer = answered ? unseal_col(st, 8, "feedback.answer", id) : NULL;
	json_t *o = json_pack("{s:s,s:s,s:s?,s:s?,s:o,s:o,s:o,s:o}", "id", id, "unit", db_col_text(st, 2), "subject", subject, "text",
			      text, "code", db_col_null(st, 3) ? json_null() : json_string(db_col_text(st, 3)), "created_at",
			      json_time(db_col_int(st, 6), true), "due_at", json_time(due, true), "answered_at",
			      json_time(db_col_int(st, 9), answered));
	json_object_set_new(o, "answer", answer ? json_string(answer) : json_null());
	free(subject);
	free(text);
	free(answer);
	json_object_set_new(o, "satisfied", db_col_null(st, 10) ? json_null() : json_boolean(db_col_int(st, 10)));
	json_object_set_new(o, "overdue", json_boolean(answered ? db_col_int(st, 9) > due : now > due));
	json_object_set_new(o, "sender", json_string(db_col_text(st, 1)));
	char *business = db_col_null(st, 11) ? NULL : unseal_col(st, 11, "feedback.business", id);
	json_t *b = business ? json_loads(business, 0, NULL) : NULL;
	free(business);
	json_object_set_new(o, "sender_kind", json_string(b ? "business" : "citizen"));
	json_object_set_new(o, "business", b ? b : json_null());
	return o;
}

#define FEEDBACK_COLS "id, citizen_id, unit, code, subject, body, created_at, due_at, answer, answered_at, satisfied, business"
#define TAX_CODE_MAX 14 /* 10 digits, or 13 as NNNNNNNNNN-NNN (a branch) */

/* A business tax code: ten digits, or ten, a hyphen and three (a dependent unit's). */
static bool tax_code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n != 10 && n != 14)
		return false;
	for (size_t i = 0; i < n; i++)
		if (i == 10 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

/* The business the citizen sends for ({"tax_code", "name"}), as JSON text (malloc'd) into *out;
 * *out NULL when the body names none. */
static int business_of(const struct dossiers *d, const json_t *body, char **out, struct err *e)
{
	const json_t *b = json_object_get(body, "business");
	const char *tax, *name;
	*out = NULL;
	if (!b || json_is_null(b))
		return 0;
	if (!json_is_object(b))
		return err_set(e, 422, "invalid_field", "business must be an object {tax_code, name}", "business phải là {tax_code, name}");
	if (json_get_str(b, "tax_code", true, TAX_CODE_MAX, &tax, e) || json_get_str(b, "name", true, (size_t)limit(d, "business_name_max", 300), &name, e))
		return -1;
	if (!tax_code_ok(tax))
		return err_set(e, 422, "invalid_field", "business.tax_code must be a tax code: 10 digits, or 10-3 for a branch",
			       "business.tax_code phải là mã số thuế: 10 chữ số, hoặc 10-3 với chi nhánh");
	if (!name[0])
		return err_set(e, 422, "missing_field", "business.name cannot be empty", "business.name không được để trống");
	json_t *o = json_pack("{s:s,s:s}", "tax_code", tax, "name", name);
	*out = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return *out ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
}

/* The responsible unit: the dossier's (it must be the sender's), else the unit named. */
static int responsible(const struct dossiers *d, struct db *db, const struct principal *who, const char *code, const char *unit,
		       char out[8], struct err *e)
{
	if (code) {
		struct dossier_row r;
		if (dossier_load(db, code, &r, e))
			return e->status == 404 ? err_set(e, 422, "dossier_not_found", "no dossier %s", "không có hồ sơ %s", code) : -1;
		bool mine = dossier_applicant_is(who, r.applicant);
		snprintf(out, 8, "%s", r.unit);
		dossier_row_release(&r);
		return mine ? 0 : err_set(e, 403, "forbidden", "dossier %s is not yours", "hồ sơ %s không phải của bạn", code);
	}
	char today[11];
	clock_today_vn(today, sizeof today);
	if (!unit || !units_valid_code(unit) || !units_find(d->registry->units, unit, today))
		return err_set(e, 422, "invalid_unit", "say which unit it concerns (\"unit\", a unit on today's map) or which dossier (\"code\")",
			       "hãy nêu đơn vị (\"unit\") hoặc hồ sơ (\"code\") liên quan");
	snprintf(out, 8, "%s", unit);
	return 0;
}

int feedback_create(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body, json_t **out,
		    struct err *e)
{
	const char *subject, *text, *code, *unit_asked;
	if (json_get_str(body, "subject", true, (size_t)limit(d, "subject_max", 200), &subject, e) ||
	    json_get_str(body, "text", true, (size_t)limit(d, "text_max", 4000), &text, e) || json_get_str(body, "code", false, 47, &code, e) ||
	    json_get_str(body, "unit", false, 7, &unit_asked, e))
		return -1;
	if (!subject[0] || !text[0])
		return err_set(e, 422, "missing_field", "subject and text cannot be empty", "tiêu đề và nội dung không được để trống");
	char unit[8], id[33], *business = NULL;
	if (responsible(d, db, who, code, unit_asked, unit, e) || business_of(d, body, &business, e))
		return -1;
	int64_t now = clock_now_us(), start, due;
	if (cal_due(d->calendar, now, (int)limit(d, "answer_days", 15), CAL_CUTOFF_DEFAULT, &start, &due)) {
		free(business);
		return err_set(e, 500, "clock_failed", "the deadline cannot be computed", "không tính được hạn trả lời");
	}
	crypto_time_id(now, id);
	char *sealed_subject = seal_text("feedback.subject", id, subject), *sealed_text = seal_text("feedback.body", id, text);
	char *sealed_business = business ? seal_text("feedback.business", id, business) : NULL;
	int rc = !sealed_subject || !sealed_text || (business && !sealed_business) || db_begin(db) ? -1 : 0;
	free(business);
	if (!rc) {
		rc = db_run(db, "INSERT INTO feedback (id, citizen_id, sender, unit, code, subject, body, created_at, due_at, business) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "tttttttiit", id, who->citizen_id, who->username, unit, code,
			    sealed_subject, sealed_text, now, due, sealed_business) != DB_DONE ||
		     (code && dossier_mark_changed(db, code)) || /* a petition about a dossier counts against its satisfaction */
		     audit_append(db, who->username, "feedback.create", id, "{}") || db_commit(db);
		if (rc)
			db_rollback(db);
	}
	free(sealed_subject);
	free(sealed_text);
	free(sealed_business);
	if (rc)
		return err_set(e, 500, "db_error", "the feedback was not saved", "chưa lưu được phản ánh");
	return feedback_get(d, db, who, id, out, e);
}

static int load_one(struct db *db, const char *id, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT " FEEDBACK_COLS " FROM feedback WHERE id = ?");
	if (!st || db_bind(st, "t", id) || db_step(st) != DB_ROW)
		return err_set(e, 404, "feedback_not_found", "no feedback %s", "không có phản ánh %s", id);
	*out = feedback_json(st, clock_now_us());
	db_reset(st);
	return 0;
}

/* The sender, or staff of the responsible unit. */
static bool may_see(const struct principal *who, const json_t *f)
{
	const char *unit = json_string_value(json_object_get(f, "unit")), *sender = json_string_value(json_object_get(f, "sender"));
	return (who->role == ROLE_CITIZEN && !strcmp(who->citizen_id, sender)) || ((who->role & ROLE_STAFF) && !strcmp(who->unit, unit));
}

int feedback_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, json_t **out, struct err *e)
{
	(void)d;
	if (load_one(db, id, out, e))
		return -1;
	if (may_see(who, *out))
		return 0;
	json_decref(*out);
	*out = NULL;
	return err_set(e, 403, "forbidden", "feedback %s is for its sender and the responsible unit", "phản ánh %s chỉ dành cho người gửi và đơn vị", id);
}

static int list(struct db_stmt *st, json_t **out, struct err *e)
{
	json_t *items = json_array();
	int64_t now = clock_now_us();
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, feedback_json(st, now));
	if (rc != DB_DONE) {
		json_decref(items);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:o}", "feedback", items);
	return 0;
}

int feedback_list_mine(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	(void)d;
	struct db_stmt *st = db_prepare(db, "SELECT " FEEDBACK_COLS " FROM feedback WHERE citizen_id = ? ORDER BY created_at DESC LIMIT 200");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	return list(st, out, e);
}

int feedback_desk(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	(void)d;
	struct db_stmt *st = db_prepare(db, "SELECT " FEEDBACK_COLS " FROM feedback WHERE unit = ? AND answered_at IS NULL "
					    "ORDER BY due_at LIMIT 500");
	if (!st || db_bind(st, "t", who->unit))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	return list(st, out, e);
}

/* Ends a change begun with db_begin: step is -1 (failed), 1 (the row was not in the state the
 * change needs) or 0; audited and committed. Returns 0, 1 or -1 (e). */
static int finish_change(struct db *db, int step, const struct principal *who, const char *action, const char *id, struct err *e)
{
	int rc = step ? step : audit_append(db, who->username, action, id, "{}") || db_commit(db) ? -1 : 0;
	if (rc)
		db_rollback(db);
	return rc < 0 ? err_set(e, 500, "db_error", "the change was not saved", "chưa lưu được thay đổi") : rc;
}

static int stepped(struct db *db, struct db_stmt *st, int bound)
{
	return !st || bound || db_step(st) != DB_DONE ? -1 : db_changes(db) == 1 ? 0 : 1;
}

int feedback_answer(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, const json_t *body,
		    json_t **out, struct err *e)
{
	const char *text;
	json_t *f;
	if (json_get_str(body, "text", true, (size_t)limit(d, "text_max", 4000), &text, e) || load_one(db, id, &f, e))
		return -1;
	bool staff = (who->role & ROLE_STAFF) && !strcmp(who->unit, json_string_value(json_object_get(f, "unit")));
	bool open = json_is_null(json_object_get(f, "answered_at"));
	json_decref(f);
	if (!staff)
		return err_set(e, 403, "forbidden", "only the responsible unit's staff answer", "chỉ cán bộ đơn vị có trách nhiệm được trả lời");
	if (!text[0])
		return err_set(e, 422, "missing_field", "the answer cannot be empty", "câu trả lời không được để trống");
	int rc = 1;
	char *sealed = seal_text("feedback.answer", id, text);
	if (open && sealed && !db_begin(db)) {
		struct db_stmt *st = db_prepare(db, "UPDATE feedback SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ? AND "
						    "answered_at IS NULL");
		rc = finish_change(db, stepped(db, st, st ? db_bind(st, "ttit", sealed, who->username, clock_now_us(), id) : 0), who,
				   "feedback.answer", id, e);
	} else if (open)
		rc = err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	free(sealed);
	if (rc > 0)
		return err_set(e, 409, "already_answered", "feedback %s has been answered", "phản ánh %s đã được trả lời", id);
	return rc ? -1 : feedback_get(d, db, who, id, out, e);
}

int feedback_rate(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, const json_t *body,
		  json_t **out, struct err *e)
{
	bool satisfied;
	json_t *f;
	if (json_get_bool(body, "satisfied", true, &satisfied, e) || load_one(db, id, &f, e))
		return -1;
	bool mine = who->role == ROLE_CITIZEN && !strcmp(who->citizen_id, json_string_value(json_object_get(f, "sender")));
	bool answered = !json_is_null(json_object_get(f, "answered_at"));
	json_decref(f);
	if (!mine)
		return err_set(e, 403, "forbidden", "only the sender says whether the answer satisfies", "chỉ người gửi đánh giá câu trả lời");
	if (!answered)
		return err_set(e, 409, "not_answered", "feedback %s has no answer yet", "phản ánh %s chưa được trả lời", id);
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	struct db_stmt *st = db_prepare(db, "UPDATE feedback SET satisfied = ?, rated_at = ? WHERE id = ? AND satisfied IS NULL");
	int rc = finish_change(db, stepped(db, st, st ? db_bind(st, "iit", (int64_t)satisfied, clock_now_us(), id) : 0), who,
			       "feedback.rate", id, e);
	if (rc > 0)
		return err_set(e, 409, "already_rated", "feedback %s has been rated", "phản ánh %s đã được đánh giá", id);
	return rc ? -1 : feedback_get(d, db, who, id, out, e);
}
