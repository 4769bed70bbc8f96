/* dossier.h — administrative dossiers (hồ sơ). For now: drafts, the applications a citizen has
 * started (or the demo prepared) from a prefilled form and not yet submitted. */
#ifndef TD_DOSSIER_H
#define TD_DOSSIER_H

#include <jansson.h>

#include "auth/auth.h"
#include "catalog/catalog.h"
#include "core/err.h"
#include "db/db.h"

/* The signed-in citizen's drafts, newest first: {"drafts":[{"id","procedure","name","fields","created_at"}]}. */
int draft_list(const struct catalog *c, struct db *db, const struct principal *who, json_t **out, struct err *e);

#endif
