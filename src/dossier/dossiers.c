/* dossiers.c — submitting a dossier, reading it, moving it through the legal statuses with the
 * working-day clock, and the lists: the applicant's, the desk's and the public lookup. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "bundle/bundle.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/utf8.h"
#include "db/batch.h"
#include "dossier/dossier.h"
#include "registry/record.h"
#include "report/facts.h"
#include "security/seal.h"
#include "store/store.h"

#define NOTE_MAX 2000
#define DUE_SOON_US (24LL * 3600 * 1000000)
#define ANSWER_MAX ((size_t)1 << 20) /* an answer's JSON text at most */

static const struct {
	const char *name;
	int code; /* the National Public Service Portal's channel code */
} channels[] = {{"direct", 1}, {"online", 2}, {"postal", 3}};

static int channel_code(const char *name)
{
	for (size_t i = 0; i < sizeof channels / sizeof *channels; i++)
		if (!strcmp(channels[i].name, name))
			return channels[i].code;
	return 0;
}

static const char *channel_name(int code)
{
	for (size_t i = 0; i < sizeof channels / sizeof *channels; i++)
		if (channels[i].code == code)
			return channels[i].name;
	return "?";
}

/* Today's unit for an address recorded on an older map: its first successor. */
static const struct unit *today_unit(const struct units *u, const char *code, const char *recorded_on, const char *today)
{
	const struct unit *x = units_find(u, code, recorded_on);
	for (int i = 0; x && i < 4 && units_find(u, x->code, today) != x; i++) {
		const struct unit_link *next[4];
		x = units_successors(u, x, next, 4) ? units_find(u, next[0]->new_code, next[0]->effective) : NULL;
	}
	return x;
}

/* The unit that handles the dossier: the one asked for, else the applicant's commune (or its
 * province for a province-level procedure), on today's map. */
static int handling_unit(const struct dossiers *d, const json_t *p, const json_t *doc, const char *asked, char unit[8],
			 struct err *e)
{
	const struct units *u = d->registry->units;
	char today[11];
	clock_today_vn(today, sizeof today);
	bool province = !strcmp(json_string_value(json_object_get(p, "level")), "province");
	const struct unit *x = NULL;
	if (asked)
		x = units_valid_code(asked) ? units_find(u, asked, today) : NULL;
	else {
		struct stored a;
		char code[8], on[11];
		if (record_get(doc, "permanent_address", &a)) {
			attr_address_unit(a.value, a.updated_at, code, on);
			x = today_unit(u, code, on, today);
		}
		if (x && province && x->level != UNIT_PROVINCE)
			x = units_parent(u, x);
	}
	if (!x)
		return err_set(e, 422, "invalid_unit", asked ? "unit %s is not a unit on today's map" : "%s",
			       asked ? "%s không phải đơn vị hành chính hiện hành" : "%s",
			       asked ? asked : "the applicant has no permanent address: say which unit handles it (\"unit\")");
	if ((x->level == UNIT_PROVINCE) != province)
		return err_set(e, 422, "invalid_unit", "this procedure is handled by a %s, and %s is not one",
			       "thủ tục này do cấp %s giải quyết, %s không thuộc cấp đó", province ? "province" : "commune", x->code);
	snprintf(unit, 8, "%s", x->code);
	return 0;
}

/* The next code of unit for today: {unit}-{YYMMDD}-{NNNN}, gap-free inside the transaction (the
 * day's counter is created or advanced, which locks it, then read: RETURNING would cost SQLite a
 * temporary table each time). */
static int next_code(struct db *db, const char *unit, char *out, size_t n)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	if (db_run(db, "INSERT INTO dossier_seq (unit, day, last) VALUES (?, ?, 1) ON CONFLICT (unit, day) "
		       "DO UPDATE SET last = dossier_seq.last + 1", "tt", unit, today) != DB_DONE)
		return -1;
	struct db_stmt *st = db_prepare(db, "SELECT last FROM dossier_seq WHERE unit = ? AND day = ?");
	if (!st || db_bind(st, "tt", unit, today) || db_step(st) != DB_ROW)
		return -1;
	long long seq = db_col_int(st, 0);
	db_reset(st);
	snprintf(out, n, "%s-%.2s%.2s%.2s-%04lld", unit, today + 2, today + 5, today + 8, seq);
	return 0;
}

