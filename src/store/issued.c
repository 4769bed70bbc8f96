/* issued.c — results issued electronically. When a dossier is finished (status 9) its result
 * is issued in the same transaction: the content (what was decided, for whom, by whom) as
 * canonical JSON and its SHA-256, a claim {v,id,t,iss,d,h} signed with the issuing unit's key,
 * and the result PDF with that claim in its QR, stored by content like any document. The holder
 * sees it in their store, chooses what the public verification page may show, and attaches it
 * to a later dossier by reference. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "store/store.h"
#include "security/seal.h"

#define SHARE_MAX 20

static json_t *content_of(const struct dossiers *d, const struct dossier_row *r, const char *id, int64_t now)
{
	const json_t *p = catalog_procedure(d->registry->catalog, r->procedure);
	char at[40];
	clock_iso(now, at, sizeof at);
	return json_pack("{s:s,s:s,s:{s:s,s:O},s:{s:s,s:O},s:O,s:s,s:s}", "id", id, "dossier", r->code, "procedure", "code",
			 r->procedure, "name", json_object_get(p, "name"), "holder", "id", r->applicant, "name",
			 json_object_get(r->fields, "applicant_full_name"), "fields", r->fields, "issuer", r->unit, "issued_at", at);
}

static int sign(struct db *db, const struct dossier_row *r, const char *id, const char *sha, int64_t now, char *token,
		size_t n)
{
	unsigned char sk[64];
	char pub[64], day[11];
	clock_date_vn(now, day, sizeof day);
	if (unit_key(db, r->unit, sk, pub))
		return -1;
	json_t *claim = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s}", "v", 1, "id", id, "t", r->procedure, "iss", r->unit, "d", day, "h", sha);
	int rc = claim ? claim_sign(claim, sk, token, n) : -1;
	sodium_memzero(sk, sizeof sk);
	json_decref(claim);
	return rc;
}

int result_issue(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *actor, int64_t now)
{
	char id[20] = "KQ", sha[65], pdf_sha[65], token[CLAIM_MAX * 2], qr[CLAIM_MAX * 3];
	crypto_random_hex(id + 2, 8);
	json_t *content = content_of(d, r, id, now);
	char *text = content ? json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(content);
	if (!text)
		return -1;
	crypto_sha256_hex(text, strlen(text), sha);
	char *pdf = NULL;
	size_t len = 0;
	struct err e;
	int rc = sign(db, r, id, sha, now, token, sizeof token);
	if (!rc) {
		snprintf(qr, sizeof qr, "%s/verify/%s?c=%s", d->public_url, id, token);
		struct form_extra x = {id, now, qr};
		rc = form_render(d, db, r, "result", &x, &pdf, &len, &e);
	}
	char *sealed = NULL;
	if (!rc) {
		crypto_sha256_hex(pdf, len, pdf_sha);
		rc = document_write_blob(d->files_dir, pdf_sha, pdf, len, false) || !(sealed = seal_text("issued.content", id, text)) ||
		     db_run(db, "INSERT INTO issued (id, code, holder_id, procedure_code, unit, issued_at, content, content_sha256, "
				"claim, pdf_sha256, pdf_size, shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')",
			    "tttttitttti", id, r->code, r->applicant, r->procedure, r->unit, now, sealed, sha, token, pdf_sha,
			    (int64_t)len) != DB_DONE ||
		     audit_append(db, actor, "result.issue", id, "{}");
	}
	free(sealed);
	free(pdf);
	free(text);
	return rc ? -1 : 0;
}

int result_pdf(const struct dossiers *d, struct db *db, const struct dossier_row *r, char **pdf, size_t *len, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT pdf_sha256 FROM issued WHERE code = ?");
	char sha[65] = "";
	if (st && !db_bind(st, "t", r->code) && db_step(st) == DB_ROW) {
		snprintf(sha, sizeof sha, "%s", db_col_text(st, 0));
		db_reset(st);
	}
	if (!sha[0])
		return err_set(e, 409, "form_not_available", "dossier %s has no result issued yet", "hồ sơ %s chưa có kết quả", r->code);
	if (document_read_blob(d->files_dir, sha, pdf, len))
		return err_set(e, 500, "store_failed", "the stored result cannot be read", "không đọc được kết quả đã lưu");
	return 0;
}

static json_t *issued_json(const struct dossiers *d, struct db_stmt *st)
{
	char at[40], url[CLAIM_MAX * 3];
	clock_iso(db_col_int(st, 4), at, sizeof at);
	snprintf(url, sizeof url, "%s/verify/%s?c=%s", d->public_url, db_col_text(st, 0), db_col_text(st, 6));
	const json_t *p = catalog_procedure(d->registry->catalog, db_col_text(st, 2));
	json_t *shared = json_loads(db_col_text(st, 7), 0, NULL);
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:O},s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:s}", "id", db_col_text(st, 0), "kind", "result",
			 "code", db_col_text(st, 1), "procedure", "code", db_col_text(st, 2), "name", json_object_get(p, "name"),
			 "issuer", db_col_text(st, 3), "issued_at", at, "content_sha256", db_col_text(st, 5), "claim",
			 db_col_text(st, 6), "verify_url", url, "shared", shared ? shared : json_array(), "revoked",
			 !db_col_null(st, 8), "sha256", db_col_text(st, 9));
}

static json_t *files_of(struct db *db, const char *citizen)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT d.sha256, MIN(d.type), MIN(d.size), MIN(d.name), MIN(d.doc_id), MIN(d.code), "
					    "MAX(d.at) FROM documents d JOIN dossiers x ON x.code = d.code WHERE x.applicant_id = ? "
					    "GROUP BY d.sha256 ORDER BY 7 DESC LIMIT 200");
	if (!st || db_bind(st, "t", citizen))
		return list;
	while (db_step(st) == DB_ROW) {
		char at[40];
		clock_iso(db_col_int(st, 6), at, sizeof at);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id", db_col_text(st, 0), "kind", "file",
						      "type", db_col_text(st, 1), "size", (json_int_t)db_col_int(st, 2), "name",
						      db_col_text(st, 3), "document", db_col_text(st, 4), "code", db_col_text(st, 5),
						      "at", at));
	}
	return list;
}

int store_list(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, code, procedure_code, unit, issued_at, content_sha256, claim, shared, "
					    "revoked_at, pdf_sha256 FROM issued WHERE holder_id = ? ORDER BY issued_at DESC LIMIT 200");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *results = json_array();
	while (db_step(st) == DB_ROW)
		json_array_append_new(results, issued_json(d, st));
	*out = json_pack("{s:o,s:o}", "results", results, "files", files_of(db, who->citizen_id));
	return 0;
}

/* The names the holder may share: "holder_name" and the result's form fields. */
static int check_share(const json_t *fields, const json_t *asked, struct err *e)
{
	size_t i;
	json_t *v;
	if (!json_is_array(asked) || json_array_size(asked) > SHARE_MAX)
		return err_set(e, 422, "invalid_field", "fields must be a list of at most %d names", "fields phải là danh sách tối đa %d tên",
			       SHARE_MAX);
	json_array_foreach(asked, i, v) {
		const char *name = json_string_value(v);
		if (!name || (strcmp(name, "holder_name") && !json_object_get(fields, name)))
			return err_set(e, 422, "invalid_field", "%s is not a field of this result", "%s không phải trường của kết quả này",
				       name ? name : "?");
	}
	return 0;
}

