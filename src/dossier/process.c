/* process.c — the electronic internal process (quy trình nội bộ) of each procedure: its steps,
 * the role that does each one and each step's share of the legal time, read from a table
 * (data/dossier/processes.json). A dossier's steps live in dossier_steps: one row each time a step
 * opens, closed when it is handed on ("forward"), sent back ("back") or the dossier ends
 * ("stopped"). Status changes open, pause, resume and end steps (steps_on_status); officers hand
 * a dossier on with POST /dossiers/{code}/steps; lateness is reported per step and per officer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "dossier/dossier.h"
#include "security/seal.h"

#define MAX_PROCESSES 16
#define MAX_STEPS 12
#define NOTE_MAX 2000

struct step_def {
	const char *id;
	const json_t *name;
	int role; /* ROLE_OFFICER or ROLE_LEADER */
	int share; /* % of the legal time */
	int completes_with; /* the status that ends this step, or 0 */
};

struct process {
	const char *id;
	const json_t *name;
	struct step_def steps[MAX_STEPS];
	int n;
};

struct processes {
	json_t *doc;
	struct process p[MAX_PROCESSES];
	int n;
};

static const char *role_en(int role) { return role == ROLE_LEADER ? "leader" : "officer"; }
static const char *role_vi(int role) { return role == ROLE_LEADER ? "lãnh đạo" : "cán bộ"; }
static const char *name_in(const json_t *name, const char *lang) { return json_string_value(json_object_get(name, lang)); }

static int bad(struct err *e, const char *what)
{
	return err_set(e, 500, "bad_process_data", "the internal process table is invalid: %s",
		       "bảng quy trình nội bộ không hợp lệ: %s", what);
}

static int load_step(struct step_def *s, const json_t *x, struct err *e)
{
	const char *role = json_string_value(json_object_get(x, "role"));
	s->id = json_string_value(json_object_get(x, "id"));
	s->name = json_object_get(x, "name");
	s->share = (int)json_integer_value(json_object_get(x, "share"));
	s->completes_with = (int)json_integer_value(json_object_get(x, "completes_with"));
	s->role = role && !strcmp(role, "leader") ? ROLE_LEADER : role && !strcmp(role, "officer") ? ROLE_OFFICER : 0;
	if (!s->id || !json_is_object(s->name) || !s->role || s->share < 0 || s->share > 100)
		return bad(e, "a step needs an id, a name, a role (officer or leader) and a share of 0-100");
	return 0;
}

static int load_process(struct process *p, const json_t *x, struct err *e)
{
	p->id = json_string_value(json_object_get(x, "id"));
	p->name = json_object_get(x, "name");
	const json_t *steps = json_object_get(x, "steps");
	size_t i, n = json_array_size(steps);
	int total = 0;
	json_t *s;
	if (!p->id || n < 2 || n > MAX_STEPS)
		return bad(e, "a process needs an id and 2 to 12 steps");
	json_array_foreach(steps, i, s) {
		if (load_step(&p->steps[i], s, e))
			return -1;
		total += p->steps[i].share;
	}
	p->n = (int)n;
	return total == 100 ? 0 : bad(e, "a process's shares must add up to 100");
}

struct processes *processes_load(const char *text, struct err *e)
{
	struct processes *ps = calloc(1, sizeof *ps);
	json_error_t je;
	if (!ps || !(ps->doc = json_loads(text, 0, &je))) {
		free(ps);
		bad(e, "not JSON");
		return NULL;
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(ps->doc, "processes"), i, x) {
		if (ps->n == MAX_PROCESSES || load_process(&ps->p[ps->n], x, e)) {
			processes_free(ps);
			return NULL;
		}
		ps->n++;
	}
	return ps;
}

void processes_free(struct processes *ps)
{
	if (!ps)
		return;
	json_decref(ps->doc);
	free(ps);
}

