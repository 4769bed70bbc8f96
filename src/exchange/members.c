/* members.c — who takes part in the exchange: members (with their public keys) and their
 * subsystems, the services subsystems offer, the grants that let a client subsystem call a
 * service for named purposes, and the purposes themselves with their legal basis. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "exchange/exchange.h"

#define PURPOSES_MAX 512
#define NAME_MAX_LEN 200

static int db_fail(struct db *db, struct err *e)
{
	return err_set(e, 500, "db_error", "database error: %s", "lỗi cơ sở dữ liệu: %s", db_errmsg(db));
}

static bool key_valid(const char *b64)
{
	unsigned char pk[32];
	size_t n = 0;
	return b64 && !sodium_base642bin(pk, sizeof pk, b64, strlen(b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) &&
	       n == sizeof pk;
}

/* Runs fn's writes in one transaction with an audit entry. */
static int in_tx(struct db *db, struct err *e, const char *actor, const char *action, const char *object,
		 int (*fn)(struct db *db, const void *arg, struct err *e), const void *arg)
{
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
	if (fn(db, arg, e) || audit_append(db, actor, action, object, NULL) || db_commit(db)) {
		db_rollback(db);
		return e->status ? -1 : db_fail(db, e);
	}
	return 0;
}

struct member_args {
	const char *id, *name, *public_key, *subsystem;
};

static int member_write(struct db *db, const void *arg, struct err *e)
{
	const struct member_args *m = arg;
	int64_t now = clock_now_us();
	if (db_run(db, "INSERT INTO exchange_members (id, name, public_key, created_at) VALUES (?, ?, ?, ?) "
		       "ON CONFLICT (id) DO UPDATE SET name = excluded.name, public_key = excluded.public_key",
		   "ttti", m->id, m->name, m->public_key, now) != DB_DONE)
		return db_fail(db, e);
	if (!m->subsystem)
		return 0;
	char sub[XR_ID_MAX + 48];
	snprintf(sub, sizeof sub, "%s/%s", m->id, m->subsystem);
	if (!xid_valid(sub, 4))
		return err_set(e, 400, "invalid_subsystem", "subsystem %s: use 1-40 of A-Z a-z 0-9 . _ -",
			       "phân hệ %s: dùng 1-40 ký tự A-Z a-z 0-9 . _ -", m->subsystem);
	return db_run(db, "INSERT INTO exchange_subsystems (id, member, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
		      "tti", sub, m->id, now) == DB_DONE ? 0 : db_fail(db, e);
}

static int member_check(const char *id, const char *name, const char *public_key, struct err *e)
{
	if (!xid_valid(id, 3))
		return err_set(e, 400, "invalid_member", "member %s: write it as VN/GOV/CODE or VN/COM/CODE",
			       "thành viên %s: hãy viết dạng VN/GOV/MÃ hoặc VN/COM/MÃ", id);
	if (!name || !name[0] || strlen(name) > NAME_MAX_LEN)
		return err_set(e, 400, "invalid_name", "a member needs a name of 1-%d bytes", "thành viên cần tên dài 1-%d byte",
			       NAME_MAX_LEN);
	if (!key_valid(public_key))
		return err_set(e, 400, "invalid_public_key", "the public key must be 32 bytes of Ed25519 key in base64",
			       "khóa công khai phải là 32 byte khóa Ed25519 mã hóa base64");
	return 0;
}

int xmember_write(struct db *db, const char *id, const char *name, const char *public_key, const char *subsystem,
		  struct err *e)
{
	struct member_args m = {id, name, public_key, subsystem};
	return member_check(id, name, public_key, e) || member_write(db, &m, e) ? -1 : 0;
}

int xmember_add(struct db *db, const char *id, const char *name, const char *public_key, const char *subsystem,
		struct err *e)
{
	if (member_check(id, name, public_key, e))
		return -1;
	struct member_args m = {id, name, public_key, subsystem};
	return in_tx(db, e, "system", "exchange.member", id, member_write, &m);
}

struct service_args {
	const char *id, *handler, *name;
};

static int service_write(struct db *db, const void *arg, struct err *e)
{
	const struct service_args *s = arg;
	char sub[XR_ID_MAX];
	xid_prefix(s->id, 4, sub, sizeof sub);
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM exchange_subsystems WHERE id = ?");
	if (!st || db_bind(st, "t", sub))
		return db_fail(db, e);
	bool known = db_step(st) == DB_ROW;
	db_reset(st);
	if (!known)
		return err_set(e, 404, "unknown_subsystem", "subsystem %s is not registered: trondoi exchange member --subsystem first",
			       "phân hệ %s chưa đăng ký: hãy chạy trondoi exchange member --subsystem trước", sub);
	return db_run(db, "INSERT INTO exchange_services (id, subsystem, handler, name, created_at) VALUES (?, ?, ?, ?, ?) "
			  "ON CONFLICT (id) DO UPDATE SET handler = excluded.handler, name = excluded.name",
		      "tttti", s->id, sub, s->handler, s->name, clock_now_us()) == DB_DONE
		       ? 0
		       : db_fail(db, e);
}

