/* registry.h — the once-only citizen registry: every attribute with its source, verified flag,
 * version and history; who may read what (self, unit scope, consent); consents; the data-usage
 * log; prefill of procedure forms; bulk import and synthetic data. No HTTP here. */
#ifndef TD_REGISTRY_H
#define TD_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "auth/auth.h"
#include "catalog/catalog.h"
#include "core/err.h"
#include "db/db.h"
#include "units/units.h"

struct batch;
struct prefill_forms;

/* What deferred work hands over for its answer; release frees it (whoever ends up holding it). */
struct deferred_kept {
	void (*release)(struct deferred_kept *k);
};

/* How a durable data-usage entry is awaited. NULL: the call blocks until the entry is on disk.
 * Otherwise the call returns USAGE_PENDING at once with its result, and fn(arg, rc) runs on the
 * log's writer thread once the entry committed (rc 0) or failed (-1); the caller must not show
 * the result before rc is 0. */
struct usage_wait {
	void (*fn)(void *arg, int rc);
	void *arg;
	/* For work done elsewhere (CALL_DEFERRED): reports its outcome (rc 0 or -1), a reference
	 * (e.g. the new dossier's code) and, when the work kept what the answer shows (NULL if not),
	 * that: the caller makes the answer from it without reading back, then releases it. */
	void (*resume)(void *arg, int rc, const char *ref, struct deferred_kept *kept);
};
#define USAGE_PENDING 1
#define CALL_DEFERRED 2 /* the work goes on elsewhere; w->resume reports it */

struct registry {
	const struct units *units;
	const struct catalog *catalog;
	struct batch *writer; /* the group-commit writer; NULL: writes go directly (CLI) */
	struct prefill_forms *forms; /* built by prefill_prepare */
};

#define CITIZEN_ID_LEN 12

/* --- personal identification numbers (citizen_id.c) --- */
/* Checks the format, province code, and agreement with dob (YYYY-MM-DD, may be NULL) and sex
 * ("male"/"female", may be NULL). units may be NULL to skip the province check. */
int citizen_id_check(const char *id, const char *dob, const char *sex, const struct units *units, struct err *e);
/* Writes the 12-digit ID for province (1-96), dob, sex and 6 random digits into out[13]. */
int citizen_id_make(int province, const char *dob, const char *sex, unsigned serial, char out[13]);

/* --- attribute values (attributes.c) --- */
/* Checks v against the attribute's type and limits; 422 naming the attribute otherwise. */
int attr_validate(const struct registry *r, const struct attr_def *d, const json_t *v, struct err *e);
/* The same checks on plain strings (bulk import): text values of length n; an address's unit
 * and street with the map date its unit code is on. */
int attr_check_text(const struct registry *r, const struct attr_def *d, const char *s, size_t n, struct err *e);
int attr_check_address(const struct registry *r, const struct attr_def *d, const char *unit, const char *street,
		       const char *date, struct err *e);
/* The unit code and the map date of an address value (its "as_of", else the date recorded). */
void attr_address_unit(const json_t *addr, int64_t recorded_at, char unit[8], char date[11]);

/* --- citizens (citizens.c) --- */
/* doc: the stored record {"name":{"value","source","verified","updated_at","version","actor"}}.
 * Reads the current document; 404 when unknown. *doc is a new reference. */
int citizen_load(struct db *db, const char *id, json_t **doc, int64_t *rev, struct err *e);
/* The same for reading only: *doc may be shared with later reads and must not be changed;
 * release it with json_decref((json_t *)doc). */
int citizen_read(struct db *db, const char *id, const json_t **doc, struct err *e);
/* Create, read and change answer with the record as JSON text (see citizen_render); caller frees. */
int citizen_create(const struct registry *r, struct db *db, const struct principal *who, const json_t *body,
		   char **out, struct err *e);
/* For capabilities whose own change changes the registry (a life-event bundle): inside the
 * caller's transaction, with the audit entry. citizen_insert stores a new record doc (its ID
 * checked against birth date and sex); citizen_set writes a new verified version of one
 * attribute with its source, keeping the old one in the history. 0, or -1 with e. */