/* The procedure's process: its own "process", else the one for its level. */
static const struct process *process_of(const struct dossiers *d, const char *procedure)
{
	const json_t *p = catalog_procedure(d->registry->catalog, procedure);
	const char *id = json_string_value(json_object_get(p, "process"));
	if (!id)
		id = json_string_value(json_object_get(json_object_get(d->processes->doc, "by_level"),
						       json_string_value(json_object_get(p, "level"))));
	for (int i = 0; id && i < d->processes->n; i++)
		if (!strcmp(d->processes->p[i].id, id))
			return &d->processes->p[i];
	return NULL;
}

static int step_index(const struct process *p, const char *id)
{
	for (int i = 0; p && i < p->n; i++)
		if (!strcmp(p->steps[i].id, id))
			return i;
	return -1;
}

/* The open step of a dossier (finished_at IS NULL), if any. */
struct open_step {
	int seq, index;
	char id[32], assignee[64];
	int64_t due_at, paused_at;
	bool paused;
};

static bool open_step(struct db *db, const struct process *p, const char *code, struct open_step *o)
{
	memset(o, 0, sizeof *o);
	struct db_stmt *st = db_prepare(db, "SELECT seq, step, assignee, due_at, paused_at FROM dossier_steps "
					    "WHERE code = ? AND finished_at IS NULL");
	if (!st || db_bind(st, "t", code) || db_step(st) != DB_ROW)
		return false;
	o->seq = (int)db_col_int(st, 0);
	snprintf(o->id, sizeof o->id, "%s", db_col_text(st, 1));
	snprintf(o->assignee, sizeof o->assignee, "%s", db_col_null(st, 2) ? "" : db_col_text(st, 2));
	o->due_at = db_col_int(st, 3);
	o->paused = !db_col_null(st, 4);
	o->paused_at = db_col_int(st, 4);
	db_reset(st);
	o->index = step_index(p, o->id);
	return o->index >= 0;
}

/* A step's due: its share of the legal time from now, never after the dossier's due. */
static int64_t step_due(const struct dossiers *d, const struct dossier_row *r, const struct step_def *s, int64_t now)
{
	const json_t *p = catalog_procedure(d->registry->catalog, r->procedure);
	double days = (double)json_integer_value(json_object_get(p, "processing_days")) * s->share / 100.0;
	int64_t start, due;
	if (cal_due(d->calendar, now, (int)floor(days + 0.5), CAL_CUTOFF_DEFAULT, &start, &due))
		due = r->due_at;
	return r->has_due && due > r->due_at ? r->due_at : due;
}

static int open_at(const struct dossiers *d, struct db *db, const struct dossier_row *r, const struct process *p, int index,
		   const char *assignee, int64_t now)
{
	const struct step_def *s = &p->steps[index];
	return db_run(db, "INSERT INTO dossier_steps (code, seq, step, unit, assignee, started_at, due_at, note) VALUES "
			  "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_steps WHERE code = ?), ?, ?, ?, ?, ?, '')",
		      "tttttii", r->code, r->code, s->id, r->unit, assignee && assignee[0] ? assignee : NULL, now,
		      step_due(d, r, s, now)) == DB_DONE
		       ? 0
		       : -1;
}

static int close_open(struct db *db, const char *code, const char *outcome, const char *actor, const char *note, int64_t now)
{
	char *sealed = seal_text("dossier_steps.note", code, note ? note : "");
	int rc = !sealed || db_run(db, "UPDATE dossier_steps SET finished_at = ?, outcome = ?, handler = ?, note = ? WHERE code = ? AND "
				       "finished_at IS NULL", "itttt", now, outcome, actor, sealed, code) != DB_DONE;
	free(sealed);
	return rc ? -1 : 0;
}

