/* index766.c — the service index of Decision 766 for a unit and a period, from the dossiers.
 * The indicators (groups, maxima, targets, which counters make their numerator and denominator)
 * are data; the counters are the table below. The dossiers' counters are kept up to date as
 * dossiers change (facts.c): a period's figures sum report_counts over its half-months, and
 * each row is credited to the unit right below the report's that held it then. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "report/facts.h"
#include "report/report.h"

#define MAX_CHILDREN 2048

/* A feedback or petition as the counters see it. */
struct fb {
	char id[40], unit[8];
	int64_t created_at, due_at, answered_at, rated_at;
	bool answered, rated, satisfied;
};

static bool in(int64_t t, const struct period *p) { return t >= p->from_us && t < p->until_us; }
/* due in the period, or answered in it */
static bool f_due(const struct fb *f, const struct period *p) { return in(f->due_at, p) || (f->answered && in(f->answered_at, p)); }
static bool f_on_time(const struct fb *f, const struct period *p) { return f_due(f, p) && f->answered && f->answered_at <= f->due_at; }
static bool f_rated(const struct fb *f, const struct period *p) { return f->rated && in(f->rated_at, p); }
static bool f_satisfied(const struct fb *f, const struct period *p) { return f_rated(f, p) && f->satisfied; }
typedef bool (*fb_test)(const struct fb *f, const struct period *p);

/* Counters over the catalog: the procedures of a unit's level. */
typedef bool (*proc_test)(const struct dossiers *d, const json_t *procedure);
static bool p_all(const struct dossiers *d, const json_t *x) { (void)d; (void)x; return true; }
static bool p_online(const struct dossiers *d, const json_t *x) { (void)d; return json_is_true(json_object_get(x, "full_online")); }
/* A procedure the law lets be done fully online: not one whose catalog entry says why it cannot
 * ("full_online_ineligible": the parties must appear in person). */
static bool p_eligible(const struct dossiers *d, const json_t *x) { (void)d; return !json_object_get(x, "full_online_ineligible"); }
static bool p_eligible_online(const struct dossiers *d, const json_t *x) { return p_eligible(d, x) && p_online(d, x); }
static bool p_fee(const struct dossiers *d, const json_t *x) { (void)d; return json_integer_value(json_object_get(x, "fee")) > 0; }
static bool p_fee_online(const struct dossiers *d, const json_t *x) { return p_fee(d, x) && d->payee_ready; /* VietQR for every fee */ }
/* Every part data/indicators/766.json's described_requires names is there and not empty. */
static bool p_described(const struct dossiers *d, const json_t *x)
{
	size_t i;
	json_t *key;
	json_array_foreach(json_object_get(d->indicators, "described_requires"), i, key) {
		const json_t *v = json_object_get(x, json_string_value(key));
		if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)) || (json_is_array(v) && !json_array_size(v)) ||
		    (json_is_object(v) && !json_object_size(v)))
			return false;
	}
	return true;
}

/* Counters over the announcements of procedures signed in the period. */
typedef bool (*ann_test)(const struct announcement *a);
static bool a_all(const struct announcement *a) { (void)a; return true; }
static bool a_on_time(const struct announcement *a) { return a->on_time; }
static bool a_published_on_time(const struct announcement *a) { return a->published_on_time; }

/* A counter reads a column of the dossiers' counts (facts.c), the catalog, or the feedback. */
static const struct counter {
	const char *name;
	const char *column; /* of report_counts */
	proc_test proc;
	bool distinct_procedures; /* counts the procedures that have such dossiers, not dossiers */
	fb_test fb;
	ann_test ann;
	bool reg; /* counted from the registers (registers.c) */
} counters[] = {
	{"received", "received"},
	{"received_synced", "received_synced"},
	{"received_online", "received_online"},
	{"direct", "direct"},
	{"direct_digitised", "direct_digitised"},
	{"received_with_documents", "received_with_documents"},
	{"received_reuse", "received_reuse"},
	{"finished", "finished"},
	{"finished_on_time", "finished_on_time"},
	{"finished_e_result", "finished_e_result"},
	{"finished_stored", "finished_e_result"}, /* an issued result is in the holder's store */
	{"finished_satisfied", "finished_satisfied"},
	{"finished_fully_online", "finished_fully_online"},
	{"fee_due", "fee_due"},
	{"fee_paid", "fee_paid"},
	{"procedures", NULL, p_all},
	{"procedures_online", NULL, p_online},
	{"procedures_eligible", NULL, p_eligible},
	{"procedures_eligible_online", NULL, p_eligible_online},
	{"procedures_online_used", "received_online", NULL, true},
	{"procedures_fee", NULL, p_fee},
	{"procedures_fee_online", NULL, p_fee_online},
	{"procedures_described", NULL, p_described},
	{"announced", NULL, NULL, false, NULL, a_all},
	{"announced_on_time", NULL, NULL, false, NULL, a_on_time},
	{"published_on_time", NULL, NULL, false, NULL, a_published_on_time},
	{"feedback_due", NULL, NULL, false, f_due},
	{"feedback_on_time", NULL, NULL, false, f_on_time},
	{"feedback_rated", NULL, NULL, false, f_rated},
	{"feedback_satisfied", NULL, NULL, false, f_satisfied},
	{"work_closed", .reg = true},
	{"work_closed_online", .reg = true},
	{"inspections", .reg = true},
	{"inspections_digital", .reg = true},
	{"epay_adults", .reg = true},
	{"epay_accounts", .reg = true},
	{"households", .reg = true},
	{"households_fibre", .reg = true},
};
#define NCOUNTERS (sizeof counters / sizeof *counters)

