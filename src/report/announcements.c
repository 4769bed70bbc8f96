/* announcements.c — the province's decisions announcing procedures (công bố thủ tục hành chính)
 * and when each was published in the national procedure database. The staff of a province (or
 * an admin) record them; anyone may read them (transparency). The index's T1 and T2 count them:
 * on time by the working-day rules in data/indicators/766.json ("announcement"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "report/report.h"

#define DECISION_MAX 120
#define LIST_MAX 200

static int rule(const struct dossiers *d, const char *key)
{
	json_int_t n = json_integer_value(json_object_get(json_object_get(d->indicators, "announcement"), key));
	return n > 0 && n < 100 ? (int)n : 5;
}

static long jd_of(const char *day)
{
	long jd = 0;
	return day && !cal_parse_date(day, &jd) ? jd : -1;
}

void announcement_judge(const struct dossiers *d, struct announcement *a)
{
	long signed_on = jd_of(a->signed_on), effective = jd_of(a->effective_on), published = jd_of(a->published_on);
	a->on_time = signed_on > 0 && effective > 0 &&
		     cal_add_working_days(d->calendar, signed_on, rule(d, "before_effective_working_days")) <= effective;
	a->published_on_time = signed_on > 0 && published >= signed_on &&
			       published <= cal_add_working_days(d->calendar, signed_on, rule(d, "publish_within_working_days"));
}

int announcements_each(const struct dossiers *d, struct db *db, const char *first_day, const char *last_day,
		       int (*visit)(const struct announcement *a, void *arg), void *arg)
{
	struct db_stmt *st = db_prepare(db, "SELECT procedure_code, unit, signed_on, effective_on, published_on FROM "
					    "procedure_announcements WHERE signed_on >= ? AND signed_on <= ? ORDER BY signed_on, id");
	if (!st || db_bind(st, "tt", first_day, last_day))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct announcement a = {0};
		snprintf(a.procedure, sizeof a.procedure, "%s", db_col_text(st, 0));
		snprintf(a.unit, sizeof a.unit, "%s", db_col_text(st, 1));
		snprintf(a.signed_on, sizeof a.signed_on, "%s", db_col_text(st, 2));
		snprintf(a.effective_on, sizeof a.effective_on, "%s", db_col_text(st, 3));
		snprintf(a.published_on, sizeof a.published_on, "%s", db_col_text(st, 4));
		announcement_judge(d, &a);
		if (visit(&a, arg)) {
			db_reset(st);
			return -1;
		}
	}
	return rc == DB_DONE ? 0 : -1;
}

/* ---- the register ---- */

/* Staff of a province, or an admin: the province announces procedures. */
static int may_record(const struct dossiers *d, const struct principal *who, struct err *e)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	const struct unit *u = units_find(d->registry->units, who->unit, today);
	if (who->role == ROLE_ADMIN || ((who->role & (ROLE_OFFICER | ROLE_LEADER)) && u && u->level == UNIT_PROVINCE))
		return 0;
	return err_set(e, 403, "forbidden", "the staff of a province record its announcements of procedures",
		       "cán bộ cấp tỉnh mới ghi nhận quyết định công bố thủ tục");
}

static int date_field(const json_t *body, const char *key, bool required, const char **out, struct err *e)
{
	if (json_get_str(body, key, required, 10, out, e))
		return -1;
	if (*out && (!clock_valid_date(*out) || jd_of(*out) < 0))
		return err_set(e, 422, "invalid_field", "%s must be a date, YYYY-MM-DD", "%s phải là ngày dạng YYYY-MM-DD", key);
	return 0;
}

static json_t *announcement_json(const struct dossiers *d, struct db_stmt *st)
{
	struct announcement a = {0};
	snprintf(a.signed_on, sizeof a.signed_on, "%s", db_col_text(st, 3));
	snprintf(a.effective_on, sizeof a.effective_on, "%s", db_col_text(st, 4));
	snprintf(a.published_on, sizeof a.published_on, "%s", db_col_text(st, 5));
	announcement_judge(d, &a);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:o}", "id", db_col_text(st, 0), "unit", db_col_text(st, 1), "decision",
			 db_col_text(st, 2), "signed_on", a.signed_on, "effective_on", a.effective_on, "published_on",
			 a.published_on[0] ? json_string(a.published_on) : json_null(), "announced_on_time", a.on_time,
			 "published_on_time", a.published_on[0] ? json_boolean(a.published_on_time) : json_null());
}

static int load(const struct dossiers *d, struct db *db, const char *code, const char *id, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, unit, decision, signed_on, effective_on, published_on FROM procedure_announcements "
					    "WHERE id = ? AND procedure_code = ?");
	if (!st || db_bind(st, "tt", id, code))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (db_step(st) != DB_ROW)
		return err_set(e, 404, "announcement_not_found", "no announcement %s of procedure %s", "không có quyết định công bố %s của thủ tục %s",
			       id, code);
	*out = announcement_json(d, st);
	db_reset(st);
	return 0;
}

