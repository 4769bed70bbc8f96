/* bundle.h — life-event bundles (liên thông, Decree 63/2024): one application for a birth or a
 * death that files a component dossier with each agency, in the order the bundle's definition
 * gives (data/bundles.json), carrying the application's data and what earlier components
 * produced (the child's new ID, the electronic certificates) into the later ones, and writing
 * their results into the registry with each agency as the source. See docs/bundles.md. */
#ifndef TD_BUNDLE_H
#define TD_BUNDLE_H

#include <jansson.h>

#include "dossier/dossier.h"

/* POST /bundles {"type","fields"}: with w->resume the writes go through the group-commit writer
 * (CALL_DEFERRED; bundle_created answers with the id it reports). */
int bundle_create(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body,
		  const struct usage_wait *w, json_t **out, json_t **problems, struct err *e);
int bundle_created(const struct dossiers *d, struct db *db, const char *id, json_t **out, struct err *e);
/* GET /bundle-types: each bundle's name, deadline, application form and components (public). */
int bundle_types(const struct dossiers *d, json_t **out, struct err *e);
/* GET /bundles/{id}: the applicant's view, every component with its status and due. */
int bundle_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, json_t **out,
	       struct err *e);
int bundle_list_mine(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e);
/* In the transaction of a status change of dossier r (note: the move's note): moves its bundle
 * on — results into the registry, the next components filed, the bundle done or stopped. */
int bundle_on_status(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *actor, const char *note,
		     int64_t now);
/* The bundle and component a dossier belongs to, for its view: {"id","component"} or null. */
json_t *bundle_of(struct db *db, const char *code);

#endif
