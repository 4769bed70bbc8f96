/* record.h — the stored form of a citizen's record, compact because the registry holds millions:
 *   {"d": {"s": source, "f": verified, "t": updated_at_us, "n": version, "a": actor},  defaults
 *    "v": {name: value, ...},             attributes whose provenance equals the defaults...
 *    "x": [name, ...],                    ...but for the verified flag, which is the opposite
 *    "o": {name: {"value","s","f","t","n","a"}, ...}}   attributes with their own provenance
 * Callers see one attribute at a time through struct stored. */
#ifndef TD_RECORD_H
#define TD_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "db/db.h"
#include "security/seal.h"

struct stored {
	json_t *value;      /* borrowed from the record */
	const char *source; /* borrowed */
	bool verified;
	int64_t updated_at; /* microseconds */
	int64_t version;
	const char *actor;  /* borrowed */
};

json_t *record_new(void);
/* Fills out with the attribute; false when the record has no such attribute. */
bool record_get(const json_t *doc, const char *name, struct stored *out);
/* The same for many attributes of one record (a form): its parts found once. The view borrows
 * from doc, which must not change while it is used. */
struct record_view {
	const json_t *v, *x, *o;
	struct stored defaults;
};
void record_view(const json_t *doc, struct record_view *w);
bool record_view_get(const struct record_view *w, const char *name, struct stored *out);
/* Sets the attribute (value is copied by reference count). 0 or -1. */
int record_set(json_t *doc, const char *name, const struct stored *s);
/* The names of the attributes present, as a new array. */
json_t *record_names(const json_t *doc);

/* Stored (citizens.c): the row's key is the ID's keyed hash and the record is sealed for it
 * (security/seal.h); an attribute's superseded version the same in attribute_history. */
#define RECORD_CONTEXT "citizens.doc"
#define HISTORY_CONTEXT "attribute_history.value"
char *record_sealed(const char *id, const json_t *doc, char ix[SEAL_INDEX_LEN + 1]);
enum db_rc record_insert(struct db *db, const char *id, const json_t *doc, int64_t now);
/* Conditional on the stored revision: *raced when another change landed first. */
int record_update(struct db *db, const char *id, const json_t *doc, int64_t rev, int64_t now, bool *raced);
int record_save_version(struct db *db, const char *id, const char *name, const struct stored *old, int64_t now);

#endif
