/* opendata.h — open data without personal data, in the shape of CKAN's action API (issue 7):
 * package_list, package_show, datastore_search and help_show over four datasets — the
 * procedure catalog, the administrative units, monthly dossier statistics per unit and procedure,
 * and the Decision 766 index per unit and month. Who publishes, the licence and each dataset's
 * title are data (data/opendata.json, stored by init). Nothing is cached: every answer is
 * computed from the database when asked. No HTTP here. See docs/opendata.md. */
#ifndef TD_OPENDATA_H
#define TD_OPENDATA_H

#include <jansson.h>
#include <stddef.h>

#include "db/db.h"
#include "dossier/dossier.h"

struct opendata {
	const struct dossiers *d; /* units, catalog and indicators through d->registry; public_url */
	json_t *meta;             /* data/opendata.json as init stored it (NULL: not configured) */
};

#define OD_MAX_ARGS 8      /* query parameters an action takes at most */
#define OD_ARG_MAX 100     /* bytes of one parameter's value */
#define OD_LIMIT_DEFAULT 100
#define OD_LIMIT_MAX 1000
#define OD_MONTHS 12       /* the index covers the last 12 months that have dossiers */

struct od_arg {
	const char *key, *value;
};

/* One call of action `action` (package_list, package_show, datastore_search, help_show) with
 * the query's parameters; nargs may exceed OD_MAX_ARGS (only the first are in args): refused. */
struct od_request {
	const char *action;
	struct od_arg args[OD_MAX_ARGS];
	size_t nargs;
};

/* Runs the action. *out is CKAN's whole answer: {"help","success":true,"result"} or
 * {"help","success":false,"error":{"__type","message",…,"code","message_vi"}}; caller frees.
 * Returns the HTTP status CKAN uses (200, 404 Not Found Error, 409 Validation Error, 500). */
int opendata_call(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out);
/* CKAN's error answer for an error found outside the action (e.g. too many requests). */
json_t *opendata_error(const struct opendata *o, const char *action, const struct err *e);

#endif
