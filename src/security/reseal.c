/* reseal.c — what is sealed, and bringing all of it under the active data key: `trondoi init`
 * seals a database from before sealing (values in clear, citizen IDs in clear in the registry),
 * `trondoi keys rotate` re-seals what an older key sealed. Rows go in small transactions, each
 * update conditional on the value it read, so servers may keep running meanwhile. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dossier/dossier.h"
#include "security/reseal.h"
#include "security/seal.h"

#define BATCH 256
#define STALL_S 30 /* no progress this long: a writer keeps sealing under an old key */

/* The sealed columns: the column, its row key's columns (the first nrow of them, joined by '/',
 * are the row a sealed value is bound to) and the statements over it (literals: the connection
 * caches them by address). */
#define COLUMN(table, col, keys, match, nkeys, nrow)                                                                          \
	{table "." col, nkeys, nrow,                                                                                      \
	 "SELECT " keys ", " col " FROM " table " WHERE " col " IS NOT NULL AND " col " <> '' AND " col " NOT LIKE ? LIMIT 256",      \
	 "UPDATE " table " SET " col " = ? WHERE " match " AND " col " = ?",                                          \
	 "SELECT COUNT(*) FROM " table " WHERE " col " IS NOT NULL AND " col " LIKE ?",                              \
	 "SELECT COUNT(*) FROM " table " WHERE " col " IS NOT NULL AND " col " <> '' AND " col " NOT LIKE 'enc1:%'"}

const struct sealed_column sealed_columns[] = {
	COLUMN("citizens", "doc", "id", "id = ?", 1, 1),
	COLUMN("attribute_history", "value", "citizen_id, name, version", "citizen_id = ? AND name = ? AND version = ?", 3, 3),
	COLUMN("dossiers", "fields", "code", "code = ?", 1, 1),
	COLUMN("dossiers", "apology", "code", "code = ?", 1, 1),
	COLUMN("dossier_events", "note", "code, seq", "code = ? AND seq = ?", 2, 1),
	COLUMN("dossier_steps", "note", "code, seq", "code = ? AND seq = ?", 2, 1),
	COLUMN("dossier_fetches", "data", "code, seq", "code = ? AND seq = ?", 2, 1),
	COLUMN("ratings", "comment", "code", "code = ?", 1, 1),
	COLUMN("drafts", "fields", "id", "id = ?", 1, 1),
	COLUMN("bundles", "fields", "id", "id = ?", 1, 1),
	COLUMN("bundles", "outputs", "id", "id = ?", 1, 1),
	COLUMN("issued", "content", "id", "id = ?", 1, 1),
	COLUMN("feedback", "subject", "id", "id = ?", 1, 1),
	COLUMN("feedback", "body", "id", "id = ?", 1, 1),
	COLUMN("feedback", "answer", "id", "id = ?", 1, 1),
	COLUMN("feedback", "business", "id", "id = ?", 1, 1),
	COLUMN("exchange_objections", "reason", "id", "id = ?", 1, 1),
	COLUMN("exchange_objections", "answer", "id", "id = ?", 1, 1),
	COLUMN("notifications", "note", "id", "id = ?", 1, 1),
	COLUMN("notifications", "email_to", "id", "id = ?", 1, 1),
	COLUMN("notifications", "sms_to", "id", "id = ?", 1, 1),
	COLUMN("unit_keys", "secret_key", "unit", "unit = ?", 1, 1),
};
const size_t sealed_column_count = sizeof sealed_columns / sizeof *sealed_columns;

/* The registry's own keys: citizen IDs stored as their keyed hash. */
static const struct {
	const char *pick, *set;
} id_columns[] = {
	{"SELECT id FROM citizens WHERE id NOT LIKE 'ix1:%' LIMIT 256", "UPDATE citizens SET id = ? WHERE id = ?"},
	{"SELECT DISTINCT citizen_id FROM attribute_history WHERE citizen_id NOT LIKE 'ix1:%' LIMIT 256",
	 "UPDATE attribute_history SET citizen_id = ? WHERE citizen_id = ?"},
};

static int db_fail(struct db *db, struct err *e, const char *what)
{
	return err_set(e, 500, "db_error", "cannot re-seal %s: %s", "không niêm phong lại được %s: %s", what, db_errmsg(db));
}

