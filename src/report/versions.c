/* versions.c — published figures never change silently. Closing an ended period freezes version
 * 1: the report as computed and the dossiers behind it (each with what was counted of it). A
 * later recomputation (a late correction, a unit merge) makes the next version only when it
 * differs, with the diff against the version before: the figures that moved and the dossiers
 * added, removed or counted differently. A version keeps each unit below with its total and
 * its groups' points (what open data publishes of it). The reports of a closed period show the published
 * version, and say when a recomputation would differ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "report/facts.h"
#include "report/report.h"

#define REASON_MAX 500
#define DIFF_SAMPLE 50

/* The key of one version: unit, period, cut and version, bound from parameter `at` on. */
struct version_key {
	const char *unit;
	const struct period *p;
	long version;
};

static int bind_key(struct db_stmt *st, int at, const struct version_key *k)
{
	return db_bind_at(st, at, "ttti", k->unit, k->p->name, k->p->cut, (int64_t)k->version);
}

/* The newest version of the unit's period: its number (0: none) and, when report, its report. */
static long latest(struct db *db, const char *unit, const struct period *p, json_t **report, json_t **meta)
{
	struct db_stmt *st = db_prepare(db, "SELECT version, report, created_at, created_by, reason FROM report_versions "
					    "WHERE unit = ? AND period = ? AND cut = ? ORDER BY version DESC LIMIT 1");
	if (!st || db_bind(st, "ttt", unit, p->name, p->cut))
		return -1;
	long n = 0;
	if (db_step(st) == DB_ROW) {
		n = (long)db_col_int(st, 0);
		if (report)
			*report = json_loads(db_col_text(st, 1), 0, NULL);
		if (meta) {
			char at[40];
			clock_iso(db_col_int(st, 2), at, sizeof at);
			*meta = json_pack("{s:i,s:s,s:s,s:s}", "version", (int)n, "published_at", at, "published_by", db_col_text(st, 3),
					  "reason", db_col_text(st, 4));
		}
	}
	db_reset(st);
	return n;
}

/* ---- the dossiers behind a version ---- */

struct set_writer {
	struct db *db;
	struct version_key key;
};

static int write_fact(const struct fact *f, void *arg)
{
	struct set_writer *w = arg;
	struct db_stmt *st = db_prepare(w->db, "INSERT INTO report_version_dossiers (unit, period, cut, version, code, dossier_unit, "
					       "procedure_code, received_at, finished_at, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st || bind_key(st, 1, &w->key) || db_bind_at(st, 5, "ttti", f->code, f->unit, f->procedure, f->received_at) ||
	    (f->finished_at ? db_bind_at(st, 9, "i", f->finished_at) : db_bind_at(st, 9, "n")) || db_bind_at(st, 10, "i", (int64_t)f->flags))
		return -1;
	return db_step(st) == DB_DONE ? 0 : -1;
}

/* The dossiers of one version missing from another (added or removed), or in both but counted
 * differently: their number and a sample of codes. */
static int set_compare(struct db *db, const struct version_key *a, const struct version_key *b, bool changed, json_t **out)
{
	struct db_stmt *st = changed
		? db_prepare(db, "SELECT x.code, y.flags, x.flags FROM report_version_dossiers x JOIN report_version_dossiers y "
				 "ON y.unit = x.unit AND y.period = x.period AND y.cut = x.cut AND y.version = ? AND y.code = x.code "
				 "WHERE x.unit = ? AND x.period = ? AND x.cut = ? AND x.version = ? AND (x.flags <> y.flags OR "
				 "x.dossier_unit <> y.dossier_unit OR x.received_at <> y.received_at OR "
				 "COALESCE(x.finished_at, 0) <> COALESCE(y.finished_at, 0)) ORDER BY x.code")
		: db_prepare(db, "SELECT x.code, 0, x.flags FROM report_version_dossiers x WHERE x.unit = ? AND x.period = ? AND x.cut = ? "
				 "AND x.version = ? AND NOT EXISTS (SELECT 1 FROM report_version_dossiers y WHERE y.unit = x.unit AND "
				 "y.period = x.period AND y.cut = x.cut AND y.version = ? AND y.code = x.code) ORDER BY x.code");
	int rc = !st || (changed ? db_bind(st, "i", (int64_t)b->version) || bind_key(st, 2, a)
				 : bind_key(st, 1, a) || db_bind_at(st, 5, "i", (int64_t)b->version));
	if (rc)
		return -1;
	json_t *codes = json_array();
	long n = 0;
	enum db_rc step;
	while ((step = db_step(st)) == DB_ROW)
		if (n++ < DIFF_SAMPLE)
			json_array_append_new(codes, json_string(db_col_text(st, 0)));
	*out = json_pack("{s:I,s:o}", "count", (json_int_t)n, "codes", codes);
	return step == DB_DONE ? 0 : -1;
}

