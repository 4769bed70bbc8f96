/* catalog.h — reference data that is data, not code: the registry's attribute catalog, agency
 * kinds and the procedure catalog. Read from data/ by `trondoi init`, kept in the database, and
 * loaded from there by the server. */
#ifndef TD_CATALOG_H
#define TD_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "db/db.h"

enum attr_type { ATTR_TEXT, ATTR_DATE, ATTR_SEX, ATTR_ADDRESS, ATTR_PHONE, ATTR_EMAIL, ATTR_ID, ATTR_SELECT };

struct attr_def {
	const char *name;
	enum attr_type type;
	const char *classification; /* public | personal | sensitive */
	bool self_declared;         /* the citizen may change it */
	size_t max_length;
	const json_t *options;      /* ATTR_SELECT: array of allowed strings */
	const json_t *doc;          /* the whole entry (labels) */
};

/* A field of a procedure's form as the form check reads it, taken from the procedure's entry
 * once at load ("type"; a type it does not know is text). */
enum field_kind { FIELD_TEXT, FIELD_TEXTAREA, FIELD_NUMBER, FIELD_DATE, FIELD_SEX, FIELD_SELECT, FIELD_ID,
		  FIELD_PHONE, FIELD_EMAIL, FIELD_ADDRESS };
struct field_def {
	const char *name;
	const char *registry;  /* where the registry holds its value ("id" or an attribute), or NULL */
	enum field_kind kind;
	bool required;
	const json_t *options; /* FIELD_SELECT: the allowed strings */
};

/* A procedure: its entry, and its form's fields in the entry's order. */
struct procedure_def {
	const char *code;
	const json_t *doc;
	struct field_def *fields;
	size_t nfields;
};

struct catalog {
	json_t *attributes;  /* {"attributes":[...]} */
	json_t *agencies;    /* {"agencies":[...]} */
	json_t *procedures;  /* array of procedure objects, sorted by code */
	struct attr_def *attrs;
	size_t nattrs;
	struct procedure_def *procs; /* procedures' index, in the same order */
	size_t nprocs;
};

int catalog_load_dir(struct catalog *c, const char *data_dir, struct err *e);
int catalog_load_db(struct catalog *c, struct db *db, struct err *e);
/* Replaces the stored catalog with c (inside the caller's transaction). */
int catalog_store(const struct catalog *c, struct db *db);
void catalog_release(struct catalog *c);

const struct attr_def *catalog_attr(const struct catalog *c, const char *name);
const json_t *catalog_procedure(const struct catalog *c, const char *code);
const struct procedure_def *catalog_procedure_def(const struct catalog *c, const char *code);
/* The agency kind {"kind","name","levels"}, or NULL. */
const json_t *catalog_agency(const struct catalog *c, const char *kind);
int attr_type_parse(const char *s, enum attr_type *out);

/* Official holiday decisions in the database (holidays_db.c): init stores data/holidays/YYYY.json
 * (each checked by the calendar first); the server loads them into its calendar. */
struct calendar;
int holidays_store_dir(struct db *db, const char *dir, int *count, struct err *e);
int holidays_load_db(struct calendar *c, struct db *db, struct err *e);

/* Units in the database (units_db.c). */
struct units;
int units_store(const struct units *u, struct db *db);
int units_load_db(struct units *u, struct db *db, struct err *e);

#endif
