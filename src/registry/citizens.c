/* citizens.c — citizen records: create, read, change an attribute (a new version; the old one is
 * kept), and the history of an attribute. Every read or change by someone other than the citizen
 * leaves a data-usage entry; every change an audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "registry/registry.h"

#define SOURCE_MAX 64

int citizen_load(struct db *db, const char *id, json_t **doc, int64_t *rev, struct err *e)
{
	*doc = NULL;
	struct db_stmt *st = db_prepare(db, "SELECT doc, rev FROM citizens WHERE id = ?");
	if (!st || db_bind(st, "t", id))
		return err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW) {
		*doc = json_loads(db_col_text(st, 0), 0, NULL);
		if (rev)
			*rev = db_col_int(st, 1);
		db_reset(st);
		if (*doc)
			return 0;
		return err_set(e, 500, "corrupt_record", "the stored record of %s cannot be read",
			       "không đọc được hồ sơ lưu trữ của %s", id);
	}
	if (rc == DB_DONE)
		return err_set(e, 404, "citizen_not_found", "no citizen with ID %s", "không có công dân mang số định danh %s",
			       id);
	return err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
}

static json_t *stored_value(json_t *value, const char *source, bool verified, int64_t at, int64_t version,
			    const char *actor)
{
	return json_pack("{s:O,s:s,s:b,s:I,s:I,s:s}", "value", value, "source", source, "verified", verified,
			 "updated_at", (json_int_t)at, "version", (json_int_t)version, "actor", actor);
}

static bool listed(const json_t *names, const char *name)
{
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) if (json_is_string(n) && !strcmp(json_string_value(n), name)) return true;
	return false;
}

json_t *citizen_render(const struct registry *r, const char *id, const json_t *doc, const json_t *names)
{
	json_t *attrs = json_object();
	for (size_t i = 0; i < r->catalog->nattrs; i++) {
		const struct attr_def *d = &r->catalog->attrs[i];
		json_t *a = json_object_get(doc, d->name);
		if (!a || (names && !listed(names, d->name)))
			continue;
		char at[40];
		clock_iso(json_integer_value(json_object_get(a, "updated_at")), at, sizeof at);
		json_object_set_new(attrs, d->name,
				    json_pack("{s:O,s:O,s:O,s:s,s:s,s:O}", "value", json_object_get(a, "value"), "source",
					      json_object_get(a, "source"), "verified", json_object_get(a, "verified"),
					      "updated_at", at, "classification", d->classification, "version",
					      json_object_get(a, "version")));
	}
	return json_pack("{s:s,s:o}", "id", id, "attributes", attrs);
}

static json_t *names_of(const json_t *rendered)
{
	json_t *names = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(rendered, "attributes"), k, v) json_array_append_new(names, json_string(k));
	return names;
}

static const char *unit_of(const struct principal *who)
{
	return who->unit[0] ? who->unit : NULL;
}

/* The source a change carries when the body names none. */
static void default_source(const struct principal *who, char *out, size_t n)
{
	if (who->role == ROLE_CITIZEN)
		snprintf(out, n, "self-declared");
	else if (who->agency[0])
		snprintf(out, n, "%s:%s", who->agency, who->unit);
	else
		snprintf(out, n, "%s", role_name(who->role));
}

/* Reads {"value","source","verified"} for one attribute. */
static int read_attr_input(const struct registry *r, const struct principal *who, const char *name, const json_t *in,
			   const struct attr_def **def, json_t **value, char *source, size_t slen, bool *verified,
			   struct err *e)
{
	*def = catalog_attr(r->catalog, name);
	if (!*def)
		return err_set(e, 422, "unknown_attribute", "unknown attribute '%s' (see docs/registry.md)",
			       "không có thuộc tính '%s' (xem docs/registry.md)", name);
	if (!json_is_object(in))
		return err_set(e, 422, "invalid_attribute", "attribute '%s' must be an object {\"value\",\"source\",\"verified\"}",
			       "thuộc tính '%s' phải là đối tượng {\"value\",\"source\",\"verified\"}", name);
	*value = json_object_get(in, "value");
	if (!*value)
		return err_set(e, 422, "missing_field", "attribute '%s' needs a value", "thuộc tính '%s' thiếu value", name);
	if (attr_validate(r, *def, *value, e))
		return -1;
	const char *src;
	*verified = false;
	if (json_get_str(in, "source", false, SOURCE_MAX, &src, e) || json_get_bool(in, "verified", false, verified, e))
		return -1;
	if (src && !src[0])
		return err_set(e, 422, "invalid_field", "source must not be empty", "source không được để trống");
	if (src)
		snprintf(source, slen, "%s", src);
	else
		default_source(who, source, slen);
	return 0;
}

