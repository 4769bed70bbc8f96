/* regimes.c — report regimes (chế độ báo cáo) and their forms, for the figures no dossier holds.
 * A regime is data (data/report-regimes.json, embedded): its indicators with types and rules, its
 * period kind, the level of the units that must submit, the deadline and the reminder days. Each
 * such unit's staff fill in the form for a period (draft), submit it (late after the deadline),
 * its leader approves it or returns it with a note; a unit above sees each unit's state, the late
 * and missing ones, and the approved forms consolidated as each indicator says (sum, avg, or a
 * formula over the consolidated figures). Reminders are a list the signed-in officer asks for. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "report/report.h"

#define DAY_US (86400LL * 1000000)
#define OVERDUE_DAYS 90 /* an unsubmitted form stays on the reminders this long after its deadline */
#define NOTE_MAX 1000

/* ---- the regimes' data ---- */

int report_regimes_list(const struct dossiers *d, json_t **out)
{
	*out = json_pack("{s:O}", "regimes", json_object_get(d->regimes, "regimes"));
	return 0;
}

static const char *const kinds[] = {"month", "quarter", "year"};
static const char *const types[] = {"integer", "decimal", "percent"};
static const char *const aggregates[] = {"sum", "avg", "formula"};

static bool one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

static const char *str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

static bool is_formula(const json_t *ind) { return !strcmp(str(ind, "aggregate"), "formula"); }

/* The two indicators of a formula's ratio, or false. */
static bool ratio_of(const json_t *ind, const char **num, const char **den)
{
	const json_t *r = json_object_get(json_object_get(ind, "formula"), "ratio");
	*num = json_string_value(json_array_get(r, 0));
	*den = json_string_value(json_array_get(r, 1));
	return json_array_size(r) == 2 && *num && *den;
}

static int bad_regime(const char *id, const char *what, struct err *e)
{
	return err_set(e, 500, "bad_regimes", "data/report-regimes.json: regime %s: %s", "data/report-regimes.json: chế độ %s: %s", id, what);
}

int regimes_check(const json_t *doc, struct err *e)
{
	size_t i, j;
	json_t *r, *ind;
	if (!json_is_array(json_object_get(doc, "regimes")))
		return bad_regime("-", "no regimes list", e);
	json_array_foreach(json_object_get(doc, "regimes"), i, r) {
		const char *id = str(r, "id") ? str(r, "id") : "?";
		enum unit_level level;
		if (!str(r, "id") || !one_of(str(r, "period"), kinds, 3) || !str(r, "level") || units_level_parse(str(r, "level"), &level) ||
		    !json_is_integer(json_object_get(r, "deadline_days")) || !json_is_integer(json_object_get(r, "remind_days")) ||
		    !json_is_array(json_object_get(r, "indicators")))
			return bad_regime(id, "needs id, period (month|quarter|year), level, deadline_days, remind_days, indicators", e);
		json_array_foreach(json_object_get(r, "indicators"), j, ind) {
			const char *num, *den, *above = str(ind, "not_above");
			if (!str(ind, "id") || !one_of(str(ind, "type"), types, 3) || !one_of(str(ind, "aggregate"), aggregates, 3))
				return bad_regime(id, "an indicator needs id, type (integer|decimal|percent), aggregate (sum|avg|formula)", e);
			if (is_formula(ind) && (!ratio_of(ind, &num, &den) || !json_find(json_object_get(r, "indicators"), "id", num) ||
						!json_find(json_object_get(r, "indicators"), "id", den)))
				return bad_regime(id, "a formula's ratio names two of the regime's indicators", e);
			if (above && !json_find(json_object_get(r, "indicators"), "id", above))
				return bad_regime(id, "not_above names no indicator of the regime", e);
		}
	}
	return 0;
}

static const json_t *regime_find(const struct dossiers *d, const char *id)
{
	return id ? json_find(json_object_get(d->regimes, "regimes"), "id", id) : NULL;
}

/* Whether name is a period of the regime's kind (2026-Q3 for a quarterly one). */
static bool period_of_kind(const char *name, const char *kind)
{
	size_t n = strlen(name);
	if (!strcmp(kind, "year"))
		return n == 4;
	if (!strcmp(kind, "quarter"))
		return n == 7 && name[5] == 'Q';
	return n == 7 && name[5] != 'Q';
}