/* Who submits for whom: a citizen for themself online; staff at the desk for a walk-in. */
static int applicant_of(const struct principal *who, const json_t *body, const char **id, const char **channel,
			struct err *e)
{
	const char *asked;
	if (json_get_str(body, "applicant", false, 16, &asked, e) || json_get_str(body, "channel", false, 16, channel, e))
		return -1;
	if (who->role == ROLE_CITIZEN) {
		if (asked && strcmp(asked, who->citizen_id))
			return err_set(e, 403, "forbidden", "a citizen applies for themself", "công dân chỉ nộp hồ sơ cho chính mình");
		*id = who->citizen_id;
		if (!*channel)
			*channel = "online";
	} else {
		if (!asked)
			return err_set(e, 422, "missing_field", "say whose dossier this is: \"applicant\" (personal ID)",
				       "cần \"applicant\" (số định danh người nộp)");
		*id = asked;
		if (!*channel)
			*channel = "direct";
	}
	if (!channel_code(*channel))
		return err_set(e, 422, "invalid_field", "channel must be online, direct or postal",
			       "channel phải là online, direct hoặc postal");
	return 0;
}

/* A living applicant of the registry: 422 unknown_applicant or applicant_deceased otherwise. */
static int applicant_record(struct db *db, const char *applicant, const json_t **doc, struct err *e)
{
	if (citizen_id_check(applicant, NULL, NULL, NULL, e))
		return -1;
	if (citizen_read(db, applicant, doc, e))
		return e->status == 404 ? err_set(e, 422, "unknown_applicant", "no citizen with ID %s", "không có công dân mang số định danh %s",
						  applicant)
					: -1;
	struct stored s;
	if (!record_get(*doc, "status", &s) || !json_is_string(s.value) || strcmp(json_string_value(s.value), "deceased"))
		return 0;
	json_decref((json_t *)*doc);
	*doc = NULL;
	return err_set(e, 422, "applicant_deceased",
		       "the registry records %s as deceased: a dossier cannot be filed in their name (relatives apply as themselves)",
		       "cơ sở dữ liệu ghi nhận %s đã mất: không thể nộp hồ sơ đứng tên người đã mất (thân nhân nộp với tư cách của mình)",
		       applicant);
}

int dossier_prepare(const struct dossiers *d, struct db *db, const char *pcode, const char *applicant, const json_t *fields,
		    const char *asked_unit, char unit[8], json_t **form, json_t **problems, struct err *e)
{
	*form = NULL;
	if (fields && !json_is_object(fields))
		return err_set(e, 422, "invalid_field", "fields must be an object", "fields phải là một đối tượng");
	const struct procedure_def *p = catalog_procedure_def(d->registry->catalog, pcode);
	if (!p)
		return err_set(e, 422, "unknown_procedure", "no procedure with code %s", "không có thủ tục mã %s", pcode);
	const json_t *doc;
	if (applicant_record(db, applicant, &doc, e))
		return -1;
	json_t *empty = json_object();
	int rc = handling_unit(d, p->doc, doc, asked_unit, unit, e);
	if (!rc)
		rc = form_check(d->registry, p, doc, applicant, fields ? fields : empty, form, problems, e);
	json_decref((json_t *)doc);
	json_decref(empty);
	return rc ? -1 : 0;
}

int dossier_insert(const struct dossiers *d, struct db *db, const struct dossier_new *n, char *code, size_t len, int64_t now,
		   struct fact *defer)
{
	char *fields = NULL;
	int rc = !n->form || next_code(db, n->unit, code, len) || !(fields = seal_text("dossiers.fields", code, n->form)) ||
		 db_run(db, "INSERT INTO dossiers (code, procedure_code, unit, agency, applicant_id, submitted_by, channel, status, "
			    "fields, received_at, supplements, rev, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 0, 1, ?)",
			"ttttttitii", code, n->procedure, n->unit, n->agency, n->applicant, n->actor, (int64_t)n->channel, fields, now,
			now) != DB_DONE ||
		 dossier_event_add(db, code, n->actor, 0, 1, "", now) || facts_count_new(d, db, n, code, now, defer) ||
		 audit_append(db, n->actor, "dossier.submit", code, "{}");
	free(fields);
	return rc ? -1 : 0;
}

int dossier_mark_changed(struct db *db, const char *code)
{
	return db_run(db, "INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT (code) DO NOTHING", "t", code) == DB_DONE ? 0 : -1;
}

struct submission;
static struct submission *submission_new(const struct dossiers *d, const struct principal *who, const char *procedure,
					 const char *unit, const char *agency, const char *applicant, int channel, const json_t *form);
static int submission_write(const struct dossiers *d, struct db *db, struct submission *s, const struct usage_wait *w,
			    json_t **out, struct err *e);

int dossier_submit(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body,
		   const struct usage_wait *w, json_t **out, json_t **problems, struct err *e)
{
	const char *pcode = NULL, *applicant = NULL, *channel = NULL, *asked_unit = NULL;
	json_t *fields = json_object_get(body, "fields");
	*problems = NULL;
	if (json_get_str(body, "procedure", true, 32, &pcode, e) || json_get_str(body, "unit", false, 8, &asked_unit, e) ||
	    applicant_of(who, body, &applicant, &channel, e))
		return -1;
	if (fields && !json_is_object(fields))
		return err_set(e, 422, "invalid_field", "fields must be an object", "fields phải là một đối tượng");
	char unit[8];
	json_t *form = NULL;
	if (dossier_prepare(d, db, pcode, applicant, fields, asked_unit ? asked_unit : (who->role & ROLE_STAFF ? who->unit : NULL),
			    unit, &form, problems, e))
		return -1;
	const json_t *p = catalog_procedure(d->registry->catalog, pcode);
	struct submission *job = submission_new(d, who, pcode, unit, json_string_value(json_object_get(p, "agency")), applicant,
						channel_code(channel), form);
	json_decref(form);
	if (!job)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	return submission_write(d, db, job, w, out, e);
}

