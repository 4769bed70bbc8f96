/* cmd_audit.c — `trondoi audit verify`: recompute the audit hash chain; `audit anchor`: the heads
 * of the audit trail and the exchange's message log signed by the node key; `audit
 * verify-anchor`: prove an anchor still holds. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/opts.h"
#include "exchange/exchange.h"

#define AUDIT_USAGE                                                                                                   \
	"usage: trondoi audit verify --db PATH\n"                                                                      \
	"       trondoi audit anchor --db PATH [-o FILE]\n"                                                             \
	"       trondoi audit verify-anchor --db PATH [--key PUBLIC_KEY] ANCHOR_FILE\n"

static int anchor(int argc, char **argv)
{
	const char *db_url = NULL, *out = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &db_url, NULL, true}, {"output", "FILE", "write it there (default: standard output)", &out, NULL, false, "o"}, {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "audit anchor --db PATH [-o FILE]",
			   "Print the heads of the audit trail and the exchange's message log, signed by the node's key:\n"
			   "keep it outside (a records office, a notary) to prove later that nothing was rewritten.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	struct db *db;
	struct exchange x = {0};
	struct err e = {0};
	json_t *a = NULL;
	if (db_open(&db, db_url, false, &e))
		return cli_fail("audit anchor", &e);
	int rc = xnode_load(&x, db, db_url, NULL, &e) || xanchor_make(&x, db, &a, &e);
	xnode_release(&x);
	db_close(db);
	if (rc)
		return cli_fail("audit anchor", &e);
	rc = out ? json_dump_file(a, out, JSON_INDENT(1)) : json_dumpf(a, stdout, JSON_INDENT(1));
	if (!out)
		putchar('\n');
	json_decref(a);
	return rc ? 1 : 0;
}

static int verify_anchor(int argc, char **argv)
{
	const char *db_url = NULL, *key = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &db_url, NULL, true},
				   {"key", "PUBLIC_KEY", "the node's public key you hold (base64; default: the database's)", &key, NULL, false},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "audit verify-anchor --db PATH [--key PUBLIC_KEY] ANCHOR_FILE",
			   "Check an anchor: signed by the node, both chains still hold its hashes and verify onwards.\n"
			   "Exit 0 with 'anchor holds', or 1 saying what does not.",
			   pos, 1, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (npos != 1) {
		fprintf(stderr, "trondoi audit verify-anchor: name the anchor file\n");
		return 2;
	}
	json_t *a = json_load_file(pos[0], 0, NULL);
	struct db *db;
	struct exchange x = {0};
	struct err e = {0};
	if (!a) {
		fprintf(stderr, "trondoi audit verify-anchor: %s is not a JSON anchor\n", pos[0]);
		return 1;
	}
	if (db_open(&db, db_url, false, &e) || (!key && xnode_load(&x, db, db_url, NULL, &e))) {
		json_decref(a);
		return cli_fail("audit verify-anchor", &e);
	}
	char why[300] = "";
	int rc = xanchor_verify(db, a, key ? key : x.public_key, why, sizeof why);
	xnode_release(&x);
	db_close(db);
	json_decref(a);
	if (rc == 0)
		printf("anchor holds\n");
	else
		printf("anchor broken: %s\n", rc > 0 ? why : "cannot read the chains");
	return rc ? 1 : 0;
}

int cmd_audit(int argc, char **argv)
{
	int status;
	if (argc >= 2 && !strcmp(argv[1], "anchor"))
		return anchor(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "verify-anchor"))
		return verify_anchor(argc, argv);
	if (!cli_sub(argc, argv, "verify", AUDIT_USAGE, &status))
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