static void period_name(const char *kind, int year, int k, char out[16])
{
	if (!strcmp(kind, "year"))
		snprintf(out, 16, "%d", year);
	else if (!strcmp(kind, "quarter"))
		snprintf(out, 16, "%d-Q%d", year, k);
	else
		snprintf(out, 16, "%d-%02d", year, k);
}

static int per_year(const char *kind) { return !strcmp(kind, "year") ? 1 : !strcmp(kind, "quarter") ? 4 : 12; }

/* A form's place: the regime, the period (with its deadline), the unit on the period's map. */
struct place {
	const json_t *regime;
	struct period p;
	int64_t deadline;
	const struct unit *unit;
};

static int64_t deadline_of(const json_t *regime, const struct period *p)
{
	return p->until_us + json_integer_value(json_object_get(regime, "deadline_days")) * DAY_US;
}

static int place_open(const struct dossiers *d, const char *regime, const char *period, const char *unit, struct place *pl, struct err *e)
{
	memset(pl, 0, sizeof *pl);
	pl->regime = regime_find(d, regime);
	if (!pl->regime)
		return err_set(e, 404, "regime_not_found", "no report regime %s", "không có chế độ báo cáo %s", regime ? regime : "");
	const char *kind = str(pl->regime, "period");
	if (!period || !period_of_kind(period, kind) || period_parse(period, str(pl->regime, "cut"), &pl->p, NULL))
		return err_set(e, 400, "invalid_period", "regime %s is reported by %s: the period is written like %s", "chế độ %s báo cáo theo %s: kỳ có dạng %s",
			       regime, kind, !strcmp(kind, "year") ? "2026" : !strcmp(kind, "quarter") ? "2026-Q3" : "2026-09");
	pl->deadline = deadline_of(pl->regime, &pl->p);
	pl->unit = unit && units_valid_code(unit) ? units_find(d->registry->units, unit, pl->p.last_day) : NULL;
	if (!pl->unit)
		return err_set(e, 404, "unit_not_found", "no unit %s on the map of %s", "không có đơn vị %s trên bản đồ ngày %s", unit ? unit : "",
			       pl->p.last_day);
	return 0;
}

static bool submits(const struct place *pl, const struct unit *u)
{
	enum unit_level level;
	return !units_level_parse(str(pl->regime, "level"), &level) && u->level == level;
}

/* Staff of the unit or of a unit above it. */
static int may_read(const struct dossiers *d, const struct principal *who, const struct place *pl, struct err *e)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	if ((who->role & ROLE_STAFF) && units_within(d->registry->units, pl->unit->code, pl->p.last_day, who->unit, today))
		return 0;
	return err_set(e, 403, "forbidden", "the report forms of unit %s are for its staff and those above it",
		       "biểu mẫu báo cáo của đơn vị %s dành cho cán bộ của đơn vị và cấp trên", pl->unit->code);
}

/* Staff of the unit itself, in one of roles. */
static int own_unit(const struct principal *who, const struct place *pl, int roles, struct err *e)
{
	if ((who->role & roles) && !strcmp(who->unit, pl->unit->code))
		return 0;
	return err_set(e, 403, "forbidden", roles == ROLE_LEADER ? "only a leader of unit %s decides on its form" : "only the staff of unit %s fill in its form",
		       roles == ROLE_LEADER ? "chỉ lãnh đạo đơn vị %s duyệt biểu mẫu của đơn vị" : "chỉ cán bộ đơn vị %s nhập biểu mẫu của đơn vị",
		       pl->unit->code);
}

/* ---- a form ---- */

struct form {
	bool exists, late;
	char state[12], note[NOTE_MAX + 1], submitted_by[65], decided_by[65];
	int64_t submitted_at, decided_at, updated_at;
	json_t *figures;
};

