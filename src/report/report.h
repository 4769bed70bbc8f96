/* report.h — reporting: the periods of the reporting regime (Decree 09/2019, or calendar), and
 * the national service index (Decision 766) computed per unit and period from the dossiers,
 * rolled up over the unit hierarchy and drilled down to the dossiers behind each figure.
 * Indicators are data (data/indicators/766.json, embedded). See docs/reporting.md. */
#ifndef TD_REPORT_H
#define TD_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "dossier/dossier.h"

/* A period: "2026" (year), "2026-Q1" (quarter), "2026-03" (month); cut "nd09" (default: from the
 * 15th of the month before to the 14th) or "calendar". [from_us, until_us) in Vietnam time. */
struct period {
	char name[16], cut[12];
	int64_t from_us, until_us;
	char last_day[11]; /* the period's last day, YYYY-MM-DD: the map its units are read on */
};
int period_parse(const char *name, const char *cut, struct period *p, struct err *e);

/* GET /reports/766?unit&period[&cut]: the groups, each indicator with numerator, denominator,
 * rate, target and points, the total out of 100, and each child unit's total. */
int report_766(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
	       json_t **out, struct err *e);
/* GET /reports/targets?unit&period[&cut]: the province's digital-transformation targets as a
 * scorecard, each with value, target (by the unit's level where the target has levels) and met. */
int report_targets(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
		   json_t **out, struct err *e);
/* The same as CSV text (one line an indicator, then the total). */
char *report_766_csv(const json_t *report);
/* The targets as CSV text (one line a target). */
char *report_targets_csv(const json_t *report);

/* ---- export (export.c, xlsx.c): the reports as files for people ---- */

/* A report as a file: its bytes (malloc'd, the caller frees), length, media type and name
 * ("766-37-2026-Q1.xlsx"). */
struct report_file {
	char *data;
	size_t len;
	const char *type;
	char name[96];
};

/* The spreadsheets: the index with a summary sheet (total, groups, the units below ranked) and one
 * sheet per group; the targets on one sheet. 500 export_failed when the file cannot be made. */
int report_766_xlsx(const json_t *report, struct report_file *out, struct err *e);
int report_targets_xlsx(const json_t *report, struct report_file *out, struct err *e);

/* A kind of report: how it is computed and written. */
typedef int (*report_make)(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
			   const struct period *p, json_t **out, struct err *e);
struct report_kind {
	const char *name; /* "766", "targets" */
	report_make make;
	char *(*csv)(const json_t *report);
	int (*xlsx)(const json_t *report, struct report_file *out, struct err *e);
};
/* The kind named name, or NULL. */
const struct report_kind *report_kind_find(const char *name);
/* 0 when format is one report_export writes: json, csv or xlsx (NULL: json); else 400 invalid_query. */
int report_format_check(const char *format, struct err *e);
/* Writes report (what kind->make answered) in format: 0 with *out filled, or -1 with e. */
int report_export(const struct report_kind *kind, const json_t *report, const char *format, struct report_file *out,
		  struct err *e);
/* GET /reports/766/drill?…&indicator&part=numerator|denominator[&limit&offset]: what stands
 * behind a figure — the dossiers (or, for catalog counters, the procedures). */
int report_766_drill(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		     const struct period *p, const char *indicator, const char *part, long limit, long offset, json_t **out,
		     struct err *e);

/* 0 when who may see the reports of unit for p (staff of it or of a unit above it, admins), else
 * -1 with e (404 unknown unit, 403). */
int report_may_see(const struct dossiers *d, const struct principal *who, const char *unit, const struct period *p, struct err *e);

/* Calls visit for each dossier received or finished in p within unit (on the period's map), in
 * order of receipt, after bringing the counters up to date; visit returns 0 to go on, 1 to stop,
 * -1 on error. The caller has checked access. 0 or -1. */
struct fact;
typedef int (*report_fact_visit)(const struct fact *f, void *arg);
int report_each_fact(const struct dossiers *d, struct db *db, const char *unit, const struct period *p, report_fact_visit visit,
		     void *arg);

/* Published figures (versions.c). POST /reports/766/versions {unit, period[, cut], reason}:
 * closes an ended period (version 1: the report and the dossiers behind it), or, later, makes
 * the next version when a recomputation differs, with the diff against the one before. */
int report_publish(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body, json_t **out,
		   struct err *e);
/* GET /reports/766/versions?unit&period[&cut]: the versions, newest first. */
int report_versions(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		    const struct period *p, json_t **out, struct err *e);
/* GET /reports/766/versions/{n}?unit&period[&cut]: one version's report and its diff. */
int report_version(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		   const struct period *p, long version, json_t **out, struct err *e);
/* GET /reports/766: the published figures of a closed period (state "published", with
 * changes_pending when a recomputation would differ), else the live ones (state "open", or
 * "provisional" for an ended period not yet closed). */
int report_766_view(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		    const struct period *p, json_t **out, struct err *e);

/* GET /reports/766/trend?unit&from&to[&cut] (trend.c): each month from `from` to `to` (YYYY-MM,
 * at most 24) with its state, total and group points, as report_766_view answers that month. */
int report_766_trend(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const char *from,
		     const char *to, const char *cut, json_t **out, struct err *e);

#endif