static int counter_index(const char *name)
{
	for (size_t i = 0; name && i < NCOUNTERS; i++)
		if (!strcmp(counters[i].name, name))
			return (int)i;
	return -1;
}

bool report_counter_known(const char *name) { return counter_index(name) >= 0; }

/* The counts of one unit; distinct procedures are kept as a set. */
struct tally {
	char unit[8];
	long n[NCOUNTERS];
	json_t *procs[NCOUNTERS];
};

struct scope {
	const struct dossiers *d;
	const struct period *p;
	const char *unit;
	struct tally total;
	struct tally *children;
	size_t nchildren;
	json_t *within; /* "unit/half" → the child's index + 1, 0 the scope's own unit, -1 outside */
	json_t *processing; /* procedure → [finished, seconds from receipt to result], the scope's own */
};

static void tally_release(struct tally *t)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		json_decref(t->procs[i]);
}

static int columns[NCOUNTERS];
static void find_columns(void)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		columns[i] = fact_column_index(counters[i].column);
}

/* The column of report_counts each counter reads, or -1. */
static const int *counter_columns(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, find_columns);
	return columns;
}

/* Adds one row of report_counts (the columns cols) of procedure to t. */
static void count(struct tally *t, const char *procedure, const int64_t *cols)
{
	const int *column = counter_columns();
	for (size_t i = 0; i < NCOUNTERS; i++) {
		int c = column[i];
		if (c < 0 || !cols[c])
			continue;
		if (!counters[i].distinct_procedures) {
			t->n[i] += (long)cols[c];
			continue;
		}
		if (!t->procs[i])
			t->procs[i] = json_object();
		json_object_set_new(t->procs[i], procedure, json_true());
		t->n[i] = (long)json_object_size(t->procs[i]);
	}
}

/* The catalog counters of a unit: the procedures of its level (a province's: all of them). */
static bool of_level(const json_t *procedure, bool province)
{
	const char *level = json_string_value(json_object_get(procedure, "level"));
	return province || (level && !strcmp(level, "commune"));
}

static void count_catalog(const struct dossiers *d, struct tally *t, bool province)
{
	size_t i;
	json_t *x;
	json_array_foreach(d->registry->catalog->procedures, i, x) {
		if (!of_level(x, province))
			continue;
		for (size_t c = 0; c < NCOUNTERS; c++)
			if (counters[c].proc && counters[c].proc(d, x))
				t->n[c]++;
	}
}

/* The unit right below scope's unit that holds code (on the period's map), or NULL. */
static const struct unit *child_of(const struct scope *sc, const char *code)
{
	const struct units *u = sc->d->registry->units;
	const struct unit *x = units_find(u, code, sc->p->last_day);
	for (int i = 0; x && i < 4; i++) {
		const struct unit *parent = units_parent(u, x);
		if (parent && !strcmp(parent->code, sc->unit))
			return x;
		x = parent;
	}
	return NULL;
}

static struct tally *child_tally(struct scope *sc, const char *code)
{
	for (size_t i = 0; i < sc->nchildren; i++)
		if (!strcmp(sc->children[i].unit, code))
			return &sc->children[i];
	if (sc->nchildren == MAX_CHILDREN)
		return NULL;
	struct tally *t = &sc->children[sc->nchildren++];
	memset(t, 0, sizeof *t);
	snprintf(t->unit, sizeof t->unit, "%s", code);
	return t;
}

/* The tally of the unit right below the scope's that holds unit, or NULL (the scope's own unit). */
static struct tally *child_for(struct scope *sc, const char *unit)
{
	const struct unit *c = strcmp(unit, sc->unit) ? child_of(sc, unit) : NULL;
	return c ? child_tally(sc, c->code) : NULL;
}

