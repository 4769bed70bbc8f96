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
 * rate, target and points, the total out of 100, and the total of every unit right below on the
 * period's map (children, code order; those without dossiers too). */
int report_766(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
	       json_t **out, struct err *e);
/* report_766 with each child's groups too ("groups" beside "total" in children): a unit and
 * every unit right below it scored in one pass over the period's dossiers (open data). */
int report_766_with_children(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
			     const struct period *p, json_t **out, struct err *e);
/* GET /reports/targets?unit&period[&cut]: the province's digital-transformation targets as a
 * scorecard, each with value, target (by the unit's level where the target has levels) and met. */
int report_targets(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
		   json_t **out, struct err *e);
/* The same as CSV text (one line an indicator, the total, then a line per child, ranked). */
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

/* The indicator definitions are sound (indicators.c): in index (data/indicators/766.json) each
 * group's indicators' points sum to the group's, the groups' to 100, numerators and denominators
 * are counters the engine knows, ids unique; in targets (targets.json) ids unique, counters
 * known or null, a "figure" {regime, indicator} one of regimes (data/report-regimes.json).
 * 0, or -1 with 500 bad_indicators naming the file, the entry and the problem. */
int indicators_check(const json_t *index, const json_t *targets, const json_t *regimes, struct err *e);
/* Whether the engine counts a counter of this name (index766.c's table). */
bool report_counter_known(const char *name);

/* The indicator id among the groups of def (data/indicators/766.json, or a report), or NULL. */
const json_t *report_indicator(const json_t *def, const char *id);
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

/* The province's announcements of procedures (announcements.c): T1 and T2 of the index. */
struct announcement {
	char procedure[32], unit[8], signed_on[11], effective_on[11], published_on[11]; /* published_on "" when not yet */
	bool on_time, published_on_time; /* by the rules of data/indicators/766.json "announcement" */
};
void announcement_judge(const struct dossiers *d, struct announcement *a);
/* Each announcement signed from first_day to last_day (YYYY-MM-DD, Vietnam), judged; visit
 * returns 0 to go on. 0 or -1. */
int announcements_each(const struct dossiers *d, struct db *db, const char *first_day, const char *last_day,
		       int (*visit)(const struct announcement *a, void *arg), void *arg);
/* POST /procedures/{code}/announcements {decision, signed_on, effective_on[, published_on][, unit
 * (admins)]}: staff of a province record its decision. */
int report_announce(const struct dossiers *d, struct db *db, const struct principal *who, const char *code, const json_t *body,
		    json_t **out, struct err *e);
/* PUT /procedures/{code}/announcements/{id}/published {published_on}: once. */
int report_announce_published(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
			      const char *id, const json_t *body, json_t **out, struct err *e);
/* GET /procedures/{code}/announcements: public, newest first, each judged on time or not. */
int report_announcements(const struct dossiers *d, struct db *db, const char *code, json_t **out, struct err *e);

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

/* The latest published version of unit's figures for p (the period closed): 1 with *report
 * (the caller frees; each child with its groups, unless published before versions kept them),
 * its number and when it was published; 0 when p is not closed for unit; -1 on a database error. */
int report_published(struct db *db, const char *unit, const struct period *p, json_t **report, long *version, int64_t *at);

/* Reporting up (sendup.c): each published version goes to the Government reporting system. */
/* Queues version `version` of unit's figures for p (just written to report_versions): the
 * document, naming this node (d->node) as its sender; the sender task signs it with the node's
 * key. In the publishing transaction. */
int report_send_queue(const struct dossiers *d, struct db *db, const char *unit, const struct period *p, long version);
/* Where the sender task posts (TRONDOI_REPORTING_URL), its bearer token (may be NULL), and the
 * node whose key signs (its key watch runs in the same thread). */
struct reporting_config {
	const char *url;
	const char *token;
	const struct exchange *node;
};
/* A sender task (arg = a struct reporting_config): signs the queued versions with the node key
 * (those queued while the key is away wait for it, untried), posts the due versions, a unit's
 * period's in order, records the receiver's acknowledgement and receipt, backs off on failures. */
void report_send_round(struct db *db, CURL *curl, void *arg);
/* GET /reports/sent?unit[&period[&cut]]: the versions sent up (newest first) with their state:
 * queued, failed (attempts, last error) or sent (when, receipt). */
int report_sends_list(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		      const struct period *p, json_t **out, struct err *e);

/* Reminders of report forms by e-mail (remind.c): a sender task (arg: a struct
 * report_reminders) that every ten minutes turns each officer's and leader's reminders into
 * messages, each sent once, and sends those due through the SMTP relay. */
struct report_reminders {
	const struct notify_config *mail; /* the relay, and the dossiers (units, regimes) */
	int64_t next_scan;
};
void report_remind_round(struct db *db, CURL *curl, void *arg);

/* The registers the scorecard reads (registers.c): "work-items" (work dossiers) and "inspections".
 * register_create: POST body {ref, title, opened_on, [closed_on], online, [unit]} (work items) or
 * {ref, subject, held_on, digital, [unit]} (inspections); the unit defaults to who's and must be
 * on the map of the row's date, within who's unit. 201 with the row; 409 duplicate_ref. */
int register_create(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const json_t *body,
		    json_t **out, struct err *e);
/* PATCH /work-items/{id} {closed_on (a date, or null: still open), online[, reason]}: corrects
 * a row's correctable fields (the others are 422 not_correctable) under the same rules as
 * register_create; staff of the row's unit or above it; the before and after in the audit
 * trail. 200 with the row; 404 not_found. */
int register_correct(const struct dossiers *d, struct db *db, const struct principal *who, const char *name, const char *id,
		     const json_t *body, json_t **out, struct err *e);
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
/* The consolidated figure of indicator as the overview shows it (a sum, an average, or a
 * formula computed) for unit in the same regime period report_forms_figure reads; *found false
 * when no approved form gave it. 0 or -1 on a database error (or no such regime). */
int report_forms_value(const struct dossiers *d, struct db *db, const char *regime, const char *indicator, const char *unit,
		       const struct period *p, double *v, bool *found);
/* GET /reports/766/trend?unit&from&to[&cut] (trend.c): each month from `from` to `to` (YYYY-MM,
 * at most 24) with its state, total and group points, as report_766_view answers that month. */
int report_766_trend(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const char *from,
		     const char *to, const char *cut, json_t **out, struct err *e);

#endif
