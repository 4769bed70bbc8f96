/* cmd_migrate.c — `trondoi migrate --from sqlite:PATH --to postgresql://…`: moves a province from
 * the embedded default to PostgreSQL. The target gets the schema (the same migrations), then
 * every table of the source, row by row, in one transaction; the row counts must agree and the
 * audit trail and the exchange's message log must verify on the target, or nothing is kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/opts.h"
#include "exchange/exchange.h"

#define MAX_TABLES 128
#define MAX_COLS 64

/* Built SQL lives as long as the connections: their statement caches key on its address. */
struct texts {
	char *all[MAX_TABLES * 4];
	int n;
};

static const char *keep(struct texts *t, char *s)
{
	if (!s || t->n == MAX_TABLES * 4) {
		free(s);
		return NULL;
	}
	return t->all[t->n++] = s;
}

static char *printed(const char *fmt, const char *a)
{
	size_t n = strlen(fmt) + strlen(a) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, fmt, a);
	return s;
}

/* The source's tables (SQLite's catalogue: the source is SQLite by definition), but the
 * migrations' own record, which the target keeps of its own. */
static int tables_of(struct db *src, char names[MAX_TABLES][64], int *n)
{
	struct db_stmt *st = db_prepare(src, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
					     "AND name <> 'schema_migrations' ORDER BY name");
	*n = 0;
	if (!st)
		return -1;
	while (db_step(st) == DB_ROW && *n < MAX_TABLES)
		snprintf(names[(*n)++], 64, "%s", db_col_text(st, 0));
	return 0;
}

static int64_t count_rows(struct db *db, struct texts *t, const char *table)
{
	const char *sql = keep(t, printed("SELECT COUNT(*) FROM %s", table));
	struct db_stmt *st = sql ? db_prepare(db, sql) : NULL;
	int64_t n = st && db_step(st) == DB_ROW ? db_col_int(st, 0) : -1;
	if (st)
		db_reset(st);
	return n;
}

/* The INSERT for a row of the source's columns. */
static char *insert_sql(const char *table, struct db_stmt *st, int ncols)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	int rc = buf_addf(&b, "INSERT INTO %s (", table);
	for (int i = 0; !rc && i < ncols; i++)
		rc = buf_addf(&b, "%s%s", i ? ", " : "", db_col_name(st, i));
	rc = rc || buf_adds(&b, ") VALUES (");
	for (int i = 0; !rc && i < ncols; i++)
		rc = buf_adds(&b, i ? ", ?" : "?");
	rc = rc || buf_adds(&b, ")");
	char *s = rc ? NULL : strndup(b.data, b.len);
	buf_release(&b);
	return s;
}

/* Every row of table from src to dst (whose own seed rows go first). */
static int copy_table(struct db *src, struct db *dst, struct texts *t, const char *table, int64_t *rows, struct err *e)
{
	const char *all = keep(t, printed("SELECT * FROM %s", table)), *wipe = keep(t, printed("DELETE FROM %s", table));
	struct db_stmt *st = all ? db_prepare(src, all) : NULL;
	if (!st || !wipe || db_run(dst, wipe, "") != DB_DONE)
		return err_set(e, 500, "migrate_failed", "cannot read or clear table %s", "không đọc hoặc xóa được bảng %s", table);
	const char *insert = NULL;
	enum db_rc rc;
	*rows = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		int ncols = db_col_count(st);
		if (ncols > MAX_COLS)
			return err_set(e, 500, "migrate_failed", "table %s has too many columns", "bảng %s có quá nhiều cột", table);
		if (!insert && !(insert = keep(t, insert_sql(table, st, ncols))))
			return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		struct db_stmt *ins = db_prepare(dst, insert);
		for (int i = 0; ins && i < ncols; i++)
			if (db_col_null(st, i) ? db_bind_at(ins, i + 1, "n") : db_bind_at(ins, i + 1, "t", db_col_text(st, i)))
				ins = NULL;
		if (!ins || db_step(ins) != DB_DONE)
			return err_set(e, 500, "migrate_failed", "row %lld of table %s did not go in: %s", "dòng %lld của bảng %s không ghi được: %s",
				       (long long)*rows + 1, table, db_errmsg(dst));
		(*rows)++;
	}
	return rc == DB_DONE ? 0 : err_set(e, 500, "migrate_failed", "cannot read table %s", "không đọc được bảng %s", table);
}

