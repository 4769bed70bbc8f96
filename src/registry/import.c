/* import.c — bulk import of citizens from CSV. Valid rows become new records (version 1) or,
 * where a value differs from the stored one, a new version of that attribute; identical rows
 * change nothing, so importing the same file twice is harmless. Bad rows go to a rejects file
 * with the reason and do not stop the import. Rows commit in batches, each with an audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/json.h"
#include "registry/registry.h"

#define BATCH_ROWS 50000

/* Where each known column sits in the file (-1 = absent) and which attribute it feeds. */
struct layout {
	int col[32];
	int ncols;
};

enum { C_ID, C_NAME, C_DOB, C_SEX, C_POB, C_HOME, C_ETH, C_REL, C_NAT, C_PUNIT, C_PSTREET, C_CUNIT, C_CSTREET,
       C_MARITAL, C_PHONE, C_EMAIL, C_COUNT };

/* attribute fed by a plain column (addresses are assembled from two columns) */
static const struct {
	int col;
	const char *attr;
} plain[] = {{C_NAME, "full_name"},	 {C_DOB, "date_of_birth"}, {C_SEX, "sex"},
	     {C_POB, "place_of_birth"},	 {C_HOME, "hometown"},	   {C_ETH, "ethnicity"},
	     {C_REL, "religion"},	 {C_NAT, "nationality"},   {C_MARITAL, "marital_status"},
	     {C_PHONE, "phone"},	 {C_EMAIL, "email"}};
static const struct {
	int unit, street;
	const char *attr;
} addresses[] = {{C_PUNIT, C_PSTREET, "permanent_address"}, {C_CUNIT, C_CSTREET, "current_address"}};

struct importer {
	const struct registry *r;
	struct db *db;
	const char *source, *actor, *path, *rejects_path;
	FILE *rejects;
	struct layout lay;
	struct import_stats *st;
	int64_t now;
	struct buf doc;
	struct err *e;
};

static int read_header(struct importer *im, char *line)
{
	char *f[CSV_MAX_FIELDS];
	int n = csv_split(line, f, CSV_MAX_FIELDS);
	for (int k = 0; k < C_COUNT; k++)
		im->lay.col[k] = -1;
	im->lay.ncols = n;
	for (int i = 0; i < n; i++) {
		int k = 0;
		while (registry_csv_columns[k] && strcmp(registry_csv_columns[k], f[i]))
			k++;
		if (!registry_csv_columns[k])
			return err_set(im->e, 422, "bad_header", "%s: unknown column '%s' in the header line",
				       "%s: cột lạ '%s' ở dòng tiêu đề", im->path, f[i]);
		im->lay.col[k] = i;
	}
	if (n < 0 || im->lay.col[C_ID] < 0 || im->lay.col[C_NAME] < 0 || im->lay.col[C_DOB] < 0 || im->lay.col[C_SEX] < 0)
		return err_set(im->e, 422, "bad_header", "%s: the header must name at least id, full_name, date_of_birth, sex",
			       "%s: dòng tiêu đề phải có ít nhất id, full_name, date_of_birth, sex", im->path);
	return 0;
}

static void reject(struct importer *im, long lineno, const char *reason, const char *raw)
{
	im->st->rejected++;
	if (!im->rejects) {
		im->rejects = fopen(im->rejects_path, "w");
		if (!im->rejects)
			return;
		fputs("line,reason,row\n", im->rejects);
	}
	fprintf(im->rejects, "%ld,", lineno);
	csv_write_field(im->rejects, reason);
	fputc(',', im->rejects);
	csv_write_field(im->rejects, raw);
	fputc('\n', im->rejects);
}

static const char *cell(struct importer *im, char **f, int k)
{
	int i = im->lay.col[k];
	return i >= 0 && f[i][0] ? f[i] : NULL;
}

/* The row's values as {"attr": json value}; NULL with e set when a value is invalid. */
static json_t *row_values(struct importer *im, char **f)
{
	json_t *vals = json_object();
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
		const char *s = cell(im, f, plain[i].col);
		if (!s)
			continue;
		const struct attr_def *d = catalog_attr(im->r->catalog, plain[i].attr);
		json_t *v = json_string(s);
		if (!d || !v || attr_validate(im->r, d, v, im->e)) {
			if (!v)
				err_set(im->e, 422, "invalid_attribute", "%s is not valid UTF-8", "%s không phải UTF-8 hợp lệ",
					plain[i].attr);
			json_decref(v);
			json_decref(vals);
			return NULL;
		}
		json_object_set_new(vals, plain[i].attr, v);
	}
	for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++) {
		const char *unit = cell(im, f, addresses[i].unit), *street = cell(im, f, addresses[i].street);
		if (!unit && !street)
			continue;
		json_t *v = json_pack("{s:s?,s:s?}", "unit", unit, "street", street);
		const struct attr_def *d = catalog_attr(im->r->catalog, addresses[i].attr);
		if (!d || !v || attr_validate(im->r, d, v, im->e)) {
			json_decref(v);
			json_decref(vals);
			return NULL;
		}
		json_object_set_new(vals, addresses[i].attr, v);
	}
	return vals;
}