int xservice_add(struct db *db, const char *id, const char *handler, const char *name, struct err *e)
{
	if (!xid_valid(id, 6))
		return err_set(e, 400, "invalid_service", "service %s: write it as VN/GOV/MEMBER/SUBSYSTEM/SERVICE/VERSION",
			       "dịch vụ %s: hãy viết dạng VN/GOV/THÀNH-VIÊN/PHÂN-HỆ/DỊCH-VỤ/PHIÊN-BẢN", id);
	if (!xprovider_known(handler))
		return err_set(e, 400, "unknown_handler",
			       "handler %s is not one this node plays (population.person, land.parcels, business.lookup, insurance.card)",
			       "bộ xử lý %s không có trên nút này (population.person, land.parcels, business.lookup, insurance.card)",
			       handler ? handler : "");
	struct service_args s = {id, handler, name && name[0] ? name : id};
	return in_tx(db, e, "system", "exchange.service", id, service_write, &s);
}

/* Checks each comma-separated code against the purposes table. */
static int purposes_check(struct db *db, const char *purposes, struct err *e)
{
	if (!purposes || !purposes[0] || strlen(purposes) > PURPOSES_MAX)
		return err_set(e, 400, "invalid_purposes", "a grant names its purposes: codes separated by commas",
			       "quyền truy cập phải nêu mục đích: các mã cách nhau bởi dấu phẩy");
	const char *p = purposes;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char code[PURPOSES_MAX + 1];
		snprintf(code, sizeof code, "%.*s", (int)len, p);
		struct db_stmt *st = db_prepare(db, "SELECT 1 FROM exchange_purposes WHERE code = ?");
		if (!st || db_bind(st, "t", code))
			return db_fail(db, e);
		bool known = db_step(st) == DB_ROW;
		db_reset(st);
		if (!known)
			return err_set(e, 400, "unknown_purpose", "purpose '%s' is not in data/exchange-purposes.json",
				       "mục đích '%s' không có trong data/exchange-purposes.json", code);
		p = end ? end + 1 : p + len;
	}
	return 0;
}

struct grant_args {
	const char *client, *service, *purposes;
	int hide_days;
};

static int grant_write(struct db *db, const void *arg, struct err *e)
{
	const struct grant_args *g = arg;
	struct db_stmt *st = db_prepare(db, "SELECT (SELECT COUNT(*) FROM exchange_subsystems WHERE id = ?), "
					    "(SELECT COUNT(*) FROM exchange_services WHERE id = ?)");
	if (!st || db_bind(st, "tt", g->client, g->service) || db_step(st) != DB_ROW)
		return db_fail(db, e);
	bool client = db_col_int(st, 0) > 0, service = db_col_int(st, 1) > 0;
	db_reset(st);
	if (!client)
		return err_set(e, 404, "unknown_client", "client subsystem %s is not registered", "phân hệ khách %s chưa đăng ký",
			       g->client);
	if (!service)
		return err_set(e, 404, "unknown_service", "service %s is not registered", "dịch vụ %s chưa đăng ký", g->service);
	if (purposes_check(db, g->purposes, e))
		return -1;
	return db_run(db, "INSERT INTO exchange_grants (client, service, purposes, hide_days, granted_at, revoked_at) "
			  "VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (client, service) DO UPDATE SET purposes = excluded.purposes, "
			  "hide_days = excluded.hide_days, granted_at = excluded.granted_at, revoked_at = NULL",
		      "tttii", g->client, g->service, g->purposes, (int64_t)g->hide_days, clock_now_us()) == DB_DONE
		       ? 0
		       : db_fail(db, e);
}

int xgrant_add(struct db *db, const char *client, const char *service, const char *purposes, int hide_days,
	       const char *actor, struct err *e)
{
	if (!xid_valid(client, 4) || !xid_valid(service, 6))
		return err_set(e, 400, "invalid_grant", "a grant joins a client VN/CLASS/MEMBER/SUBSYSTEM and a service "
							"VN/CLASS/MEMBER/SUBSYSTEM/SERVICE/VERSION",
			       "quyền truy cập nối một phân hệ khách VN/NHÓM/THÀNH-VIÊN/PHÂN-HỆ với một dịch vụ "
			       "VN/NHÓM/THÀNH-VIÊN/PHÂN-HỆ/DỊCH-VỤ/PHIÊN-BẢN");
	if (hide_days < 0 || hide_days > 3650)
		return err_set(e, 400, "invalid_hide_days", "the hiding period is 0 to 3650 days", "thời hạn ẩn là 0 đến 3650 ngày");
	struct grant_args g = {client, service, purposes, hide_days};
	char object[2 * XR_ID_MAX + 4];
	snprintf(object, sizeof object, "%s -> %s", client, service);
	return in_tx(db, e, actor, "exchange.grant", object, grant_write, &g);
}

