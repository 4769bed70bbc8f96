/* index766.c — the service index of Decision 766 for a unit and a period, from the dossiers.
 * The indicators (groups, maxima, targets, which counters make their numerator and denominator)
 * are data; the counters are the table below: each says which dossiers it counts. One pass over
 * the period's dossiers fills the counters of the unit and of each unit below it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "report/report.h"

#define MAX_CHILDREN 2048

/* A dossier as the counters see it. */
struct row {
	char code[48], procedure[32], unit[8];
	int channel, status, supplements, score; /* score 0: not rated */
	int64_t received_at, finished_at, due_at;
	bool finished, paid, synced, e_result, has_docs, digitised, reused;
};

static bool received_in(const struct row *r, const struct period *p) { return r->received_at >= p->from_us && r->received_at < p->until_us; }
static bool finished_in(const struct row *r, const struct period *p)
{
	return r->finished && r->finished_at >= p->from_us && r->finished_at < p->until_us;
}
static bool on_time(const struct row *r) { return r->due_at && r->finished_at <= r->due_at && r->supplements <= 1; }
static bool fee_of(const struct dossiers *d, const char *procedure)
{
	return json_integer_value(json_object_get(catalog_procedure(d->registry->catalog, procedure), "fee")) > 0;
}

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

typedef bool (*row_test)(const struct dossiers *d, const struct row *r, const struct period *p);

static bool t_received(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return received_in(r, p); }
static bool t_synced(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return received_in(r, p) && r->synced; }
static bool t_online(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return received_in(r, p) && r->channel == 2; }
static bool t_direct(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return received_in(r, p) && r->channel == 1; }
static bool t_direct_digitised(const struct dossiers *d, const struct row *r, const struct period *p)
{
	return t_direct(d, r, p) && r->digitised;
}
static bool t_with_docs(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return received_in(r, p) && r->has_docs; }
static bool t_reuse(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return received_in(r, p) && r->reused; }
static bool t_finished(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return finished_in(r, p); }
static bool t_on_time(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return finished_in(r, p) && on_time(r); }
static bool t_e_result(const struct dossiers *d, const struct row *r, const struct period *p) { (void)d; return finished_in(r, p) && r->e_result; }
static bool t_satisfied(const struct dossiers *d, const struct row *r, const struct period *p)
{
	(void)d;
	return finished_in(r, p) && on_time(r) && (r->score == 0 || r->score >= 3);
}
static bool t_fully_online(const struct dossiers *d, const struct row *r, const struct period *p)
{
	(void)d;
	return finished_in(r, p) && r->channel == 2 && r->e_result;
}
static bool t_fee_due(const struct dossiers *d, const struct row *r, const struct period *p) { return finished_in(r, p) && fee_of(d, r->procedure); }
static bool t_fee_paid(const struct dossiers *d, const struct row *r, const struct period *p) { return t_fee_due(d, r, p) && r->paid; }

/* Counters over the catalog: the procedures of a unit's level. */
typedef bool (*proc_test)(const json_t *procedure, bool payee);
static bool p_all(const json_t *x, bool payee) { (void)x; (void)payee; return true; }
static bool p_online(const json_t *x, bool payee) { (void)payee; return json_is_true(json_object_get(x, "full_online")); }
static bool p_fee(const json_t *x, bool payee) { (void)payee; return json_integer_value(json_object_get(x, "fee")) > 0; }
static bool p_fee_online(const json_t *x, bool payee) { return p_fee(x, payee) && payee; /* VietQR for every fee */ }

static const struct counter {
	const char *name;
	row_test row;
	proc_test proc;
	bool distinct_procedures; /* counts procedures that have such dossiers, not dossiers */
	fb_test fb;
	bool reg; /* counted from the registers (registers.c) */
} counters[] = {
	{"received", t_received, NULL, false},
	{"received_synced", t_synced, NULL, false},
	{"received_online", t_online, NULL, false},
	{"direct", t_direct, NULL, false},
	{"direct_digitised", t_direct_digitised, NULL, false},
	{"received_with_documents", t_with_docs, NULL, false},
	{"received_reuse", t_reuse, NULL, false},
	{"finished", t_finished, NULL, false},
	{"finished_on_time", t_on_time, NULL, false},
	{"finished_e_result", t_e_result, NULL, false},
	{"finished_stored", t_e_result, NULL, false}, /* an issued result is in the holder's store */
	{"finished_satisfied", t_satisfied, NULL, false},
	{"finished_fully_online", t_fully_online, NULL, false},
	{"fee_due", t_fee_due, NULL, false},
	{"fee_paid", t_fee_paid, NULL, false},
	{"procedures", NULL, p_all, false},
	{"procedures_online", NULL, p_online, false},
	{"procedures_online_used", t_online, NULL, true},
	{"procedures_fee", NULL, p_fee, false},
	{"procedures_fee_online", NULL, p_fee_online, false},
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
};
#define NCOUNTERS (sizeof counters / sizeof *counters)