/* Whether unit (as it was on day `on`) lies within the scope's unit, and in which child: *t. */
static bool within(struct scope *sc, const char *unit, const char *on, struct tally **t)
{
	char key[32];
	size_t n = strlen(unit);
	if (n + 12 > sizeof key)
		return false;
	memcpy(key, unit, n); /* unit/day: rows come in runs of the same, so the lookup is the cost to keep small */
	key[n] = '/';
	memcpy(key + n + 1, on, 11);
	json_t *v = json_object_get(sc->within, key);
	if (!v) {
		long at = -1;
		if (units_within(sc->d->registry->units, unit, on, sc->unit, sc->p->last_day)) {
			struct tally *c = child_for(sc, unit);
			at = c ? (long)(c - sc->children) + 1 : 0;
		}
		json_object_set_new(sc->within, key, v = json_integer(at));
	}
	long at = (long)json_integer_value(v);
	*t = at > 0 ? &sc->children[at - 1] : NULL;
	return at >= 0;
}

/* Adds finished dossiers of a procedure and their time from receipt to result. */
static void add_processing(struct scope *sc, const char *procedure, int64_t finished, int64_t seconds)
{
	if (!finished)
		return;
	json_t *x = json_object_get(sc->processing, procedure);
	if (!x)
		json_object_set_new(sc->processing, procedure, x = json_pack("[I,I]", (json_int_t)0, (json_int_t)0));
	json_array_set_new(x, 0, json_integer(json_integer_value(json_array_get(x, 0)) + finished));
	json_array_set_new(x, 1, json_integer(json_integer_value(json_array_get(x, 1)) + seconds));
}

static int by_text(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Beside progress: each procedure's finished dossiers and their average time from receipt to
 * result, in days, by procedure code. */
static json_t *processing_time(const struct scope *sc)
{
	json_t *list = json_array();
	size_t count = json_object_size(sc->processing), k = 0;
	const char **codes = calloc(count ? count : 1, sizeof *codes);
	const char *key;
	json_t *x;
	json_object_foreach(sc->processing, key, x)
		if (codes)
			codes[k++] = key;
	if (codes)
		qsort(codes, k, sizeof *codes, by_text);
	for (size_t i = 0; i < k; i++) {
		const char *code = codes[i];
		x = json_object_get(sc->processing, code);
		json_int_t n = json_integer_value(json_array_get(x, 0)), secs = json_integer_value(json_array_get(x, 1));
		const json_t *name = json_object_get(catalog_procedure(sc->d->registry->catalog, code), "name");
		double days = (double)secs / (double)n / 86400.0;
		json_array_append_new(list, json_pack("{s:s,s:O,s:I,s:f}", "procedure", code, "name", name ? name : json_null(), "finished", n,
						      "average_days", (double)(long)(days * 100 + 0.5) / 100));
	}
	free(codes);
	return list;
}

/* The dossiers' counters of the period, from report_counts. */
static int count_dossiers(struct scope *sc, struct db *db)
{
	if (facts_sync(sc->d, db, true))
		return -1;
	struct db_stmt *st = db_prepare(db,
		"SELECT unit, half, procedure_code, received, received_synced, received_online, direct, direct_digitised, "
		"received_with_documents, received_reuse, finished, finished_on_time, finished_e_result, finished_satisfied, "
		"finished_fully_online, fee_due, fee_paid, finished_seconds FROM report_counts WHERE half >= ? AND half < ?");
	if (!st || db_bind(st, "ii", fact_half(sc->p->from_us), fact_half(sc->p->until_us)))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t cols[FACT_COLUMNS];
		for (int i = 0; i < FACT_COLUMNS; i++)
			cols[i] = db_col_int(st, 3 + i);
		char on[11];
		fact_half_day(db_col_int(st, 1), on, sizeof on);
		struct tally *t;
		if (!within(sc, db_col_text(st, 0), on, &t))
			continue;
		count(&sc->total, db_col_text(st, 2), cols);
		add_processing(sc, db_col_text(st, 2), cols[fact_column_index("finished")], db_col_int(st, 3 + FACT_COLUMNS));
		if (t)
			count(t, db_col_text(st, 2), cols);
	}
	return rc == DB_DONE ? 0 : -1;
}

typedef void (*fb_visit)(struct scope *sc, const struct fb *f, struct tally *t, void *arg);

/* Every feedback of the period (due, answered or rated in it) within the scope's unit, in order
 * of its due time, with the tally of the unit below that holds it (NULL: the scope's own). */
