/* cmd_backup.c — `trondoi backup`: a consistent copy of a live database (SQLite's online backup,
 * PostgreSQL's pg_dump); `trondoi restore`: put one back, then check that the audit trail and the
 * exchange's message log still verify. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/opts.h"
#include "exchange/exchange.h"

int cmd_backup(int argc, char **argv)
{
	const char *db_url = NULL, *out = NULL;
	const struct opt opts[] = {{"db", "URL", "the database (a path, sqlite:PATH or postgresql://…)", &db_url, NULL, true},
				   {"output", "FILE", "where the copy goes", &out, NULL, true, "o"},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "backup --db URL -o FILE",
			   "A consistent copy of the database while it serves: SQLite's online backup (a database file),\n"
			   "PostgreSQL's pg_dump (custom format). Restore it with trondoi restore.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	struct db *db;
	struct err e = {0};
	if (db_open(&db, db_url, false, &e) || db_backup(db, db_url, out, &e)) {
		if (db)
			db_close(db);
		return cli_fail("backup", &e);
	}
	db_close(db);
	printf("backed up to %s\n", out);
	return 0;
}

/* After a restore: both chains verify, or the restore is reported broken. */
static int chains_verify(struct db *db, const char *db_url)
{
	int64_t n, bad, m = 0;
	char why[200];
	int rc = audit_verify(db, &n, &bad, why, sizeof why);
	if (rc) {
		printf("the audit trail does not verify: entry %lld: %s\n", (long long)bad, rc > 0 ? why : "cannot read it");
		return 1;
	}
	struct exchange x = {0};
	struct err e = {0};
	if (!xnode_load(&x, db, db_url, NULL, &e)) {
		rc = xlog_verify(db, x.public_key, &m, &bad, why, sizeof why);
		xnode_release(&x);
		if (rc) {
			printf("the exchange's message log does not verify: message %lld: %s\n", (long long)bad, rc > 0 ? why : "cannot read it");
			return 1;
		}
	}
	printf("audit trail ok (%lld entries), message log ok (%lld messages)\n", (long long)n, (long long)m);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	const char *db_url = NULL;
	const struct opt opts[] = {{"db", "URL", "the database to fill: a new SQLite file, or an empty PostgreSQL database", &db_url, NULL, true}, {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "restore --db URL FILE",
			   "Put a copy made by trondoi backup into the database (stop the servers on it first), then check\n"
			   "that the audit trail and the exchange's message log verify.",
			   pos, 1, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (npos != 1) {
		fprintf(stderr, "trondoi restore: name the backup file\n");
		return 2;
	}
	FILE *f = fopen(pos[0], "rb");
	if (!f) {
		fprintf(stderr, "trondoi restore: cannot read %s\n  (không đọc được %s)\n", pos[0], pos[0]);
		return 1;
	}
	fclose(f);
	struct db *db;
	struct err e = {0};
	if (db_open(&db, db_url, true, &e) || db_restore(db, db_url, pos[0], &e)) {
		if (db)
			db_close(db);
		return cli_fail("restore", &e);
	}
	printf("restored from %s\n", pos[0]);
	int rc = chains_verify(db, db_url);
	db_close(db);
	return rc;
}