static int db_fail(struct db *db, struct err *e)
{
	db_rollback(db);
	return err_set(e, 500, "db_error", "the change was not saved: %s", "thay đổi chưa được lưu: %s", db_errmsg(db));
}

static const char *perm_unit(const json_t *doc)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(doc, "permanent_address"), "value"), "unit"));
}

int citizen_create(const struct registry *r, struct db *db, const struct principal *who, const json_t *body,
		   json_t **out, struct err *e)
{
	const char *id;
	if (json_get_str(body, "id", true, 16, &id, e))
		return -1;
	json_t *in = json_object_get(body, "attributes");
	if (!json_is_object(in))
		return err_set(e, 422, "missing_field", "field 'attributes' must be an object of attributes",
			       "trường 'attributes' phải là đối tượng chứa các thuộc tính");
	int64_t now = clock_now_us();
	json_t *doc = json_object();
	const char *name;
	json_t *a;
	json_object_foreach(in, name, a) {
		const struct attr_def *d;
		json_t *value;
		char source[SOURCE_MAX + 1];
		bool verified;
		if (read_attr_input(r, who, name, a, &d, &value, source, sizeof source, &verified, e))
			goto fail;
		json_object_set_new(doc, name, stored_value(value, source, verified, now, 1, who->username));
	}
	static const char *const required[] = {"full_name", "date_of_birth", "sex"};
	for (size_t i = 0; i < 3; i++)
		if (!json_object_get(doc, required[i])) {
			err_set(e, 422, "missing_field", "attribute '%s' is required to create a citizen",
				"cần thuộc tính '%s' để tạo công dân", required[i]);
			goto fail;
		}
	const char *dob = json_string_value(json_object_get(json_object_get(doc, "date_of_birth"), "value"));
	const char *sex = json_string_value(json_object_get(json_object_get(doc, "sex"), "value"));
	if (citizen_id_check(id, dob, sex, r->units, e))
		goto fail;
	if (who->role != ROLE_ADMIN && !registry_in_scope(r, who, doc)) {
		err_set(e, 403, "out_of_scope", "the permanent address must lie in your unit %s",
			"địa chỉ thường trú phải thuộc đơn vị %s của bạn", who->unit);
		goto fail;
	}
	char *text = json_to_str(doc);
	json_t *names = json_array();
	json_object_foreach(doc, name, a) json_array_append_new(names, json_string(name));
	struct usage_entry ux = {id, who->username, unit_of(who), "create", "registration", names};
	int rc = DB_ERROR;
	if (text && db_begin(db) == 0) {
		rc = db_run(db, "INSERT INTO citizens (id, doc, perm_unit, rev, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
			    "tttii", id, text, perm_unit(doc), now, now);
		if (rc == DB_DONE && (audit_append(db, who->username, "citizen.create", id, "{}") ||
				      usage_insert(db, &ux, now) || db_commit(db)))
			rc = DB_ERROR;
	}
	free(text);
	json_decref(names);
	if (rc == DB_CONSTRAINT) {
		db_rollback(db);
		err_set(e, 409, "citizen_exists", "a citizen with ID %s already exists", "công dân mang số định danh %s đã tồn tại", id);
		goto fail;
	}
	if (rc != DB_DONE) {
		db_fail(db, e);
		goto fail;
	}
	*out = citizen_render(r, id, doc, NULL);
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	return -1;
}

/* Loads the record and decides access; 403 when who may not read it at all. */
static int open_for_read(const struct registry *r, struct db *db, const struct principal *who, const char *id,
			 json_t **doc, struct access *acc, struct err *e)
{
	if (citizen_id_check(id, NULL, NULL, NULL, e))
		return -1;
	if (citizen_load(db, id, doc, NULL, e))
		return -1;
	if (registry_access(r, db, who, id, *doc, acc) == 0 && acc->kind != ACCESS_NONE)
		return 0;
	json_decref(*doc);
	*doc = NULL;
	return err_set(e, 403, "forbidden", "you may not read the record of %s: it is outside your unit and there is no consent",
		       "bạn không được xem hồ sơ của %s: ngoài đơn vị của bạn và không có sự đồng ý", id);
}

/* Leaves the durable usage entry of a read by someone other than the citizen. */
static int log_read(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const struct access *acc, const char *action, const json_t *names, const char *purpose,
		    struct err *e)
{
	if (acc->kind == ACCESS_SELF)
		return 0;
	const char *why = purpose && purpose[0] ? purpose : acc->kind == ACCESS_CONSENT ? acc->purpose : "official duty";
	struct usage_entry ux = {id, who->username, unit_of(who), action, why, names};
	if (usage_record(r, db, &ux, true))
		return err_set(e, 503, "usage_log_unavailable",
			       "the read could not be logged, so no data is shown; try again",
			       "không ghi được nhật ký sử dụng nên không hiển thị dữ liệu; hãy thử lại");
	return 0;
}