static int form_load(struct db *db, const struct place *pl, struct form *f, struct err *e)
{
	memset(f, 0, sizeof *f);
	snprintf(f->state, sizeof f->state, "not_started");
	struct db_stmt *st = db_prepare(db, "SELECT state, figures, late, note, submitted_by, submitted_at, decided_by, decided_at, updated_at "
					    "FROM report_forms WHERE regime = ? AND period = ? AND unit = ?");
	if (!st || db_bind(st, "ttt", str(pl->regime, "id"), pl->p.name, pl->unit->code))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW) {
		f->exists = true;
		snprintf(f->state, sizeof f->state, "%s", db_col_text(st, 0));
		f->figures = json_loads(db_col_text(st, 1), 0, NULL);
		f->late = db_col_int(st, 2) != 0;
		snprintf(f->note, sizeof f->note, "%s", db_col_text(st, 3));
		snprintf(f->submitted_by, sizeof f->submitted_by, "%s", db_col_text(st, 4));
		f->submitted_at = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
		snprintf(f->decided_by, sizeof f->decided_by, "%s", db_col_text(st, 6));
		f->decided_at = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
		f->updated_at = db_col_int(st, 8);
		db_reset(st);
	} else if (rc != DB_DONE)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (!f->figures)
		f->figures = json_object();
	return 0;
}

static json_t *opt_str(const char *s) { return s && s[0] ? json_string(s) : json_null(); }

static json_t *round2(double v) { return json_real(round(v * 100) / 100); }

/* The formula indicators computed from figures (a form's, or consolidated ones). */
static void compute(const json_t *regime, json_t *figures)
{
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(regime, "indicators"), i, ind) {
		const char *num, *den;
		if (!is_formula(ind) || !ratio_of(ind, &num, &den))
			continue;
		double n = json_number_value(json_object_get(figures, num)), d = json_number_value(json_object_get(figures, den));
		bool some = json_is_number(json_object_get(figures, num)) && d > 0;
		json_object_set_new(figures, str(ind, "id"), some ? round2(100 * n / d) : json_null());
	}
}

static json_t *form_json(const struct place *pl, const struct form *f)
{
	char deadline[40];
	clock_iso(pl->deadline, deadline, sizeof deadline);
	json_t *figures = json_deep_copy(f->figures);
	compute(pl->regime, figures);
	json_t *o = json_pack("{s:O,s:O,s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:b}", "regime", json_object_get(pl->regime, "id"), "name",
			      json_object_get(pl->regime, "name"), "period", pl->p.name, "unit", pl->unit->code, "unit_name", pl->unit->name,
			      "state", f->state, "deadline", deadline, "figures", figures, "late", f->late, "overdue",
			      clock_now_us() >= pl->deadline && strcmp(f->state, "submitted") && strcmp(f->state, "approved"));
	json_object_set_new(o, "note", opt_str(f->note));
	json_object_set_new(o, "submitted_by", opt_str(f->submitted_by));
	json_object_set_new(o, "submitted_at", json_time(f->submitted_at, f->submitted_at != 0));
	json_object_set_new(o, "decided_by", opt_str(f->decided_by));
	json_object_set_new(o, "decided_at", json_time(f->decided_at, f->decided_at != 0));
	json_object_set_new(o, "indicators", json_deep_copy(json_object_get(pl->regime, "indicators")));
	return o;
}

int report_form_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
		    const char *unit, json_t **out, struct err *e)
{
	struct place pl;
	struct form f;
	if (place_open(d, regime, period, unit, &pl, e) || may_read(d, who, &pl, e))
		return -1;
	if (!submits(&pl, pl.unit))
		return err_set(e, 404, "not_a_submitter", "unit %s does not submit regime %s (its %s units do)", "đơn vị %s không nộp báo cáo %s (cấp %s nộp)",
			       pl.unit->code, regime, str(pl.regime, "level"));
	if (form_load(db, &pl, &f, e))
		return -1;
	*out = form_json(&pl, &f);
	json_decref(f.figures);
	return 0;
}

static void add_problem(json_t *problems, const char *field, struct err *pe)
{
	char name[96];
	snprintf(name, sizeof name, "figures.%s", field);
	json_array_append_new(problems, json_pack("{s:s,s:s,s:s,s:s}", "field", name, "code", pe->code, "message", pe->msg, "message_vi", pe->msg_vi));
}