static int revoke_write(struct db *db, const void *arg, struct err *e)
{
	const struct grant_args *g = arg;
	if (db_run(db, "UPDATE exchange_grants SET revoked_at = ? WHERE client = ? AND service = ? AND revoked_at IS NULL", "itt",
		   clock_now_us(), g->client, g->service) != DB_DONE)
		return db_fail(db, e);
	if (db_changes(db) == 0)
		return err_set(e, 404, "no_grant", "%s holds no live grant on %s", "%s không có quyền truy cập nào còn hiệu lực với %s",
			       g->client, g->service);
	return 0;
}

int xgrant_revoke(struct db *db, const char *client, const char *service, const char *actor, struct err *e)
{
	struct grant_args g = {client, service, NULL, 0};
	char object[2 * XR_ID_MAX + 4];
	snprintf(object, sizeof object, "%s -> %s", client ? client : "", service ? service : "");
	if (!client || !service)
		return err_set(e, 400, "invalid_grant", "name the --client and the --service", "hãy nêu --client và --service");
	return in_tx(db, e, actor, "exchange.revoke", object, revoke_write, &g);
}

/* --- init: the data files --- */

static json_t *load_json(const char *data_dir, const char *file, struct err *e)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/%s", data_dir, file);
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		err_set(e, 500, "bad_reference_data", "%s: %s", "%s: %s", path, je.text);
	return doc;
}

static int purposes_store(struct db *db, const json_t *doc, struct err *e)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(doc, "purposes"), i, p) {
		const char *f[5];
		const char *names[] = {"code", "name_vi", "name_en", "legal_basis_vi", "legal_basis_en"};
		for (size_t k = 0; k < 5; k++)
			if (!(f[k] = json_string_value(json_object_get(p, names[k]))))
				return err_set(e, 500, "bad_reference_data", "exchange-purposes.json: purpose %zu has no %s",
					       "exchange-purposes.json: mục đích %zu thiếu %s", i, names[k]);
		if (db_run(db, "INSERT INTO exchange_purposes (code, name_vi, name_en, legal_basis_vi, legal_basis_en) "
			       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, "
			       "name_en = excluded.name_en, legal_basis_vi = excluded.legal_basis_vi, legal_basis_en = excluded.legal_basis_en",
			   "ttttt", f[0], f[1], f[2], f[3], f[4]) != DB_DONE)
			return db_fail(db, e);
	}
	return 0;
}

/* The providers this node plays: each a member (with the node's public key, since the node
 * answers for it), its subsystem and its services. */
static int providers_store(struct db *db, const json_t *doc, const char *public_key, struct err *e)
{
	size_t i, k;
	json_t *p, *s;
	json_array_foreach(json_object_get(doc, "providers"), i, p) {
		struct member_args m = {json_string_value(json_object_get(p, "member")), json_string_value(json_object_get(p, "name")),
					public_key, json_string_value(json_object_get(p, "subsystem"))};
		if (!m.id || !xid_valid(m.id, 3) || !m.name || !m.subsystem)
			return err_set(e, 500, "bad_reference_data", "exchange-providers.json: provider %zu needs member, name, subsystem",
				       "exchange-providers.json: nhà cung cấp %zu cần member, name, subsystem", i);
		if (member_write(db, &m, e))
			return -1;
		json_array_foreach(json_object_get(p, "services"), k, s) {
			char id[XR_ID_MAX * 2];
			snprintf(id, sizeof id, "%s/%s/%s/%s", m.id, m.subsystem, json_string_value(json_object_get(s, "code")) ?: "",
				 json_string_value(json_object_get(s, "version")) ?: "");
			struct service_args sa = {id, json_string_value(json_object_get(s, "handler")),
						  json_string_value(json_object_get(s, "name"))};
			if (!xid_valid(id, 6) || !xprovider_known(sa.handler) || !sa.name)
				return err_set(e, 500, "bad_reference_data", "exchange-providers.json: service %s is not well formed",
					       "exchange-providers.json: dịch vụ %s không hợp lệ", id);
			if (service_write(db, &sa, e))
				return -1;
		}
	}
	return 0;
}