int dossier_load(struct db *db, const char *code, struct dossier_row *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	struct db_stmt *st = db_prepare(db, "SELECT code, procedure_code, unit, agency, applicant_id, status, channel, supplements, "
					    "received_at, accepted_at, due_at, paused_at, finished_at, returned_at, rev, fields, apology, "
					    "paid_at FROM dossiers WHERE code = ?");
	if (!st || db_bind(st, "t", code))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	enum db_rc rc = db_step(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? err_set(e, 404, "dossier_not_found", "no dossier %s", "không có hồ sơ %s", code)
				     : err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	utf8_copy(r->code, sizeof r->code, db_col_text(st, 0));
	utf8_copy(r->procedure, sizeof r->procedure, db_col_text(st, 1));
	utf8_copy(r->unit, sizeof r->unit, db_col_text(st, 2));
	utf8_copy(r->agency, sizeof r->agency, db_col_text(st, 3));
	utf8_copy(r->applicant, sizeof r->applicant, db_col_text(st, 4));
	r->status = (int)db_col_int(st, 5);
	r->channel = (int)db_col_int(st, 6);
	r->supplements = (int)db_col_int(st, 7);
	r->received_at = db_col_int(st, 8);
	int64_t *times[] = {&r->accepted_at, &r->due_at, &r->paused_at, &r->finished_at, &r->returned_at};
	bool *has[] = {&r->has_accepted, &r->has_due, &r->has_paused, &r->has_finished, &r->has_returned};
	for (int i = 0; i < 5; i++) {
		*has[i] = !db_col_null(st, 9 + i);
		*times[i] = db_col_int(st, 9 + i);
	}
	r->rev = db_col_int(st, 14);
	r->fields = unseal_json("dossiers.fields", r->code, db_col_text(st, 15));
	r->apology = db_col_null(st, 16) ? NULL : unseal_json("dossiers.apology", r->code, db_col_text(st, 16));
	r->has_paid = !db_col_null(st, 17);
	r->paid_at = db_col_int(st, 17);
	db_reset(st);
	return 0;
}

void dossier_row_release(struct dossier_row *r)
{
	json_decref(r->fields);
	json_decref(r->apology);
}

/* Staff of the handling unit: its officers of the procedure's agency, and its leaders. */
bool dossier_desk_of(const struct principal *who, const char *unit, const char *agency)
{
	return (who->role & ROLE_STAFF) && !strcmp(who->unit, unit) && (who->role == ROLE_LEADER || !strcmp(who->agency, agency));
}

bool dossier_applicant_is(const struct principal *who, const char *applicant)
{
	return who->role == ROLE_CITIZEN && !strcmp(who->citizen_id, applicant);
}

static bool handles(const struct principal *who, const struct dossier_row *r)
{
	return dossier_desk_of(who, r->unit, r->agency);
}

static bool is_applicant(const struct principal *who, const struct dossier_row *r)
{
	return dossier_applicant_is(who, r->applicant);
}

static json_t *timeline(struct db *db, const struct dossiers *d, const char *code)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT at, actor, from_status, to_status, note FROM dossier_events WHERE code = ? "
					    "ORDER BY seq");
	if (!st || db_bind(st, "t", code))
		return list;
	while (db_step(st) == DB_ROW) {
		int to = (int)db_col_int(st, 3);
		char *note = unseal_col(st, 4, "dossier_events.note", code);
		json_array_append_new(list, json_pack("{s:o,s:s,s:I,s:i,s:s,s:s?}", "at", json_time(db_col_int(st, 0), true), "by",
						      db_col_text(st, 1), "from", (json_int_t)db_col_int(st, 2), "to", to,
						      "status_name", workflow_status_name(d->workflow, to, "vi"), "note", note));
		free(note);
	}
	return list;
}

static json_t *rating(struct db *db, const char *code)
{
	struct db_stmt *st = db_prepare(db, "SELECT score, comment, at FROM ratings WHERE code = ?");
	if (!st || db_bind(st, "t", code) || db_step(st) != DB_ROW)
		return json_null();
	char *comment = unseal_col(st, 1, "ratings.comment", code);
	json_t *o = json_pack("{s:I,s:s?,s:o}", "score", (json_int_t)db_col_int(st, 0), "comment", comment, "at",
			      json_time(db_col_int(st, 2), true));
	free(comment);
	db_reset(st);
	return o;
}