/* One value against its indicator's rules; 0 or -1 with pe. */
static int check_value(const json_t *ind, const json_t *v, const json_t *figures, struct err *pe)
{
	const char *id = str(ind, "id"), *type = str(ind, "type"), *above = str(ind, "not_above");
	if (!strcmp(type, "integer") && !json_is_integer(v))
		return err_set(pe, 422, "invalid_field", "%s must be a whole number", "%s phải là số nguyên", id);
	if (!json_is_number(v))
		return err_set(pe, 422, "invalid_field", "%s must be a number", "%s phải là một số", id);
	double x = json_number_value(v);
	const json_t *min = json_object_get(ind, "min"), *max = json_object_get(ind, "max");
	if ((json_is_number(min) && x < json_number_value(min)) || (json_is_number(max) && x > json_number_value(max)))
		return err_set(pe, 422, "out_of_range", "%s must be between %g and %g", "%s phải trong khoảng %g đến %g", id,
			       json_is_number(min) ? json_number_value(min) : -INFINITY, json_is_number(max) ? json_number_value(max) : INFINITY);
	const json_t *other = above ? json_object_get(figures, above) : NULL;
	if (json_is_number(other) && x > json_number_value(other))
		return err_set(pe, 422, "above_limit", "%s (%g) cannot be more than %s (%g)", "%s (%g) không được lớn hơn %s (%g)", id, x, above,
			       json_number_value(other));
	return 0;
}

/* Checks figures against the regime; complete: every required indicator filled (to submit).
 * Returns 0, or -1 with e (422 invalid_figures) and *problems naming each field. */
static int check_figures(const json_t *regime, const json_t *figures, bool complete, json_t **problems, struct err *e)
{
	json_t *list = json_array();
	const char *key;
	json_t *v, *ind;
	size_t i;
	struct err pe;
	json_object_foreach((json_t *)figures, key, v) {
		const json_t *def = json_find(json_object_get(regime, "indicators"), "id", key);
		if (!def || is_formula(def)) {
			err_set(&pe, 422, "unknown_indicator", def ? "%s is computed, not filled in" : "regime has no indicator %s",
				def ? "%s được tính, không nhập" : "chế độ không có chỉ tiêu %s", key);
			add_problem(list, key, &pe);
		} else if (!json_is_null(v) && check_value(def, v, figures, &pe))
			add_problem(list, key, &pe);
	}
	json_array_foreach(json_object_get(regime, "indicators"), i, ind) {
		const json_t *val = json_object_get(figures, str(ind, "id"));
		if (complete && json_is_true(json_object_get(ind, "required")) && (!val || json_is_null(val))) {
			err_set(&pe, 422, "missing_field", "%s is required to submit", "cần nhập %s trước khi nộp", str(ind, "id"));
			add_problem(list, str(ind, "id"), &pe);
		}
	}
	if (!json_array_size(list)) {
		json_decref(list);
		return 0;
	}
	*problems = list;
	return err_set(e, 422, "invalid_figures", "%zu figure(s) of the form are wrong (see fields)", "%zu số liệu của biểu mẫu không hợp lệ (xem fields)",
		       json_array_size(list));
}

static bool editable(const char *state) { return !strcmp(state, "not_started") || !strcmp(state, "draft") || !strcmp(state, "returned"); }

static int saved(struct db *db, const struct principal *who, const char *action, const struct place *pl, enum db_rc rc, struct err *e)
{
	char object[64];
	snprintf(object, sizeof object, "%s/%s/%s", str(pl->regime, "id"), pl->p.name, pl->unit->code);
	if (rc == DB_DONE && db_changes(db) == 1 && !audit_append(db, who->username, action, object, "{}") && !db_commit(db))
		return 0;
	db_rollback(db);
	return rc == DB_DONE || rc == DB_CONSTRAINT ? err_set(e, 409, "conflict", "the form changed meanwhile; reload it", "biểu mẫu vừa thay đổi; hãy tải lại")
						    : err_set(e, 500, "db_error", "the form was not saved", "chưa lưu được biểu mẫu");
}