/* ---- the figures ---- */

static json_t *figures(const json_t *x)
{
	return json_pack("{s:O,s:O,s:O}", "numerator", json_object_get(x, "numerator"), "denominator", json_object_get(x, "denominator"),
			 "points", json_object_get(x, "points"));
}

/* The indicators whose figures moved, and the units whose total moved. */
static json_t *figures_diff(const json_t *before, const json_t *after)
{
	json_t *moved = json_array(), *units = json_array();
	size_t i, j;
	json_t *g, *x;
	json_array_foreach(json_object_get(after, "groups"), i, g) json_array_foreach(json_object_get(g, "indicators"), j, x) {
		const json_t *old = report_indicator(before, json_string_value(json_object_get(x, "id")));
		json_t *was = old ? figures(old) : json_null(), *is = figures(x);
		if (!json_equal(was, is))
			json_array_append_new(moved, json_pack("{s:O,s:o,s:o}", "indicator", json_object_get(x, "id"), "before", was, "after", is));
		else {
			json_decref(was);
			json_decref(is);
		}
	}
	json_array_foreach(json_object_get(after, "children"), i, x) {
		const json_t *old = json_find(json_object_get(before, "children"), "unit", json_string_value(json_object_get(x, "unit")));
		json_t *was = old ? json_object_get(old, "total") : NULL;
		if (!was || !json_equal(was, json_object_get(x, "total")))
			json_array_append_new(units, json_pack("{s:O,s:O,s:O}", "unit", json_object_get(x, "unit"), "before",
								 was ? was : json_null(), "after", json_object_get(x, "total")));
	}
	json_array_foreach(json_object_get(before, "children"), i, x)
		if (!json_find(json_object_get(after, "children"), "unit", json_string_value(json_object_get(x, "unit"))))
			json_array_append_new(units, json_pack("{s:O,s:O,s:n}", "unit", json_object_get(x, "unit"), "before",
								 json_object_get(x, "total"), "after"));
	return json_pack("{s:{s:O,s:O},s:o,s:o}", "total", "before", json_object_get(before, "total"), "after",
			 json_object_get(after, "total"), "indicators", moved, "units", units);
}

/* The same units below, each with the same total (a version keeps each child's groups too; a
 * report may not, nor may a version from before it did). */
static bool same_children(const json_t *a, const json_t *b)
{
	const json_t *ca = json_object_get(a, "children"), *cb = json_object_get(b, "children");
	if (json_array_size(ca) != json_array_size(cb))
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(ca, i, x) {
		const json_t *y = json_find(cb, "unit", json_string_value(json_object_get(x, "unit")));
		if (!y || !json_equal(json_object_get(x, "total"), json_object_get(y, "total")))
			return false;
	}
	return true;
}

/* The same figures: groups, total and children's totals. */
static bool same_figures(const json_t *a, const json_t *b)
{
	static const char *const parts[] = {"groups", "total"};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		if (!json_equal(json_object_get(a, parts[i]), json_object_get(b, parts[i])))
			return false;
	return same_children(a, b);
}

/* The diff of version k against version k - 1 (whose report is before): NULL when nothing moved. */
static int version_diff(struct db *db, const struct version_key *k, const json_t *before, const json_t *after, json_t **out)
{
	struct version_key prev = {k->unit, k->p, k->version - 1};
	json_t *added = NULL, *removed = NULL, *changed = NULL;
	int rc = set_compare(db, k, &prev, false, &added) || set_compare(db, &prev, k, false, &removed) ||
		 set_compare(db, k, &prev, true, &changed);
	*out = NULL;
	if (!rc && (!same_figures(before, after) || json_integer_value(json_object_get(added, "count")) ||
		    json_integer_value(json_object_get(removed, "count")) || json_integer_value(json_object_get(changed, "count")))) {
		*out = figures_diff(before, after);
		json_object_set_new(*out, "against", json_integer(prev.version));
		json_object_set_new(*out, "dossiers", json_pack("{s:O,s:O,s:O}", "added", added, "removed", removed, "changed", changed));
	}
	json_decref(added);
	json_decref(removed);
	json_decref(changed);
	return rc ? -1 : 0;
}