int citizen_get(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		const char *purpose, json_t **out, struct err *e)
{
	json_t *doc;
	struct access acc;
	if (open_for_read(r, db, who, id, &doc, &acc, e))
		return -1;
	json_t *rendered = citizen_render(r, id, doc, acc.names);
	json_t *names = names_of(rendered);
	int rc = log_read(r, db, who, id, &acc, "read", names, purpose, e);
	json_decref(names);
	json_decref(acc.names);
	json_decref(doc);
	if (rc) {
		json_decref(rendered);
		return -1;
	}
	*out = rendered;
	return 0;
}

/* May who change attribute d of this record? */
static int may_change(const struct registry *r, const struct principal *who, const char *id, const json_t *doc,
		      const struct attr_def *d, const json_t *current, struct err *e)
{
	if (who->role == ROLE_CITIZEN && !strcmp(who->citizen_id, id)) {
		if (!d->self_declared)
			return err_set(e, 403, "attribute_locked",
				       "'%s' comes from an authoritative source; ask the agency that holds it to correct it",
				       "'%s' do cơ quan có thẩm quyền cung cấp; hãy đề nghị cơ quan đó điều chỉnh", d->name);
		if (json_is_true(json_object_get(current, "verified")))
			return err_set(e, 403, "attribute_locked", "'%s' is verified and can no longer be changed by you",
				       "'%s' đã được xác thực, bạn không thể tự thay đổi", d->name);
		return 0;
	}
	if ((who->role & ROLE_STAFF) && registry_in_scope(r, who, doc))
		return 0;
	return err_set(e, 403, "forbidden", "you may not change the record of %s", "bạn không được thay đổi hồ sơ của %s", id);
}

/* Checks date_of_birth and sex against the ID after a change. */
static int still_matches_id(const struct registry *r, const char *id, const json_t *doc, struct err *e)
{
	const char *dob = json_string_value(json_object_get(json_object_get(doc, "date_of_birth"), "value"));
	const char *sex = json_string_value(json_object_get(json_object_get(doc, "sex"), "value"));
	return citizen_id_check(id, dob, sex, r->units, e);
}

static int save_version(struct db *db, const char *id, const char *name, const json_t *old, int64_t now)
{
	char *value = json_to_str(json_object_get(old, "value"));
	json_t *src = json_object_get(old, "source"), *actor = json_object_get(old, "actor");
	enum db_rc rc = value ? db_run(db, "INSERT INTO attribute_history (citizen_id, name, version, value, source, verified, "
					    "updated_at, actor, superseded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				       "ttittbiti", id, name,
				       (int64_t)json_integer_value(json_object_get(old, "version")), value,
				       json_string_value(src) ? json_string_value(src) : "",
				       json_is_true(json_object_get(old, "verified")),
				       (int64_t)json_integer_value(json_object_get(old, "updated_at")),
				       json_string_value(actor) ? json_string_value(actor) : "", now)
			      : DB_ERROR;
	free(value);
	return rc == DB_DONE ? 0 : -1;
}