int report_form_put(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
		    const char *unit, const json_t *body, json_t **out, json_t **problems, struct err *e)
{
	struct place pl;
	struct form f;
	const json_t *figures = json_object_get(body, "figures");
	if (place_open(d, regime, period, unit, &pl, e) || own_unit(who, &pl, ROLE_STAFF, e))
		return -1;
	if (!submits(&pl, pl.unit))
		return err_set(e, 404, "not_a_submitter", "unit %s does not submit regime %s", "đơn vị %s không nộp báo cáo %s", pl.unit->code, regime);
	if (clock_now_us() < pl.p.from_us)
		return err_set(e, 409, "period_not_started", "period %s has not begun", "kỳ %s chưa bắt đầu", pl.p.name);
	if (!json_is_object(figures))
		return err_set(e, 422, "missing_field", "figures (an object: indicator → number) is required",
			       "cần figures (đối tượng: chỉ tiêu → số liệu)");
	if (check_figures(pl.regime, figures, false, problems, e) || form_load(db, &pl, &f, e))
		return -1;
	bool open = editable(f.state);
	json_decref(f.figures);
	if (!open)
		return err_set(e, 409, "form_locked", "the form is %s; only a returned or draft form can be changed", "biểu mẫu đang ở trạng thái %s; chỉ sửa được bản nháp hoặc bản bị trả lại",
			       f.state);
	char *text = json_dumps(figures, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text || db_begin(db)) {
		free(text);
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	}
	int64_t now = clock_now_us();
	enum db_rc rc = f.exists ? db_run(db, "UPDATE report_forms SET figures = ?, state = 'draft', updated_by = ?, updated_at = ? WHERE regime = ? AND "
					      "period = ? AND unit = ? AND state IN ('draft', 'returned')",
					  "ttittt", text, who->username, now, str(pl.regime, "id"), pl.p.name, pl.unit->code)
				 : db_run(db, "INSERT INTO report_forms (regime, period, unit, state, figures, late, updated_by, updated_at) VALUES "
					      "(?, ?, ?, 'draft', ?, 0, ?, ?)",
					  "ttttti", str(pl.regime, "id"), pl.p.name, pl.unit->code, text, who->username, now);
	free(text);
	if (saved(db, who, "report-form.save", &pl, rc, e))
		return -1;
	return report_form_get(d, db, who, regime, period, unit, out, e);
}

/* The moves between states: who makes them (roles of the unit's staff), and whether a note is needed. */
static const struct move {
	const char *from, *to, *action;
	int roles;
	bool note;
} moves[] = {
	{"draft", "submitted", "report-form.submit", ROLE_STAFF, false},
	{"returned", "submitted", "report-form.submit", ROLE_STAFF, false},
	{"submitted", "approved", "report-form.approve", ROLE_LEADER, false},
	{"submitted", "returned", "report-form.return", ROLE_LEADER, true},
};

int report_form_transition(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
			   const char *unit, const json_t *body, json_t **out, json_t **problems, struct err *e)
{
	struct place pl;
	struct form f;
	const char *to, *note;
	if (json_get_str(body, "to", true, 16, &to, e) || json_get_str(body, "note", false, NOTE_MAX, &note, e) ||
	    place_open(d, regime, period, unit, &pl, e) || form_load(db, &pl, &f, e))
		return -1;
	if (own_unit(who, &pl, ROLE_OFFICER | ROLE_LEADER, e)) { /* the unit's staff only, before anything about the form's state */
		json_decref(f.figures);
		return -1;
	}
	const struct move *m = NULL;
	for (size_t i = 0; !m && i < sizeof moves / sizeof *moves; i++)
		if (!strcmp(moves[i].from, f.state) && !strcmp(moves[i].to, to))
			m = &moves[i];
	int rc = -1;
	if (!m)
		err_set(e, 409, "invalid_transition", "a %s form cannot become %s", "biểu mẫu ở trạng thái %s không chuyển sang %s được", f.state, to);
	else if (own_unit(who, &pl, m->roles, e))
		;
	else if (m->note && (!note || !note[0]))
		err_set(e, 422, "missing_field", "say why the form is returned (note)", "hãy nêu lý do trả lại (note)");
	else if (!strcmp(to, "submitted") && check_figures(pl.regime, f.figures, true, problems, e))
		;
	else if (db_begin(db))
		err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	else {
		int64_t now = clock_now_us();
		bool submit = !strcmp(to, "submitted");
		enum db_rc r = submit ? db_run(db, "UPDATE report_forms SET state = ?, late = ?, note = NULL, submitted_by = ?, submitted_at = ?, "
						   "decided_by = NULL, decided_at = NULL WHERE regime = ? AND period = ? AND unit = ? AND state = ?",
					       "tititttt", to, (int64_t)(f.late || now >= pl.deadline), who->username, now, str(pl.regime, "id"),
					       pl.p.name, pl.unit->code, f.state)
				      : db_run(db, "UPDATE report_forms SET state = ?, note = ?, decided_by = ?, decided_at = ? WHERE regime = ? AND "
						   "period = ? AND unit = ? AND state = ?",
					       "tttitttt", to, note && note[0] ? note : NULL, who->username, now, str(pl.regime, "id"), pl.p.name,
					       pl.unit->code, f.state);
		rc = saved(db, who, m->action, &pl, r, e);
	}
	json_decref(f.figures);
	return rc ? -1 : report_form_get(d, db, who, regime, period, unit, out, e);
}

