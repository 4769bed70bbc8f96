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
/* Sets the attribute (value is copied by reference count). 0 or -1. */
int record_set(json_t *doc, const char *name, const struct stored *s);
/* The names of the attributes present, as a new array. */
json_t *record_names(const json_t *doc);

#endif