int steps_on_status(const struct dossiers *d, struct db *db, const struct dossier_row *r, int from, const char *actor,
		    int64_t now)
{
	const struct process *p = process_of(d, r->procedure);
	struct open_step o;
	if (!p)
		return 0;
	bool has_open = open_step(db, p, r->code, &o);
	if (r->status == 2 && !has_open) { /* accepted: the process starts */
		if (open_at(d, db, r, p, 0, NULL, now))
			return -1;
		has_open = open_step(db, p, r->code, &o);
	}
	if (!has_open)
		return 0;
	if (p->steps[o.index].completes_with == r->status) /* this status is the step's work done */
		return close_open(db, r->code, "forward", actor, "", now) ||
		       (o.index + 1 < p->n && open_at(d, db, r, p, o.index + 1, NULL, now));
	if (workflow_is_final(d->workflow, r->status))
		return close_open(db, r->code, "stopped", actor, "", now);
	if (r->status == 5 && !o.paused)
		return db_run(db, "UPDATE dossier_steps SET paused_at = ? WHERE code = ? AND seq = ?", "iti", now, r->code,
			      (int64_t)o.seq) == DB_DONE ? 0 : -1;
	if (from == 5 && o.paused) { /* resumed: the step keeps the working days it had left */
		int64_t due = o.due_at;
		if (cal_resume(d->calendar, o.paused_at, o.due_at, now, &due))
			due = r->due_at;
		if (r->has_due && due > r->due_at)
			due = r->due_at;
		return db_run(db, "UPDATE dossier_steps SET paused_at = NULL, due_at = ? WHERE code = ? AND seq = ?", "iti", due,
			      r->code, (int64_t)o.seq) == DB_DONE ? 0 : -1;
	}
	return 0;
}

int steps_allow(const struct dossiers *d, struct db *db, const struct dossier_row *r, int to, struct err *e)
{
	const struct process *p = process_of(d, r->procedure);
	struct open_step o;
	if (to != 9 || !p || !open_step(db, p, r->code, &o) || o.index == p->n - 1)
		return 0;
	const struct step_def *last = &p->steps[p->n - 1];
	err_set(e, 409, "steps_unfinished", "dossier %s is at step \"%s\"; it can be finished once it reaches \"%s\"", "", r->code,
		name_in(p->steps[o.index].name, "en"), name_in(last->name, "en"));
	snprintf(e->msg_vi, sizeof e->msg_vi, "hồ sơ %s đang ở bước \"%s\"; chỉ hoàn thành khi đã đến bước \"%s\"", r->code,
		 name_in(p->steps[o.index].name, "vi"), name_in(last->name, "vi"));
	return -1;
}

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_col_null(st, col) ? json_null() : json_string(db_col_text(st, col));
}

static json_t *step_json(const struct process *p, struct db_stmt *st, const char *code, int64_t now)
{
	char *note = unseal_col(st, 9, "dossier_steps.note", code);
	int i = step_index(p, db_col_text(st, 1));
	bool finished = !db_col_null(st, 6), paused = !db_col_null(st, 5);
	int64_t due = db_col_int(st, 4), end = finished ? db_col_int(st, 6) : now;
	json_t *o = json_pack("{s:I,s:s,s:O,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "seq", (json_int_t)db_col_int(st, 0), "step",
			      db_col_text(st, 1), "name", i >= 0 ? p->steps[i].name : json_null(), "role",
			      i >= 0 ? role_en(p->steps[i].role) : "officer", "assignee", text_or_null(st, 2),
			      "started_at", json_time(db_col_int(st, 3), true), "due_at", json_time(due, true), "paused_at",
			      json_time(db_col_int(st, 5), paused), "finished_at", json_time(db_col_int(st, 6), finished), "handler",
			      text_or_null(st, 7), "outcome", text_or_null(st, 8), "note", note ? note : "");
	free(note);
	json_object_set_new(o, "late", json_boolean((finished || !paused) && end > due));
	return o;
}

