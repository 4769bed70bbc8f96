/* app.h — what a running trondoi holds: the database URL, reference data loaded from the
 * database, the registry's context and settings. Built by `serve` and by CLI commands. */
#ifndef TD_APP_H
#define TD_APP_H

#include <stdint.h>

#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "dossier/dossier.h"
#include "exchange/exchange.h"
#include "opendata/opendata.h"
#include "registry/registry.h"
#include "units/units.h"

struct app {
	const char *db_url;
	const char *web_dir;
	struct units *units;
	struct calendar *calendar;
	struct catalog catalog;
	struct registry registry;
	struct dossiers dossiers;
	struct exchange exchange;   /* this node in the data exchange: identity, key, sample providers */
	struct opendata opendata;   /* open data over the dossiers; data/opendata.json as init stored it */
	int64_t token_ttl_us;
	json_t *payee;              /* data/payment.json as init stored it */
	const char *payment_secret; /* TRONDOI_PAYMENT_SECRET: signs the bank's notices */
};

/* Opens db_url (which must be initialised) and loads units and catalogs from it. */
int app_open(struct app *a, const char *db_url, struct db **db, struct err *e);
void app_close(struct app *a);
/* The folder holding data/ and web/: TRONDOI_HOME, else the parent of the binary's folder. */
const char *app_home(void);

#endif
