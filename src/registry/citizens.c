/* citizens.c — citizen records: create, read, change an attribute (a new version; the old one is
 * kept), and the history of an attribute. Every read or change by someone other than the citizen
 * leaves a data-usage entry; every change an audit entry. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "registry/record.h"
#include "registry/registry.h"
#include "security/seal.h"

#define SOURCE_MAX 64

/* Each thread keeps the records it parsed last, keyed by ID and checked against the stored
 * revision and time on every read: reading a record again (a citizen's pages make several calls
 * in a row) skips the parse. Freed when the thread ends. */
#define RECORD_CACHE 64

struct cached_record {
	char id[CITIZEN_ID_LEN + 1];
	int64_t rev, updated_at;
	json_t *doc;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
	struct cached_record *c = p;
	for (int i = 0; i < RECORD_CACHE; i++)
		json_decref(c[i].doc);
	free(c);
}

static void cache_init(void)
{
	pthread_key_create(&cache_key, cache_free);
}

static struct cached_record *cache_slot(const char *id)
{
	pthread_once(&cache_once, cache_init);
	struct cached_record *c = pthread_getspecific(cache_key);
	if (!c) {
		c = calloc(RECORD_CACHE, sizeof *c);
		if (!c || pthread_setspecific(cache_key, c)) {
			free(c);
			return NULL;
		}
	}
	unsigned h = 0;
	for (const char *p = id; *p; p++)
		h = h * 31 + (unsigned char)*p;
	return &c[h % RECORD_CACHE];
}

/* Loads the record; shared: may answer with the thread's cached copy, which must not change. */
static int load(struct db *db, const char *id, bool shared, json_t **doc, int64_t *rev, struct err *e)
{
	*doc = NULL;
	char ix[SEAL_INDEX_LEN + 1];
	struct db_stmt *st = db_prepare(db, "SELECT doc, rev, updated_at FROM citizens WHERE id = ?");
	if (seal_index(id, ix))
		return err_set(e, 503, "no_data_key", "the data key is not loaded", "chưa nạp khóa dữ liệu");
	if (!st || db_bind(st, "t", ix))
		return err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW) {
		int64_t r = db_col_int(st, 1), at = db_col_int(st, 2);
		struct cached_record *c = shared && strlen(id) == CITIZEN_ID_LEN ? cache_slot(id) : NULL;
		if (c && c->doc && c->rev == r && c->updated_at == at && !strcmp(c->id, id))
			*doc = json_incref(c->doc);
		else {
			*doc = unseal_json(RECORD_CONTEXT, ix, db_col_text(st, 0));
			if (c && *doc) {
				json_decref(c->doc);
				*c = (struct cached_record){.rev = r, .updated_at = at, .doc = json_incref(*doc)};
				memcpy(c->id, id, CITIZEN_ID_LEN + 1);
			}
		}
		if (rev)
			*rev = r;
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

int citizen_load(struct db *db, const char *id, json_t **doc, int64_t *rev, struct err *e)
{
	return load(db, id, false, doc, rev, e);
}

int citizen_read(struct db *db, const char *id, const json_t **doc, struct err *e)
{
	json_t *d;
	int rc = load(db, id, true, &d, NULL, e);
	*doc = d;
	return rc;
}

/* The string value of an attribute, or NULL. */
static const char *str_attr(const json_t *doc, const char *name)
{
	struct stored s;
	return record_get(doc, name, &s) ? json_string_value(s.value) : NULL;
}

static bool listed(const json_t *names, const char *name)
{
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) if (json_is_string(n) && !strcmp(json_string_value(n), name)) return true;
	return false;
}

