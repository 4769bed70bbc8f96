/* app.c — opening what a command or the server needs. */
#include "app.h"

#include "db/embedded.h"
#include "report/report.h"
#include "security/seal.h"

#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A JSON document init kept in the meta table, or NULL. */
static json_t *meta_json(struct db *db, const char *key)
{
	struct db_stmt *st = db_prepare(db, "SELECT value FROM meta WHERE key = ?");
	json_t *v = NULL;
	if (st && !db_bind(st, "t", key) && db_step(st) == DB_ROW) {
		v = json_loads(db_col_text(st, 0), 0, NULL);
		db_reset(st);
	}
	return v;
}

int app_open(struct app *a, const char *db_url, struct db **db, struct err *e)
{
	memset(a, 0, sizeof *a);
	a->db_url = db_url;
	a->token_ttl_us = 8LL * 3600 * 1000000;
	if (db_open(db, db_url, false, e))
		return -1;
	if (seal_load(*db, db_url, false, e)) {
		db_close(*db);
		*db = NULL;
		return -1;
	}
	a->units = units_new();
	a->calendar = cal_new();
	if (!a->units || !a->calendar || units_load_db(a->units, *db, e) || catalog_load_db(&a->catalog, *db, e) ||
	    holidays_load_db(a->calendar, *db, e)) {
		app_close(a);
		db_close(*db);
		*db = NULL;
		return -1;
	}
	a->registry.units = a->units;
	a->registry.catalog = &a->catalog;
	a->payee = meta_json(*db, "payment");
	a->payment_secret = getenv("TRONDOI_PAYMENT_SECRET");
	const struct embedded_file *wf = embedded_find(embedded_docs, "statuses.json");
	const struct embedded_file *pf = embedded_find(embedded_docs, "processes.json");
	a->dossiers = (struct dossiers){&a->registry, a->calendar, wf ? workflow_load((const char *)wf->data, e) : NULL};
	const struct embedded_file *ff = embedded_find(embedded_docs, "forms.json");
	const char *public_url = getenv("TRONDOI_PUBLIC_URL");
	a->dossiers.public_url = public_url && public_url[0] ? public_url : "http://127.0.0.1:8080";
	a->dossiers.forms = ff ? json_loads((const char *)ff->data, 0, NULL) : NULL;
	a->dossiers.bundles = meta_json(*db, "bundles");
	a->dossiers.feedback = meta_json(*db, "feedback");
	const struct embedded_file *xf = embedded_find(embedded_docs, "766.json");
	a->dossiers.indicators = xf ? json_loads((const char *)xf->data, 0, NULL) : NULL;
	const struct embedded_file *tf = embedded_find(embedded_docs, "targets.json");
	a->dossiers.targets = tf ? json_loads((const char *)tf->data, 0, NULL) : NULL;
	a->opendata = (struct opendata){&a->dossiers, meta_json(*db, "opendata")};
	const struct embedded_file *rf = embedded_find(embedded_docs, "report-regimes.json");
	a->dossiers.regimes = rf ? json_loads((const char *)rf->data, 0, NULL) : NULL;
	a->exchange.registry = &a->registry;
	a->dossiers.node = &a->exchange;
	a->exchange.calendar = a->calendar;
	a->exchange.providers = meta_json(*db, "exchange_providers");
	a->exchange.prefill = meta_json(*db, "exchange_prefill");
	struct err xe = {0};
	if (xnode_load(&a->exchange, *db, db_url, NULL, &xe)) /* a database from before the exchange: calls answer 503 */
		a->exchange.node_id[0] = 0;
	a->dossiers.payee_ready = json_string_value(json_object_get(a->payee, "bank_bin")) &&
				  json_string_value(json_object_get(a->payee, "account"));
	if (a->dossiers.workflow)
		a->dossiers.processes = pf ? processes_load((const char *)pf->data, e) : NULL;
	if (!a->dossiers.processes || regimes_check(a->dossiers.regimes, e) ||
	    indicators_check(a->dossiers.indicators, a->dossiers.targets, a->dossiers.regimes, e) || prefill_prepare(&a->registry)) {
		if (a->dossiers.processes && !e->status)
			err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		app_close(a);
		db_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

void app_close(struct app *a)
{
	seal_unload();
	xnode_release(&a->exchange);
	prefill_release(&a->registry);
	workflow_free(a->dossiers.workflow);
	processes_free(a->dossiers.processes);
	a->dossiers.processes = NULL;
	json_decref(a->dossiers.forms);
	a->dossiers.forms = NULL;
	json_decref(a->dossiers.bundles);
	a->dossiers.bundles = NULL;
	json_decref(a->dossiers.indicators);
	a->dossiers.indicators = NULL;
	json_decref(a->dossiers.feedback);
	a->dossiers.feedback = NULL;
	json_decref(a->dossiers.targets);
	a->dossiers.targets = NULL;
	json_decref(a->dossiers.regimes);
	a->dossiers.regimes = NULL;
	json_decref(a->payee);
	a->payee = NULL;
	json_decref(a->opendata.meta);
	a->opendata.meta = NULL;
	a->dossiers.workflow = NULL;
	units_free(a->units);
	a->units = NULL;
	cal_free(a->calendar);
	a->calendar = NULL;
	catalog_release(&a->catalog);
}

const char *app_home(void)
{
	static char home[PATH_MAX];
	const char *env = getenv("TRONDOI_HOME");
	if (env && env[0])
		return env;
	if (!home[0]) {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n <= 0)
			return ".";
		exe[n] = 0;
		snprintf(home, sizeof home, "%s", dirname(dirname(exe)));
	}
	return home;
}