static int each_feedback(struct scope *sc, struct db *db, fb_visit visit, void *arg)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, unit, created_at, due_at, answered_at, rated_at, satisfied FROM feedback WHERE "
					    "(due_at >= ? AND due_at < ?) OR (answered_at >= ? AND answered_at < ?) OR "
					    "(rated_at >= ? AND rated_at < ?) ORDER BY due_at, id");
	const struct period *p = sc->p;
	if (!st || db_bind(st, "iiiiii", p->from_us, p->until_us, p->from_us, p->until_us, p->from_us, p->until_us))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct fb f = {.created_at = db_col_int(st, 2), .due_at = db_col_int(st, 3), .answered = !db_col_null(st, 4),
			       .answered_at = db_col_int(st, 4), .rated = !db_col_null(st, 5), .rated_at = db_col_int(st, 5),
			       .satisfied = db_col_int(st, 6) == 1};
		snprintf(f.id, sizeof f.id, "%s", db_col_text(st, 0));
		snprintf(f.unit, sizeof f.unit, "%s", db_col_text(st, 1));
		char on[11];
		clock_date_vn(f.created_at, on, sizeof on);
		struct tally *t;
		if (within(sc, f.unit, on, &t))
			visit(sc, &f, t, arg);
	}
	return rc == DB_DONE ? 0 : -1;
}

static void tally_feedback(struct scope *sc, const struct fb *f, struct tally *t, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (counters[i].fb && counters[i].fb(f, sc->p)) {
			sc->total.n[i]++;
			if (t)
				t->n[i]++;
		}
}

static int count_feedback(struct scope *sc, struct db *db)
{
	return each_feedback(sc, db, tally_feedback, NULL);
}

/* The register counters of the scope's unit (not of its children), for the targets scorecard. */
static int count_registers(struct scope *sc, struct db *db)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (counters[i].reg && registers_count(sc->d, db, counters[i].name, sc->unit, sc->p, &sc->total.n[i]))
			return -1;
	return 0;
}

static bool is_province(const struct dossiers *d, const char *unit, const char *date);

/* An announcement counts for a unit that lies within the announcing one, if the procedure is of
 * the unit's level. */
static void count_announcement(struct scope *sc, struct tally *t, const char *unit, const struct announcement *a)
{
	const struct dossiers *d = sc->d;
	const char *day = sc->p->last_day;
	if (!units_within(d->registry->units, unit, day, a->unit, day) ||
	    !of_level(catalog_procedure(d->registry->catalog, a->procedure), is_province(d, unit, day)))
		return;
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (counters[i].ann && counters[i].ann(a))
			t->n[i]++;
}

static int announcement_visit(const struct announcement *a, void *arg)
{
	struct scope *sc = arg;
	count_announcement(sc, &sc->total, sc->unit, a);
	for (size_t i = 0; i < sc->nchildren; i++)
		count_announcement(sc, &sc->children[i], sc->children[i].unit, a);
	return 0;
}

/* The announcements of procedures signed in the period (for the units below: those that have
 * figures already). */
static int count_announcements(struct scope *sc, struct db *db)
{
	char first[11];
	clock_date_vn(sc->p->from_us, first, sizeof first);
	return announcements_each(sc->d, db, first, sc->p->last_day, announcement_visit, sc);
}

/* The groups with their indicators scored from t, and the total. */
static json_t *score(const json_t *def, const struct tally *t, double *total)
{
	json_t *groups = json_array();
	size_t i, j;
	json_t *g, *ind;
	*total = 0;
	json_array_foreach(json_object_get(def, "groups"), i, g) {
		json_t *list = json_array();
		double points = 0;
		json_array_foreach(json_object_get(g, "indicators"), j, ind) {
			int num = counter_index(json_string_value(json_object_get(ind, "numerator")));
			int den = counter_index(json_string_value(json_object_get(ind, "denominator")));
			double max = json_number_value(json_object_get(ind, "max")), target = json_number_value(json_object_get(ind, "target"));
			bool measured = num >= 0 && den >= 0, some = measured && t->n[den] > 0;
			double rate = some ? 100.0 * (double)t->n[num] / (double)t->n[den] : 0;
			double pts = some ? max * (rate >= target ? 1.0 : rate / target) : 0;
			json_t *o = json_pack("{s:O,s:O,s:b,s:O,s:O}", "id", json_object_get(ind, "id"), "name", json_object_get(ind, "name"),
					      "measured", measured, "target", json_object_get(ind, "target"), "max", json_object_get(ind, "max"));
			json_object_set_new(o, "numerator", measured ? json_integer(t->n[num]) : json_null());
			json_object_set_new(o, "denominator", measured ? json_integer(t->n[den]) : json_null());
			json_object_set_new(o, "rate", some ? json_real((double)(long)(rate * 100 + 0.5) / 100) : json_null());
			json_object_set_new(o, "points", json_real((double)(long)(pts * 100 + 0.5) / 100));
			json_array_append_new(list, o);
			points += pts;
		}
		json_array_append_new(groups, json_pack("{s:O,s:O,s:O,s:f,s:o}", "id", json_object_get(g, "id"), "name",
							json_object_get(g, "name"), "max", json_object_get(g, "max"), "points",
							(double)(long)(points * 100 + 0.5) / 100, "indicators", list));
		*total += points;
	}
	*total = (double)(long)(*total * 100 + 0.5) / 100;
	return groups;
}