int report_announce(const struct dossiers *d, struct db *db, const struct principal *who, const char *code, const json_t *body,
		    json_t **out, struct err *e)
{
	const char *decision = NULL, *signed_on = NULL, *effective_on = NULL, *published_on = NULL;
	char today[11], id[33];
	clock_today_vn(today, sizeof today);
	if (may_record(d, who, e))
		return -1;
	if (!catalog_procedure(d->registry->catalog, code))
		return err_set(e, 404, "procedure_not_found", "no procedure %s", "không có thủ tục %s", code);
	if (json_get_str(body, "decision", true, DECISION_MAX, &decision, e) || date_field(body, "signed_on", true, &signed_on, e) ||
	    date_field(body, "effective_on", true, &effective_on, e) || date_field(body, "published_on", false, &published_on, e))
		return -1;
	if (strcmp(signed_on, today) > 0 || (published_on && strcmp(published_on, today) > 0))
		return err_set(e, 422, "invalid_field", "a decision is recorded once signed (and published), not before",
			       "chỉ ghi nhận quyết định đã ký (và đã công khai)");
	if (published_on && strcmp(published_on, signed_on) < 0)
		return err_set(e, 422, "invalid_field", "published_on cannot come before signed_on", "ngày công khai không thể trước ngày ký");
	crypto_random_hex(id, 16);
	const char *unit = who->role == ROLE_ADMIN ? json_string_value(json_object_get(body, "unit")) : who->unit;
	if (!unit || !units_valid_code(unit) || !units_find(d->registry->units, unit, signed_on))
		return err_set(e, 422, "invalid_unit", "say which province announced it (\"unit\")", "hãy nêu tỉnh công bố (\"unit\")");
	int rc = db_begin(db) ? -1 : 0;
	if (!rc) {
		struct db_stmt *st = db_prepare(db, "INSERT INTO procedure_announcements (id, procedure_code, unit, decision, signed_on, "
						    "effective_on, published_on, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
		rc = !st || db_bind(st, "tttttttti", id, code, unit, decision, signed_on, effective_on, published_on, who->username,
				    clock_now_us()) || db_step(st) != DB_DONE ||
		     audit_append(db, who->username, "procedure.announce", code, "{}") || db_commit(db);
		if (rc)
			db_rollback(db);
	}
	if (rc)
		return err_set(e, 500, "db_error", "the announcement was not recorded", "chưa ghi nhận được quyết định công bố");
	return load(d, db, code, id, out, e);
}

int report_announce_published(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
			      const char *id, const json_t *body, json_t **out, struct err *e)
{
	const char *published_on = NULL;
	json_t *was = NULL;
	char today[11];
	clock_today_vn(today, sizeof today);
	if (may_record(d, who, e) || date_field(body, "published_on", true, &published_on, e) || load(d, db, code, id, &was, e))
		return -1;
	const char *signed_on = json_string_value(json_object_get(was, "signed_on"));
	int rc = 0;
	if (!json_is_null(json_object_get(was, "published_on")))
		rc = err_set(e, 409, "already_published", "announcement %s was recorded as published already", "quyết định %s đã được ghi nhận công khai",
			     id);
	else if (strcmp(published_on, today) > 0 || strcmp(published_on, signed_on) < 0)
		rc = err_set(e, 422, "invalid_field", "published_on lies between the signing and today",
			     "ngày công khai phải từ ngày ký đến hôm nay");
	json_decref(was);
	if (rc)
		return -1;
	rc = db_begin(db) ? -1 : 0;
	if (!rc) {
		rc = db_run(db, "UPDATE procedure_announcements SET published_on = ? WHERE id = ? AND published_on IS NULL", "tt", published_on,
			    id) != DB_DONE ||
		     audit_append(db, who->username, "procedure.announcement.published", id, "{}") || db_commit(db);
		if (rc)
			db_rollback(db);
	}
	if (rc)
		return err_set(e, 500, "db_error", "the publication was not recorded", "chưa ghi nhận được ngày công khai");
	return load(d, db, code, id, out, e);
}

int report_announcements(const struct dossiers *d, struct db *db, const char *code, json_t **out, struct err *e)
{
	if (!catalog_procedure(d->registry->catalog, code))
		return err_set(e, 404, "procedure_not_found", "no procedure %s", "không có thủ tục %s", code);
	struct db_stmt *st = db_prepare(db, "SELECT id, unit, decision, signed_on, effective_on, published_on FROM procedure_announcements "
					    "WHERE procedure_code = ? ORDER BY signed_on DESC, id LIMIT 200");
	if (!st || db_bind(st, "t", code))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	while (db_step(st) == DB_ROW && json_array_size(list) < LIST_MAX)
		json_array_append_new(list, announcement_json(d, st));
	db_reset(st);
	*out = json_pack("{s:s,s:o,s:O}", "procedure", code, "announcements", list, "rules", json_object_get(d->indicators, "announcement"));
	return 0;
}
