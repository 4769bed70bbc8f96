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
/* report_766 with each child's groups too ("groups" beside "total" in children): a unit and
 * every unit right below it scored in one pass over the period's dossiers (open data). */
int report_766_with_children(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
			     const struct period *p, json_t **out, struct err *e);
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

#endif