json_t *steps_render(const struct dossiers *d, struct db *db, const struct dossier_row *r)
{
	const struct process *p = process_of(d, r->procedure);
	if (!p)
		return json_null();
	json_t *list = json_array(), *current = json_null();
	struct db_stmt *st = db_prepare(db, "SELECT seq, step, assignee, started_at, due_at, paused_at, finished_at, handler, outcome, "
					    "note FROM dossier_steps WHERE code = ? ORDER BY seq");
	int64_t now = clock_now_us();
	if (st && !db_bind(st, "t", r->code))
		while (db_step(st) == DB_ROW) {
			json_t *s = step_json(p, st, r->code, now);
			if (json_is_null(json_object_get(s, "finished_at"))) {
				json_decref(current);
				current = json_incref(s);
			}
			json_array_append_new(list, s);
		}
	json_t *plan = json_array();
	for (int i = 0; i < p->n; i++)
		json_array_append_new(plan, json_pack("{s:s,s:O,s:s,s:i}", "step", p->steps[i].id, "name", p->steps[i].name, "role",
						      role_en(p->steps[i].role), "share", p->steps[i].share));
	return json_pack("{s:s,s:O,s:o,s:o,s:o}", "id", p->id, "name", p->name, "plan", plan, "current", current, "steps", list);
}

json_t *step_current(const struct dossiers *d, struct db *db, const char *code, const char *procedure)
{
	const struct process *p = process_of(d, procedure);
	struct open_step o;
	if (!p || !open_step(db, p, code, &o))
		return json_null();
	return json_pack("{s:s,s:O,s:s,s:o,s:o}", "step", o.id, "name", p->steps[o.index].name, "role",
			 role_en(p->steps[o.index].role), "assignee",
			 o.assignee[0] ? json_string(o.assignee) : json_null(), "due_at", json_time(o.due_at, true));
}

/* The user named to take the next step: active, of the dossier's unit, with the step's role. */
static int check_assignee(struct db *db, const struct dossier_row *r, const struct step_def *next, const char *name,
			  struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT role, unit, agency, disabled FROM users WHERE username = ?");
	bool ok = false;
	if (st && !db_bind(st, "t", name) && db_step(st) == DB_ROW) {
		const char *role = db_col_text(st, 0), *agency = db_col_text(st, 2);
		ok = !db_col_int(st, 3) && !strcmp(db_col_text(st, 1) ? db_col_text(st, 1) : "", r->unit) &&
		     (next->role == ROLE_LEADER ? !strcmp(role, "leader")
						: !strcmp(role, "officer") && agency && !strcmp(agency, r->agency));
		db_reset(st);
	}
	if (ok)
		return 0;
	err_set(e, 422, "invalid_assignee", "%s is not an active %s of the handling desk of %s", "", name, role_en(next->role), r->code);
	snprintf(e->msg_vi, sizeof e->msg_vi, "%s không phải %s đang làm việc tại bộ phận giải quyết hồ sơ %s", name, role_vi(next->role),
		 r->code);
	return -1;
}

/* May who act on the open step? The desk, with the step's role, and the assignee when there is one. */
static int may_act(const struct principal *who, const struct dossier_row *r, const struct process *p, const struct open_step *o,
		   struct err *e)
{
	const struct step_def *s = &p->steps[o->index];
	if (!dossier_desk_of(who, r->unit, r->agency))
		return err_set(e, 403, "forbidden", "only the handling unit's staff move dossier %s along its process",
			       "chỉ cán bộ đơn vị giải quyết được chuyển bước hồ sơ %s", r->code);
	if ((int)who->role != s->role) {
		err_set(e, 403, "wrong_role", "step \"%s\" is done by a %s", "", name_in(s->name, "en"), role_en(s->role));
		snprintf(e->msg_vi, sizeof e->msg_vi, "bước \"%s\" do %s thực hiện", name_in(s->name, "vi"), role_vi(s->role));
		return -1;
	}
	if (o->assignee[0] && strcmp(o->assignee, who->username))
		return err_set(e, 403, "assigned_to_another", "step \"%s\" of dossier %s is assigned to %s",
			       "bước \"%s\" của hồ sơ %s đã giao cho %s", o->id, r->code, o->assignee);
	return 0;
}