/* ---- a unit above: each unit's state, and the consolidated figures ---- */

/* The units of the regime's level within pl's unit, on the period's map, as code → name. */
static json_t *expected_units(const struct dossiers *d, const struct place *pl)
{
	json_t *set = json_object();
	if (submits(pl, pl->unit)) {
		json_object_set_new(set, pl->unit->code, json_string(pl->unit->name));
		return set;
	}
	const struct units *u = d->registry->units;
	for (size_t i = 0; i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (submits(pl, x) && units_find(u, x->code, pl->p.last_day) == x &&
		    units_within(u, x->code, pl->p.last_day, pl->unit->code, pl->p.last_day))
			json_object_set_new(set, x->code, json_string(x->name));
	}
	return set;
}

/* Adds the approved figures to the consolidation: sums (and counts, for averages). */
static void consolidate_add(const json_t *regime, json_t *sums, json_t *counts, const json_t *figures)
{
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(regime, "indicators"), i, ind) {
		const char *id = str(ind, "id");
		const json_t *v = json_object_get(figures, id);
		if (is_formula(ind) || !json_is_number(v))
			continue;
		json_t *s = json_object_get(sums, id);
		bool whole = !strcmp(str(ind, "type"), "integer");
		json_object_set_new(sums, id, whole ? json_integer(json_integer_value(s) + json_integer_value(v)) : json_real(json_number_value(s) + json_number_value(v)));
		json_object_set_new(counts, id, json_integer(json_integer_value(json_object_get(counts, id)) + 1));
	}
}

/* The consolidated figures from sums and counts: sums, averages, then the formulas. */
static json_t *consolidated(const json_t *regime, const json_t *sums, const json_t *counts)
{
	json_t *out = json_object(), *ind;
	size_t i;
	json_array_foreach(json_object_get(regime, "indicators"), i, ind) {
		const char *id = str(ind, "id");
		const json_t *s = json_object_get(sums, id);
		json_int_t n = json_integer_value(json_object_get(counts, id));
		if (!strcmp(str(ind, "aggregate"), "avg"))
			json_object_set_new(out, id, n ? round2(json_number_value(s) / (double)n) : json_null());
		else if (!is_formula(ind))
			json_object_set_new(out, id, s ? json_deep_copy(s) : json_null());
	}
	compute(regime, out);
	return out;
}

struct overview {
	json_t *units, *missing, *late, *sums, *counts;
	long submitted, approved;
};

static int overview_rows(struct db *db, const struct place *pl, const json_t *expected, struct overview *ov)
{
	struct db_stmt *st = db_prepare(db, "SELECT unit, state, late, submitted_at, figures FROM report_forms WHERE regime = ? AND period = ?");
	if (!st || db_bind(st, "tt", str(pl->regime, "id"), pl->p.name))
		return -1;
	enum db_rc rc;
	json_t *seen = json_object();
	while ((rc = db_step(st)) == DB_ROW) {
		const char *unit = db_col_text(st, 0), *state = db_col_text(st, 1);
		if (!json_object_get(expected, unit))
			continue;
		bool in = !strcmp(state, "submitted") || !strcmp(state, "approved");
		json_object_set_new(seen, unit, json_pack("{s:s,s:b,s:o}", "state", state, "late", db_col_int(st, 2) != 0, "submitted_at",
							 json_time(db_col_int(st, 3), in)));
		ov->submitted += in;
		if (!strcmp(state, "approved")) {
			json_t *figures = json_loads(db_col_text(st, 4), 0, NULL);
			consolidate_add(pl->regime, ov->sums, ov->counts, figures);
			json_decref(figures);
			ov->approved++;
		}
	}
	const char *code;
	json_t *name;
	json_object_foreach((json_t *)expected, code, name) {
		json_t *row = json_object_get(seen, code);
		const char *state = row ? str(row, "state") : "not_started";
		bool in = !strcmp(state, "submitted") || !strcmp(state, "approved");
		json_array_append_new(ov->units, json_pack("{s:s,s:O,s:s,s:b,s:o}", "unit", code, "name", name, "state", state, "late",
							   row && json_is_true(json_object_get(row, "late")), "submitted_at",
							   row ? json_deep_copy(json_object_get(row, "submitted_at")) : json_null()));
		if (!in)
			json_array_append_new(ov->missing, json_string(code));
		if (row && json_is_true(json_object_get(row, "late")))
			json_array_append_new(ov->late, json_string(code));
	}
	json_decref(seen);
	return rc == DB_DONE ? 0 : -1;
}