char *citizen_render(const struct registry *r, const char *id, const json_t *doc, const json_t *names, json_t **shown)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 20);
	if (shown)
		*shown = json_array();
	int rc = buf_adds(&b, "{\"id\":") || jw_str(&b, id) || buf_adds(&b, ",\"attributes\":{");
	char at[40] = "";
	int64_t at_us = -1;
	bool first = true;
	for (size_t i = 0; !rc && i < r->catalog->nattrs; i++) {
		const struct attr_def *d = &r->catalog->attrs[i];
		struct stored a;
		if (!record_get(doc, d->name, &a) || (names && !listed(names, d->name)))
			continue;
		if (a.updated_at != at_us) /* most attributes share one time: format it once */
			clock_iso(at_us = a.updated_at, at, sizeof at);
		rc = (!first && buf_adds(&b, ",")) || jw_str(&b, d->name) || buf_adds(&b, ":{\"value\":") ||
		     jw_value(&b, a.value) || buf_adds(&b, ",\"source\":") || jw_str(&b, a.source) ||
		     buf_addf(&b, ",\"verified\":%s,\"updated_at\":\"%s\",\"classification\":\"%s\",\"version\":%lld}",
			      a.verified ? "true" : "false", at, d->classification, (long long)a.version);
		if (shown)
			json_array_append_new(*shown, json_string(d->name));
		first = false;
	}
	if (rc || buf_adds(&b, "}}")) {
		buf_release(&b);
		if (shown) {
			json_decref(*shown);
			*shown = NULL;
		}
		return NULL;
	}
	return b.data; /* ownership moves to the caller */
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
	struct stored s;
	return record_get(doc, "permanent_address", &s) ? json_string_value(json_object_get(s.value, "unit")) : NULL;
}

int citizen_create(const struct registry *r, struct db *db, const struct principal *who, const json_t *body,
		   char **out, struct err *e)
{
	const char *id;
	if (json_get_str(body, "id", true, 16, &id, e))
		return -1;
	json_t *in = json_object_get(body, "attributes");
	if (!json_is_object(in))
		return err_set(e, 422, "missing_field", "field 'attributes' must be an object of attributes",
			       "trường 'attributes' phải là đối tượng chứa các thuộc tính");
	int64_t now = clock_now_us();
	json_t *doc = record_new();
	const char *name;
	json_t *a;
	json_object_foreach(in, name, a) {
		const struct attr_def *d;
		json_t *value;
		char source[SOURCE_MAX + 1];
		bool verified;
		if (read_attr_input(r, who, name, a, &d, &value, source, sizeof source, &verified, e))
			goto fail;
		struct stored st = {value, source, verified, now, 1, who->username};
		if (record_set(doc, name, &st)) {
			err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
			goto fail;
		}
	}
	static const char *const required[] = {"full_name", "date_of_birth", "sex"};
	for (size_t i = 0; i < 3; i++)
		if (!str_attr(doc, required[i])) {
			err_set(e, 422, "missing_field", "attribute '%s' is required to create a citizen",
				"cần thuộc tính '%s' để tạo công dân", required[i]);
			goto fail;
		}
	if (citizen_id_check(id, str_attr(doc, "date_of_birth"), str_attr(doc, "sex"), r->units, e))
		goto fail;
	if (who->role != ROLE_ADMIN && !registry_in_scope(r, who, doc)) {
		err_set(e, 403, "out_of_scope", "the permanent address must lie in your unit %s",
			"địa chỉ thường trú phải thuộc đơn vị %s của bạn", who->unit);
		goto fail;
	}
	json_t *names = record_names(doc);
	struct usage_entry ux = {id, who->username, unit_of(who), "create", "registration", names};
	int rc = DB_ERROR;
	if (db_begin(db) == 0) {
		rc = record_insert(db, id, doc, now);
		if (rc == DB_DONE && (audit_append(db, who->username, "citizen.create", id, "{}") ||
				      usage_insert(db, &ux, now) || db_commit(db)))
			rc = DB_ERROR;
	}
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
	*out = citizen_render(r, id, doc, NULL, NULL);
	json_decref(doc);
	return *out ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
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
	if (citizen_read(db, id, (const json_t **)doc, e)) /* read only: may be the thread's cached copy */
		return -1;
	if (registry_access(r, db, who, id, *doc, acc) == 0 && acc->kind != ACCESS_NONE)
		return 0;
	json_decref(*doc);
	*doc = NULL;
	return err_set(e, 403, "forbidden", "you may not read the record of %s: it is outside your unit and there is no consent",
		       "bạn không được xem hồ sơ của %s: ngoài đơn vị của bạn và không có sự đồng ý", id);
}

/* Leaves the durable usage entry of a read by someone other than the citizen: 0 when on disk,
 * USAGE_PENDING when w will report it, -1 (503) when it cannot be written. */