int citizen_insert(const struct registry *r, struct db *db, const char *id, const json_t *doc, const char *actor, int64_t now,
		   struct err *e);
int citizen_set(const struct registry *r, struct db *db, const char *id, const char *name, json_t *value, const char *source,
		const char *actor, int64_t now, struct err *e);
/* The record as JSON text {"id","attributes":{name:{"value","source","verified","updated_at",
 * "classification","version"}}}: all attributes when names is NULL, else those listed; *shown
 * (when not NULL) gets the names rendered. NULL when memory runs out; caller frees. */
char *citizen_render(const struct registry *r, const char *id, const json_t *doc, const json_t *names, json_t **shown);
/* citizen_get and citizen_history return 0, -1 (e), or USAGE_PENDING when w is given. */
int citizen_get(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		const char *purpose, const struct usage_wait *w, char **out, struct err *e);
int citizen_patch(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		  const char *name, const json_t *body, char **out, struct err *e);
int citizen_history(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const char *name, const char *purpose, const struct usage_wait *w, json_t **out, struct err *e);

/* --- who may read (access.c) --- */
enum access_kind { ACCESS_NONE, ACCESS_SELF, ACCESS_SCOPE, ACCESS_CONSENT, ACCESS_GUARDIAN };
struct access {
	enum access_kind kind;
	json_t *names;      /* ACCESS_CONSENT: the attributes consented to (new reference), else NULL */
	char purpose[160];  /* ACCESS_CONSENT: the consent's purpose */
};
/* Decides what who may read of the citizen whose record is doc. */
int registry_access(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const json_t *doc, struct access *out);
/* True when the staff member's unit covers the citizen's permanent address on today's map. */
bool registry_in_scope(const struct registry *r, const struct principal *who, const json_t *doc);

/* --- consents (consents.c) --- */
int consent_create(const struct registry *r, struct db *db, const struct principal *who, const json_t *body,
		   json_t **out, struct err *e);
int consent_list(struct db *db, const struct principal *who, json_t **out, struct err *e);
int consent_revoke(struct db *db, const struct principal *who, const char *id, struct err *e);

/* --- the data-usage log (usage.c) --- */
struct usage_entry {
	const char *citizen_id, *actor, *actor_unit, *action, *purpose;
	const json_t *attributes; /* array of names */
};
/* Records x through the registry's writer. With durable and no w, returns only after the
 * entry's batch committed (0) or failed (-1); with w, returns USAGE_PENDING and w->fn reports the
 * outcome. Without durable, queues it and returns. Without a writer, writes directly on db. */
int usage_record(const struct registry *r, struct db *db, const struct usage_entry *x, bool durable,
		 const struct usage_wait *w);
/* Inserts x on db inside the caller's transaction (changes log with the change itself). */
int usage_insert(struct db *db, const struct usage_entry *x, int64_t at);
int usage_list(struct db *db, const struct principal *who, const char *before, int limit, json_t **out,
	       struct err *e);

/* --- prefill (prefill.c) --- */
/* Writes out once what every form answer repeats; prefill_release frees it. */
int prefill_prepare(struct registry *r);
void prefill_release(struct registry *r);
/* The form as JSON text {"procedure","name","fields":[{"name","label","label_en","type","required",
 * "value","source","locked"[,"options"]}]}; caller frees. */
int prefill_form(const struct registry *r, struct db *db, const struct principal *who, const char *procedure,
		 char **out, struct err *e);

/* --- bulk (import.c, gen.c) --- */
struct import_stats {
	long imported, updated, unchanged, rejected;
};
/* Imports a CSV file (header line first, columns as written by gen). Bad rows go to
 * rejects_path with the reason. progress is called every few thousand rows (may be NULL). */
int registry_import(const struct registry *r, struct db *db, const char *path, const char *rejects_path,
		    const char *source, const char *actor, void (*progress)(long done, long total_bytes, long pos),
		    struct import_stats *st, struct err *e);
extern const char *const registry_csv_columns[];
/* Writes count synthetic citizens of the province as CSV to f. */
int registry_gen(const struct units *u, const char *data_dir, int province, long count, unsigned long seed, FILE *f,
		 struct err *e);

#endif