static bool is_open(const struct dossiers *d, int status)
{
	return !workflow_is_final(d->workflow, status) && status != 9;
}

/* A time as JSON: its ISO 8601 text, or null when absent. */
static int time_write(struct buf *b, int64_t us, bool present)
{
	char s[40];
	if (!present)
		return buf_adds(b, "null");
	clock_iso(us, s, sizeof s);
	return buf_addf(b, "\"%s\"", s);
}

/* What every answer about a dossier starts with (code, procedure, unit, status, received, due,
 * overdue: no personal data, the public lookup shows just this), written into b as an object
 * left open for the answer's own members. */
static int summary_write(struct buf *b, const struct dossiers *d, const struct dossier_row *r, int64_t now)
{
	const json_t *p = catalog_procedure(d->registry->catalog, r->procedure);
	const json_t *name = p ? json_object_get(p, "name") : NULL;
	bool overdue = is_open(d, r->status) && r->has_due && !r->has_paused && now > r->due_at;
	return buf_adds(b, "{\"code\":") || jw_str(b, r->code) || buf_adds(b, ",\"procedure\":{\"code\":") ||
	       jw_str(b, r->procedure) || buf_adds(b, ",\"name\":") || jw_value(b, name ? name : json_null()) ||
	       buf_adds(b, "},\"unit\":") || jw_str(b, r->unit) ||
	       buf_addf(b, ",\"status\":%d,\"status_name\":{\"vi\":", r->status) ||
	       jw_str(b, workflow_status_name(d->workflow, r->status, "vi")) || buf_adds(b, ",\"en\":") ||
	       jw_str(b, workflow_status_name(d->workflow, r->status, "en")) || buf_adds(b, "},\"received_at\":") ||
	       time_write(b, r->received_at, true) || buf_adds(b, ",\"due_at\":") ||
	       time_write(b, r->due_at, r->has_due) || buf_addf(b, ",\"overdue\":%s", overdue ? "true" : "false");
}

/* The members of o (a non-empty object) added to the open object in b, which they close: o as
 * written, its opening brace turned into a comma. */
static int members_close(struct buf *b, const json_t *o)
{
	size_t start = b->len;
	if (jw_value(b, o))
		return -1;
	b->data[start] = ',';
	return 0;
}

/* The answer written into b, handed to *out; or, when writing it failed, b released and 500. */
static int answer_text(struct buf *b, int failed, char **out, struct err *e)
{
	if (failed) {
		buf_release(b);
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	}
	*out = b->data;
	return 0;
}

/* The dossier in full, for its applicant and its handling unit: the summary, then the rest. */
static int render_full(const struct dossiers *d, struct db *db, const struct dossier_row *r, char **out, struct err *e)
{
	json_t *o = json_pack(
	    "{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:b,s:o,s:o,s:o}", "agency", r->agency, "applicant", r->applicant,
	    "channel", channel_name(r->channel), "accepted_at", json_time(r->accepted_at, r->has_accepted), "paused_at",
	    json_time(r->paused_at, r->has_paused), "finished_at", json_time(r->finished_at, r->has_finished),
	    "returned_at", json_time(r->returned_at, r->has_returned), "supplements", (json_int_t)r->supplements,
	    "late", r->has_finished && r->has_due && r->finished_at > r->due_at, "apology",
	    r->apology ? json_incref(r->apology) : json_null(), "fields",
	    r->fields ? json_incref(r->fields) : json_object(), "paid_at", json_time(r->paid_at, r->has_paid));
	json_object_set_new(o, "documents", document_list(db, r->code));
	json_object_set_new(o, "rating", rating(db, r->code));
	json_object_set_new(o, "timeline", timeline(db, d, r->code));
	json_object_set_new(o, "fetched", dossier_fetched_list(db, r->code));
	json_object_set_new(o, "portal", outbox_list(db, r->code));
	json_object_set_new(o, "process", steps_render(d, db, r));
	json_object_set_new(o, "bundle", bundle_of(db, r->code));
	struct buf b;
	buf_init(&b, ANSWER_MAX);
	int failed = !o || summary_write(&b, d, r, clock_now_us()) || members_close(&b, o);
	json_decref(o);
	return answer_text(&b, failed, out, e);
}