/* The registry's IDs in clear become keyed hashes (a database from before sealing). */
static int index_ids(struct db *db, struct reseal_stats *s, struct err *e)
{
	for (size_t c = 0; c < sizeof id_columns / sizeof *id_columns; c++)
		for (;;) {
			char ids[BATCH][64];
			int n = 0;
			struct db_stmt *st = db_prepare(db, id_columns[c].pick);
			while (st && n < BATCH && db_step(st) == DB_ROW)
				snprintf(ids[n++], sizeof ids[0], "%s", db_col_text(st, 0));
			if (!st)
				return db_fail(db, e, "citizen IDs");
			if (!n)
				break;
			if (db_begin(db))
				return db_fail(db, e, "citizen IDs");
			for (int i = 0; i < n; i++) {
				char ix[SEAL_INDEX_LEN + 1];
				if (seal_index(ids[i], ix) || db_run(db, id_columns[c].set, "tt", ix, ids[i]) != DB_DONE) {
					db_rollback(db);
					return db_fail(db, e, "citizen IDs");
				}
			}
			if (db_commit(db))
				return db_fail(db, e, "citizen IDs");
			s->ids += n;
		}
	return 0;
}

struct row {
	char keys[3][128], row[400];
	char *value;
};

/* The value in clear: opened under whatever key sealed it, or as it was when never sealed.
 * NULL when it is sealed under a key the file no longer has, or does not open. */
static char *plain_of(const struct sealed_column *c, const struct row *r, bool *was_clear)
{
	*was_clear = strncmp(r->value, "enc1:", 5) != 0;
	return *was_clear ? strdup(r->value) : unseal_text(c->name, r->row, r->value);
}

static int reseal_rows(struct db *db, const struct sealed_column *c, struct row *rows, int n, long *done,
		       struct reseal_stats *s, struct err *e)
{
	if (db_begin(db))
		return db_fail(db, e, c->name);
	for (int i = 0; i < n; i++) {
		bool clear;
		char *plain = plain_of(c, &rows[i], &clear);
		char *sealed = plain ? seal_text(c->name, rows[i].row, plain) : NULL;
		free(plain);
		struct db_stmt *st = sealed ? db_prepare(db, c->update) : NULL;
		int rc = !st || db_bind(st, "t", sealed);
		for (int k = 0; !rc && k < c->nkeys; k++)
			rc = db_bind_at(st, 2 + k, "t", rows[i].keys[k]);
		rc = rc || db_bind_at(st, 2 + c->nkeys, "t", rows[i].value) || db_step(st) != DB_DONE;
		free(sealed);
		if (rc) {
			db_rollback(db);
			return plain || clear ? db_fail(db, e, c->name)
					      : err_set(e, 409, "cannot_open", "%s of row %s does not open with the data keys in the file (key %d)",
							"%s của dòng %s không mở được bằng các khóa trong tệp (khóa %d)", c->name,
							rows[i].row, seal_key_of(rows[i].value));
		}
		*done += db_changes(db);
		s->in_clear += clear && db_changes(db);
	}
	return db_commit(db) ? db_fail(db, e, c->name) : 0;
}

/* Every value of the column not sealed under the active key, a batch at a time. */
static int reseal_column(struct db *db, const struct sealed_column *c, struct reseal_stats *s, struct err *e)
{
	char pattern[32];
	snprintf(pattern, sizeof pattern, "enc1:%d:%%", seal_active());
	struct row *rows = calloc(BATCH, sizeof *rows);
	time_t progress = time(NULL);
	int rc = rows ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	while (!rc) {
		int n = 0;
		struct db_stmt *st = db_prepare(db, c->pick);
		if (!st || db_bind(st, "t", pattern)) {
			rc = db_fail(db, e, c->name);
			break;
		}
		while (n < BATCH && db_step(st) == DB_ROW) {
			struct row *r = &rows[n++];
			size_t at = 0;
			for (int k = 0; k < c->nkeys; k++) {
				snprintf(r->keys[k], sizeof r->keys[k], "%s", db_col_text(st, k));
				if (k < c->nrow)
					at += (size_t)snprintf(r->row + at, sizeof r->row - at, "%s%s", k ? "/" : "", r->keys[k]);
			}
			r->value = strdup(db_col_text(st, c->nkeys));
		}
		db_reset(st);
		long done = 0;
		if (!n)
			break;
		rc = reseal_rows(db, c, rows, n, &done, s, e);
		s->rows += done;
		for (int i = 0; i < n; i++)
			free(rows[i].value);
		if (done)
			progress = time(NULL);
		else if (!rc && time(NULL) - progress > STALL_S)
			rc = err_set(e, 409, "reseal_stalled", "%s: values keep being sealed under an older key; is a server running an old "
							       "trondoi?",
				     "%s: giá trị vẫn bị niêm phong bằng khóa cũ; có máy chủ nào chạy trondoi cũ không?", c->name);
		else if (!rc)
			nanosleep(&(struct timespec){0, 200 * 1000000}, NULL); /* a writer changed them meanwhile */
	}
	free(rows);
	return rc;
}