int store_share(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, const json_t *body,
		json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT content FROM issued WHERE id = ? AND holder_id = ?");
	json_t *content = NULL, *asked = json_object_get(body, "fields");
	if (st && !db_bind(st, "tt", id, who->citizen_id) && db_step(st) == DB_ROW) {
		content = unseal_json("issued.content", id, db_col_text(st, 0));
		db_reset(st);
	}
	if (!content)
		return err_set(e, 404, "document_not_found", "you hold no document %s", "bạn không có văn bản %s", id);
	int rc = check_share(json_object_get(content, "fields"), asked, e);
	json_decref(content);
	char *text = rc ? NULL : json_dumps(asked, JSON_COMPACT);
	if (!rc && (!text || db_begin(db)))
		rc = err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	else if (!rc) {
		rc = db_run(db, "UPDATE issued SET shared = ? WHERE id = ?", "tt", text, id) != DB_DONE ||
		     audit_append(db, who->username, "store.share", id, text) || db_commit(db);
		if (rc) {
			db_rollback(db);
			err_set(e, 500, "db_error", "the choice was not saved", "chưa lưu được lựa chọn");
		}
	}
	free(text);
	if (!rc)
		*out = json_pack("{s:s,s:O}", "id", id, "shared", asked);
	(void)d;
	return rc ? -1 : 0;
}

/* What the holder chose to show, from the content. */
static json_t *shared_values(const json_t *content, const char *shared_text)
{
	json_t *names = json_loads(shared_text, 0, NULL), *out = json_object(), *v;
	size_t i;
	json_array_foreach(names, i, v) {
		const char *name = json_string_value(v);
		const json_t *val = !strcmp(name, "holder_name") ? json_object_get(json_object_get(content, "holder"), "name")
								  : json_object_get(json_object_get(content, "fields"), name);
		if (val)
			json_object_set(out, name, (json_t *)val);
	}
	json_decref(names);
	return out;
}

/* A claim checked against the issuer's key and the stored document. */
static json_t *claim_check(const char *token, const char *pub, const char *id, const char *sha)
{
	json_t *claim = NULL;
	struct err e = {0};
	bool valid = !claim_verify(token, pub, &claim, &e);
	bool matches = valid && !strcmp(json_string_value(json_object_get(claim, "id")) ?: "", id) &&
		       !strcmp(json_string_value(json_object_get(claim, "h")) ?: "", sha);
	json_t *o = json_pack("{s:b,s:b,s:o}", "valid", valid, "matches", matches, "claim", claim ? claim : json_null());
	if (!valid)
		json_object_set_new(o, "error", json_pack("{s:s,s:s}", "message", e.msg, "message_vi", e.msg_vi));
	return o;
}