int dossier_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		const struct usage_wait *w, char **out, struct err *e)
{
	struct dossier_row r;
	if (dossier_load(db, code, &r, e))
		return -1;
	int rc = 0;
	if (!is_applicant(who, &r) && !handles(who, &r))
		rc = err_set(e, 403, "forbidden", "dossier %s belongs to another applicant and another desk",
			     "hồ sơ %s thuộc người nộp khác và bộ phận khác", code);
	else if (!is_applicant(who, &r)) { /* staff see the applicant's data: that is a use of it */
		json_t *names = json_pack("[s]", "dossier");
		struct usage_entry ux = {r.applicant, who->username, who->unit, "read_dossier", code, names};
		rc = usage_record(d->registry, db, &ux, true, w);
		json_decref(names);
		if (rc < 0)
			err_set(e, 503, "usage_log_unavailable", "the read could not be logged, so no data is shown; try again",
				"không ghi được nhật ký sử dụng nên không hiển thị dữ liệu; hãy thử lại");
	}
	if (rc >= 0 && render_full(d, db, &r, out, e))
		rc = -1;
	dossier_row_release(&r);
	return rc;
}

/* What a transition does to the clock. Returns 0, or -1 with e. */
static int clock_effects(const struct dossiers *d, struct db *d_db, struct dossier_row *r, const struct transition *t,
			 const json_t *body, int64_t now, struct err *e)
{
	const json_t *p = catalog_procedure(d->registry->catalog, r->procedure);
	const char *cut = json_string_value(json_object_get(p, "cutoff"));
	int cutoff = cut && strlen(cut) == 5 ? ((cut[0] - '0') * 10 + cut[1] - '0') * 60 + (cut[3] - '0') * 10 + cut[4] - '0'
					     : CAL_CUTOFF_DEFAULT;
	int64_t start;
	if (t->to == 2) { /* accepting needs the required documents, and fixes the due time */
		json_t *missing = document_missing(d, d_db, r->code, r->procedure);
		size_t n = json_array_size(missing);
		char *names = n ? json_to_str(missing) : NULL;
		json_decref(missing);
		if (n) {
			err_set(e, 409, "documents_missing", "dossier %s lacks required documents: %s", "hồ sơ %s thiếu giấy tờ bắt buộc: %s",
				r->code, names ? names : "?");
			free(names);
			return -1;
		}
		r->accepted_at = now;
		r->has_accepted = r->has_due = true;
		if (cal_due(d->calendar, now, (int)json_integer_value(json_object_get(p, "processing_days")), cutoff, &start, &r->due_at))
			return err_set(e, 500, "clock_failed", "the due time cannot be computed", "không tính được hạn giải quyết");
	} else if (t->to == 5) { /* a supplement pauses the clock */
		r->paused_at = now;
		r->has_paused = true;
		r->supplements++;
	} else if (t->resumes && r->has_paused && r->has_due) { /* resumes with the remaining days */
		if (cal_resume(d->calendar, r->paused_at, r->due_at, now, &r->due_at))
			return err_set(e, 500, "clock_failed", "the due time cannot be computed", "không tính được hạn giải quyết");
		r->has_paused = false;
	} else if (t->to == 9) {
		r->finished_at = now;
		r->has_finished = true;
		const json_t *apology = json_object_get(body, "apology");
		if (r->has_due && now > r->due_at) { /* late: an apology with a new appointment */
			const char *reason = json_string_value(json_object_get(apology, "reason"));
			const char *when = json_string_value(json_object_get(apology, "new_appointment"));
			if (!reason || !reason[0] || strlen(reason) > NOTE_MAX || !when || !clock_valid_date(when))
				return err_set(e, 409, "apology_required",
					       "dossier %s is past its due time: finishing it needs an apology with the reason and a new "
					       "appointment date (apology.reason, apology.new_appointment YYYY-MM-DD)",
					       "hồ sơ %s đã quá hạn: cần phiếu xin lỗi ghi lý do và ngày hẹn trả kết quả mới", r->code);
			json_decref(r->apology);
			r->apology = json_pack("{s:s,s:s}", "reason", reason, "new_appointment", when);
		}
	} else if (t->to == 10) {
		r->returned_at = now;
		r->has_returned = true;
	}
	return 0;
}

/* 409 with the reason: the move exists but is the other party's, or it does not exist. */
static int refuse(const struct dossiers *d, const struct dossier_row *r, int to, const char *by, struct err *e)
{
	const struct workflow *w = d->workflow;
	bool exists = workflow_allows_any(w, r->status, to);
	err_set(e, 409, exists ? "not_yours" : "invalid_transition",
		exists ? "dossier %s: moving from %d (%s) to %d (%s) is not the %s's to do"
		       : "dossier %s: status %d (%s) cannot move to %d (%s)",
		"%s%d%s%d%s%s", r->code, r->status, workflow_status_name(w, r->status, "en"), to,
		workflow_status_name(w, to, "en"), by);
	snprintf(e->msg_vi, sizeof e->msg_vi,
		 exists ? "hồ sơ %s: chuyển từ %d (%s) sang %d (%s) không thuộc quyền của %s"
			: "hồ sơ %s: trạng thái %d (%s) không thể chuyển sang %d (%s)",
		 r->code, r->status, workflow_status_name(w, r->status, "vi"), to, workflow_status_name(w, to, "vi"),
		 !strcmp(by, "officer") ? "cán bộ" : "người nộp");
	return -1;
}