/* May who see reports of unit: staff of it or of a unit containing it, or an admin. */
int report_may_see(const struct dossiers *d, const struct principal *who, const char *unit, const struct period *p,
		      struct err *e)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	if (!units_find(d->registry->units, unit, p->last_day) && !units_find(d->registry->units, unit, today))
		return err_set(e, 404, "unit_not_found", "no unit %s on the period's map", "không có đơn vị %s trên bản đồ của kỳ", unit);
	if (who->role == ROLE_ADMIN || ((who->role & ROLE_STAFF) && units_within(d->registry->units, unit, p->last_day, who->unit, today)))
		return 0;
	return err_set(e, 403, "forbidden", "reports of unit %s are for its staff and those above it",
		       "báo cáo của đơn vị %s dành cho cán bộ của đơn vị và cấp trên", unit);
}

static int scope_open(struct scope *sc, const struct dossiers *d, const struct principal *who, const char *unit,
		      const struct period *p, struct err *e)
{
	memset(sc, 0, sizeof *sc);
	sc->d = d;
	sc->p = p;
	sc->unit = unit;
	if (!unit || !units_valid_code(unit))
		return err_set(e, 400, "invalid_query", "unit must be a unit code", "unit phải là mã đơn vị");
	if (who && report_may_see(d, who, unit, p, e))
		return -1;
	sc->children = calloc(MAX_CHILDREN, sizeof *sc->children);
	sc->within = json_object();
	sc->processing = json_object();
	return sc->children && sc->within && sc->processing ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
}

static void scope_close(struct scope *sc)
{
	tally_release(&sc->total);
	for (size_t i = 0; sc->children && i < sc->nchildren; i++)
		tally_release(&sc->children[i]);
	free(sc->children);
	json_decref(sc->within);
	json_decref(sc->processing);
}

static bool is_province(const struct dossiers *d, const char *unit, const char *date)
{
	const struct unit *u = units_find(d->registry->units, unit, date);
	return u && u->level == UNIT_PROVINCE;
}

/* A tally for every unit right below the scope's on the period's map, in code order: the
 * ranking lists each of them, those without dossiers or feedback too (with the catalog points
 * they earn). Rows then add to these tallies. */
static int all_children(struct scope *sc)
{
	const struct units *u = sc->d->registry->units;
	for (size_t i = 0; i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (!strcmp(x->parent, sc->unit) && units_find(u, x->code, sc->p->last_day) == x && !child_tally(sc, x->code))
			return -1;
	}
	return 0;
}

/* report_766, with each child's groups beside its total when child_groups. */
static int report_766_build(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
			    const struct period *p, bool child_groups, json_t **out, struct err *e)
{
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	if (all_children(&sc)) {
		scope_close(&sc);
		return err_set(e, 500, "too_many_units", "unit %s has more than %d units below it", "đơn vị %s có quá %d đơn vị trực thuộc",
			       unit, MAX_CHILDREN);
	}
	if (count_dossiers(&sc, db) || count_feedback(&sc, db) || count_announcements(&sc, db)) {
		scope_close(&sc);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	count_catalog(d, &sc.total, is_province(d, unit, p->last_day));
	double total;
	json_t *groups = score(d->indicators, &sc.total, &total), *children = json_array();
	for (size_t i = 0; i < sc.nchildren; i++) {
		double t;
		count_catalog(d, &sc.children[i], is_province(d, sc.children[i].unit, p->last_day));
		json_t *child_groups_json = score(d->indicators, &sc.children[i], &t);
		const struct unit *u = units_find(d->registry->units, sc.children[i].unit, p->last_day);
		json_t *c = json_pack("{s:s,s:s,s:f}", "unit", sc.children[i].unit, "name", u ? u->name : "", "total", t);
		if (child_groups)
			json_object_set(c, "groups", child_groups_json);
		json_decref(child_groups_json);
		json_array_append_new(children, c);
	}
	char from[40], until[40];
	clock_iso(p->from_us, from, sizeof from);
	clock_iso(p->until_us, until, sizeof until);
	const struct unit *u = units_find(d->registry->units, unit, p->last_day);
	*out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:f,s:i,s:o,s:o}", "unit", unit, "name", u ? u->name : "", "period", p->name,
			 "cut", p->cut, "from", from, "until", until, "groups", groups, "total", total, "max", 100, "children", children,
			 "processing_time", processing_time(&sc));
	scope_close(&sc);
	return 0;
}

int report_766(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
	       json_t **out, struct err *e)
{
	return report_766_build(d, db, who, unit, p, false, out, e);
}