static int log_read(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const struct access *acc, const char *action, const json_t *names, const char *purpose,
		    const struct usage_wait *w, struct err *e)
{
	if (acc->kind == ACCESS_SELF)
		return 0;
	const char *why = purpose && purpose[0]		 ? purpose
			  : acc->kind == ACCESS_CONSENT	 ? acc->purpose
			  : acc->kind == ACCESS_GUARDIAN ? "parent of a minor"
							 : "official duty";
	struct usage_entry ux = {id, who->username, unit_of(who), action, why, names};
	int rc = usage_record(r, db, &ux, true, w);
	if (rc >= 0)
		return rc;
	return err_set(e, 503, "usage_log_unavailable",
			       "the read could not be logged, so no data is shown; try again",
			       "không ghi được nhật ký sử dụng nên không hiển thị dữ liệu; hãy thử lại");
}

int citizen_get(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		const char *purpose, const struct usage_wait *w, char **out, struct err *e)
{
	json_t *doc, *names = NULL;
	struct access acc;
	if (open_for_read(r, db, who, id, &doc, &acc, e))
		return -1;
	char *rendered = citizen_render(r, id, doc, acc.names, &names);
	int rc = rendered ? log_read(r, db, who, id, &acc, "read", names, purpose, w, e)
			  : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	json_decref(names);
	json_decref(acc.names);
	json_decref(doc);
	if (rc < 0) {
		free(rendered);
		return -1;
	}
	*out = rendered;
	return rc;
}