static int counter_index(const char *name)
{
	for (size_t i = 0; name && i < NCOUNTERS; i++)
		if (!strcmp(counters[i].name, name))
			return (int)i;
	return -1;
}

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
};

static void tally_release(struct tally *t)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		json_decref(t->procs[i]);
}

static void count(struct scope *sc, struct tally *t, const struct row *r)
{
	for (size_t i = 0; i < NCOUNTERS; i++) {
		if (!counters[i].row || !counters[i].row(sc->d, r, sc->p))
			continue;
		if (!counters[i].distinct_procedures) {
			t->n[i]++;
			continue;
		}
		if (!t->procs[i])
			t->procs[i] = json_object();
		json_object_set_new(t->procs[i], r->procedure, json_true());
		t->n[i] = (long)json_object_size(t->procs[i]);
	}
}

/* The catalog counters of a unit: the procedures of its level (a province's: all of them). */
static void count_catalog(const struct dossiers *d, struct tally *t, bool province, bool payee)
{
	size_t i;
	json_t *x;
	json_array_foreach(d->registry->catalog->procedures, i, x) {
		const char *level = json_string_value(json_object_get(x, "level"));
		if (!province && (!level || strcmp(level, "commune")))
			continue;
		for (size_t c = 0; c < NCOUNTERS; c++)
			if (counters[c].proc && counters[c].proc(x, payee))
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

static void read_row(struct db_stmt *st, struct row *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->code, sizeof r->code, "%s", db_col_text(st, 0));
	snprintf(r->procedure, sizeof r->procedure, "%s", db_col_text(st, 1));
	snprintf(r->unit, sizeof r->unit, "%s", db_col_text(st, 2));
	r->channel = (int)db_col_int(st, 3);
	r->status = (int)db_col_int(st, 4);
	r->received_at = db_col_int(st, 5);
	r->finished = !db_col_null(st, 6) && (r->status == 9 || r->status == 10);
	r->finished_at = db_col_int(st, 6);
	r->due_at = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
	r->supplements = (int)db_col_int(st, 8);
	r->paid = !db_col_null(st, 9);
	r->synced = db_col_int(st, 10) == 0;
	r->e_result = db_col_int(st, 11) > 0;
	r->has_docs = db_col_int(st, 12) > 0;
	r->digitised = db_col_int(st, 13) > 0;
	r->reused = db_col_int(st, 14) > 0;
	r->score = (int)db_col_int(st, 15);
}

typedef void (*row_visit)(struct scope *sc, const struct row *r, void *arg);

/* Every dossier of the period (received or finished in it) within the scope's unit. */
static int each_row(struct scope *sc, struct db *db, row_visit visit, void *arg)
{
	struct db_stmt *st = db_prepare(db,
		"SELECT d.code, d.procedure_code, d.unit, d.channel, d.status, d.received_at, d.finished_at, d.due_at, d.supplements, "
		"d.paid_at, (SELECT COUNT(*) FROM outbox o WHERE o.code = d.code AND o.acked_at IS NULL), "
		"(SELECT COUNT(*) FROM issued i WHERE i.code = d.code), (SELECT COUNT(*) FROM documents x WHERE x.code = d.code), "
		"(SELECT COUNT(*) FROM documents x WHERE x.code = d.code AND x.digitised = 1), "
		"(SELECT COUNT(*) FROM documents x WHERE x.code = d.code AND x.reused_from IS NOT NULL), "
		"COALESCE((SELECT score FROM ratings r WHERE r.code = d.code), 0) "
		"FROM dossiers d WHERE (d.received_at >= ? AND d.received_at < ?) OR (d.finished_at >= ? AND d.finished_at < ?)");
	if (!st || db_bind(st, "iiii", sc->p->from_us, sc->p->until_us, sc->p->from_us, sc->p->until_us))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct row r;
		read_row(st, &r);
		char on[11];
		clock_date_vn(r.received_at, on, sizeof on);
		if (units_within(sc->d->registry->units, r.unit, on, sc->unit, sc->p->last_day))
			visit(sc, &r, arg);
	}
	return rc == DB_DONE ? 0 : -1;
}