struct step_move {
	const char *action, *note, *assignee;
	int target; /* index of the step to open */
};

static int plan_move(const struct dossier_row *r, const struct process *p, const struct open_step *o, struct step_move *m,
		     struct err *e)
{
	bool forward = !strcmp(m->action, "forward");
	if (!forward && strcmp(m->action, "back"))
		return err_set(e, 422, "invalid_field", "action must be forward or back", "action phải là forward hoặc back");
	if (r->status == 5 || o->paused)
		return err_set(e, 409, "paused", "dossier %s waits for a supplement; its process is paused",
			       "hồ sơ %s đang chờ bổ sung; quy trình tạm dừng", r->code);
	m->target = o->index + (forward ? 1 : -1);
	if (forward && m->target == p->n)
		return err_set(e, 409, "last_step", "\"%s\" is the last step: it ends when the result is returned (status 10)",
			       "\"%s\" là bước cuối: kết thúc khi trả kết quả (trạng thái 10)", o->id);
	if (!forward && m->target < 0)
		return err_set(e, 409, "first_step", "\"%s\" is the first step: there is none to send it back to",
			       "\"%s\" là bước đầu tiên, không có bước trước để trả lại", o->id);
	if (!forward && (!m->note || !m->note[0]))
		return err_set(e, 422, "missing_field", "sending a dossier back needs a note saying why", "trả lại bước trước cần ghi lý do");
	return 0;
}

static int save_move(const struct dossiers *d, struct db *db, const struct dossier_row *r, const struct process *p,
		     const struct principal *who, const struct step_move *m, int64_t now)
{
	char detail[160];
	snprintf(detail, sizeof detail, "{\"action\":\"%s\",\"to\":\"%s\"}", m->action, p->steps[m->target].id);
	int rc = db_begin(db) ? -1 : 0;
	if (!rc) {
		rc = db_run(db, "UPDATE dossiers SET rev = rev + 1, updated_at = ? WHERE code = ? AND rev = ?", "iti", now, r->code,
			    r->rev) != DB_DONE;
		if (!rc && db_changes(db) == 0)
			rc = 1;
		rc = rc || close_open(db, r->code, m->action, who->username, m->note, now) ||
		     open_at(d, db, r, p, m->target, m->assignee, now) ||
		     audit_append(db, who->username, "dossier.step", r->code, detail) || db_commit(db);
	}
	if (rc)
		db_rollback(db);
	return rc;
}

int dossier_step(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		 const json_t *body, const struct usage_wait *w, char **out, struct err *e)
{
	struct step_move m = {0};
	if (json_get_str(body, "action", true, 16, &m.action, e) || json_get_str(body, "note", false, NOTE_MAX, &m.note, e) ||
	    json_get_str(body, "assignee", false, 64, &m.assignee, e))
		return -1;
	struct dossier_row r;
	if (dossier_load(db, code, &r, e))
		return -1;
	const struct process *p = process_of(d, r.procedure);
	struct open_step o;
	int rc = -1;
	if (!dossier_desk_of(who, r.unit, r.agency)) /* before anything about its state */
		err_set(e, 403, "forbidden", "only the handling unit's staff move dossier %s along its process",
			"chỉ cán bộ đơn vị giải quyết được chuyển bước hồ sơ %s", code);
	else if (!p || !open_step(db, p, code, &o))
		err_set(e, 409, "no_open_step", "dossier %s has no step in progress (it starts when the dossier is accepted)",
			"hồ sơ %s không có bước đang xử lý (quy trình bắt đầu khi tiếp nhận)", code);
	else if (!may_act(who, &r, p, &o, e) && !plan_move(&r, p, &o, &m, e) &&
		 !(m.assignee && check_assignee(db, &r, &p->steps[m.target], m.assignee, e))) {
		rc = dossier_saved(save_move(d, db, &r, p, who, &m, clock_now_us()), code, e);
	}
	dossier_row_release(&r);
	return rc ? -1 : dossier_get(d, db, who, code, w, out, e);
}

