/* documents.c — files attached to a dossier: the type is read from the content (PDF, JPEG, PNG),
 * never from the name; each file is stored once under its SHA-256 (content-addressed), written to
 * a temporary name, flushed and renamed, so a file is either whole or absent. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/utf8.h"
#include "core/json.h"
#include "dossier/dossier.h"
#include "security/seal.h"
#include "store/store.h"

#define NAME_MAX_BYTES 200
#define UPLOAD_LIMIT (16 * 1024 * 1024)

static const struct {
	const char *type;
	const unsigned char *magic;
	size_t len;
} kinds[] = {
	{"application/pdf", (const unsigned char *)"%PDF-", 5},
	{"image/jpeg", (const unsigned char *)"\xFF\xD8\xFF", 3},
	{"image/png", (const unsigned char *)"\x89PNG\r\n\x1A\n", 8},
};

const char *document_sniff(const void *data, size_t len)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (len >= kinds[i].len && !memcmp(data, kinds[i].magic, kinds[i].len))
			return kinds[i].type;
	return NULL;
}

static int mkdir_p(const char *dir)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0700) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0700) && errno != EEXIST ? -1 : 0;
}

/* Writes bytes to path through a temporary file, flushed and renamed over it. */
static int write_whole(const char *path, const unsigned char *p, size_t left)
{
	char tmp[1250], rnd[17];
	crypto_random_hex(rnd, 8);
	snprintf(tmp, sizeof tmp, "%s.%s.tmp", path, rnd);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int document_write_blob(const char *dir, const char *sha, const void *data, size_t len, bool replace)
{
	char sub[1100], path[1200];
	snprintf(sub, sizeof sub, "%s/%.2s", dir, sha);
	snprintf(path, sizeof path, "%s/%s", sub, sha);
	struct stat st;
	if (!replace && stat(path, &st) == 0 && (size_t)st.st_size == len + seal_bytes_overhead())
		return 0;
	unsigned char *sealed;
	size_t sealed_len;
	if (mkdir_p(sub) || seal_bytes(sha, data, len, &sealed, &sealed_len))
		return -1;
	int rc = write_whole(path, sealed, sealed_len);
	free(sealed);
	return rc;
}

/* The whole file as stored (sealed, or in clear from before sealing). */
static unsigned char *read_stored(const char *dir, const char *sha, size_t max, size_t *len)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%.2s/%s", dir, sha, sha);
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *out = NULL;
	if (f && !fstat(fileno(f), &st) && st.st_size > 0 && (size_t)st.st_size <= max && (out = malloc((size_t)st.st_size)) &&
	    fread(out, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
		*len = (size_t)st.st_size;
	else {
		free(out);
		out = NULL;
	}
	if (f)
		fclose(f);
	return out;
}

int document_blob_key(const char *dir, const char *sha)
{
	size_t len;
	unsigned char *raw = read_stored(dir, sha, UPLOAD_LIMIT + seal_bytes_overhead(), &len);
	int kid = raw ? seal_bytes_key_of(raw, len) : -1;
	free(raw);
	return kid;
}

int document_read_blob(const char *dir, const char *sha, char **out, size_t *len)
{
	size_t raw_len;
	unsigned char *raw = read_stored(dir, sha, UPLOAD_LIMIT + seal_bytes_overhead(), &raw_len), *plain = NULL;
	int rc = -1;
	if (raw && seal_bytes_key_of(raw, raw_len))
		rc = unseal_bytes(sha, raw, raw_len, &plain, len);
	else if (raw) { /* stored before sealing: good only while it is what its name says */
		char actual[65];
		crypto_sha256_hex(raw, raw_len, actual);
		rc = strcmp(actual, sha) ? -1 : 0;
		*len = raw_len;
		plain = rc ? NULL : raw;
		raw = rc ? raw : NULL;
	}
	free(raw);
	*out = rc ? NULL : (char *)plain;
	if (rc)
		free(plain);
	return rc;
}

/* May who attach to this dossier now? The applicant while it is new or waits for a supplement;
 * the handling desk while it is open (a walk-in's papers are scanned at reception). */
static int may_attach(const struct principal *who, const char *applicant, const char *unit, const char *agency, int status,
		      bool *staff, struct err *e)
{
	*staff = dossier_desk_of(who, unit, agency);
	bool applicant_now = dossier_applicant_is(who, applicant) && (status == 1 || status == 5);
	bool open = status == 1 || status == 2 || status == 4 || status == 5 || status == 6;
	if (applicant_now || (*staff && open))
		return 0;
	return err_set(e, 403, "forbidden", "documents can be added by the applicant while the dossier is new or waits for a supplement, "
					     "and by the handling desk while it is open",
		       "người nộp chỉ bổ sung giấy tờ khi hồ sơ mới hoặc đang chờ bổ sung; cán bộ khi hồ sơ đang xử lý");
}

static bool required_document(const json_t *p, const char *doc_id)
{
	return json_find(json_object_get(p, "documents"), "id", doc_id) != NULL;
}

/* The checks every attachment passes: the dossier, who may attach now, the document's id. */
static int attach_checks(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
			 const char *doc_id, struct dossier_row *r, bool *staff, struct err *e)
{
	if (dossier_load(db, code, r, e))
		return -1;
	int rc = may_attach(who, r->applicant, r->unit, r->agency, r->status, staff, e);
	if (!rc && (!doc_id || !required_document(catalog_procedure(d->registry->catalog, r->procedure), doc_id)))
		rc = err_set(e, 422, "unknown_document", "the document id must name one of the procedure's documents",
			     "mã giấy tờ phải là một giấy tờ của thủ tục");
	if (rc)
		dossier_row_release(r);
	return rc;
}

struct attachment {
	const char *code, *doc_id, *sha, *type, *name, *reused_from;
	int64_t size;
	bool digitised;
};

static int record(struct db *db, const struct principal *who, const struct attachment *a, json_t **out, struct err *e)
{
	int64_t now = clock_now_us();
	int rc = db_begin(db) ? -1 : 0;
	if (!rc) {
		enum db_rc ins = db_run(db, "INSERT INTO documents (code, doc_id, sha256, size, type, name, uploaded_by, digitised, at, "
					    "reused_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code, doc_id, sha256) DO NOTHING",
					"tttitttbit", a->code, a->doc_id, a->sha, a->size, a->type, a->name, who->username, a->digitised, now,
					a->reused_from);
		rc = ins != DB_DONE || dossier_mark_changed(db, a->code) || audit_append(db, who->username, a->reused_from ? "dossier.document.reuse" : "dossier.document",
						    a->code, "{}") ||
		     db_commit(db);
		if (rc)
			db_rollback(db);
	}
	if (rc)
		return err_set(e, 500, "db_error", "the document was not recorded", "chưa ghi nhận được giấy tờ");
	*out = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:b,s:o}", "code", a->code, "document", a->doc_id, "sha256", a->sha, "size",
			 (json_int_t)a->size, "type", a->type, "name", a->name, "digitised", a->digitised, "reused_from",
			 a->reused_from ? json_string(a->reused_from) : json_null());
	return 0;
}