int xdata_load(struct db *db, const char *data_dir, const char *public_key, char default_node[XR_ID_MAX], struct err *e)
{
	json_t *purposes = load_json(data_dir, "exchange-purposes.json", e);
	json_t *providers = purposes ? load_json(data_dir, "exchange-providers.json", e) : NULL;
	json_t *prefill = providers ? load_json(data_dir, "exchange-prefill.json", e) : NULL;
	char *text = prefill ? json_dumps(providers, JSON_COMPACT) : NULL;
	char *prefill_text = text ? json_dumps(prefill, JSON_COMPACT) : NULL;
	int rc = -1;
	if (!prefill_text)
		goto out;
	snprintf(default_node, XR_ID_MAX, "%s", json_string_value(json_object_get(providers, "node")) ?: "VN/GOV/36");
	if (db_begin(db)) {
		err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
		goto out;
	}
	if (purposes_store(db, purposes, e) || (public_key && providers_store(db, providers, public_key, e)) ||
	    db_run(db, "DELETE FROM meta WHERE key = 'exchange_providers'", "") != DB_DONE ||
	    db_run(db, "INSERT INTO meta (key, value) VALUES ('exchange_providers', ?)", "t", text) != DB_DONE ||
	    db_run(db, "DELETE FROM meta WHERE key = 'exchange_prefill'", "") != DB_DONE ||
	    db_run(db, "INSERT INTO meta (key, value) VALUES ('exchange_prefill', ?)", "t", prefill_text) != DB_DONE ||
	    db_commit(db)) {
		db_rollback(db);
		if (!e->status)
			db_fail(db, e);
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(prefill_text);
	json_decref(purposes);
	json_decref(providers);
	json_decref(prefill);
	return rc;
}

/* --- GET /exchange/services --- */

static json_t *rows(struct db *db, const char *sql, const char *const *names, const char *types)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	json_t *list = json_array();
	while (db_step(st) == DB_ROW) {
		json_t *o = json_object();
		for (int i = 0; names[i]; i++) {
			if (db_col_null(st, i))
				json_object_set_new(o, names[i], json_null());
			else if (types[i] == 'i')
				json_object_set_new(o, names[i], json_integer(db_col_int(st, i)));
			else if (types[i] == 'T') { /* a time */
				char at[40];
				clock_iso(db_col_int(st, i), at, sizeof at);
				json_object_set_new(o, names[i], json_string(at));
			} else if (types[i] == 'L') { /* a comma-separated list */
				json_t *a = json_array();
				const char *p = db_col_text(st, i);
				while (*p) {
					const char *end = strchr(p, ',');
					size_t len = end ? (size_t)(end - p) : strlen(p);
					json_array_append_new(a, json_stringn(p, len));
					p += len + (end != NULL);
				}
				json_object_set_new(o, names[i], a);
			} else
				json_object_set_new(o, names[i], json_string(db_col_text(st, i)));
		}
		json_array_append_new(list, o);
	}
	return list;
}

int xservices_list(const struct exchange *x, struct db *db, json_t **out, struct err *e)
{
	static const char *const purpose_names[] = {"code", "name_vi", "name_en", "legal_basis_vi", "legal_basis_en", NULL};
	static const char *const member_names[] = {"id", "name", "public_key", "created_at", NULL};
	static const char *const sub_names[] = {"id", "member", NULL};
	static const char *const service_names[] = {"id", "subsystem", "name", "handler", NULL};
	static const char *const grant_names[] = {"client", "service", "purposes", "hide_days", "granted_at", "revoked_at", NULL};
	json_t *parts[] = {
		rows(db, "SELECT code, name_vi, name_en, legal_basis_vi, legal_basis_en FROM exchange_purposes ORDER BY code",
		     purpose_names, "sssss"),
		rows(db, "SELECT id, name, public_key, created_at FROM exchange_members ORDER BY id", member_names, "sssT"),
		rows(db, "SELECT id, member FROM exchange_subsystems ORDER BY id", sub_names, "ss"),
		rows(db, "SELECT id, subsystem, name, handler FROM exchange_services ORDER BY id", service_names, "ssss"),
		rows(db, "SELECT client, service, purposes, hide_days, granted_at, revoked_at FROM exchange_grants ORDER BY client, service",
		     grant_names, "ssLiTT"),
	};
	if (!parts[0] || !parts[1] || !parts[2] || !parts[3] || !parts[4]) {
		for (size_t i = 0; i < 5; i++)
			json_decref(parts[i]);
		return db_fail(db, e);
	}
	*out = json_pack("{s:{s:s,s:s,s:s,s:b},s:o,s:o,s:o,s:o,s:o}", "node", "id", x->node_id, "algorithm", "Ed25519",
			 "public_key", x->public_key, "signing", x->has_key, "purposes", parts[0], "members", parts[1],
			 "subsystems", parts[2], "services", parts[3], "grants", parts[4]);
	return 0;
}