/* The name of a step id in the first process that has it. */
static const json_t *step_name(const struct processes *ps, const char *id)
{
	for (int i = 0; i < ps->n; i++) {
		int k = step_index(&ps->p[i], id);
		if (k >= 0)
			return ps->p[i].steps[k].name;
	}
	return json_null();
}

static int window(const char *from, const char *to, int64_t *lo, int64_t *hi, struct err *e)
{
	long a, b;
	char today[11];
	clock_today_vn(today, sizeof today);
	if (cal_parse_date(from ? from : today, &a) || cal_parse_date(to ? to : today, &b) || b < a || b - a > 366)
		return err_set(e, 400, "invalid_query", "from and to must be dates YYYY-MM-DD, from <= to, at most a year apart",
			       "from và to phải là ngày YYYY-MM-DD, from <= to, cách nhau tối đa một năm");
	if (!from) /* default: the month so far */
		a -= atoi(today + 8) - 1;
	*lo = cal_local_us(a, 0);
	*hi = cal_local_us(b + 1, 0);
	return 0;
}

/* Closed steps (handled, late) and open steps past due, grouped by `key` (step or handler). */
static json_t *lateness_by(const struct dossiers *d, struct db *db, const struct principal *who, int64_t lo, int64_t hi,
			   bool by_officer)
{
#define LATENESS(key)                                                                                                  \
	"SELECT " key ", SUM(CASE WHEN s.finished_at IS NOT NULL THEN 1 ELSE 0 END), "                                   \
	"SUM(CASE WHEN s.finished_at > s.due_at THEN 1 ELSE 0 END), "                                                     \
	"SUM(CASE WHEN s.finished_at IS NULL AND s.paused_at IS NULL AND s.due_at < ? THEN 1 ELSE 0 END) "                \
	"FROM dossier_steps s JOIN dossiers x ON x.code = s.code WHERE s.unit = ? AND (x.agency = ? OR ? = 'leader') AND " \
	"COALESCE(s.outcome, '') <> 'stopped' AND ((s.finished_at >= ? AND s.finished_at < ?) OR s.finished_at IS NULL) " \
	"GROUP BY 1 ORDER BY 1"
	static const char *sql[2] = {LATENESS("s.step"), LATENESS("COALESCE(s.handler, s.assignee, '')")};
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, sql[by_officer]);
	if (!st || db_bind(st, "itttii", clock_now_us(), who->unit, who->agency, role_name(who->role), lo, hi))
		return list;
	while (db_step(st) == DB_ROW) {
		const char *key = db_col_text(st, 0);
		json_t *o = json_pack("{s:I,s:I,s:I}", "handled", (json_int_t)db_col_int(st, 1), "late", (json_int_t)db_col_int(st, 2),
				      "open_late", (json_int_t)db_col_int(st, 3));
		if (by_officer)
			json_object_set_new(o, "officer", key[0] ? json_string(key) : json_null());
		else {
			json_object_set_new(o, "step", json_string(key));
			json_object_set(o, "name", (json_t *)step_name(d->processes, key));
		}
		json_array_append_new(list, o);
	}
	return list;
}

int steps_lateness(const struct dossiers *d, struct db *db, const struct principal *who, const char *from, const char *to,
		   json_t **out, struct err *e)
{
	int64_t lo = 0, hi = 0;
	if (window(from, to, &lo, &hi, e))
		return -1;
	char a[40], b[40];
	clock_iso(lo, a, sizeof a);
	clock_iso(hi, b, sizeof b);
	*out = json_pack("{s:s,s:s,s:s,s:o,s:o}", "unit", who->unit, "from", a, "until", b, "steps",
			 lateness_by(d, db, who, lo, hi, false), "officers", lateness_by(d, db, who, lo, hi, true));
	return 0;
}