static int save(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *actor, int from,
		const char *note, int64_t now)
{
	char *apology = r->apology ? seal_json("dossiers.apology", r->code, r->apology) : NULL;
	char detail[96];
	snprintf(detail, sizeof detail, "{\"from\":%d,\"to\":%d}", from, r->status);
	int rc = db_begin(db) ? -1 : 0;
	if (!rc) {
		struct db_stmt *st = db_prepare(db, "UPDATE dossiers SET status = ?, accepted_at = ?, due_at = ?, paused_at = ?, "
						    "finished_at = ?, returned_at = ?, supplements = ?, apology = ?, rev = rev + 1, "
						    "updated_at = ? WHERE code = ? AND rev = ?");
		int64_t vals[] = {r->accepted_at, r->due_at, r->paused_at, r->finished_at, r->returned_at};
		bool has[] = {r->has_accepted, r->has_due, r->has_paused, r->has_finished, r->has_returned};
		rc = !st || db_bind(st, "i", (int64_t)r->status);
		for (int i = 0; !rc && i < 5; i++) {
			char one[2] = {has[i] ? 'i' : 'n', 0};
			rc = has[i] ? db_bind_at(st, 2 + i, one, vals[i]) : db_bind_at(st, 2 + i, one);
		}
		rc = rc || db_bind_at(st, 7, "ititi", (int64_t)r->supplements, apology, now, r->code, r->rev) ||
		     db_step(st) != DB_DONE;
		if (!rc && db_changes(db) == 0)
			rc = 1; /* changed meanwhile */
		rc = rc || steps_on_status(d, db, r, from, actor, now) || (r->status == 9 && result_issue(d, db, r, actor, now)) || bundle_on_status(d, db, r, actor, note, now) ||
		     dossier_event_add(db, r->code, actor, from, r->status, note, now) || dossier_mark_changed(db, r->code) ||
		     audit_append(db, actor, "dossier.transition", r->code, detail) || db_commit(db);
	}
	if (rc)
		db_rollback(db);
	free(apology);
	return rc;
}

int dossier_transition(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		       const json_t *body, const struct usage_wait *w, char **out, struct err *e)
{
	json_t *to_v = json_object_get(body, "to");
	const char *note;
	if (!json_is_integer(to_v) || json_integer_value(to_v) < 1 || json_integer_value(to_v) > 10)
		return err_set(e, 422, "invalid_field", "\"to\" must be a status code from 1 to 10", "\"to\" phải là mã trạng thái 1-10");
	if (json_get_str(body, "note", false, NOTE_MAX, &note, e))
		return -1;
	int to = (int)json_integer_value(to_v);
	struct dossier_row r;
	if (dossier_load(db, code, &r, e))
		return -1;
	const char *by = handles(who, &r) ? "officer" : is_applicant(who, &r) ? "applicant" : NULL;
	const struct transition *t = by ? workflow_find(d->workflow, r.status, to, by) : NULL;
	int64_t now = clock_now_us();
	int from = r.status, rc = -1;
	if (!by)
		err_set(e, 403, "forbidden", "only the handling unit's officers or the applicant may move dossier %s",
			"chỉ cán bộ đơn vị giải quyết hoặc người nộp được chuyển trạng thái hồ sơ %s", code);
	else if (!t)
		refuse(d, &r, to, by, e);
	else if (t->note_required && (!note || !note[0]))
		err_set(e, 422, "missing_field", "moving to %d (%s) needs a note saying why", "chuyển sang %d (%s) cần ghi chú lý do",
			to, workflow_status_name(d->workflow, to, "vi"));
	else if (!steps_allow(d, db, &r, to, e) && !clock_effects(d, db, &r, t, body, now, e)) {
		r.status = to;
		rc = dossier_saved(save(d, db, &r, who->username, from, note, now), code, e);
	}
	dossier_row_release(&r);
	return rc ? -1 : dossier_get(d, db, who, code, w, out, e);
}

int dossier_saved(int rc, const char *code, struct err *e)
{
	if (rc > 0)
		return err_set(e, 409, "conflict", "dossier %s changed meanwhile; reload it and try again",
			       "hồ sơ %s vừa thay đổi; hãy tải lại và thử lại", code);
	if (rc < 0)
		return err_set(e, 500, "db_error", "the change to dossier %s was not saved", "thay đổi của hồ sơ %s chưa được lưu", code);
	return 0;
}

