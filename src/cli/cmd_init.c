/* cmd_init.c — `trondoi init`: create or migrate the database and load reference data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "security/reseal.h"
#include "exchange/exchange.h"
#include "core/opts.h"

bool cli_sub(int argc, char **argv, const char *sub, const char *usage, int *status)
{
	if (argc >= 2 && !strcmp(argv[1], sub))
		return true;
	fputs(usage, stdout);
	*status = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
	return false;
}

void cli_data_dir(const char *given, const char *sub, char *out, size_t n)
{
	if (given)
		snprintf(out, n, "%s%s%s", given, sub ? "/" : "", sub ? sub : "");
	else
		snprintf(out, n, "%s/data%s%s", app_home(), sub ? "/" : "", sub ? sub : "");
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = f ? malloc(max + 2) : NULL;
	*len = data ? fread(data, 1, max + 1, f) : 0;
	if (f && ferror(f)) {
		free(data);
		data = NULL;
	}
	if (data)
		data[*len] = '\0';
	if (f)
		fclose(f);
	return data;
}

void cli_files_dir(const char *db_url, const char *given, char *out, size_t n)
{
	out[0] = 0;
	if (given)
		snprintf(out, n, "%s", given);
	else if (!db_is_pgsql(db_url))
		snprintf(out, n, "%s.files", strncmp(db_url, "sqlite:", 7) ? db_url : db_url + 7);
}

/* Personal data sealed under the data key: created with a new database; a database from before
 * sealing has its values, registry IDs and stored files sealed now. */
static int seal_database(struct db *db, const char *db_url, const char *files, struct err *e)
{
	char files_dir[1100];
	cli_files_dir(db_url, files, files_dir, sizeof files_dir);
	struct reseal_stats st;
	if (seal_load(db, db_url, true, e) || reseal_all(db, files_dir[0] ? files_dir : NULL, &st, e) || seal_mark(db, e))
		return -1;
	if (st.rows || st.files || st.ids)
		printf("sealed under data key %d: %ld values (%ld were in clear), %ld files, %ld registry IDs hashed\n", seal_active(),
		       st.rows, st.in_clear, st.files, st.ids);
	return 0;
}

int cli_fail(const char *cmd, const struct err *e)
{
	fprintf(stderr, "trondoi %s: %s\n  (%s)\n", cmd, e->msg, e->msg_vi);
	return 1;
}

/* A data file kept whole in meta under key: data/payment.json (the account that receives fees),
 * data/bundles.json (the life-event bundles), data/opendata.json (who publishes open data). */
static int store_meta(struct db *db, const char *data_dir, const char *file, const char *key, struct err *e)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/%s", data_dir, file);
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc = text && db_run(db, "DELETE FROM meta WHERE key = ?", "t", key) == DB_DONE &&
			 db_run(db, "INSERT INTO meta (key, value) VALUES (?, ?)", "tt", key, text) == DB_DONE
		 ? 0
		 : err_set(e, 500, "bad_reference_data", "%s: %s", "%s: %s", path, doc ? "cannot store it" : je.text);
	free(text);
	json_decref(doc);
	return rc;
}

static int load_reference(struct db *db, const char *data_dir, struct err *e)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/admin-units", data_dir);
	struct units *u = units_new();
	struct catalog c = {0};
	int rc = -1;
	if (!u || units_load_dir(u, dir, e) || catalog_load_dir(&c, data_dir, e))
		goto out;
	char detail[200], hdir[1100];
	int years = 0;
	snprintf(hdir, sizeof hdir, "%s/holidays", data_dir);
	if (db_begin(db)) {
		err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
		goto out;
	}
	if (holidays_store_dir(db, hdir, &years, e)) {
		db_rollback(db);
		goto out;
	}
	snprintf(detail, sizeof detail, "{\"units\":%zu,\"unit_links\":%zu,\"procedures\":%zu,\"holiday_years\":%d}",
		 units_count(u), units_link_count(u), json_array_size(c.procedures), years);
	if (units_store(u, db) || catalog_store(&c, db) || store_meta(db, data_dir, "payment.json", "payment", e) ||
	    store_meta(db, data_dir, "bundles.json", "bundles", e) || store_meta(db, data_dir, "feedback.json", "feedback", e) ||
	    store_meta(db, data_dir, "opendata.json", "opendata", e) ||
	    audit_append(db, "system", "reference.load", data_dir, detail) ||
	    db_commit(db)) {
		err_set(e, 500, "db_error", "cannot store reference data: %s", "không lưu được dữ liệu tham chiếu: %s",
			db_errmsg(db));
		db_rollback(db);
		goto out;
	}
	printf("loaded %zu units, %zu links across the 2025 reform, %zu procedures, %d official holiday years\n",
	       units_count(u), units_link_count(u), json_array_size(c.procedures), years);
	rc = 0;
out:
	units_free(u);
	catalog_release(&c);
	return rc;
}

/* The exchange: the node's key pair and identity, the purposes, the providers this node plays. */
static int load_exchange(struct db *db, const char *db_url, const char *data_dir, const char *node, struct err *e)
{
	char default_node[XR_ID_MAX];
	struct exchange x = {0};
	if (xdata_load(db, data_dir, NULL, default_node, e) || xnode_init(db, db_url, node, default_node, e) ||
	    xnode_load(&x, db, db_url, NULL, e) || xdata_load(db, data_dir, x.public_key, default_node, e)) {
		xnode_release(&x);
		return -1;
	}
	printf("exchange node %s, public key %s\n", x.node_id, x.public_key);
	xnode_release(&x);
	return 0;
}

int cmd_init(int argc, char **argv)
{
	const char *db_url = NULL, *data = NULL, *node = NULL, *files = NULL;
	bool demo = false;
	const struct opt opts[] = {
		{"db", "PATH", "database to create or migrate: a SQLite file, or postgresql://… (a database that exists)", &db_url, NULL, true},
		{"data", "DIR", "reference data folder (default: the data/ beside the program)", &data, NULL, false},
		{"demo", NULL, "add synthetic citizens, demo accounts and draft applications", NULL, &demo, false},
		{"files", "DIR", "where stored documents are (default: DB.files beside a SQLite database), sealed with the rest", &files,
		 NULL, false},
		{"node", "ID", "this node's exchange identity, e.g. VN/GOV/37 (default: data/exchange-providers.json)", &node, NULL,
		 false},
		{0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "init --db PATH [--demo]",
			   "Create or migrate the database (safe to run again), load administrative units and the\n"
			   "procedure catalog from data/.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	char data_dir[1024];
	cli_data_dir(data, NULL, data_dir, sizeof data_dir);
	struct err e = {0};
	struct db *db;
	int applied;
	if (db_open(&db, db_url, true, &e))
		return cli_fail("init", &e);
	if (db_migrate(db, &applied, &e) || seal_database(db, db_url, files, &e) || load_reference(db, data_dir, &e) ||
	    load_exchange(db, db_url, data_dir, node, &e)) {
		seal_unload();
		db_close(db);
		return cli_fail("init", &e);
	}
	printf("database %s: %d migration(s) applied\n", db_url, applied);
	seal_unload();
	db_close(db);
	if (demo) {
		struct app a;
		if (app_open(&a, db_url, &db, &e))
			return cli_fail("init", &e);
		int rc = demo_load(&a, db, data_dir, &e);
		app_close(&a);
		db_close(db);
		if (rc)
			return cli_fail("init", &e);
	}
	return 0;
}