/* The copies agree, and the chains verify where they now are. */
static int check(struct db *src, struct db *dst, struct texts *t, char names[MAX_TABLES][64], int n, const char *to, struct err *e)
{
	for (int i = 0; i < n; i++) {
		int64_t a = count_rows(src, t, names[i]), b = count_rows(dst, t, names[i]);
		if (a != b)
			return err_set(e, 500, "migrate_mismatch", "table %s: %lld rows in the source, %lld in the target",
				       "bảng %s: %lld dòng ở nguồn, %lld ở đích", names[i], (long long)a, (long long)b);
	}
	int64_t count, bad;
	char why[200];
	if (audit_verify(dst, &count, &bad, why, sizeof why))
		return err_set(e, 500, "migrate_chain", "the audit trail does not verify on the target (entry %lld)",
			       "chuỗi nhật ký kiểm toán không khớp ở đích (mục %lld)", (long long)bad);
	struct exchange x = {0};
	struct err ignored;
	int rc = 0;
	if (!xnode_load(&x, dst, to, NULL, &ignored) && xlog_verify(dst, x.public_key, &count, &bad, why, sizeof why))
		rc = err_set(e, 500, "migrate_chain", "the message log does not verify on the target (message %lld)",
			     "nhật ký trao đổi không khớp ở đích (thông điệp %lld)", (long long)bad);
	xnode_release(&x);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	const struct opt opts[] = {{"from", "URL", "the source: a SQLite file or sqlite:PATH (no server writing to it)", &from, NULL, true},
				   {"to", "URL", "the target: an empty PostgreSQL database, postgresql://…", &to, NULL, true},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "migrate --from sqlite:PATH --to postgresql://…",
			   "Move a province from SQLite to PostgreSQL: the schema, then every table in one transaction;\n"
			   "the row counts and the audit and message-log chains are checked before it is kept.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (db_is_pgsql(from) || !db_is_pgsql(to)) {
		fprintf(stderr, "trondoi migrate: --from is a SQLite database, --to a PostgreSQL one\n");
		return 2;
	}
	struct db *src = NULL, *dst = NULL;
	struct err e = {0};
	struct texts t = {0};
	char names[MAX_TABLES][64];
	int n = 0, applied = 0;
	int64_t total = 0, rows = 0;
	int rc = db_open(&src, from, false, &e) || db_open(&dst, to, false, &e) || db_migrate(dst, &applied, &e) ||
		 tables_of(src, names, &n);
	if (!rc && count_rows(dst, &t, "users") != 0)
		rc = err_set(&e, 409, "target_not_empty", "the target already holds accounts: migrate into an empty database",
			     "đích đã có tài khoản: hãy chuyển vào một cơ sở dữ liệu trống");
	if (!rc && db_begin(dst))
		rc = err_set(&e, 503, "db_busy", "cannot begin on the target", "không bắt đầu được giao dịch ở đích");
	else if (!rc) {
		for (int i = 0; !rc && i < n; i++) {
			rc = copy_table(src, dst, &t, names[i], &rows, &e);
			total += rows;
		}
		rc = rc || check(src, dst, &t, names, n, to, &e) || db_commit(dst);
		if (rc)
			db_rollback(dst);
	}
	if (dst)
		db_close(dst);
	if (src)
		db_close(src);
	for (int i = 0; i < t.n; i++)
		free(t.all[i]);
	if (rc)
		return cli_fail("migrate", &e);
	printf("moved %d tables, %lld rows; the counts agree and the chains verify\n"
	       "(the uploaded documents stay in their folder: serve with --files pointing at it)\n",
	       n, (long long)total);
	return 0;
}