static json_t *stored(json_t *value, const char *source, int64_t at, int64_t version, const char *actor)
{
	return json_pack("{s:O,s:s,s:b,s:I,s:I,s:s}", "value", value, "source", source, "verified", 1, "updated_at",
			 (json_int_t)at, "version", (json_int_t)version, "actor", actor);
}

static const char *perm_unit(json_t *vals)
{
	return json_string_value(json_object_get(json_object_get(vals, "permanent_address"), "unit"));
}

static int insert_new(struct importer *im, const char *id, json_t *vals)
{
	json_t *doc = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(vals, k, v) json_object_set_new(doc, k, stored(v, im->source, im->now, 1, im->actor));
	char *text = json_to_str(doc);
	json_decref(doc);
	enum db_rc rc = text ? db_run(im->db, "INSERT INTO citizens (id, doc, perm_unit, rev, created_at, updated_at) "
					      "VALUES (?, ?, ?, 1, ?, ?)", "tttii", id, text, perm_unit(vals), im->now, im->now)
			     : DB_ERROR;
	free(text);
	if (rc != DB_DONE)
		return -1;
	im->st->imported++;
	return 0;
}

/* Applies the values that differ as new versions; the old ones go to attribute_history. */
static int update_existing(struct importer *im, const char *id, json_t *doc, int64_t rev, json_t *vals)
{
	json_t *changed = json_array();
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(vals, k, v) {
		json_t *cur = json_object_get(doc, k);
		if (cur && json_equal(json_object_get(cur, "value"), v) &&
		    !strcmp(json_string_value(json_object_get(cur, "source")), im->source) &&
		    json_is_true(json_object_get(cur, "verified")))
			continue;
		int64_t version = 1;
		if (cur) {
			version = json_integer_value(json_object_get(cur, "version")) + 1;
			char *value = json_to_str(json_object_get(cur, "value"));
			const char *src = json_string_value(json_object_get(cur, "source"));
			const char *actor = json_string_value(json_object_get(cur, "actor"));
			rc |= !value || db_run(im->db, "INSERT INTO attribute_history (citizen_id, name, version, value, source, "
						       "verified, updated_at, actor, superseded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					       "ttittbiti", id, k, version - 1, value, src ? src : "",
					       json_is_true(json_object_get(cur, "verified")),
					       (int64_t)json_integer_value(json_object_get(cur, "updated_at")), actor ? actor : "",
					       im->now) != DB_DONE;
			free(value);
		}
		json_object_set_new(doc, k, stored(v, im->source, im->now, version, im->actor));
		json_array_append_new(changed, json_string(k));
	}
	if (!rc && json_array_size(changed)) {
		char *text = json_to_str(doc);
		const char *pu = json_string_value(json_object_get(json_object_get(json_object_get(doc, "permanent_address"), "value"), "unit"));
		struct usage_entry ux = {id, im->actor, NULL, "update", "bulk import", changed};
		rc = !text || db_run(im->db, "UPDATE citizens SET doc = ?, perm_unit = ?, rev = ?, updated_at = ? WHERE id = ?",
				     "ttiit", text, pu, rev + 1, im->now, id) != DB_DONE ||
		     usage_insert(im->db, &ux, im->now);
		free(text);
		im->st->updated++;
	} else if (!rc)
		im->st->unchanged++;
	json_decref(changed);
	return rc ? -1 : 0;
}

