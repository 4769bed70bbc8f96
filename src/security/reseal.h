/* reseal.h — the sealed columns, and bringing every sealed value and stored file under the
 * active data key (init on a database from before sealing; keys rotate). */
#ifndef TD_RESEAL_H
#define TD_RESEAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "security/seal.h"

struct sealed_column {
	const char *name; /* "table.column": the context its values are sealed for */
	int nkeys;        /* the row key's columns, */
	int nrow;         /* the first nrow of which, joined by '/', are the row a value is bound to */
	const char *pick, *update, *count_key, *count_clear;
};
extern const struct sealed_column sealed_columns[];
extern const size_t sealed_column_count;

struct reseal_stats {
	long rows;     /* values sealed anew */
	long files;    /* stored files sealed anew */
	long in_clear; /* of those, how many were not sealed at all before */
	long ids;      /* registry IDs turned into their keyed hash */
};

/* Seals every value and file not sealed under the active key (and hashes registry IDs in clear). */
int reseal_all(struct db *db, const char *files_dir, struct reseal_stats *s, struct err *e);

struct reseal_counts {
	int n, ids[SEAL_KEYS_MAX];
	int64_t values[SEAL_KEYS_MAX], files[SEAL_KEYS_MAX];
	int64_t values_clear, files_clear;
};
/* How many values and files each loaded key seals, and how many are in clear. */
int reseal_count(struct db *db, const char *files_dir, struct reseal_counts *k, struct err *e);

#endif
