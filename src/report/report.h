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
/* The same as CSV text (one line an indicator, then one a child unit). */
char *report_766_csv(const json_t *report);
/* GET /reports/766/drill?…&indicator&part=numerator|denominator[&limit&offset]: what stands
 * behind a figure — the dossiers (or, for catalog counters, the procedures). */
int report_766_drill(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		     const struct period *p, const char *indicator, const char *part, long limit, long offset, json_t **out,
		     struct err *e);

/* The registers the scorecard reads (registers.c): "work-items" (work dossiers) and "inspections".
 * register_create: POST body {ref, title, opened_on, [closed_on], online, [unit]} (work items) or
 * {ref, subject, held_on, digital, [unit]} (inspections); the unit defaults to who's and must be
 * on the map of the row's date, within who's unit. 201 with the row; 409 duplicate_ref. */
int register_create(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const json_t *body,
		    json_t **out, struct err *e);
/* A unit's rows (who's unit when unit is NULL), newest first, paged: staff of it or above it. */
int register_list(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const char *unit, long limit,
		  long offset, json_t **out, struct err *e);
/* Imports CSV text (a header line naming the columns, then one row a line): every line is
 * checked, and nothing is written unless all are good. On bad lines: 422 invalid_rows with
 * *problems, a list of {line, code, message, message_vi} (caller frees). who NULL: the command
 * line (every row names its unit; any unit). */
#define REGISTER_IMPORT_MAX (1024 * 1024)
#define REGISTER_IMPORT_ROWS 10000
int register_import(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const char *text, size_t len,
		    json_t **out, json_t **problems, struct err *e);
/* The scorecard's register counters (work_closed, work_closed_online, inspections,
 * inspections_digital; epay_adults, epay_accounts from the report forms) for unit and the units
 * within it over p, into *n. Returns 0; 1 when counter is not a register counter; -1 on a
 * database error. */
int registers_count(const struct dossiers *d, struct db *db, const char *counter, const char *unit, const struct period *p, long *n);

/* Report regimes and their forms (regimes.c; data/report-regimes.json, docs/reporting.md).
 * regimes_check: the regimes' data is well formed (500 bad_regimes naming what is wrong). */
int regimes_check(const json_t *doc, struct err *e);
/* GET /report-regimes: the regimes as data/report-regimes.json defines them. */
int report_regimes_list(const struct dossiers *d, json_t **out);
/* GET /report-forms/{regime}/{period}/{unit}: the form (state not_started until first saved), its
 * figures with the formulas computed, deadline, late, note; staff of the unit or above it. */
int report_form_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
		    const char *unit, json_t **out, struct err *e);
/* PUT …: {"figures": {indicator: number|null}} saves a draft (a returned form becomes a draft
 * again); staff of the unit. Each figure is checked (type, min, max, not_above): 422
 * invalid_figures with *problems. */
int report_form_put(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
		    const char *unit, const json_t *body, json_t **out, json_t **problems, struct err *e);
/* POST …/transitions {"to": "submitted"|"approved"|"returned", "note"}: staff of the unit submit
 * (every required figure filled; late after the deadline), its leader approves or returns. */
int report_form_transition(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
			   const char *unit, const json_t *body, json_t **out, json_t **problems, struct err *e);
/* GET /report-forms/{regime}/{period}?unit: each submitting unit within unit with its state, the
 * missing and late ones, and the approved forms consolidated. */
int report_forms_overview(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
			  const char *unit, json_t **out, struct err *e);
/* GET /report-forms/reminders: forms of who's unit due within the regime's reminder days, or
 * overdue (up to 90 days) and not submitted; for a leader also the forms awaiting approval. */
int report_forms_reminders(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e);
/* The consolidated approved figure of indicator for unit (and the units within it) in the latest
 * of the regime's periods that ends inside p and has approved forms; 0 when none. */
int report_forms_figure(const struct dossiers *d, struct db *db, const char *regime, const char *indicator, const char *unit,
			const struct period *p, long *n);

#endif