/* The rows of st as {"count","dossiers"}: each a summary with its due_soon flag and current step. */
static int list(const struct dossiers *d, struct db *db, struct db_stmt *st, char **out, struct err *e)
{
	struct buf items;
	buf_init(&items, ANSWER_MAX);
	int64_t now = clock_now_us();
	size_t count = 0;
	enum db_rc rc = DB_DONE;
	int bad = 0;
	while (!bad && (rc = db_step(st)) == DB_ROW) {
		struct dossier_row r = {0};
		utf8_copy(r.code, sizeof r.code, db_col_text(st, 0));
		utf8_copy(r.procedure, sizeof r.procedure, db_col_text(st, 1));
		utf8_copy(r.unit, sizeof r.unit, db_col_text(st, 2));
		r.status = (int)db_col_int(st, 3);
		r.received_at = db_col_int(st, 4);
		r.has_due = !db_col_null(st, 5);
		r.due_at = db_col_int(st, 5);
		r.has_paused = !db_col_null(st, 6);
		bool due_soon = is_open(d, r.status) && r.has_due && !r.has_paused && now <= r.due_at &&
				r.due_at - now < DUE_SOON_US;
		json_t *step = step_current(d, db, r.code, r.procedure);
		bad = (count++ && buf_adds(&items, ",")) || summary_write(&items, d, &r, now) ||
		      buf_addf(&items, ",\"due_soon\":%s,\"step\":", due_soon ? "true" : "false") ||
		      jw_value(&items, step) || buf_adds(&items, "}");
		json_decref(step);
	}
	struct buf b;
	buf_init(&b, ANSWER_MAX);
	if (!bad && rc == DB_DONE)
		bad = buf_addf(&b, "{\"count\":%zu,\"dossiers\":[", count) || (items.len && buf_add(&b, items.data, items.len)) ||
		      buf_adds(&b, "]}");
	buf_release(&items);
	if (bad || rc != DB_DONE) {
		buf_release(&b);
		db_reset(st);
		return bad ? err_set(e, 500, "out_of_memory", "the list is too long to answer", "danh sách quá dài")
			   : err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = b.data;
	return 0;
}

int dossier_list_mine(const struct dossiers *d, struct db *db, const struct principal *who, char **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT code, procedure_code, unit, status, received_at, due_at, paused_at FROM dossiers "
					    "WHERE applicant_id = ? ORDER BY received_at DESC LIMIT 500");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	return list(d, db, st, out, e);
}

int dossier_desk(const struct dossiers *d, struct db *db, const struct principal *who, const char *status, char **out,
		 struct err *e)
{
	long s = 0;
	if (status) {
		char *end;
		s = strtol(status, &end, 10);
		if (*end || s < 1 || s > 10)
			return err_set(e, 400, "invalid_query", "status must be a status code from 1 to 10", "status phải là mã 1-10");
	}
	/* open dossiers (1, 2, 4, 5, 6, 9) unless a status is asked for; nearest due first */
	struct db_stmt *st = db_prepare(db, "SELECT code, procedure_code, unit, status, received_at, due_at, paused_at FROM dossiers "
					    "WHERE unit = ? AND (agency = ? OR ? = 'leader') AND (status = ? OR (? = 0 AND status IN "
					    "(1, 2, 4, 5, 6, 9))) ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, received_at "
					    "LIMIT 500");
	if (!st || db_bind(st, "tttii", who->unit, who->agency, role_name(who->role), (int64_t)s, (int64_t)s))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	return list(d, db, st, out, e);
}

int dossier_lookup(const struct dossiers *d, struct db *db, const char *code, char **out, struct err *e)
{
	struct dossier_row r;
	if (strlen(code) > 40 || dossier_load(db, code, &r, e))
		return e->status ? -1 : err_set(e, 404, "dossier_not_found", "no such dossier", "không có hồ sơ này");
	struct buf b;
	buf_init(&b, ANSWER_MAX);
	int failed = summary_write(&b, d, &r, clock_now_us()) || buf_adds(&b, "}"); /* no personal data */
	dossier_row_release(&r);
	return answer_text(&b, failed, out, e);
}

/* A submission's writes run on the group-commit writer (db/batch.c): the dossier's code is
 * taken from the unit's daily sequence inside the batch's transaction, so codes stay gap-free.
 * Once the batch is on disk the waiting connection resumes on its event thread, where
 * dossier_submitted draws the answer: the writer does nothing but write. */
struct submission {
	struct batch_job job; /* first: the batch hands this back */
	const struct dossiers *d;
	char procedure[32], unit[8], agency[24], applicant[13], actor[64], actor_unit[8], code[48];
	int channel;
	bool staff;
	char *form; /* serialised before the writer sees it: the writer only writes */
	int64_t at;
	struct usage_wait wait;
	struct deferred_kept kept; /* once durable, handed to the answer: the receipt is made from it */
	struct fact fact;          /* as filed, counted in the index by the batch's tail (counts_tail) */
};

static void submission_free(struct submission *s)
{
	free(s->form);
	free(s);
}

static struct submission *submission_of(struct deferred_kept *k)
{
	return (struct submission *)((char *)k - offsetof(struct submission, kept));
}

