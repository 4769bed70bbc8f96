/* documents.c — files attached to a dossier: the type is read from the content (PDF, JPEG, PNG),
 * never from the name; each file is stored once under its SHA-256 (content-addressed), written to
 * a temporary name, flushed and renamed, so a file is either whole or absent. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/utf8.h"
#include "dossier/dossier.h"

#define NAME_MAX_BYTES 200

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

/* Stores data under dir/ab/abcdef… unless it is there already. */
static int store_blob(const char *dir, const char *sha, const void *data, size_t len)
{
	char sub[1100], path[1200], tmp[1250];
	snprintf(sub, sizeof sub, "%s/%.2s", dir, sha);
	snprintf(path, sizeof path, "%s/%s", sub, sha);
	struct stat st;
	if (stat(path, &st) == 0 && (size_t)st.st_size == len)
		return 0;
	if (mkdir_p(sub))
		return -1;
	char rnd[17];
	crypto_random_hex(rnd, 8);
	snprintf(tmp, sizeof tmp, "%s.%s.tmp", path, rnd);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	const char *p = data;
	size_t left = len;
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
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(p, "documents"), i, d) {
		const char *id = json_string_value(json_object_get(d, "id"));
		if (id && !strcmp(id, doc_id))
			return true;
	}
	return false;
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
	struct db_stmt *st = db_prepare(db, "SELECT applicant_id, unit, agency, status, procedure_code FROM dossiers WHERE code = ?");
	if (!st || db_bind(st, "t", code))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (db_step(st) != DB_ROW)
		return err_set(e, 404, "dossier_not_found", "no dossier %s", "không có hồ sơ %s", code);
	char applicant[13], unit[8], agency[24], procedure[32];
	snprintf(applicant, sizeof applicant, "%s", db_col_text(st, 0));
	snprintf(unit, sizeof unit, "%s", db_col_text(st, 1));
	snprintf(agency, sizeof agency, "%s", db_col_text(st, 2));
	int status = (int)db_col_int(st, 3);
	snprintf(procedure, sizeof procedure, "%s", db_col_text(st, 4));
	db_reset(st);
	bool staff;
	if (may_attach(who, applicant, unit, agency, status, &staff, e))
		return -1;
	const json_t *p = catalog_procedure(d->registry->catalog, procedure);
	if (!doc_id || !required_document(p, doc_id))
		return err_set(e, 422, "unknown_document", "X-Document-Id must name one of the procedure's documents",
			       "X-Document-Id phải là một giấy tờ của thủ tục");
	char sha[65];
	crypto_sha256_hex(data, len, sha);
	if (store_blob(d->files_dir, sha, data, len))
		return err_set(e, 500, "store_failed", "the file could not be stored", "không lưu được tệp");
	int64_t now = clock_now_us();
	int rc = db_begin(db) ? -1 : 0;
	if (!rc) {
		enum db_rc ins = db_run(db, "INSERT INTO documents (code, doc_id, sha256, size, type, name, uploaded_by, digitised, at) "
					    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code, doc_id, sha256) DO NOTHING",
					"tttitttbi", code, doc_id, sha, (int64_t)len, type, name, who->username, staff, now);
		rc = ins != DB_DONE || audit_append(db, who->username, "dossier.document", code, "{}") || db_commit(db);
		if (rc)
			db_rollback(db);
	}
	if (rc)
		return err_set(e, 500, "db_error", "the document was not recorded", "chưa ghi nhận được giấy tờ");
	*out = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:b}", "code", code, "document", doc_id, "sha256", sha, "size", (json_int_t)len,
			 "type", type, "name", name, "digitised", staff);
	return 0;
}

json_t *document_list(struct db *db, const char *code)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT doc_id, sha256, size, type, name, digitised, at FROM documents WHERE code = ? "
					    "ORDER BY at");
	if (!st || db_bind(st, "t", code))
		return list;
	while (db_step(st) == DB_ROW) {
		char at[40];
		clock_iso(db_col_int(st, 6), at, sizeof at);
		json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:s,s:s,s:b,s:s}", "document", db_col_text(st, 0), "sha256",
						      db_col_text(st, 1), "size", (json_int_t)db_col_int(st, 2), "type",
						      db_col_text(st, 3), "name", db_col_text(st, 4), "digitised",
						      (int)db_col_int(st, 5), "at", at));
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
