/* dataset.h — what the CKAN envelope (ckan.c) needs of each dataset: its fields, its records
 * page by page, its temporal coverage and when it last changed. One file per dataset. */
#ifndef TD_OPENDATA_DATASET_H
#define TD_OPENDATA_DATASET_H

#include <stdbool.h>
#include <stdint.h>

#include "opendata/opendata.h"
#include "report/report.h"

/* A field of the datastore: CKAN's type (text, int, numeric, bool, date), a label and notes. */
struct od_field {
	const char *id, *type, *label, *notes;
};
/* The fields as CKAN lists them: {"id":"_id","type":"int"} first, then each with its info. */
json_t *od_fields_json(const struct od_field *f, size_t n);

/* A page of records: a dataset offers every record in its order, building only those the page
 * keeps ([offset, offset + limit)); total counts them all. */
struct od_page {
	long limit, offset, total;
	json_t *records;
};
/* Counts the next record; true when the page keeps it (then build it and od_page_add it). */
bool od_page_wants(struct od_page *pg);
/* Adds a record (owned) with its row number "_id" (1 = the dataset's first record); call it
 * right after the od_page_wants that kept it. */
void od_page_add(struct od_page *pg, json_t *record);

/* The period a dataset covers (YYYY-MM-DD, "" when open or empty), when its content last
 * changed, and how many months it keeps at most (0: all). */
struct od_coverage {
	char from[11], until[11];
	int64_t modified_us;
	int months_max;
};

struct od_dataset {
	const char *name; /* the package's name, its resource's alias; its entry in data/opendata.json */
	json_t *(*fields)(const struct opendata *o);
	int (*records)(const struct opendata *o, struct db *db, struct od_page *pg, struct err *e);
	int (*coverage)(const struct opendata *o, struct db *db, struct od_coverage *c, struct err *e);
};

extern const struct od_dataset od_procedures, od_units, od_statistics, od_index;

/* Months (months.c), calendar months in Vietnam time written YYYY-MM: the month of an instant;
 * the month k months after (k < 0: before) another; a month as a reporting period (cut
 * "calendar"); the month of the first dossier received ("" when there is none). */
void od_month_of(int64_t us, char out[8]);
void od_month_add(const char *month, int k, char out[8]);
int od_month_period(const char *month, struct period *p);
int od_first_month(struct db *db, char out[8]);
/* The months from `since` to this month that have dossiers received or finished in them,
 * oldest first, into months[max]; *n how many. */
int od_months_with_dossiers(struct db *db, const char *since, char (*months)[8], size_t max, size_t *n);
/* When init last loaded the reference data (the procedures' loaded_at). */
int od_loaded_at(struct db *db, int64_t *out);

#endif