int report_766_with_children(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
			     const struct period *p, json_t **out, struct err *e)
{
	return report_766_build(d, db, who, unit, p, true, out, e);
}

/* The target of t for a unit of `level` (a level name). */
static double target_for(const json_t *t, const char *level, bool *found)
{
	const json_t *by = json_object_get(t, "target_by_level");
	const json_t *v = by ? json_object_get(by, level) : json_object_get(t, "target");
	*found = json_is_number(v);
	return json_number_value(v);
}

/* What a target measured: its value (a percentage), and the counts it is the rate of (-1:
 * none, a figure read as it is). */
struct measure {
	bool measured;
	double value;
	long num, den;
};

/* A rate of two counters: measured when the denominator is not 0. */
static int measure_rate(const struct tally *total, const json_t *t, struct measure *m)
{
	int num = counter_index(json_string_value(json_object_get(t, "numerator")));
	int den = counter_index(json_string_value(json_object_get(t, "denominator")));
	m->num = num >= 0 ? total->n[num] : -1;
	m->den = den >= 0 ? total->n[den] : -1;
	m->measured = num >= 0 && den >= 0 && total->n[den] > 0;
	m->value = m->measured ? 100.0 * (double)m->num / (double)m->den : 0;
	return 0;
}

/* A figure of a report regime's forms ({"regime", "indicator"}), consolidated for the unit (an
 * average, or a formula): measured when an approved form gave it. */
static int measure_figure(const struct dossiers *d, struct db *db, const json_t *figure, const char *unit, const struct period *p,
			  struct measure *m)
{
	m->num = m->den = -1;
	return report_forms_value(d, db, json_string_value(json_object_get(figure, "regime")),
				  json_string_value(json_object_get(figure, "indicator")), unit, p, &m->value, &m->measured);
}

/* A target of the scorecard: its value against the target of the unit's level, met or not. */
static json_t *target_json(const json_t *t, const char *level, const struct measure *m)
{
	bool has_target;
	double target = target_for(t, level, &has_target);
	json_t *o = json_pack("{s:O,s:O,s:b}", "id", json_object_get(t, "id"), "name", json_object_get(t, "name"), "measured", m->measured);
	json_object_set_new(o, "value", m->measured ? json_real((double)(long)(m->value * 100 + 0.5) / 100) : json_null());
	json_object_set_new(o, "target", has_target ? json_real(target) : json_null());
	json_object_set_new(o, "met", m->measured && has_target
					      ? json_boolean(json_is_true(json_object_get(t, "above")) ? m->value > target : m->value >= target)
					      : json_null());
	json_object_set_new(o, "numerator", m->num >= 0 ? json_integer(m->num) : json_null());
	json_object_set_new(o, "denominator", m->den >= 0 ? json_integer(m->den) : json_null());
	return o;
}

int report_targets(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
		   json_t **out, struct err *e)
{
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	if (count_dossiers(&sc, db) || count_registers(&sc, db)) {
		scope_close(&sc);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	count_catalog(d, &sc.total, is_province(d, unit, p->last_day));
	const struct unit *u = units_find(d->registry->units, unit, p->last_day);
	const char *level = u ? units_level_name(u->level) : "commune";
	json_t *list = json_array();
	size_t i;
	json_t *t;
	int rc = 0;
	json_array_foreach(json_object_get(d->targets, "targets"), i, t) {
		const json_t *figure = json_object_get(t, "figure");
		struct measure m;
		if ((rc = figure ? measure_figure(d, db, figure, unit, p, &m) : measure_rate(&sc.total, t, &m)))
			break;
		json_array_append_new(list, target_json(t, level, &m));
	}
	scope_close(&sc);
	if (rc) {
		json_decref(list);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:o}", "unit", unit, "level", level, "period", p->name, "cut", p->cut, "targets", list);
	return 0;
}

/* Highest total first; equal totals in code order. */
static int by_rank(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	double tx = json_number_value(json_object_get(x, "total")), ty = json_number_value(json_object_get(y, "total"));
	return tx > ty ? -1 : tx < ty ? 1 : strcmp(json_string_value(json_object_get(x, "unit")), json_string_value(json_object_get(y, "unit")));
}

/* After the total, the ranking: a line per unit below, highest total first
 * (unit,period,children,CODE,"name",,,,,total,100). */
static int csv_ranking(struct buf *b, const json_t *report)
{
	const json_t *children = json_object_get(report, "children");
	size_t n = json_array_size(children);
	if (!n)
		return 0;
	const json_t **sorted = malloc(n * sizeof *sorted);
	if (!sorted)
		return -1;
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(children, i);
	qsort(sorted, n, sizeof *sorted, by_rank);
	const char *unit = json_string_value(json_object_get(report, "unit")), *period = json_string_value(json_object_get(report, "period"));
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++)
		rc = buf_addf(b, "%s,%s,children,%s,", unit, period, json_string_value(json_object_get(sorted[i], "unit"))) ||
		     buf_add_quoted(b, json_string_value(json_object_get(sorted[i], "name"))) ||
		     buf_addf(b, ",,,,,%.2f,100\r\n", json_number_value(json_object_get(sorted[i], "total")));
	free(sorted);
	return rc;
}