/* May who change attribute d of this record? */
static int may_change(const struct registry *r, const struct principal *who, const char *id, const json_t *doc,
		      const struct attr_def *d, const struct stored *current, struct err *e)
{
	if (who->role == ROLE_CITIZEN && !strcmp(who->citizen_id, id)) {
		if (!d->self_declared)
			return err_set(e, 403, "attribute_locked",
				       "'%s' comes from an authoritative source; ask the agency that holds it to correct it",
				       "'%s' do cơ quan có thẩm quyền cung cấp; hãy đề nghị cơ quan đó điều chỉnh", d->name);
		if (current && current->verified)
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
	return citizen_id_check(id, str_attr(doc, "date_of_birth"), str_attr(doc, "sex"), r->units, e);
}

/* The row an attribute's old version is sealed for: the ID's keyed hash, the name, the version. */
static void history_row(const char *ix, const char *name, int64_t version, char *out, size_t n)
{
	snprintf(out, n, "%s/%s/%lld", ix, name, (long long)version);
}

int record_save_version(struct db *db, const char *id, const char *name, const struct stored *old, int64_t now)
{
	char ix[SEAL_INDEX_LEN + 1], row[200];
	char *value = seal_index(id, ix) ? NULL : json_to_str(old->value), *sealed = NULL;
	if (value) {
		history_row(ix, name, old->version, row, sizeof row);
		sealed = seal_text(HISTORY_CONTEXT, row, value);
		sodium_memzero(value, strlen(value));
	}
	enum db_rc rc = sealed ? db_run(db, "INSERT INTO attribute_history (citizen_id, name, version, value, source, verified, "
					     "updated_at, actor, superseded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					"ttittbiti", ix, name, old->version, sealed, old->source, old->verified, old->updated_at,
					old->actor, now)
			       : DB_ERROR;
	free(value);
	free(sealed);
	return rc == DB_DONE ? 0 : -1;
}

/* The record sealed for its row (the ID's keyed hash, into ix): a new string or NULL. */
char *record_sealed(const char *id, const json_t *doc, char ix[SEAL_INDEX_LEN + 1])
{
	char *text = seal_index(id, ix) ? NULL : json_to_str(doc);
	char *sealed = text ? seal_text(RECORD_CONTEXT, ix, text) : NULL;
	if (text)
		sodium_memzero(text, strlen(text));
	free(text);
	return sealed;
}

enum db_rc record_insert(struct db *db, const char *id, const json_t *doc, int64_t now)
{
	char ix[SEAL_INDEX_LEN + 1];
	char *sealed = record_sealed(id, doc, ix);
	enum db_rc rc = sealed ? db_run(db, "INSERT INTO citizens (id, doc, perm_unit, rev, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
					"tttii", ix, sealed, perm_unit(doc), now, now)
			       : DB_ERROR;
	free(sealed);
	return rc;
}

int record_update(struct db *db, const char *id, const json_t *doc, int64_t rev, int64_t now, bool *raced)
{
	char ix[SEAL_INDEX_LEN + 1];
	char *sealed = record_sealed(id, doc, ix);
	int rc = !sealed || db_run(db, "UPDATE citizens SET doc = ?, perm_unit = ?, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ?",
				   "ttiti", sealed, perm_unit(doc), now, ix, rev) != DB_DONE ? -1 : 0;
	free(sealed);
	*raced = !rc && db_changes(db) == 0;
	return rc;
}

static int patch_attempts(const struct registry *r, struct db *db, const struct principal *who, const char *id,
			  const char *name, const json_t *body, const json_t *only, char **out, struct err *e);

int citizen_patch(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		  const char *name, const json_t *body, char **out, struct err *e)
{
	if (citizen_id_check(id, NULL, NULL, NULL, e))
		return -1;
	if (!catalog_attr(r->catalog, name))
		return err_set(e, 404, "unknown_attribute", "unknown attribute '%s' (see docs/registry.md)",
			       "không có thuộc tính '%s' (xem docs/registry.md)", name);
	/* the answer shows the changed attribute only: a change is not a read of the rest */
	json_t *only = json_pack("[s]", name);
	int rc = patch_attempts(r, db, who, id, name, body, only, out, e);
	json_decref(only);
	return rc;
}

static int patch_attempts(const struct registry *r, struct db *db, const struct principal *who, const char *id,
			  const char *name, const json_t *body, const json_t *only, char **out, struct err *e)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		json_t *doc;
		int64_t rev;
		if (citizen_load(db, id, &doc, &rev, e))
			return -1;
		const struct attr_def *d;
		json_t *value;
		char source[SOURCE_MAX + 1];
		bool verified;
		struct stored cur;
		bool has = record_get(doc, name, &cur);
		if (read_attr_input(r, who, name, body, &d, &value, source, sizeof source, &verified, e) ||
		    may_change(r, who, id, doc, d, has ? &cur : NULL, e)) {
			json_decref(doc);
			return -1;
		}
		if (who->role == ROLE_CITIZEN) { /* what a citizen declares is theirs, not verified */
			snprintf(source, sizeof source, "self-declared");
			verified = false;
		}
		if (has && json_equal(cur.value, value) && !strcmp(cur.source, source) && cur.verified == verified) {
			*out = citizen_render(r, id, doc, only, NULL); /* nothing changes: no new version */
			json_decref(doc);
			return *out ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		}
		int64_t now = clock_now_us();
		/* the old version outlives its place in the record: copy what it borrows */
		char old_source[SOURCE_MAX + 1], old_actor[80];
		struct stored old = cur;
		json_t *old_value = has ? json_incref(cur.value) : NULL;
		if (has) {
			snprintf(old_source, sizeof old_source, "%s", cur.source);
			snprintf(old_actor, sizeof old_actor, "%s", cur.actor);
			old.source = old_source;
			old.actor = old_actor;
			old.value = old_value;
		}
		int64_t version = has ? cur.version + 1 : 1;
		struct stored next = {value, source, verified, now, version, who->username};
		if (record_set(doc, name, &next) || still_matches_id(r, id, doc, e)) {
			json_decref(old_value);
			json_decref(doc);
			return e->status ? -1 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		}
		json_t *names = json_pack("[s]", name);
		struct usage_entry ux = {id, who->username, unit_of(who), "update", "registry change", names};
		char detail[160];
		snprintf(detail, sizeof detail, "{\"attribute\":\"%s\",\"version\":%lld}", name, (long long)version);
		int rc = -1;
		bool raced = false;
		if (db_begin(db) == 0) {
			rc = record_update(db, id, doc, rev, now, &raced);
			if (!rc && !raced)
				rc = (has && record_save_version(db, id, name, &old, now)) ||
						     (who->role != ROLE_CITIZEN && usage_insert(db, &ux, now)) ||
						     audit_append(db, who->username, "citizen.update", id, detail) || db_commit(db)
					     ? -1
					     : 0;
		}
		json_decref(names);
		json_decref(old_value);
		if (raced) {
			db_rollback(db);
			json_decref(doc);
			continue; /* another change landed first: start again from it */
		}
		if (rc) {
			json_decref(doc);
			return db_fail(db, e);
		}
		*out = citizen_render(r, id, doc, only, NULL);
		json_decref(doc);
		return *out ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	}
	return err_set(e, 409, "conflict", "the record kept changing; try again", "hồ sơ liên tục thay đổi; hãy thử lại");
}