/* ---- publishing ---- */

static int may_publish(const struct dossiers *d, const struct principal *who, const char *unit, const struct period *p,
		       struct err *e)
{
	if (report_may_see(d, who, unit, p, e))
		return -1;
	if (who->role != ROLE_ADMIN && !(who->role & ROLE_LEADER))
		return err_set(e, 403, "forbidden", "a leader of unit %s or above publishes its figures",
			       "lãnh đạo đơn vị %s hoặc cấp trên mới được công bố số liệu", unit);
	if (p->until_us > clock_now_us())
		return err_set(e, 409, "period_open", "period %s has not ended yet", "kỳ %s chưa kết thúc", p->name);
	return 0;
}

/* Writes version k (the report and the dossiers behind it); *diff NULL when it would not differ
 * from the version before (then nothing is written). In the caller's transaction. */
static int write_version(const struct dossiers *d, struct db *db, const struct version_key *k, const json_t *report,
			 const json_t *before, const char *who, const char *reason, json_t **diff)
{
	struct set_writer w = {db, *k};
	*diff = NULL;
	if (report_each_fact(d, db, k->unit, k->p, write_fact, &w))
		return -1;
	if (k->version > 1 && version_diff(db, k, before, report, diff))
		return -1;
	if (k->version > 1 && !*diff)
		return 0;
	char *text = json_to_str(report), *dt = *diff ? json_to_str(*diff) : NULL;
	struct db_stmt *st = db_prepare(db, "INSERT INTO report_versions (unit, period, cut, version, created_at, created_by, reason, "
					    "report, diff) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc = !text || !st || bind_key(st, 1, k) || db_bind_at(st, 5, "ittt", clock_now_us(), who, reason, text) ||
		 (dt ? db_bind_at(st, 9, "t", dt) : db_bind_at(st, 9, "n")) || db_step(st) != DB_DONE ||
		 audit_append(db, who, "report.publish", k->unit, "{}");
	free(text);
	free(dt);
	return rc ? -1 : 0;
}

int report_publish(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body, json_t **out,
		   struct err *e)
{
	const char *unit = NULL, *period = NULL, *cut = NULL, *reason = NULL;
	struct period p;
	if (json_get_str(body, "unit", true, 8, &unit, e) || json_get_str(body, "period", true, 16, &period, e) ||
	    json_get_str(body, "cut", false, 12, &cut, e) || json_get_str(body, "reason", false, REASON_MAX, &reason, e) ||
	    period_parse(period, cut, &p, e) || may_publish(d, who, unit, &p, e))
		return -1;
	if (db_begin(db)) /* the figures, the dossiers behind them and the version agree: no change comes between */
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	json_t *report = NULL, *before = NULL, *diff = NULL;
	long n = facts_sync_within(d, db) || report_766_with_children(d, db, who, unit, &p, &report, e)
			 ? -1
			 : latest(db, unit, &p, &before, NULL);
	int rc = 0;
	if (n > 0 && (!reason || !reason[0]))
		rc = err_set(e, 422, "reason_required", "a new version of published figures says why (reason)",
			     "phiên bản mới của số liệu đã công bố phải nêu lý do (reason)");
	struct version_key k = {unit, &p, n + 1};
	if (!rc && (n < 0 || write_version(d, db, &k, report, before, who->username, n ? reason : "closing the period", &diff) ||
		    ((diff || !n) && (report_send_queue(d, db, unit, &p, k.version) || db_commit(db)))))
		rc = err_set(e, 500, "db_error", "the figures were not published", "chưa công bố được số liệu");
	if (rc || (!diff && n))
		db_rollback(db);
	json_decref(before);
	if (rc) {
		json_decref(report);
		json_decref(diff);
		return -1;
	}
	bool made = diff || !n;
	*out = json_pack("{s:s,s:s,s:s,s:i,s:b,s:o,s:o}", "unit", unit, "period", p.name, "cut", p.cut, "version",
			 (int)(made ? k.version : n), "created", made, "diff", diff ? diff : json_null(), "report", report);
	if (!made)
		json_object_set_new(*out, "note", json_string("the recomputation equals the published version: nothing new was made"));
	return 0;
}

/* ---- reading ---- */

int report_versions(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		    const struct period *p, json_t **out, struct err *e)
{
	if (report_may_see(d, who, unit, p, e))
		return -1;
	struct db_stmt *st = db_prepare(db, "SELECT version, created_at, created_by, reason, report, diff FROM report_versions "
					    "WHERE unit = ? AND period = ? AND cut = ? ORDER BY version DESC");
	if (!st || db_bind(st, "ttt", unit, p->name, p->cut))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	while (db_step(st) == DB_ROW) {
		char at[40];
		clock_iso(db_col_int(st, 1), at, sizeof at);
		json_t *report = json_loads(db_col_text(st, 4), 0, NULL), *diff = json_loads(db_col_text(st, 5), 0, NULL);
		json_array_append_new(list, json_pack("{s:i,s:s,s:s,s:s,s:O,s:O}", "version", (int)db_col_int(st, 0), "published_at", at,
						      "published_by", db_col_text(st, 2), "reason", db_col_text(st, 3), "total",
						      json_object_get(report, "total"), "total_before",
						      diff ? json_object_get(json_object_get(diff, "total"), "before") : json_null()));
		json_decref(report);
		json_decref(diff);
	}
	*out = json_pack("{s:s,s:s,s:s,s:o}", "unit", unit, "period", p->name, "cut", p->cut, "versions", list);
	return 0;
}

int report_version(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		   const struct period *p, long version, json_t **out, struct err *e)
{
	if (report_may_see(d, who, unit, p, e))
		return -1;
	struct db_stmt *st = db_prepare(db, "SELECT created_at, created_by, reason, report, diff FROM report_versions "
					    "WHERE unit = ? AND period = ? AND cut = ? AND version = ?");
	struct version_key k = {unit, p, version};
	if (!st || bind_key(st, 1, &k))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (db_step(st) != DB_ROW)
		return err_set(e, 404, "version_not_found", "no version %ld of these figures", "không có phiên bản %ld của số liệu này",
			       version);
	char at[40];
	clock_iso(db_col_int(st, 0), at, sizeof at);
	json_t *report = json_loads(db_col_text(st, 3), 0, NULL), *diff = json_loads(db_col_text(st, 4), 0, NULL);
	*out = json_pack("{s:i,s:s,s:s,s:s,s:o,s:o}", "version", (int)version, "published_at", at, "published_by", db_col_text(st, 1),
			 "reason", db_col_text(st, 2), "report", report ? report : json_null(), "diff", diff ? diff : json_null());
	db_reset(st);
	return 0;
}

int report_766_view(const struct dossiers *d, struct db *db, const struct principal *who, const char *unit,
		    const struct period *p, json_t **out, struct err *e)
{
	json_t *live = NULL, *published = NULL, *meta = NULL;
	if (report_766(d, db, who, unit, p, &live, e))
		return -1;
	if (latest(db, unit, p, &published, &meta) <= 0 || !published) {
		json_object_set_new(live, "state", json_string(p->until_us > clock_now_us() ? "open" : "provisional"));
		*out = live;
		json_decref(meta);
		return 0;
	}
	json_object_set_new(published, "state", json_string("published"));
	json_object_set_new(published, "published", meta);
	json_object_set_new(published, "changes_pending", json_boolean(!same_figures(live, published)));
	json_object_set_new(published, "live_total", json_copy(json_object_get(live, "total")));
	json_decref(live);
	*out = published;
	return 0;
}

int report_published(struct db *db, const char *unit, const struct period *p, json_t **report, long *version, int64_t *at)
{
	struct db_stmt *st = db_prepare(db, "SELECT version, report, created_at FROM report_versions "
					    "WHERE unit = ? AND period = ? AND cut = ? ORDER BY version DESC LIMIT 1");
	*report = NULL;
	if (!st || db_bind(st, "ttt", unit, p->name, p->cut))
		return -1;
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW) {
		*version = (long)db_col_int(st, 0);
		*report = json_loads(db_col_text(st, 1), 0, NULL);
		*at = db_col_int(st, 2);
	}
	db_reset(st);
	return rc == DB_ROW ? (*report ? 1 : -1) : rc == DB_DONE ? 0 : -1;
}