char *report_766_csv(const json_t *report)
{
	struct buf b;
	buf_init(&b, 1 << 22);
	int rc = buf_adds(&b, "unit,period,group,indicator,name,numerator,denominator,rate,target,points,max\r\n");
	size_t i, j;
	json_t *g, *x;
	const char *unit = json_string_value(json_object_get(report, "unit")), *period = json_string_value(json_object_get(report, "period"));
	json_array_foreach(json_object_get(report, "groups"), i, g) json_array_foreach(json_object_get(g, "indicators"), j, x) {
		const char *name = json_string_value(json_object_get(json_object_get(x, "name"), "vi"));
		rc = rc || buf_addf(&b, "%s,%s,%s,%s,", unit, period, json_string_value(json_object_get(g, "id")),
				    json_string_value(json_object_get(x, "id"))) || buf_add_quoted(&b, name);
		json_t *num = json_object_get(x, "numerator"), *den = json_object_get(x, "denominator"), *rate = json_object_get(x, "rate");
		char n1[24] = "", n2[24] = "", r[24] = "";
		if (json_is_integer(num))
			snprintf(n1, sizeof n1, "%lld", (long long)json_integer_value(num));
		if (json_is_integer(den))
			snprintf(n2, sizeof n2, "%lld", (long long)json_integer_value(den));
		if (json_is_number(rate))
			snprintf(r, sizeof r, "%.2f", json_number_value(rate));
		rc = rc || buf_addf(&b, ",%s,%s,%s,%g,%.2f,%g\r\n", n1, n2, r, json_number_value(json_object_get(x, "target")),
				    json_number_value(json_object_get(x, "points")), json_number_value(json_object_get(x, "max")));
	}
	rc = rc || buf_addf(&b, "%s,%s,total,,,,,,,%.2f,100\r\n", unit, period, json_number_value(json_object_get(report, "total"))) ||
	     csv_ranking(&b, report);
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

/* ---- drill-down ---- */

/* Every dossier received or finished in the period within the scope's unit, in time order. */
static int each_fact(struct scope *sc, struct db *db, report_fact_visit visit, void *arg)
{
	struct db_stmt *st = db_prepare(db, "SELECT " FACT_COLUMNS_SQL " FROM report_facts "
					    "WHERE (received_at >= ? AND received_at < ?) OR (finished_at >= ? AND finished_at < ?) "
					    "ORDER BY received_at, code");
	const struct period *p = sc->p;
	if (facts_sync(sc->d, db, true) || !st || db_bind(st, "iiii", p->from_us, p->until_us, p->from_us, p->until_us))
		return -1;
	enum db_rc rc;
	int stop = 0;
	while (!stop && (rc = db_step(st)) == DB_ROW) {
		struct fact f;
		fact_row(st, &f);
		char on[11];
		struct tally *t;
		clock_date_vn(f.received_at, on, sizeof on);
		if (within(sc, f.unit, on, &t))
			stop = visit(&f, arg);
	}
	db_reset(st);
	return stop < 0 || (!stop && rc != DB_DONE) ? -1 : 0;
}

int report_each_fact(const struct dossiers *d, struct db *db, const char *unit, const struct period *p, report_fact_visit visit,
		     void *arg)
{
	struct scope sc;
	struct err e;
	if (scope_open(&sc, d, NULL, unit, p, &e))
		return -1;
	int rc = each_fact(&sc, db, visit, arg);
	scope_close(&sc);
	return rc;
}

struct drill {
	const struct period *p;
	int column; /* of report_counts */
	long limit, offset, seen;
	json_t *items;
};

/* A dossier counted in the drill's column, its time (of receipt or finish) in the period. */
static int drill_add(const struct fact *f, void *arg)
{
	struct drill *dr = arg;
	int64_t at = fact_columns[dr->column].basis == ON_FINISHED ? f->finished_at : f->received_at;
	if (!fact_counts(f, dr->column) || !in(at, dr->p))
		return 0;
	if (dr->seen++ < dr->offset || (long)json_array_size(dr->items) >= dr->limit)
		return 0;
	char rec[40], fin[40];
	clock_iso(f->received_at, rec, sizeof rec);
	clock_iso(f->finished_at, fin, sizeof fin);
	json_array_append_new(dr->items, json_pack("{s:s,s:s,s:s,s:i,s:s,s:o}", "code", f->code, "procedure", f->procedure, "unit",
						   f->unit, "status", f->status, "received_at", rec, "finished_at",
						   f->flags & FACT_FINISHED ? json_string(fin) : json_null()));
	return 0;
}

const json_t *report_indicator(const json_t *def, const char *id)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(def, "groups"), i, g) {
		const json_t *x = json_find(json_object_get(g, "indicators"), "id", id);
		if (x)
			return x;
	}
	return NULL;
}

