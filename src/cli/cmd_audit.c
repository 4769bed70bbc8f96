/* cmd_audit.c — `trondoi audit verify`: recompute the audit hash chain. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/opts.h"

int cmd_audit(int argc, char **argv)
{
	int status;
	if (!cli_sub(argc, argv, "verify", "usage: trondoi audit verify --db PATH\n", &status))
		return status;
	const char *db_url = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &db_url, NULL, true}, {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "audit verify --db PATH",
			   "Recompute the audit trail's hash chain: exit 0 with 'ok N entries', or 1 naming the\n"
			   "first broken entry.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	struct db *db;
	struct err e = {0};
	if (db_open(&db, db_url, false, &e))
		return cli_fail("audit verify", &e);
	int64_t count, bad;
	char why[200];
	int rc = audit_verify(db, &count, &bad, why, sizeof why);
	db_close(db);
	if (rc == 0) {
		printf("ok %lld entries\n", (long long)count);
		return 0;
	}
	if (rc > 0)
		printf("broken at entry %lld: %s\n", (long long)bad, why);
	else
		fprintf(stderr, "trondoi audit verify: cannot read the audit trail\n");
	return 1;
}