static void overview_release(struct overview *ov)
{
	json_decref(ov->units);
	json_decref(ov->missing);
	json_decref(ov->late);
	json_decref(ov->sums);
	json_decref(ov->counts);
}

static int overview_open(const struct dossiers *d, struct db *db, const struct place *pl, struct overview *ov, struct err *e)
{
	*ov = (struct overview){json_array(), json_array(), json_array(), json_object(), json_object(), 0, 0};
	json_t *expected = expected_units(d, pl); /* in the units' order: jansson keeps insertion order */
	int rc = overview_rows(db, pl, expected, ov);
	json_decref(expected);
	if (rc) {
		overview_release(ov);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	return 0;
}

int report_forms_overview(const struct dossiers *d, struct db *db, const struct principal *who, const char *regime, const char *period,
			  const char *unit, json_t **out, struct err *e)
{
	struct place pl;
	struct overview ov;
	if (place_open(d, regime, period, unit ? unit : who->unit, &pl, e) || may_read(d, who, &pl, e) || overview_open(d, db, &pl, &ov, e))
		return -1;
	char deadline[40];
	clock_iso(pl.deadline, deadline, sizeof deadline);
	*out = json_pack("{s:O,s:O,s:s,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:O,s:O,s:O,s:o,s:O}", "regime", json_object_get(pl.regime, "id"), "name",
			 json_object_get(pl.regime, "name"), "period", pl.p.name, "unit", pl.unit->code, "unit_name", pl.unit->name, "deadline",
			 deadline, "past_deadline", clock_now_us() >= pl.deadline, "expected", (json_int_t)json_array_size(ov.units), "submitted",
			 (json_int_t)ov.submitted, "approved", (json_int_t)ov.approved, "units", ov.units, "missing", ov.missing, "late", ov.late,
			 "consolidated", consolidated(pl.regime, ov.sums, ov.counts), "indicators", json_object_get(pl.regime, "indicators"));
	overview_release(&ov);
	return 0;
}

/* ---- the scorecard ---- */

/* The overview (ov, the caller releases it) of the latest of regime r's periods that ends inside
 * p and has approved forms within unit: 1; 0 when there is none; -1 on a database error. */
static int latest_approved(const struct dossiers *d, struct db *db, const json_t *r, const char *unit, const struct period *p,
			   struct overview *ov)
{
	const char *kind = str(r, "period");
	int last;
	if (sscanf(p->last_day, "%d", &last) != 1)
		return -1;
	for (int y = last; y >= last - 1; y--)
		for (int k = per_year(kind); k >= 1; k--) {
			char name[16];
			struct place pl = {.regime = r};
			period_name(kind, y, k, name);
			if (period_parse(name, str(r, "cut"), &pl.p, NULL) || pl.p.until_us > p->until_us || pl.p.until_us <= p->from_us)
				continue;
			pl.unit = units_find(d->registry->units, unit, pl.p.last_day);
			struct db_stmt *st = db_prepare(db, "SELECT COUNT(*) FROM report_forms WHERE regime = ? AND period = ? AND state = 'approved'");
			if (!st || db_bind(st, "tt", str(r, "id"), name) || db_step(st) != DB_ROW)
				return -1;
			int64_t approved = db_col_int(st, 0);
			db_reset(st);
			struct err e;
			if (!approved || !pl.unit || overview_open(d, db, &pl, ov, &e))
				continue;
			if (ov->approved > 0)
				return 1;
			overview_release(ov);
		}
	return 0;
}

int report_forms_figure(const struct dossiers *d, struct db *db, const char *regime, const char *indicator, const char *unit,
			const struct period *p, long *n)
{
	*n = 0;
	const json_t *r = regime_find(d, regime);
	struct overview ov;
	int found = r ? latest_approved(d, db, r, unit, p, &ov) : -1;
	if (found > 0) {
		*n = (long)json_number_value(json_object_get(ov.sums, indicator));
		overview_release(&ov);
	}
	return found < 0 ? -1 : 0;
}

int report_forms_value(const struct dossiers *d, struct db *db, const char *regime, const char *indicator, const char *unit,
		       const struct period *p, double *v, bool *found)
{
	*v = 0;
	*found = false;
	const json_t *r = regime_find(d, regime);
	struct overview ov;
	int rc = r ? latest_approved(d, db, r, unit, p, &ov) : -1;
	if (rc > 0) {
		json_t *all = consolidated(r, ov.sums, ov.counts);
		const json_t *x = json_object_get(all, indicator);
		*found = json_is_number(x);
		*v = json_number_value(x);
		json_decref(all);
		overview_release(&ov);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- reminders ---- */

static void remind_regime(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *r, int64_t now, json_t *items)
{
	const char *kind = str(r, "period");
	int64_t remind = json_integer_value(json_object_get(r, "remind_days")) * DAY_US;
	char today[11];
	clock_today_vn(today, sizeof today);
	int year = atoi(today);
	for (int y = year - 1; y <= year; y++)
		for (int k = 1; k <= per_year(kind); k++) {
			char name[16];
			struct place pl = {.regime = r};
			struct form f;
			period_name(kind, y, k, name);
			if (period_parse(name, str(r, "cut"), &pl.p, NULL))
				continue;
			pl.deadline = deadline_of(r, &pl.p);
			pl.unit = units_find(d->registry->units, who->unit, pl.p.last_day);
			if (now < pl.deadline - remind || now >= pl.deadline + OVERDUE_DAYS * DAY_US || !pl.unit || !submits(&pl, pl.unit) ||
			    form_load(db, &pl, &f, NULL))
				continue;
			if (editable(f.state)) {
				char deadline[40];
				clock_iso(pl.deadline, deadline, sizeof deadline);
				json_array_append_new(items, json_pack("{s:O,s:O,s:s,s:s,s:s,s:s,s:s,s:b}", "regime", json_object_get(r, "id"), "name",
								       json_object_get(r, "name"), "period", name, "unit", who->unit, "state", f.state,
								       "action", "submit", "deadline", deadline, "overdue", now >= pl.deadline));
			}
			json_decref(f.figures);
		}
}

int report_forms_reminders(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	json_t *items = json_array(), *r;
	size_t i;
	int64_t now = clock_now_us();
	json_array_foreach(json_object_get(d->regimes, "regimes"), i, r) remind_regime(d, db, who, r, now, items);
	if (who->role == ROLE_LEADER) { /* forms waiting for the leader's decision */
		struct db_stmt *st = db_prepare(db, "SELECT regime, period FROM report_forms WHERE unit = ? AND state = 'submitted' ORDER BY period");
		enum db_rc rc = !st || db_bind(st, "t", who->unit) ? DB_ERROR : DB_DONE;
		while (rc == DB_DONE && (rc = db_step(st)) == DB_ROW) {
			const json_t *reg = regime_find(d, db_col_text(st, 0));
			json_array_append_new(items, json_pack("{s:s,s:O,s:s,s:s,s:s,s:s}", "regime", db_col_text(st, 0), "name",
							       reg ? json_object_get(reg, "name") : json_null(), "period", db_col_text(st, 1), "unit",
							       who->unit, "state", "submitted", "action", "approve"));
			rc = DB_DONE;
		}
		if (rc != DB_DONE) {
			json_decref(items);
			return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
		}
	}
	*out = json_pack("{s:s,s:o}", "unit", who->unit, "reminders", items);
	return 0;
}