int citizen_history(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const char *name, const char *purpose, const struct usage_wait *w, json_t **out, struct err *e)
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
	struct stored cur;
	char at[40];
	if (record_get(doc, name, &cur)) {
		clock_iso(cur.updated_at, at, sizeof at);
		json_array_append_new(versions, json_pack("{s:I,s:O,s:s,s:b,s:s,s:s}", "version", (json_int_t)cur.version,
							  "value", cur.value, "source", cur.source, "verified", cur.verified,
							  "updated_at", at, "changed_by", cur.actor));
	}
	char ix[SEAL_INDEX_LEN + 1], row[200];
	struct db_stmt *st = db_prepare(db, "SELECT version, value, source, verified, updated_at, actor FROM attribute_history "
					    "WHERE citizen_id = ? AND name = ? ORDER BY version DESC");
	int rc = st && !seal_index(id, ix) && !db_bind(st, "tt", ix, name) ? 0 : -1;
	enum db_rc step = DB_ERROR;
	while (!rc && (step = db_step(st)) == DB_ROW) {
		clock_iso(db_col_int(st, 4), at, sizeof at);
		history_row(ix, name, db_col_int(st, 0), row, sizeof row);
		char *plain = unseal_text(HISTORY_CONTEXT, row, db_col_text(st, 1));
		json_t *v = plain ? json_loads(plain, JSON_DECODE_ANY, NULL) : NULL;
		free(plain);
		json_array_append_new(versions, json_pack("{s:I,s:o,s:s,s:b,s:s,s:s}", "version", (json_int_t)db_col_int(st, 0),
							  "value", v ? v : json_null(), "source", db_col_text(st, 2),
							  "verified", (int)db_col_int(st, 3), "updated_at", at,
							  "changed_by", db_col_text(st, 5)));
	}
	json_t *names = json_pack("[s]", name);
	if (!rc && step == DB_DONE)
		rc = log_read(r, db, who, id, &acc, "read_history", names, purpose, w, e);
	else
		rc = err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
	json_decref(names);
	json_decref(acc.names);
	json_decref(doc);
	if (rc < 0) {
		json_decref(versions);
		return -1;
	}
	*out = json_pack("{s:s,s:s,s:s,s:o}", "id", id, "attribute", name, "classification", d->classification, "versions",
			 versions);
	return rc;
}

int citizen_insert(const struct registry *r, struct db *db, const char *id, const json_t *doc, const char *actor, int64_t now,
		   struct err *e)
{
	if (citizen_id_check(id, str_attr(doc, "date_of_birth"), str_attr(doc, "sex"), r->units, e))
		return -1;
	enum db_rc rc = record_insert(db, id, doc, now);
	if (rc == DB_CONSTRAINT)
		return err_set(e, 409, "citizen_exists", "a citizen with ID %s already exists", "công dân mang số định danh %s đã tồn tại", id);
	if (rc != DB_DONE || audit_append(db, actor, "citizen.create", id, "{}"))
		return err_set(e, 500, "db_error", "the citizen was not recorded", "chưa ghi được công dân");
	return 0;
}

int citizen_set(const struct registry *r, struct db *db, const char *id, const char *name, json_t *value, const char *source,
		const char *actor, int64_t now, struct err *e)
{
	json_t *doc;
	int64_t rev;
	if (citizen_load(db, id, &doc, &rev, e))
		return -1;
	struct stored cur, old = {0};
	bool has = record_get(doc, name, &cur);
	char old_source[SOURCE_MAX + 1] = "", old_actor[80] = "";
	if (has) { /* the old version outlives its place in the record */
		snprintf(old_source, sizeof old_source, "%s", cur.source);
		snprintf(old_actor, sizeof old_actor, "%s", cur.actor);
		old = (struct stored){json_incref(cur.value), old_source, cur.verified, cur.updated_at, cur.version, old_actor};
	}
	struct stored next = {value, source, true, now, has ? cur.version + 1 : 1, actor};
	char detail[160];
	snprintf(detail, sizeof detail, "{\"attribute\":\"%s\",\"source\":\"%s\"}", name, source);
	bool raced = false;
	int rc = record_set(doc, name, &next) || still_matches_id(r, id, doc, e) || record_update(db, id, doc, rev, now, &raced) ||
		 raced || (has && record_save_version(db, id, name, &old, now)) ||
		 audit_append(db, actor, "citizen.update", id, detail);
	json_decref(old.value);
	json_decref(doc);
	return rc ? (e->status ? -1 : err_set(e, 500, "db_error", "the registry was not updated", "chưa cập nhật được cơ sở dữ liệu")) : 0;
}