/* The tally of the unit right below the scope's that holds unit, or NULL (the scope's own unit). */
static struct tally *child_for(struct scope *sc, const char *unit)
{
	const struct unit *c = strcmp(unit, sc->unit) ? child_of(sc, unit) : NULL;
	return c ? child_tally(sc, c->code) : NULL;
}

/* Every feedback of the period (due, answered or rated in it) within the scope's unit, counted. */
static int count_feedback(struct scope *sc, struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, unit, created_at, due_at, answered_at, rated_at, satisfied FROM feedback WHERE "
					    "(due_at >= ? AND due_at < ?) OR (answered_at >= ? AND answered_at < ?) OR "
					    "(rated_at >= ? AND rated_at < ?)");
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
		if (!units_within(sc->d->registry->units, f.unit, on, sc->unit, p->last_day))
			continue;
		struct tally *t = child_for(sc, f.unit);
		for (size_t i = 0; i < NCOUNTERS; i++)
			if (counters[i].fb && counters[i].fb(&f, p)) {
				sc->total.n[i]++;
				if (t)
					t->n[i]++;
			}
	}
	return rc == DB_DONE ? 0 : -1;
}

/* The register counters of the scope's unit (not of its children), for the targets scorecard. */
static int count_registers(struct scope *sc, struct db *db)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (counters[i].reg && registers_count(sc->d, db, counters[i].name, sc->unit, sc->p, &sc->total.n[i]))
			return -1;
	return 0;
}

static void tally_row(struct scope *sc, const struct row *r, void *arg)
{
	(void)arg;
	count(sc, &sc->total, r);
	struct tally *t = child_for(sc, r->unit);
	if (t)
		count(sc, t, r);
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
static int may_report(const struct dossiers *d, const struct principal *who, const char *unit, const struct period *p,
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
	if (may_report(d, who, unit, p, e))
		return -1;
	sc->children = calloc(MAX_CHILDREN, sizeof *sc->children);
	return sc->children ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
}

static void scope_close(struct scope *sc)
{
	tally_release(&sc->total);
	for (size_t i = 0; sc->children && i < sc->nchildren; i++)
		tally_release(&sc->children[i]);
	free(sc->children);
}

static bool is_province(const struct dossiers *d, const char *unit, const char *date)
{
	const struct unit *u = units_find(d->registry->units, unit, date);
	return u && u->level == UNIT_PROVINCE;
}

int report_766(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
	       json_t **out, struct err *e)
{
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	bool payee = d->payee_ready;
	if (each_row(&sc, db, tally_row, NULL) || count_feedback(&sc, db)) {
		scope_close(&sc);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	count_catalog(d, &sc.total, is_province(d, unit, p->last_day), payee);
	double total;
	json_t *groups = score(d->indicators, &sc.total, &total), *children = json_array();
	for (size_t i = 0; i < sc.nchildren; i++) {
		double t;
		count_catalog(d, &sc.children[i], is_province(d, sc.children[i].unit, p->last_day), payee);
		json_decref(score(d->indicators, &sc.children[i], &t));
		const struct unit *u = units_find(d->registry->units, sc.children[i].unit, p->last_day);
		json_array_append_new(children, json_pack("{s:s,s:s,s:f}", "unit", sc.children[i].unit, "name", u ? u->name : "", "total", t));
	}
	char from[40], until[40];
	clock_iso(p->from_us, from, sizeof from);
	clock_iso(p->until_us, until, sizeof until);
	const struct unit *u = units_find(d->registry->units, unit, p->last_day);
	*out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:f,s:i,s:o}", "unit", unit, "name", u ? u->name : "", "period", p->name, "cut",
			 p->cut, "from", from, "until", until, "groups", groups, "total", total, "max", 100, "children", children);
	scope_close(&sc);
	return 0;
}

/* The target of t for a unit of `level` (a level name). */
static double target_for(const json_t *t, const char *level, bool *found)
{
	const json_t *by = json_object_get(t, "target_by_level");
	const json_t *v = by ? json_object_get(by, level) : json_object_get(t, "target");
	*found = json_is_number(v);
	return json_number_value(v);
}