static void submission_release(struct deferred_kept *k)
{
	submission_free(submission_of(k));
}

static struct submission *submission_new(const struct dossiers *d, const struct principal *who, const char *procedure,
					 const char *unit, const char *agency, const char *applicant, int channel, const json_t *form)
{
	struct submission *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->d = d;
	utf8_copy(s->procedure, sizeof s->procedure, procedure);
	utf8_copy(s->unit, sizeof s->unit, unit);
	utf8_copy(s->agency, sizeof s->agency, agency ? agency : "");
	utf8_copy(s->applicant, sizeof s->applicant, applicant);
	utf8_copy(s->actor, sizeof s->actor, who->username);
	utf8_copy(s->actor_unit, sizeof s->actor_unit, who->unit);
	s->channel = channel;
	s->staff = who->role != ROLE_CITIZEN;
	s->kept.release = submission_release;
	s->form = json_to_str(form);
	if (!s->form) {
		free(s);
		return NULL;
	}
	return s;
}

static int submission_apply(struct db *db, struct batch_job *j)
{
	struct submission *s = (struct submission *)j;
	int64_t now = s->at = clock_now_us();
	json_t *names = json_pack("[s]", "dossier");
	struct usage_entry ux = {s->applicant, s->actor, s->actor_unit[0] ? s->actor_unit : NULL, "submit", s->procedure, names};
	struct dossier_new n = {s->procedure, s->unit, s->agency, s->applicant, s->actor, s->channel, s->form};
	int rc = dossier_insert(s->d, db, &n, s->code, sizeof s->code, now, &s->fact) || (s->staff && usage_insert(db, &ux, now));
	json_decref(names);
	return rc ? -1 : 0;
}

/* The batch's new dossiers counted in the index together: one write a unit, procedure and
 * half-month instead of one each (the writer's busiest statement). */
static int counts_tail(struct db *db, struct batch_job *const *jobs, size_t n)
{
	const struct fact **facts = malloc((n ? n : 1) * sizeof *facts);
	if (!facts)
		return -1;
	for (size_t i = 0; i < n; i++)
		facts[i] = &((const struct submission *)jobs[i])->fact;
	int rc = facts_count_many(db, facts, n);
	free(facts);
	return rc;
}

static void submission_done(struct batch_job *j, int rc)
{
	struct submission *s = (struct submission *)j;
	if (rc) {
		s->wait.resume(s->wait.arg, rc, s->code, NULL);
		submission_free(s);
	} else
		s->wait.resume(s->wait.arg, rc, s->code, &s->kept); /* the answer owns s now */
}

static int submission_write(const struct dossiers *d, struct db *db, struct submission *s, const struct usage_wait *w,
			    json_t **out, struct err *e)
{
	struct batch *writer = d->registry->writer;
	s->job.apply = submission_apply;
	s->job.tail = counts_tail;
	if (writer && w && w->resume) { /* the connection waits; dossier_submitted answers */
		s->job.done = submission_done;
		s->wait = *w;
		if (!batch_submit(writer, &s->job))
			return CALL_DEFERRED;
	} else if (!batch_run(writer, db, &s->job)) {
		char *text = NULL;
		int rc = dossier_submitted(d, &s->kept, &text, e);
		submission_free(s);
		*out = rc ? NULL : json_loads(text, 0, NULL);
		free(text);
		return rc;
	}
	submission_free(s);
	return dossier_submitted(d, NULL, NULL, e);
}

int dossier_submitted(const struct dossiers *d, struct deferred_kept *kept, char **out, struct err *e)
{
	if (!kept)
		return err_set(e, 500, "db_error", "the dossier was not saved; nothing was recorded, try again",
			       "hồ sơ chưa được lưu; chưa có gì được ghi nhận, hãy thử lại");
	/* the receipt: a new dossier's summary, its channel, applicant and form as stored (the
	 * submission's own text, committed; not read back nor parsed again); lists (timeline,
	 * documents …) come with GET */
	const struct submission *s = submission_of(kept);
	struct dossier_row r = {.status = 1, .channel = s->channel, .received_at = s->at};
	utf8_copy(r.code, sizeof r.code, s->code);
	utf8_copy(r.procedure, sizeof r.procedure, s->procedure);
	utf8_copy(r.unit, sizeof r.unit, s->unit);
	utf8_copy(r.applicant, sizeof r.applicant, s->applicant);
	struct buf b;
	buf_init(&b, ANSWER_MAX);
	int failed = summary_write(&b, d, &r, clock_now_us()) || buf_adds(&b, ",\"channel\":") ||
		     jw_str(&b, channel_name(r.channel)) || buf_adds(&b, ",\"applicant\":") || jw_str(&b, r.applicant) ||
		     buf_adds(&b, ",\"fields\":") || buf_adds(&b, s->form) || buf_adds(&b, "}");
	return answer_text(&b, failed, out, e);
}