struct fb_drill {
	int counter;
	long limit, offset, seen;
	json_t *items;
};

static void drill_feedback_add(struct scope *sc, const struct fb *f, struct tally *t, void *arg)
{
	(void)t;
	struct fb_drill *dr = arg;
	if (!counters[dr->counter].fb(f, sc->p) || dr->seen++ < dr->offset || (long)json_array_size(dr->items) >= dr->limit)
		return;
	json_array_append_new(dr->items, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "id", f->id, "unit", f->unit, "created_at",
						   json_time(f->created_at, true), "due_at", json_time(f->due_at, true), "answered_at",
						   json_time(f->answered_at, f->answered), "satisfied",
						   f->rated ? json_boolean(f->satisfied) : json_null()));
}

/* The feedback behind a feedback counter, paged (ids and times: what was written stays with the
 * unit that answers it). */
static int drill_feedback(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
			  const struct period *p, const char *indicator, const char *part, int c, long limit, long offset, json_t **out,
			  struct err *e)
{
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	struct fb_drill dr = {c, limit, offset, 0, json_array()};
	int rc = each_feedback(&sc, db, drill_feedback_add, &dr);
	scope_close(&sc);
	if (rc) {
		json_decref(dr.items);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o}", "unit", unit, "period", p->name, "indicator", indicator, "part", part, "count",
			 (json_int_t)dr.seen, "feedback", dr.items, "next_offset",
			 offset + limit < dr.seen ? json_integer(offset + limit) : json_null());
	return 0;
}

/* The procedures behind a catalog counter: those of the unit's level that it counts. */
static int drill_catalog(const struct dossiers *d, const struct principal *who, const char *unit, const struct period *p,
			 const char *indicator, const char *part, int c, json_t **out, struct err *e)
{
	if (!units_valid_code(unit))
		return err_set(e, 400, "invalid_query", "unit must be a unit code", "unit phải là mã đơn vị");
	if (report_may_see(d, who, unit, p, e))
		return -1;
	bool province = is_province(d, unit, p->last_day);
	json_t *list = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(d->registry->catalog->procedures, i, x)
		if (of_level(x, province) && counters[c].proc(d, x))
			json_array_append_new(list, json_pack("{s:O,s:O,s:O}", "code", json_object_get(x, "code"), "name",
							      json_object_get(x, "name"), "level", json_object_get(x, "level")));
	*out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:n}", "unit", unit, "period", p->name, "indicator", indicator, "part", part, "count",
			 (json_int_t)json_array_size(list), "procedures", list, "next_offset");
	return 0;
}

int report_766_drill(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		     const struct period *p, const char *indicator, const char *part, long limit, long offset, json_t **out,
		     struct err *e)
{
	const json_t *ind = report_indicator(d->indicators, indicator);
	if (!ind)
		return err_set(e, 400, "invalid_query", "no indicator %s", "không có chỉ tiêu %s", indicator ? indicator : "");
	if (!part || (strcmp(part, "numerator") && strcmp(part, "denominator")))
		return err_set(e, 400, "invalid_query", "part must be numerator or denominator", "part phải là numerator hoặc denominator");
	int c = counter_index(json_string_value(json_object_get(ind, part)));
	if (c >= 0 && counters[c].proc)
		return drill_catalog(d, who, unit, p, indicator, part, c, out, e);
	if (c >= 0 && counters[c].fb)
		return drill_feedback(d, db, who, unit, p, indicator, part, c, limit, offset, out, e);
	if (c < 0 || !counters[c].column)
		return err_set(e, 409, "not_drillable", "indicator %s's %s is not counted from dossiers", "chỉ tiêu %s không đếm từ hồ sơ (%s)",
			       indicator, part);
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	struct drill dr = {p, fact_column_index(counters[c].column), limit, offset, 0, json_array()};
	int rc = each_fact(&sc, db, drill_add, &dr);
	scope_close(&sc);
	if (rc) {
		json_decref(dr.items);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "unit", unit, "period", p->name, "indicator", indicator, "part", part, "count",
			 (json_int_t)dr.seen, "dossiers", dr.items);
	if (counters[c].distinct_procedures)
		json_object_set_new(*out, "note", json_string("the figure counts the distinct procedures of these dossiers"));
	json_object_set_new(*out, "next_offset", offset + limit < dr.seen ? json_integer(offset + limit) : json_null());
	return 0;
}