int citizen_patch(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		  const char *name, const json_t *body, json_t **out, struct err *e)
{
	if (citizen_id_check(id, NULL, NULL, NULL, e))
		return -1;
	for (int attempt = 0; attempt < 5; attempt++) {
		json_t *doc;
		int64_t rev;
		if (citizen_load(db, id, &doc, &rev, e))
			return -1;
		const struct attr_def *d;
		json_t *value;
		char source[SOURCE_MAX + 1];
		bool verified;
		json_t *cur = json_object_get(doc, name);
		if (read_attr_input(r, who, name, body, &d, &value, source, sizeof source, &verified, e) ||
		    may_change(r, who, id, doc, d, cur, e)) {
			json_decref(doc);
			return -1;
		}
		if (who->role == ROLE_CITIZEN) { /* what a citizen declares is theirs, not verified */
			snprintf(source, sizeof source, "self-declared");
			verified = false;
		}
		if (cur && json_equal(json_object_get(cur, "value"), value) &&
		    !strcmp(json_string_value(json_object_get(cur, "source")), source) &&
		    json_is_true(json_object_get(cur, "verified")) == verified) {
			*out = citizen_render(r, id, doc, NULL); /* nothing changes: no new version */
			json_decref(doc);
			return 0;
		}
		int64_t now = clock_now_us();
		int64_t version = cur ? json_integer_value(json_object_get(cur, "version")) + 1 : 1;
		json_t *old = cur ? json_incref(cur) : NULL;
		json_object_set_new(doc, name, stored_value(value, source, verified, now, version, who->username));
		if (still_matches_id(r, id, doc, e)) {
			json_decref(old);
			json_decref(doc);
			return -1;
		}
		char *text = json_to_str(doc);
		json_t *names = json_pack("[s]", name);
		struct usage_entry ux = {id, who->username, unit_of(who), "update", "registry change", names};
		char detail[160];
		snprintf(detail, sizeof detail, "{\"attribute\":\"%s\",\"version\":%lld}", name, (long long)version);
		int rc = -1;
		bool raced = false;
		if (text && db_begin(db) == 0) {
			rc = db_run(db, "UPDATE citizens SET doc = ?, perm_unit = ?, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ?",
				    "ttiti", text, perm_unit(doc), now, id, rev) == DB_DONE ? 0 : -1;
			raced = rc == 0 && db_changes(db) == 0;
			if (!rc && !raced)
				rc = (old && save_version(db, id, name, old, now)) ||
						     (who->role != ROLE_CITIZEN && usage_insert(db, &ux, now)) ||
						     audit_append(db, who->username, "citizen.update", id, detail) || db_commit(db)
					     ? -1
					     : 0;
		}
		free(text);
		json_decref(names);
		json_decref(old);
		if (raced) {
			db_rollback(db);
			json_decref(doc);
			continue; /* another change landed first: start again from it */
		}
		if (rc) {
			json_decref(doc);
			return db_fail(db, e);
		}
		*out = citizen_render(r, id, doc, NULL);
		json_decref(doc);
		return 0;
	}
	return err_set(e, 409, "conflict", "the record kept changing; try again", "hồ sơ liên tục thay đổi; hãy thử lại");
}

int citizen_history(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const char *name, const char *purpose, json_t **out, struct err *e)
{
	const struct attr_def *d = catalog_attr(r->catalog, name);
	if (!d)
		return err_set(e, 404, "unknown_attribute", "unknown attribute '%s'", "không có thuộc tính '%s'", name);
	json_t *doc;
	struct access acc;
	if (open_for_read(r, db, who, id, &doc, &acc, e))
		return -1;
	if (acc.names && !listed(acc.names, name)) {
		json_decref(acc.names);
		json_decref(doc);
		return err_set(e, 403, "forbidden", "the consent does not cover '%s'", "sự đồng ý không bao gồm '%s'", name);
	}
	json_t *versions = json_array();
	json_t *cur = json_object_get(doc, name);
	char at[40];
	if (cur) {
		clock_iso(json_integer_value(json_object_get(cur, "updated_at")), at, sizeof at);
		json_array_append_new(versions, json_pack("{s:O,s:O,s:O,s:O,s:s,s:O}", "version", json_object_get(cur, "version"),
							  "value", json_object_get(cur, "value"), "source",
							  json_object_get(cur, "source"), "verified",
							  json_object_get(cur, "verified"), "updated_at", at, "changed_by",
							  json_object_get(cur, "actor")));
	}
	struct db_stmt *st = db_prepare(db, "SELECT version, value, source, verified, updated_at, actor FROM attribute_history "
					    "WHERE citizen_id = ? AND name = ? ORDER BY version DESC");
	int rc = st && !db_bind(st, "tt", id, name) ? 0 : -1;
	enum db_rc step = DB_ERROR;
	while (!rc && (step = db_step(st)) == DB_ROW) {
		clock_iso(db_col_int(st, 4), at, sizeof at);
		json_t *v = json_loads(db_col_text(st, 1), JSON_DECODE_ANY, NULL);
		json_array_append_new(versions, json_pack("{s:I,s:o,s:s,s:b,s:s,s:s}", "version", (json_int_t)db_col_int(st, 0),
							  "value", v ? v : json_null(), "source", db_col_text(st, 2),
							  "verified", (int)db_col_int(st, 3), "updated_at", at,
							  "changed_by", db_col_text(st, 5)));
	}
	json_t *names = json_pack("[s]", name);
	if (!rc && step == DB_DONE)
		rc = log_read(r, db, who, id, &acc, "read_history", names, purpose, e);
	else
		rc = err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
	json_decref(names);
	json_decref(acc.names);
	json_decref(doc);
	if (rc) {
		json_decref(versions);
		return -1;
	}
	*out = json_pack("{s:s,s:s,s:s,s:o}", "id", id, "attribute", name, "classification", d->classification, "versions",
			 versions);
	return 0;
}