/* One data row: validate, then insert or update. Returns -1 only on a database failure. */
static int import_row(struct importer *im, char *line, long lineno)
{
	char raw[CSV_MAX_LINE];
	snprintf(raw, sizeof raw, "%s", line);
	raw[strcspn(raw, "\r\n")] = 0;
	char *f[CSV_MAX_FIELDS];
	int n = csv_split(line, f, CSV_MAX_FIELDS);
	if (n != im->lay.ncols) {
		reject(im, lineno, n < 0 ? "bad CSV quoting" : "wrong number of columns", raw);
		return 0;
	}
	const char *id = cell(im, f, C_ID);
	struct err e;
	struct err *saved = im->e;
	im->e = &e;
	json_t *vals = NULL;
	int rc = 0;
	if (!id || citizen_id_check(id, cell(im, f, C_DOB), cell(im, f, C_SEX), im->r->units, &e) ||
	    !(vals = row_values(im, f)) || !json_object_get(vals, "full_name")) {
		if (!id)
			err_set(&e, 422, "missing_field", "id is empty", "id trống");
		else if (vals)
			err_set(&e, 422, "missing_field", "full_name is empty", "full_name trống");
		reject(im, lineno, e.msg, raw);
		goto out;
	}
	json_t *doc;
	int64_t rev = 0;
	if (citizen_load(im->db, id, &doc, &rev, &e) == 0) {
		rc = update_existing(im, id, doc, rev, vals);
		json_decref(doc);
	} else if (e.status == 404)
		rc = insert_new(im, id, vals);
	else
		rc = -1;
out:
	json_decref(vals);
	im->e = saved;
	return rc;
}

static int commit_batch(struct importer *im, long first, long last)
{
	char detail[256];
	snprintf(detail, sizeof detail, "{\"lines\":[%ld,%ld],\"imported\":%ld,\"updated\":%ld,\"rejected\":%ld}", first, last,
		 im->st->imported, im->st->updated, im->st->rejected);
	if (audit_append(im->db, im->actor, "citizen.import", im->path, detail) || db_commit(im->db)) {
		db_rollback(im->db);
		return err_set(im->e, 500, "db_error", "import failed at line %ld: %s", "nhập dữ liệu lỗi tại dòng %ld: %s", last,
			       db_errmsg(im->db));
	}
	return 0;
}

int registry_import(const struct registry *r, struct db *db, const char *path, const char *rejects_path,
		    const char *source, const char *actor, void (*progress)(long done, long total_bytes, long pos),
		    struct import_stats *st, struct err *e)
{
	memset(st, 0, sizeof *st);
	FILE *in = fopen(path, "r");
	if (!in)
		return err_set(e, 400, "cannot_open", "cannot open %s", "không mở được %s", path);
	struct stat sb;
	long total = fstat(fileno(in), &sb) == 0 ? (long)sb.st_size : 0;
	struct importer im = {r, db, source, actor, path, rejects_path, NULL, {{0}, 0}, st, clock_now_us(), {0}, e};
	char *line = malloc(CSV_MAX_LINE + 2);
	int rc = -1;
	long lineno = 1, first = 2;
	if (!line)
		goto out;
	if (!fgets(line, CSV_MAX_LINE + 2, in)) {
		err_set(e, 422, "empty_file", "%s is empty: expected a header line", "%s trống: cần dòng tiêu đề", path);
		goto out;
	}
	if (read_header(&im, line))
		goto out;
	if (db_begin(db)) {
		err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
		goto out;
	}
	while (fgets(line, CSV_MAX_LINE + 2, in)) {
		lineno++;
		size_t len = strlen(line);
		if (len > CSV_MAX_LINE || (len && line[len - 1] != '\n' && !feof(in))) {
			reject(&im, lineno, "line longer than 8192 bytes", "");
			int c;
			while ((c = fgetc(in)) != EOF && c != '\n')
				;
			continue;
		}
		if (len <= 1 && (line[0] == '\n' || line[0] == 0))
			continue;
		if (import_row(&im, line, lineno)) {
			db_rollback(db);
			err_set(e, 500, "db_error", "import failed at line %ld: %s", "nhập dữ liệu lỗi tại dòng %ld: %s", lineno,
				db_errmsg(db));
			goto out;
		}
		if ((lineno - 1) % BATCH_ROWS == 0) {
			if (commit_batch(&im, first, lineno) || db_begin(db))
				goto out;
			first = lineno + 1;
			im.now = clock_now_us();
		}
		if (progress && (lineno & 4095) == 0)
			progress(lineno - 1, total, ftell(in));
	}
	if (commit_batch(&im, first, lineno))
		goto out;
	if (progress)
		progress(lineno - 1, total, total);
	rc = 0;
out:
	if (im.rejects)
		fclose(im.rejects);
	else if (rc == 0)
		unlink(rejects_path); /* no rejects this time: none left over from an earlier run */
	free(line);
	buf_release(&im.doc);
	fclose(in);
	return rc;
}