int document_upload(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		    const char *doc_id, const char *name, const void *data, size_t len, json_t **out, struct err *e)
{
	if (!data || len == 0)
		return err_set(e, 422, "empty_file", "send the file as the request body", "hãy gửi tệp trong nội dung yêu cầu");
	const char *type = document_sniff(data, len);
	if (!type)
		return err_set(e, 415, "unsupported_type", "only PDF, JPEG and PNG files are accepted (read from the content)",
			       "chỉ nhận tệp PDF, JPEG và PNG (xác định theo nội dung tệp)");
	if (!name)
		name = "";
	if (strlen(name) > NAME_MAX_BYTES || !utf8_valid(name, strlen(name)) || strchr(name, '/'))
		return err_set(e, 422, "invalid_field", "X-File-Name must be a plain UTF-8 name of at most %d bytes",
			       "X-File-Name phải là tên tệp UTF-8 không quá %d byte", NAME_MAX_BYTES);
	struct dossier_row r;
	bool staff;
	if (attach_checks(d, db, who, code, doc_id, &r, &staff, e))
		return -1;
	dossier_row_release(&r);
	char sha[65];
	crypto_sha256_hex(data, len, sha);
	if (document_write_blob(d->files_dir, sha, data, len, false))
		return err_set(e, 500, "store_failed", "the file could not be stored", "không lưu được tệp");
	struct attachment a = {code, doc_id, sha, type, name, NULL, (int64_t)len, staff};
	return record(db, who, &a, out, e);
}

int document_reuse(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		   const json_t *body, json_t **out, struct err *e)
{
	const char *doc_id, *stored;
	if (json_get_str(body, "document", true, 64, &doc_id, e) || json_get_str(body, "stored", true, 64, &stored, e))
		return -1;
	struct dossier_row r;
	bool staff;
	if (attach_checks(d, db, who, code, doc_id, &r, &staff, e))
		return -1;
	struct stored_file f;
	int rc = store_find(db, r.applicant, stored, &f, e);
	dossier_row_release(&r);
	if (rc)
		return -1;
	struct attachment a = {code, doc_id, f.sha256, f.type, f.name, stored, f.size, false};
	return record(db, who, &a, out, e);
}

json_t *document_list(struct db *db, const char *code)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT doc_id, sha256, size, type, name, digitised, at, reused_from FROM documents "
					    "WHERE code = ? ORDER BY at");
	if (!st || db_bind(st, "t", code))
		return list;
	while (db_step(st) == DB_ROW) {
		char at[40];
		clock_iso(db_col_int(st, 6), at, sizeof at);
		json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:s,s:s,s:b,s:s,s:o}", "document", db_col_text(st, 0), "sha256",
						      db_col_text(st, 1), "size", (json_int_t)db_col_int(st, 2), "type",
						      db_col_text(st, 3), "name", db_col_text(st, 4), "digitised",
						      (int)db_col_int(st, 5), "at", at, "reused_from",
						      db_col_null(st, 7) ? json_null() : json_string(db_col_text(st, 7))));
	}
	return list;
}

/* The procedure's required documents the dossier lacks, as an array of ids. */
json_t *document_missing(const struct dossiers *d, struct db *db, const char *code, const char *procedure)
{
	json_t *missing = json_array();
	const json_t *p = catalog_procedure(d->registry->catalog, procedure);
	size_t i;
	json_t *doc;
	json_array_foreach(json_object_get(p, "documents"), i, doc) {
		const char *id = json_string_value(json_object_get(doc, "id"));
		if (!id || !json_is_true(json_object_get(doc, "required")))
			continue;
		struct db_stmt *st = db_prepare(db, "SELECT 1 FROM documents WHERE code = ? AND doc_id = ?");
		bool have = st && !db_bind(st, "tt", code, id) && db_step(st) == DB_ROW;
		if (st)
			db_reset(st);
		if (!have)
			json_array_append_new(missing, json_string(id));
	}
	return missing;
}