/* --- files --- */

/* Calls f for every stored file (dir/xx/sha). */
static int each_file(const char *dir, int (*f)(const char *dir, const char *sha, void *arg), void *arg)
{
	DIR *top = opendir(dir);
	if (!top)
		return 0; /* nothing stored yet */
	int rc = 0;
	for (struct dirent *d; !rc && (d = readdir(top));) {
		if (strlen(d->d_name) != 2)
			continue;
		char sub[1200];
		snprintf(sub, sizeof sub, "%s/%s", dir, d->d_name);
		DIR *in = opendir(sub);
		for (struct dirent *f2; !rc && in && (f2 = readdir(in));)
			if (strlen(f2->d_name) == 64 && !strncmp(f2->d_name, d->d_name, 2))
				rc = f(dir, f2->d_name, arg);
		if (in)
			closedir(in);
	}
	closedir(top);
	return rc;
}

static int reseal_file(const char *dir, const char *sha, void *arg)
{
	struct reseal_stats *s = arg;
	int kid = document_blob_key(dir, sha);
	if (kid == seal_active())
		return 0;
	char *data;
	size_t len;
	if (document_read_blob(dir, sha, &data, &len))
		return -1;
	int rc = document_write_blob(dir, sha, data, len, true);
	free(data);
	s->files += !rc;
	s->in_clear += !rc && kid == 0;
	return rc;
}

static int count_file(const char *dir, const char *sha, void *arg)
{
	struct reseal_counts *k = arg;
	int kid = document_blob_key(dir, sha);
	for (int i = 0; i < k->n; i++)
		if (k->ids[i] == kid)
			k->files[i]++;
	k->files_clear += kid == 0;
	return 0;
}

int reseal_all(struct db *db, const char *files_dir, struct reseal_stats *s, struct err *e)
{
	memset(s, 0, sizeof *s);
	if (!seal_active())
		return err_set(e, 409, "no_data_key", "no data key is loaded", "chưa nạp khóa dữ liệu");
	if (index_ids(db, s, e))
		return -1;
	for (size_t i = 0; i < sealed_column_count; i++)
		if (reseal_column(db, &sealed_columns[i], s, e))
			return -1;
	if (files_dir && each_file(files_dir, reseal_file, s))
		return err_set(e, 500, "reseal_files", "cannot re-seal the stored files in %s", "không niêm phong lại được các tệp trong %s",
			       files_dir);
	return 0;
}

static int64_t count_of(struct db *db, const char *sql, const char *pattern)
{
	struct db_stmt *st = db_prepare(db, sql);
	int64_t n = st && (!pattern || !db_bind(st, "t", pattern)) && db_step(st) == DB_ROW ? db_col_int(st, 0) : -1;
	if (st)
		db_reset(st);
	return n;
}

int reseal_count(struct db *db, const char *files_dir, struct reseal_counts *k, struct err *e)
{
	memset(k, 0, sizeof *k);
	k->n = seal_key_ids(k->ids);
	for (size_t c = 0; c < sealed_column_count; c++) {
		const struct sealed_column *col = &sealed_columns[c];
		int64_t n = count_of(db, col->count_clear, NULL);
		for (int i = 0; n >= 0 && i < k->n; i++) {
			char pattern[32];
			snprintf(pattern, sizeof pattern, "enc1:%d:%%", k->ids[i]);
			int64_t m = count_of(db, col->count_key, pattern);
			k->values[i] += m;
			n = m < 0 ? -1 : n;
		}
		if (n < 0)
			return db_fail(db, e, col->name);
		k->values_clear += n;
	}
	if (files_dir)
		each_file(files_dir, count_file, k);
	return 0;
}
