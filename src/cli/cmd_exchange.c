/* cmd_exchange.c — `trondoi exchange …`: register members, subsystems, services and grants;
 * verify the message log, or one entry a citizen was shown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/opts.h"
#include "exchange/exchange.h"

#define USAGE                                                                                                          \
	"usage: trondoi exchange COMMAND --db PATH …\n"                                                                \
	"  member --id VN/GOV/CODE --name NAME --public-key BASE64 [--subsystem CODE]\n"                              \
	"  service --id VN/GOV/CODE/SUBSYSTEM/SERVICE/VERSION --handler NAME [--name TEXT]\n"                         \
	"  grant --client VN/GOV/CODE/SUBSYSTEM --service ID --purposes CODE[,CODE…] [--hide-days N]\n"               \
	"  revoke --client VN/GOV/CODE/SUBSYSTEM --service ID\n"                                                       \
	"  node --db PATH                 this node's id and public key\n"                                            \
	"  peer --node VN/GOV/36 --url URL --public-key BASE64\n"                                                      \
	"  sign-pending --db PATH\n"                                                                                   \
	"  verify-log --db PATH\n"                                                                                     \
	"  verify-anchors --db PATH [--time-source-key BASE64]\n"                                                      \
	"  verify-entry [--key BASE64] [--db PATH] FILE|-\n"

static int open_db(const char *cmd, const char *url, struct db **db)
{
	struct err e = {0};
	return db_open(db, url, false, &e) ? cli_fail(cmd, &e) : 0;
}

static int finish(const char *cmd, struct db *db, int rc, const struct err *e, const char *done)
{
	db_close(db);
	if (rc)
		return cli_fail(cmd, e);
	printf("%s\n", done);
	return 0;
}

static int parse(int argc, char **argv, const struct opt *opts, const char *usage, const char *summary, const char **pos,
		 int maxpos, int *npos)
{
	int r = opts_parse(argc, argv, opts, usage, summary, pos, maxpos, npos);
	return r < 0 ? 2 : r ? -1 : 0;
}

static int member(int argc, char **argv)
{
	const char *url = NULL, *id = NULL, *name = NULL, *key = NULL, *sub = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true},
				   {"id", "ID", "the member, VN/GOV/CODE or VN/COM/CODE", &id, NULL, true},
				   {"name", "TEXT", "its name", &name, NULL, true},
				   {"public-key", "BASE64", "its Ed25519 public key (32 bytes, base64)", &key, NULL, true},
				   {"subsystem", "CODE", "a subsystem to register under it", &sub, NULL, false},
				   {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange member --db PATH --id ID --name NAME --public-key B64 [--subsystem CODE]",
			     "Register a member (or change its name and key) and, optionally, one of its subsystems.", pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange member", url, &db))
		return 1;
	struct err e = {0};
	char done[400];
	snprintf(done, sizeof done, "member %s%s%s registered", id, sub ? " with subsystem " : "", sub ? sub : "");
	return finish("exchange member", db, xmember_add(db, id, name, key, sub, &e), &e, done);
}

static int service(int argc, char **argv)
{
	const char *url = NULL, *id = NULL, *handler = NULL, *name = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true},
				   {"id", "ID", "VN/GOV/CODE/SUBSYSTEM/SERVICE/VERSION", &id, NULL, true},
				   {"handler", "NAME", "what answers it on this node (population.person, land.parcels, business.lookup, "
						       "insurance.card)", &handler, NULL, true},
				   {"name", "TEXT", "a description", &name, NULL, false},
				   {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange service --db PATH --id ID --handler NAME [--name TEXT]",
			     "Register a service of a registered subsystem, answered on this node by a handler.", pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange service", url, &db))
		return 1;
	struct err e = {0};
	char done[300];
	snprintf(done, sizeof done, "service %s registered", id);
	return finish("exchange service", db, xservice_add(db, id, handler, name, &e), &e, done);
}

static int grant(int argc, char **argv, bool revoke)
{
	const char *url = NULL, *client = NULL, *svc = NULL, *purposes = NULL, *hide = "0";
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true},
				   {"client", "ID", "the client subsystem, VN/GOV/CODE/SUBSYSTEM", &client, NULL, true},
				   {"service", "ID", "the service, VN/GOV/CODE/SUBSYSTEM/SERVICE/VERSION", &svc, NULL, true},
				   {"purposes", "CODES", "the purpose codes it allows, comma-separated", &purposes, NULL, !revoke},
				   {"hide-days", "N", "an investigation: its calls stay hidden from the citizen N days", &hide, NULL, false},
				   {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts,
			     revoke ? "exchange revoke --db PATH --client ID --service ID"
				    : "exchange grant --db PATH --client ID --service ID --purposes CODES [--hide-days N]",
			     revoke ? "End a client's grant on a service." : "Let a client subsystem call a service for the purposes named.",
			     pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	char *end;
	long days = strtol(hide, &end, 10);
	if (*end || !*hide) {
		fprintf(stderr, "trondoi exchange grant: --hide-days is a whole number of days\n");
		return 2;
	}
	struct db *db;
	const char *cmd = revoke ? "exchange revoke" : "exchange grant";
	if (open_db(cmd, url, &db))
		return 1;
	struct err e = {0};
	char done[400];
	snprintf(done, sizeof done, "%s %s on %s", revoke ? "revoked the grant of" : "granted", client, svc);
	int rc = revoke ? xgrant_revoke(db, client, svc, "system", &e) : xgrant_add(db, client, svc, purposes, (int)days, "system", &e);
	return finish(cmd, db, rc, &e, done);
}

static int verify_log(int argc, char **argv)
{
	const char *url = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true}, {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange verify-log --db PATH",
			     "Recompute the message log's hash chain and check every entry's signature with the node's public\n"
			     "key: exit 0 with 'ok N messages', or 1 naming the first broken or forged entry.",
			     pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange verify-log", url, &db))
		return 1;
	struct exchange x = {0};
	struct err e = {0};
	int64_t count = 0, bad = 0;
	char why[200] = "";
	int rc = xnode_load(&x, db, url, NULL, &e) ? -2 : xlog_verify(db, x.public_key, &count, &bad, why, sizeof why);
	xnode_release(&x);
	db_close(db);
	if (rc == -2)
		return cli_fail("exchange verify-log", &e);
	if (rc == 0) {
		printf("ok %lld messages\n", (long long)count);
		return 0;
	}
	if (rc > 0)
		printf("broken at message %lld: %s\n", (long long)bad, why);
	else
		fprintf(stderr, "trondoi exchange verify-log: cannot read the message log\n");
	return 1;
}

static int verify_anchors(int argc, char **argv)
{
	const char *url = NULL, *ts_key = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true},
				   {"time-source-key", "BASE64", "the time source's key every anchor must be stamped with", &ts_key, NULL, false},
				   {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange verify-anchors --db PATH [--time-source-key BASE64]",
			     "Check every anchor the time source stamped: its signature over (hash, time), the node's\n"
			     "signature, the heads still in both chains, and both chains intact from there: exit 0 with\n"
			     "'ok N anchors', or 1 naming the first anchor (or chain) that does not hold.",
			     pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange verify-anchors", url, &db))
		return 1;
	struct exchange x = {0};
	struct err e = {0};
	int64_t count = 0, bad = 0;
	char why[300] = "";
	int rc = xnode_load(&x, db, url, NULL, &e) ? -2 : xstamp_verify_all(db, x.public_key, ts_key, &count, &bad, why, sizeof why);
	xnode_release(&x);
	db_close(db);
	if (rc == -2)
		return cli_fail("exchange verify-anchors", &e);
	if (rc == 0)
		printf("ok %lld anchors\n", (long long)count);
	else if (rc > 0 && bad)
		printf("broken at anchor %lld: %s\n", (long long)bad, why);
	else if (rc > 0)
		printf("broken: %s\n", why);
	else
		fprintf(stderr, "trondoi exchange verify-anchors: cannot read the anchors\n");
	return rc ? 1 : 0;
}

static int peer(int argc, char **argv)
{
	const char *url = NULL, *node = NULL, *addr = NULL, *key = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true},
				   {"node", "ID", "the other node, VN/GOV/36", &node, NULL, true},
				   {"url", "URL", "where it answers, http://host:port", &addr, NULL, true},
				   {"public-key", "BASE64", "its node key (GET /api/v1/exchange/services there)", &key, NULL, true},
				   {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange peer --db PATH --node VN/GOV/36 --url URL --public-key B64",
			     "Tell this node of another: where it answers and its key. It also becomes a member here (subsystem\n"
			     "TRONDOI), which grants can then name.",
			     pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange peer", url, &db))
		return 1;
	struct err e = {0};
	char done[300];
	snprintf(done, sizeof done, "peer %s at %s registered (client %s/%s)", node, addr, node, XR_PEER_SUBSYSTEM);
	return finish("exchange peer", db, xpeer_add(db, node, addr, key, &e), &e, done);
}

static int node(int argc, char **argv)
{
	const char *url = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true}, {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange node --db PATH",
			     "Print this node's id, its public key and whether its key file is in place (what another node\n"
			     "needs for `exchange peer`).", pos, 0, &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange node", url, &db))
		return 1;
	struct exchange x = {0};
	struct err e = {0};
	int rc = xnode_load(&x, db, url, NULL, &e);
	char key_path[1100];
	xnode_key_path(url, key_path, sizeof key_path);
	char done[1400];
	snprintf(done, sizeof done, "%s %s\nkey file %s: %s", x.node_id, x.public_key, key_path,
		 x.has_key ? "present, matches" : "missing or not this node's (messages are logged unsigned)");
	xnode_release(&x);
	return finish("exchange node", db, rc, &e, done);
}

static int sign_pending(int argc, char **argv)
{
	const char *url = NULL;
	const struct opt opts[] = {{"db", "PATH", "database", &url, NULL, true}, {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange sign-pending --db PATH",
			     "Sign the messages logged while the node key file was unavailable (serve does it on start).", pos, 0,
			     &npos);
	if (r)
		return r < 0 ? 0 : r;
	struct db *db;
	if (open_db("exchange sign-pending", url, &db))
		return 1;
	struct exchange x = {0};
	struct err e = {0};
	int64_t n = 0;
	int rc = xnode_load(&x, db, url, NULL, &e);
	if (!rc && !x.has_key)
		rc = err_set(&e, 409, "node_key_unavailable", "the node key file is missing or does not match the database's public key",
			     "tệp khóa của nút không có hoặc không khớp với khóa công khai trong cơ sở dữ liệu");
	if (!rc && xlog_sign_pending(db, x.sk, &n))
		rc = err_set(&e, 500, "db_error", "cannot sign: %s", "không ký được: %s", db_errmsg(db));
	xnode_release(&x);
	char done[64];
	snprintf(done, sizeof done, "signed %lld messages", (long long)n);
	return finish("exchange sign-pending", db, rc, &e, done);
}

/* The entry's hash as the log on db holds it at the proof's seq equals the proof's. */
static int entry_in_db(const char *url, const json_t *entry, char *key, size_t keylen, char *why, size_t whylen)
{
	struct db *db;
	if (open_db("exchange verify-entry", url, &db))
		return 1;
	struct exchange x = {0};
	struct err e = {0};
	const json_t *proof = json_object_get(entry, "proof");
	int64_t count, bad;
	char chain_why[200];
	int rc = xnode_load(&x, db, url, NULL, &e);
	if (!rc && !key[0])
		snprintf(key, keylen, "%s", x.public_key);
	struct db_stmt *st = rc ? NULL : db_prepare(db, "SELECT hash FROM exchange_log WHERE seq = ?");
	if (!st || db_bind(st, "i", (int64_t)json_integer_value(json_object_get(proof, "seq"))) || db_step(st) != DB_ROW)
		rc = 1, snprintf(why, whylen, "the log has no message %lld", (long long)json_integer_value(json_object_get(proof, "seq")));
	else {
		rc = strcmp(db_col_text(st, 0), json_string_value(json_object_get(proof, "hash")) ?: "") ? 1 : 0;
		db_reset(st);
		if (rc)
			snprintf(why, whylen, "the log holds another hash for message %lld", (long long)json_integer_value(json_object_get(proof, "seq")));
		else if (xlog_verify(db, x.public_key, &count, &bad, chain_why, sizeof chain_why))
			rc = 1, snprintf(why, whylen, "the log itself is broken at message %lld: %s", (long long)bad, chain_why);
	}
	xnode_release(&x);
	db_close(db);
	return rc;
}