int report_targets(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit, const struct period *p,
		   json_t **out, struct err *e)
{
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	if (each_row(&sc, db, tally_row, NULL) || count_registers(&sc, db)) {
		scope_close(&sc);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	count_catalog(d, &sc.total, is_province(d, unit, p->last_day), d->payee_ready);
	const struct unit *u = units_find(d->registry->units, unit, p->last_day);
	const char *level = u ? units_level_name(u->level) : "commune";
	json_t *list = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(d->targets, "targets"), i, t) {
		int num = counter_index(json_string_value(json_object_get(t, "numerator")));
		int den = counter_index(json_string_value(json_object_get(t, "denominator")));
		bool has_target, measured = num >= 0 && den >= 0 && sc.total.n[den] > 0;
		double target = target_for(t, level, &has_target), value = measured ? 100.0 * sc.total.n[num] / sc.total.n[den] : 0;
		json_t *o = json_pack("{s:O,s:O,s:b}", "id", json_object_get(t, "id"), "name", json_object_get(t, "name"), "measured", measured);
		json_object_set_new(o, "value", measured ? json_real((double)(long)(value * 100 + 0.5) / 100) : json_null());
		json_object_set_new(o, "target", has_target ? json_real(target) : json_null());
		json_object_set_new(o, "met", measured && has_target ? json_boolean(json_is_true(json_object_get(t, "above")) ? value > target
															: value >= target)
								 : json_null());
		json_object_set_new(o, "numerator", num >= 0 ? json_integer(sc.total.n[num]) : json_null());
		json_object_set_new(o, "denominator", den >= 0 ? json_integer(sc.total.n[den]) : json_null());
		json_array_append_new(list, o);
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:o}", "unit", unit, "level", level, "period", p->name, "cut", p->cut, "targets", list);
	scope_close(&sc);
	return 0;
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
		rc = rc || buf_addf(&b, "%s,%s,%s,%s,\"", unit, period, json_string_value(json_object_get(g, "id")),
				    json_string_value(json_object_get(x, "id")));
		for (const char *c = name; !rc && c && *c; c++) /* a quote inside a quoted field is doubled */
			rc = *c == '"' ? buf_adds(&b, "\"\"") : buf_add(&b, c, 1);
		json_t *num = json_object_get(x, "numerator"), *den = json_object_get(x, "denominator"), *rate = json_object_get(x, "rate");
		char n1[24] = "", n2[24] = "", r[24] = "";
		if (json_is_integer(num))
			snprintf(n1, sizeof n1, "%lld", (long long)json_integer_value(num));
		if (json_is_integer(den))
			snprintf(n2, sizeof n2, "%lld", (long long)json_integer_value(den));
		if (json_is_number(rate))
			snprintf(r, sizeof r, "%.2f", json_number_value(rate));
		rc = rc || buf_addf(&b, "\",%s,%s,%s,%g,%.2f,%g\r\n", n1, n2, r, json_number_value(json_object_get(x, "target")),
				    json_number_value(json_object_get(x, "points")), json_number_value(json_object_get(x, "max")));
	}
	rc = rc || buf_addf(&b, "%s,%s,total,,,,,,,%.2f,100\r\n", unit, period, json_number_value(json_object_get(report, "total")));
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

/* ---- drill-down ---- */

struct drill {
	int counter;
	long limit, offset, seen;
	json_t *items;
};

static void drill_row(struct scope *sc, const struct row *r, void *arg)
{
	struct drill *dr = arg;
	if (!counters[dr->counter].row(sc->d, r, sc->p))
		return;
	if (dr->seen++ < dr->offset || (long)json_array_size(dr->items) >= dr->limit)
		return;
	char rec[40], fin[40];
	clock_iso(r->received_at, rec, sizeof rec);
	clock_iso(r->finished_at, fin, sizeof fin);
	json_array_append_new(dr->items, json_pack("{s:s,s:s,s:s,s:i,s:s,s:o}", "code", r->code, "procedure", r->procedure, "unit",
						   r->unit, "status", r->status, "received_at", rec, "finished_at",
						   r->finished ? json_string(fin) : json_null()));
}

static const json_t *indicator_def(const json_t *def, const char *id)
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

int report_766_drill(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		     const struct period *p, const char *indicator, const char *part, long limit, long offset, json_t **out,
		     struct err *e)
{
	const json_t *ind = indicator_def(d->indicators, indicator);
	if (!ind)
		return err_set(e, 400, "invalid_query", "no indicator %s", "không có chỉ tiêu %s", indicator ? indicator : "");
	if (!part || (strcmp(part, "numerator") && strcmp(part, "denominator")))
		return err_set(e, 400, "invalid_query", "part must be numerator or denominator", "part phải là numerator hoặc denominator");
	int c = counter_index(json_string_value(json_object_get(ind, part)));
	if (c < 0 || !counters[c].row)
		return err_set(e, 409, "not_drillable", "indicator %s's %s is not counted from dossiers", "chỉ tiêu %s không đếm từ hồ sơ (%s)",
			       indicator, part);
	struct scope sc;
	if (scope_open(&sc, d, who, unit, p, e))
		return -1;
	struct drill dr = {c, limit, offset, 0, json_array()};
	int rc = each_row(&sc, db, drill_row, &dr);
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