struct issued_row {
	char id[24], unit[8], procedure[32], sha[65], claim[CLAIM_MAX * 2], shared[1024];
	int64_t issued_at;
	bool revoked;
	json_t *content;
	char *content_text;
};

static int load_issued(struct db *db, const char *id, struct issued_row *x)
{
	memset(x, 0, sizeof *x);
	struct db_stmt *st = db_prepare(db, "SELECT id, unit, procedure_code, content_sha256, claim, shared, issued_at, revoked_at, "
					    "content FROM issued WHERE id = ?");
	if (!st || db_bind(st, "t", id) || db_step(st) != DB_ROW)
		return -1;
	char *fields[] = {x->id, x->unit, x->procedure, x->sha, x->claim, x->shared};
	size_t sizes[] = {sizeof x->id, sizeof x->unit, sizeof x->procedure, sizeof x->sha, sizeof x->claim, sizeof x->shared};
	for (int i = 0; i < 6; i++)
		snprintf(fields[i], sizes[i], "%s", db_col_text(st, i));
	x->issued_at = db_col_int(st, 6);
	x->revoked = !db_col_null(st, 7);
	x->content_text = unseal_text("issued.content", id, db_col_text(st, 8)); /* NULL when it does not open: changed */
	if (!x->content_text)
		x->content_text = strdup("");
	db_reset(st);
	x->content = x->content_text ? json_loads(x->content_text, 0, NULL) : NULL;
	return 0;
}

int store_verify(const struct dossiers *d, struct db *db, const char *id, const char *claim, json_t **out, struct err *e)
{
	struct issued_row x;
	char pub[64] = "", sha[65], today[11];
	if (strlen(id) > 20 || load_issued(db, id, &x))
		return err_set(e, 404, "document_not_found", "no document %s was issued here: it is not genuine",
			       "không có văn bản %s do hệ thống cấp: văn bản không xác thực", id);
	unit_public_key(db, x.unit, pub);
	crypto_sha256_hex(x.content_text ? x.content_text : "", x.content_text ? strlen(x.content_text) : 0, sha);
	json_t *own = claim_check(x.claim, pub, x.id, x.sha);
	bool genuine = !strcmp(sha, x.sha) && json_is_true(json_object_get(own, "matches"));
	json_decref(own);
	clock_today_vn(today, sizeof today);
	const struct unit *u = units_find(d->registry->units, x.unit, today);
	char at[40];
	clock_iso(x.issued_at, at, sizeof at);
	*out = json_pack("{s:s,s:b,s:b,s:{s:s,s:O},s:{s:s,s:s,s:s,s:s},s:s,s:s,s:o}", "id", x.id, "genuine", genuine, "revoked",
			 x.revoked, "document", "procedure", x.procedure, "name",
			 json_object_get(catalog_procedure(d->registry->catalog, x.procedure), "name"), "issuer", "unit", x.unit, "name",
			 u ? u->name : "", "algorithm", "Ed25519", "public_key", pub, "issued_at", at, "content_sha256", x.sha, "shared",
			 shared_values(x.content, x.shared));
	if (claim)
		json_object_set_new(*out, "presented_claim", claim_check(claim, pub, x.id, x.sha));
	json_decref(x.content);
	free(x.content_text);
	return 0;
}

int store_find(struct db *db, const char *citizen, const char *id, struct stored_file *f, struct err *e)
{
	memset(f, 0, sizeof *f);
	struct db_stmt *st = !strncmp(id, "KQ", 2)
				     ? db_prepare(db, "SELECT pdf_sha256, 'application/pdf', pdf_size, id FROM issued WHERE id = ? AND "
						      "holder_id = ? AND revoked_at IS NULL")
				     : db_prepare(db, "SELECT d.sha256, d.type, d.size, d.name FROM documents d JOIN dossiers x ON "
						      "x.code = d.code WHERE d.sha256 = ? AND x.applicant_id = ? LIMIT 1");
	if (!st || db_bind(st, "tt", id, citizen) || db_step(st) != DB_ROW)
		return err_set(e, 422, "stored_not_found", "the applicant's document store holds no %s",
			       "kho dữ liệu của người nộp không có %s", id);
	snprintf(f->sha256, sizeof f->sha256, "%s", db_col_text(st, 0));
	snprintf(f->type, sizeof f->type, "%s", db_col_text(st, 1));
	f->size = db_col_int(st, 2);
	snprintf(f->name, sizeof f->name, "%s%s", db_col_text(st, 3), !strncmp(id, "KQ", 2) ? ".pdf" : "");
	db_reset(st);
	return 0;
}