static int verify_entry(int argc, char **argv)
{
	const char *key = NULL, *url = NULL;
	const struct opt opts[] = {{"key", "BASE64", "the node's public key (default: the one in the proof, or --db's)", &key, NULL, false},
				   {"db", "PATH", "also check the entry against this node's log", &url, NULL, false},
				   {0}};
	const char *pos[1];
	int npos, r = parse(argc, argv, opts, "exchange verify-entry [--key BASE64] [--db PATH] FILE|-",
			     "Check one exchange entry of GET /api/v1/me/data-usage (a JSON object with its proof): its hash,\n"
			     "the node's signature on it and on the chain head. Exit 0 when genuine, 1 when not.",
			     pos, 1, &npos);
	if (r)
		return r < 0 ? 0 : r;
	if (npos != 1) {
		fprintf(stderr, "trondoi exchange verify-entry: name the file holding the entry (- for standard input)\n");
		return 2;
	}
	json_error_t je;
	json_t *entry = strcmp(pos[0], "-") ? json_load_file(pos[0], 0, &je) : json_loadf(stdin, 0, &je);
	if (!json_is_object(entry)) {
		fprintf(stderr, "trondoi exchange verify-entry: %s: not a JSON object (%s)\n", pos[0], entry ? "" : je.text);
		json_decref(entry);
		return 1;
	}
	char why[300] = "", pk[64] = "";
	snprintf(pk, sizeof pk, "%s", key ? key : "");
	int rc = url ? entry_in_db(url, entry, pk, sizeof pk, why, sizeof why) : 0;
	if (!rc)
		rc = xlog_verify_entry(entry, pk[0] ? pk : NULL, why, sizeof why);
	json_decref(entry);
	printf("%s %s\n", rc ? "not genuine:" : "ok", why);
	return rc ? 1 : 0;
}

static int member_cmd(int argc, char **argv) { return member(argc, argv); }
static int service_cmd(int argc, char **argv) { return service(argc, argv); }
static int grant_cmd(int argc, char **argv) { return grant(argc, argv, false); }
static int revoke_cmd(int argc, char **argv) { return grant(argc, argv, true); }

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
	{"member", member_cmd},         {"service", service_cmd},           {"grant", grant_cmd},
	{"revoke", revoke_cmd},         {"verify-log", verify_log},         {"verify-entry", verify_entry},
	{"sign-pending", sign_pending}, {"peer", peer}, {"node", node},
	{"verify-anchors", verify_anchors},
};

int cmd_exchange(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof subcommands / sizeof *subcommands; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fputs(USAGE, stdout);
	return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
}
