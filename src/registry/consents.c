/* consents.c — a citizen's consents: who may read which attributes, for what, until when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "registry/registry.h"

#define PURPOSE_MAX 200
#define RECIPIENT_MAX 64
#define MAX_CONSENT_DAYS 3660

/* A recipient is a staff account, another citizen's account (a family member: the other parent
 * of a child, for a birth bundle) or a unit code on today's map. */
static int check_recipient(const struct registry *r, struct db *db, const char *rc, struct err *e)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	if (units_valid_code(rc)) {
		if (units_find(r->units, rc, today))
			return 0;
		return err_set(e, 422, "unknown_recipient", "recipient %s is not a unit on today's map",
			       "bên nhận %s không phải đơn vị hành chính hiện hành", rc);
	}
	struct db_stmt *st = db_prepare(db, "SELECT role FROM users WHERE username = ? AND disabled = 0");
	if (!st || db_bind(st, "t", rc))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	bool person = false;
	if (db_step(st) == DB_ROW) {
		enum role role = 0;
		role_parse(db_col_text(st, 0), &role);
		person = (role & (ROLE_STAFF | ROLE_CITIZEN)) != 0;
		db_reset(st);
	}
	if (!person)
		return err_set(e, 422, "unknown_recipient", "recipient '%s' is neither an officer's or citizen's account nor a unit code",
			       "bên nhận '%s' không phải tài khoản cán bộ, công dân hay mã đơn vị", rc);
	return 0;
}

static int check_attributes(const struct registry *r, const json_t *names, struct err *e)
{
	if (!json_is_array(names) || json_array_size(names) == 0 || json_array_size(names) > r->catalog->nattrs)
		return err_set(e, 422, "invalid_field", "attributes must be a non-empty list of attribute names",
			       "attributes phải là danh sách tên thuộc tính, không rỗng");
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) if (!json_is_string(n) || !catalog_attr(r->catalog, json_string_value(n)))
		return err_set(e, 422, "unknown_attribute", "attributes[%zu] is not a known attribute",
			       "attributes[%zu] không phải thuộc tính đã biết", i);
	return 0;
}

static json_t *render(const char *id, const char *recipient, const char *purpose, const json_t *names, int64_t created,
		      int64_t expires, int64_t revoked)
{
	char c[40], x[40], rv[40];
	clock_iso(created, c, sizeof c);
	clock_iso(expires, x, sizeof x);
	clock_iso(revoked, rv, sizeof rv);
	int64_t now = clock_now_us();
	const char *state = revoked ? "revoked" : expires <= now ? "expired" : "active";
	json_t *o = json_pack("{s:s,s:s,s:s,s:O,s:s,s:s,s:s}", "id", id, "recipient", recipient, "purpose", purpose,
			      "attributes", names, "created_at", c, "expires_at", x, "state", state);
	json_object_set_new(o, "revoked_at", revoked ? json_string(rv) : json_null());
	return o;
}

int consent_create(const struct registry *r, struct db *db, const struct principal *who, const json_t *body,
		   json_t **out, struct err *e)
{
	const char *recipient, *purpose, *expires;
	int64_t exp, now = clock_now_us();
	json_t *names = json_object_get(body, "attributes");
	if (json_get_str(body, "recipient", true, RECIPIENT_MAX, &recipient, e) ||
	    json_get_str(body, "purpose", true, PURPOSE_MAX, &purpose, e) ||
	    json_get_str(body, "expires_at", true, 40, &expires, e) || check_attributes(r, names, e))
		return -1;
	if (!purpose[0])
		return err_set(e, 422, "invalid_field", "purpose must not be empty", "purpose không được để trống");
	if (clock_parse_iso(expires, &exp))
		return err_set(e, 422, "invalid_field", "expires_at must be a date or date-time (ISO 8601)",
			       "expires_at phải là ngày hoặc thời điểm theo ISO 8601");
	if (strlen(expires) == 10) /* a day: until its end in Vietnam (UTC+7) */
		exp += (24 - 7) * 3600 * 1000000LL - 1;
	if (exp <= now || exp > now + (int64_t)MAX_CONSENT_DAYS * 86400 * 1000000)
		return err_set(e, 422, "invalid_field", "expires_at must lie in the future and within 10 years",
			       "expires_at phải ở tương lai và không quá 10 năm");
	if (check_recipient(r, db, recipient, e))
		return -1;
	char id[33];
	crypto_random_hex(id, 16);
	char *attrs = json_to_str(names);
	int rc = -1;
	if (attrs && db_begin(db) == 0) {
		rc = db_run(db, "INSERT INTO consents (id, citizen_id, recipient, purpose, attributes, created_at, expires_at) "
				"VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttii", id, who->citizen_id, recipient, purpose, attrs, now, exp) == DB_DONE &&
				     audit_append(db, who->username, "consent.grant", id, "{}") == 0
			     ? db_commit(db)
			     : -1;
		if (rc)
			db_rollback(db);
	}
	free(attrs);
	if (rc)
		return err_set(e, 500, "db_error", "the consent was not saved", "chưa lưu được sự đồng ý");
	*out = render(id, recipient, purpose, names, now, exp, 0);
	return 0;
}

int consent_list(struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, recipient, purpose, attributes, created_at, expires_at, revoked_at "
					    "FROM consents WHERE citizen_id = ? ORDER BY created_at DESC");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *names = json_loads(db_col_text(st, 3), 0, NULL);
		json_array_append_new(list, render(db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
						   names ? names : json_array(), db_col_int(st, 4), db_col_int(st, 5),
						   db_col_null(st, 6) ? 0 : db_col_int(st, 6)));
		json_decref(names);
	}
	if (rc != DB_DONE) {
		json_decref(list);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:o}", "consents", list);
	return 0;
}

int consent_revoke(struct db *db, const struct principal *who, const char *id, struct err *e)
{
	if (strlen(id) > 64)
		return err_set(e, 404, "consent_not_found", "no such consent", "không có sự đồng ý này");
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	int64_t now = clock_now_us();
	if (db_run(db, "UPDATE consents SET revoked_at = ? WHERE id = ? AND citizen_id = ? AND revoked_at IS NULL", "itt",
		   now, id, who->citizen_id) != DB_DONE)
		goto fail;
	if (db_changes(db) == 0) {
		db_rollback(db);
		return err_set(e, 404, "consent_not_found", "no active consent %s of yours", "bạn không có sự đồng ý %s đang hiệu lực",
			       id);
	}
	if (audit_append(db, who->username, "consent.revoke", id, "{}") || db_commit(db))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return err_set(e, 500, "db_error", "the consent was not revoked", "chưa thu hồi được sự đồng ý");
}
