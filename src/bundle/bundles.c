/* bundles.c — life-event bundles. A bundle's definition (data/bundles.json, kept in the
 * database by init) lists its one application's fields, its components (a catalog procedure
 * each, the components it waits for, and how each of its form's fields is computed from the
 * application, the family's registry records and earlier components' outputs) and what each
 * component's completion writes into the registry. Components are ordinary dossiers: each
 * agency works its own in its desk queue with the normal statuses and clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "bundle/bundle.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "db/batch.h"
#include "registry/record.h"
#include "security/seal.h"

#define EXPR_MAX 512

/* What a bundle's expressions are evaluated against. */
struct bctx {
	const struct dossiers *d;
	struct db *db;
	const json_t *def, *form;
	const char *applicant, *other_parent;
	char subject[13];
	json_t *outputs; /* {"child_id":…, "<component>": result id} */
};

static const json_t *definition(const struct dossiers *d, const char *type)
{
	return json_find(json_object_get(d->bundles, "bundles"), "type", type);
}

/* The person a role names: applicant, other_parent, subject, or mother/father by the
 * applicant's relationship. */
static const char *person(const struct bctx *c, const char *role, size_t n)
{
	const char *rel = json_string_value(json_object_get(c->form, "applicant_relationship"));
	bool mother_applies = rel && !strcmp(rel, "mother"), father_applies = rel && !strcmp(rel, "father");
	const struct {
		const char *name;
		const char *id;
	} roles[] = {
		{"applicant", c->applicant},
		{"other_parent", c->other_parent},
		{"subject", c->subject[0] ? c->subject : NULL},
		{"mother", mother_applies ? c->applicant : father_applies ? c->other_parent : NULL},
		{"father", father_applies ? c->applicant : mother_applies ? c->other_parent : NULL},
	};
	for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
		if (strlen(roles[i].name) == n && !strncmp(roles[i].name, role, n))
			return roles[i].id;
	return NULL;
}

/* A registry value of a family member (id, or an attribute), new reference or NULL. */
static json_t *person_value(const struct bctx *c, const char *id, const char *attr)
{
	if (!id || !id[0])
		return NULL;
	if (!strcmp(attr, "id"))
		return json_string(id);
	const json_t *doc;
	struct err e;
	struct stored s;
	json_t *v = NULL;
	if (citizen_read(c->db, id, &doc, &e))
		return NULL;
	if (record_get(doc, attr, &s))
		v = json_incref(s.value);
	json_decref((json_t *)doc);
	return v;
}

static json_t *resolve(const struct bctx *c, const char *expr);

/* "text {expr} text": each {expr} replaced by its value; NULL when one has none. */
static json_t *template(const struct bctx *c, const char *t)
{
	char out[EXPR_MAX * 2] = "", inner[EXPR_MAX];
	size_t n = 0;
	for (const char *p = t; *p && n < sizeof out - 1;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (!close) {
			out[n++] = *p++;
			continue;
		}
		snprintf(inner, sizeof inner, "%.*s", (int)(close - p - 1), p + 1);
		json_t *v = resolve(c, inner);
		const char *s = json_string_value(v);
		if (!s) {
			json_decref(v);
			return NULL;
		}
		n += (size_t)snprintf(out + n, sizeof out - n, "%s", s);
		if (n >= sizeof out)
			n = sizeof out - 1;
		json_decref(v);
		p = close + 1;
	}
	out[n] = 0;
	return json_string(out);
}

static json_t *resolve_one(const struct bctx *c, const char *expr)
{
	if (expr[0] == '=')
		return json_string(expr + 1);
	if (strchr(expr, '{'))
		return template(c, expr);
	const char *dot = strchr(expr, '.');
	if (!dot)
		return NULL;
	size_t n = (size_t)(dot - expr);
	json_t *v = NULL;
	if (n == 4 && !strncmp(expr, "form", 4))
		v = json_incref(json_object_get(c->form, dot + 1));
	else if (n == 6 && !strncmp(expr, "output", 6))
		v = json_incref(json_object_get(c->outputs, dot + 1));
	else
		v = person_value(c, person(c, expr, n), dot + 1);
	if (json_is_null(v) || (json_is_string(v) && !json_string_length(v))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* "a|b": the first alternative with a value. New reference or NULL. */
static json_t *resolve(const struct bctx *c, const char *expr)
{
	char buf[EXPR_MAX];
	snprintf(buf, sizeof buf, "%s", expr);
	bool template_expr = strchr(buf, '{') != NULL;
	for (char *save = NULL, *alt = template_expr ? buf : strtok_r(buf, "|", &save); alt;
	     alt = template_expr ? NULL : strtok_r(NULL, "|", &save)) {
		json_t *v = resolve_one(c, alt);
		if (v)
			return v;
	}
	return NULL;
}

static json_t *component_fields(const struct bctx *c, const json_t *comp)
{
	json_t *fields = json_object();
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(comp, "fields"), k, x) {
		json_t *v = json_is_string(x) ? resolve(c, json_string_value(x)) : NULL;
		if (v)
			json_object_set_new(fields, k, v);
	}
	return fields;
}

/* ---- the application ---- */

static void problem(json_t *list, const char *field, const char *code, const char *en, const char *vi)
{
	json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}", "field", field, "code", code, "message", en, "message_vi", vi));
}

/* The application's own fields: required ones present, options respected, nothing unknown. */
static int check_form(const json_t *def, const json_t *form, json_t **problems, struct err *e)
{
	*problems = json_array();
	size_t i;
	json_t *f;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)form, k, v) if (!json_find(json_object_get(def, "form"), "name", k))
		problem(*problems, k, "unknown_field", "not a field of this bundle's application", "không phải trường của đơn này");
	json_array_foreach(json_object_get(def, "form"), i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const json_t *opts = json_object_get(f, "options");
		v = json_object_get(form, name);
		if (!v && json_is_true(json_object_get(f, "required")))
			problem(*problems, name, "missing_field", "required", "bắt buộc");
		else if (v && !json_is_string(v) && !json_is_object(v))
			problem(*problems, name, "invalid_field", "must be text (or an address object)", "phải là chuỗi (hoặc địa chỉ)");
		else if (v && opts) {
			bool ok = false;
			size_t j;
			json_t *o;
			json_array_foreach(opts, j, o) ok = ok || json_equal(o, v);
			if (!ok)
				problem(*problems, name, "invalid_field", "not one of the allowed values", "không thuộc các giá trị cho phép");
		}
	}
	if (!json_array_size(*problems)) {
		json_decref(*problems);
		*problems = NULL;
		return 0;
	}
	return err_set(e, 422, "invalid_fields", "the application has invalid fields (see fields)", "đơn có trường không hợp lệ (xem fields)");
}

/* The same permanent address, as the registry holds it. */
static bool same_home(const json_t *a, const json_t *b)
{
	struct stored x, y;
	return record_get(a, "permanent_address", &x) && record_get(b, "permanent_address", &y) &&
	       json_equal(json_object_get(x.value, "unit"), json_object_get(y.value, "unit")) &&
	       json_equal(json_object_get(x.value, "street"), json_object_get(y.value, "street"));
}

static bool married(const json_t *doc)
{
	struct stored s;
	return record_get(doc, "marital_status", &s) && json_is_string(s.value) && !strcmp(json_string_value(s.value), "married");
}

/* The other parent's data flows into the application with their consent to the applicant, or
 * when the registry shows a married couple living at the same permanent address. */
static int other_parent_allowed(const struct dossiers *d, struct db *db, const struct principal *who, const char *other,
				struct err *e)
{
	const json_t *mine, *theirs;
	if (citizen_id_check(other, NULL, NULL, NULL, e))
		return -1;
	if (citizen_read(db, other, &theirs, e))
		return err_set(e, 422, "unknown_other_parent", "no citizen with ID %s", "không có công dân mang số định danh %s", other);
	struct access acc = {0};
	bool ok = registry_access(d->registry, db, who, other, theirs, &acc) == 0 && acc.kind == ACCESS_CONSENT;
	json_decref(acc.names);
	if (!ok && !citizen_read(db, who->citizen_id, &mine, e)) {
		ok = married(mine) && married(theirs) && same_home(mine, theirs);
		json_decref((json_t *)mine);
	}
	json_decref((json_t *)theirs);
	return ok ? 0
		  : err_set(e, 403, "other_parent_not_consented",
			    "the other parent's data can be used with their consent to you (POST /api/v1/me/consents) or when the "
			    "registry shows you married and living at the same address",
			    "chỉ dùng được dữ liệu của cha/mẹ còn lại khi người đó đồng ý cho bạn hoặc cơ sở dữ liệu ghi nhận hai người "
			    "đã kết hôn và cùng nơi thường trú");
}

/* A death bundle names the deceased, who must be in the registry and not the applicant. */
static int subject_of(const json_t *def, const json_t *form, const char *applicant, char subject[13], struct db *db,
		      struct err *e)
{
	subject[0] = 0;
	const char *id = json_string_value(json_object_get(form, "deceased_id"));
	if (!id || strcmp(json_string_value(json_object_get(def, "type")), "death"))
		return 0;
	const json_t *doc;
	if (citizen_id_check(id, NULL, NULL, NULL, e) || citizen_read(db, id, &doc, e))
		return e->status == 404 ? err_set(e, 422, "unknown_deceased", "no citizen with ID %s", "không có công dân %s", id) : -1;
	json_decref((json_t *)doc);
	if (!strcmp(id, applicant))
		return err_set(e, 422, "invalid_field", "the applicant cannot be the deceased", "người nộp không thể là người đã mất");
	snprintf(subject, 13, "%s", id);
	return 0;
}

/* ---- filing components ---- */

struct filed {
	const json_t *comp;
	char unit[8];
	json_t *form;
};

/* Resolves and checks a component's form; 0 with f filled, or -1 with e (and problems). */
static int prepare_component(const struct bctx *c, const json_t *comp, struct filed *f, json_t **problems, struct err *e)
{
	json_t *fields = component_fields(c, comp);
	f->comp = comp;
	int rc = dossier_prepare(c->d, c->db, json_string_value(json_object_get(comp, "procedure")), c->applicant, fields, NULL,
				 f->unit, &f->form, problems, e);
	json_decref(fields);
	return rc;
}

/* Each family member's data-usage log shows the agency that used their data for the bundle. */
static int log_family(const struct bctx *c, const char *id, const char *component, const struct filed *f, int64_t now)
{
	const char *people[] = {c->applicant, c->other_parent, c->subject[0] ? c->subject : NULL};
	const char *agency = json_string_value(json_object_get(
		catalog_procedure(c->d->registry->catalog, json_string_value(json_object_get(f->comp, "procedure"))), "agency"));
	char actor[64], purpose[160];
	snprintf(actor, sizeof actor, "%s@%s", agency ? agency : "agency", f->unit);
	snprintf(purpose, sizeof purpose, "%s bundle %s: %s", json_string_value(json_object_get(c->def, "type")), id, component);
	json_t *names = json_pack("[s]", "bundle");
	int rc = 0;
	for (size_t i = 0; !rc && i < 3; i++)
		if (people[i] && people[i][0]) {
			struct usage_entry ux = {people[i], actor, f->unit, "bundle", purpose, names};
			rc = usage_insert(c->db, &ux, now);
		}
	json_decref(names);
	return rc;
}

static int file_component(const struct bctx *c, const char *id, const char *actor, struct filed *f, int64_t now)
{
	const char *procedure = json_string_value(json_object_get(f->comp, "procedure"));
	const char *component = json_string_value(json_object_get(f->comp, "id"));
	const char *agency =
		json_string_value(json_object_get(catalog_procedure(c->d->registry->catalog, procedure), "agency"));
	char *form = json_to_str(f->form);
	struct dossier_new n = {procedure, f->unit, agency ? agency : "", c->applicant, actor, 2, form};
	char code[48];
	int rc = dossier_insert(c->d, c->db, &n, code, sizeof code, now, NULL);
	free(form);
	return rc ||
	       db_run(c->db, "UPDATE bundle_components SET code = ?, state = 'started', started_at = ? WHERE bundle_id = ? AND "
			     "component = ?", "titt", code, now, id, component) != DB_DONE ||
	       log_family(c, id, component, f, now);
}

/* ---- creating a bundle ---- */

struct creation {
	struct batch_job job; /* first: the batch hands this back */
	const struct dossiers *d;
	char id[24], type[16], applicant[13], other[13], subject[13], actor[64];
	json_t *form;
	struct filed first[8];
	int nfirst;
	int64_t due;
	struct usage_wait wait;
};

static void creation_free(struct creation *k)
{
	for (int i = 0; i < k->nfirst; i++)
		json_decref(k->first[i].form);
	json_decref(k->form);
	free(k);
}

static int creation_apply(struct db *db, struct batch_job *j)
{
	struct creation *k = (struct creation *)j;
	int64_t now = clock_now_us();
	char *form = seal_json("bundles.fields", k->id, k->form), *outputs = seal_text("bundles.outputs", k->id, "{}");
	const json_t *def = definition(k->d, k->type);
	int rc = !form || !outputs ||
		 db_run(db, "INSERT INTO bundles (id, type, applicant_id, submitted_by, fields, subject_id, outputs, state, "
			    "created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress', ?, ?)",
			"tttttntii", k->id, k->type, k->applicant, k->actor, form, outputs, now, k->due) != DB_DONE;
	free(form);
	free(outputs);
	if (!rc && k->subject[0])
		rc = db_run(db, "UPDATE bundles SET subject_id = ? WHERE id = ?", "tt", k->subject, k->id) != DB_DONE;
	size_t i;
	json_t *comp;
	json_array_foreach(json_object_get(def, "components"), i, comp) if (!rc) rc =
		db_run(db, "INSERT INTO bundle_components (bundle_id, component, seq, procedure_code, state) VALUES (?, ?, ?, ?, 'waiting')",
		       "ttit", k->id, json_string_value(json_object_get(comp, "id")), (int64_t)i,
		       json_string_value(json_object_get(comp, "procedure"))) != DB_DONE;
	struct bctx c = {k->d, db, def, k->form, k->applicant, k->other[0] ? k->other : NULL, "", NULL};
	snprintf(c.subject, sizeof c.subject, "%s", k->subject);
	for (int n = 0; !rc && n < k->nfirst; n++)
		rc = file_component(&c, k->id, k->actor, &k->first[n], now);
	return rc || audit_append(db, k->actor, "bundle.create", k->id, "{}") ? -1 : 0;
}

static void creation_done(struct batch_job *j, int rc)
{
	struct creation *k = (struct creation *)j;
	k->wait.resume(k->wait.arg, rc, k->id, NULL);
	creation_free(k);
}

/* The components with nothing to wait for, checked now so that a bad application is a 422. */
static int prepare_first(struct creation *k, const json_t *def, struct db *db, json_t **problems, struct err *e)
{
	struct bctx c = {k->d, db, def, k->form, k->applicant, k->other[0] ? k->other : NULL, "", NULL};
	snprintf(c.subject, sizeof c.subject, "%s", k->subject);
	size_t i;
	json_t *comp;
	json_array_foreach(json_object_get(def, "components"), i, comp) {
		if (json_array_size(json_object_get(comp, "after")) || k->nfirst == 8)
			continue;
		if (prepare_component(&c, comp, &k->first[k->nfirst], problems, e))
			return -1;
		k->nfirst++;
	}
	return 0;
}

static struct creation *creation_new(const struct dossiers *d, const struct principal *who, const json_t *def, const json_t *form)
{
	struct creation *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->d = d;
	snprintf(k->id, sizeof k->id, "LT");
	crypto_random_hex(k->id + 2, 8);
	snprintf(k->type, sizeof k->type, "%s", json_string_value(json_object_get(def, "type")));
	snprintf(k->applicant, sizeof k->applicant, "%s", who->citizen_id);
	snprintf(k->actor, sizeof k->actor, "%s", who->username);
	const char *other = json_string_value(json_object_get(form, "other_parent_id"));
	snprintf(k->other, sizeof k->other, "%s", other ? other : "");
	k->form = json_incref((json_t *)form);
	int64_t start;
	if (cal_due(d->calendar, clock_now_us(), (int)json_integer_value(json_object_get(def, "deadline_days")), CAL_CUTOFF_DEFAULT,
		    &start, &k->due))
		k->due = clock_now_us();
	return k;
}

int bundle_create(const struct dossiers *d, struct db *db, const struct principal *who, const json_t *body,
		  const struct usage_wait *w, json_t **out, json_t **problems, struct err *e)
{
	const char *type;
	const json_t *form = json_object_get(body, "fields");
	*problems = NULL;
	if (json_get_str(body, "type", true, 16, &type, e))
		return -1;
	const json_t *def = definition(d, type);
	if (!def)
		return err_set(e, 422, "unknown_bundle", "no bundle %s: birth or death", "không có loại liên thông %s: birth hoặc death", type);
	if (!json_is_object(form))
		return err_set(e, 422, "missing_field", "fields must be an object", "fields phải là một đối tượng");
	if (who->role != ROLE_CITIZEN)
		return err_set(e, 403, "forbidden", "a citizen applies for a bundle", "công dân nộp hồ sơ liên thông");
	if (check_form(def, form, problems, e))
		return -1;
	struct creation *k = creation_new(d, who, def, form);
	if (!k)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	int rc = (k->other[0] && other_parent_allowed(d, db, who, k->other, e)) ||
		 subject_of(def, form, k->applicant, k->subject, db, e) || prepare_first(k, def, db, problems, e);
	if (rc) {
		creation_free(k);
		return -1;
	}
	k->job.apply = creation_apply;
	struct batch *writer = d->registry->writer;
	if (writer && w && w->resume) {
		k->job.done = creation_done;
		k->wait = *w;
		if (!batch_submit(writer, &k->job))
			return CALL_DEFERRED;
	} else if (!batch_run(writer, db, &k->job)) {
		rc = bundle_created(d, db, k->id, out, e);
		creation_free(k);
		return rc;
	}
	creation_free(k);
	return bundle_created(d, db, "", out, e);
}

/* ---- reading ---- */

int bundle_types(const struct dossiers *d, json_t **out, struct err *e)
{
	json_t *list = json_array();
	size_t i, j;
	json_t *b, *c;
	json_array_foreach(json_object_get(d->bundles, "bundles"), i, b) {
		json_t *comps = json_array();
		json_array_foreach(json_object_get(b, "components"), j, c) {
			const json_t *p = catalog_procedure(d->registry->catalog, json_string_value(json_object_get(c, "procedure")));
			json_array_append_new(comps, json_pack("{s:O,s:{s:O,s:O,s:O},s:O}", "component", json_object_get(c, "id"), "procedure",
							       "code", json_object_get(p, "code"), "name", json_object_get(p, "name"),
							       "agency", json_object_get(p, "agency"), "after", json_object_get(c, "after")));
		}
		json_array_append_new(list, json_pack("{s:O,s:O,s:O,s:O,s:o}", "type", json_object_get(b, "type"), "name",
						      json_object_get(b, "name"), "deadline_days", json_object_get(b, "deadline_days"),
						      "form", json_object_get(b, "form"), "components", comps));
	}
	*out = json_pack("{s:o}", "types", list);
	(void)e;
	return 0;
}

static json_t *components_json(const struct dossiers *d, struct db *db, const char *id)
{
	json_t *list = json_array();
	struct db_stmt *st = db_prepare(db, "SELECT b.component, b.procedure_code, b.code, b.state, x.unit, x.status, x.due_at, "
					    "x.finished_at FROM bundle_components b LEFT JOIN dossiers x ON x.code = b.code "
					    "WHERE b.bundle_id = ? ORDER BY b.seq");
	if (!st || db_bind(st, "t", id))
		return list;
	while (db_step(st) == DB_ROW) {
		bool filed = !db_col_null(st, 2);
		int status = (int)db_col_int(st, 5);
		const json_t *p = catalog_procedure(d->registry->catalog, db_col_text(st, 1));
		json_t *o = json_pack("{s:s,s:{s:s,s:O,s:O},s:s}", "component", db_col_text(st, 0), "procedure", "code",
				      db_col_text(st, 1), "name", json_object_get(p, "name"), "agency", json_object_get(p, "agency"),
				      "state", db_col_text(st, 3));
		json_object_set_new(o, "code", filed ? json_string(db_col_text(st, 2)) : json_null());
		json_object_set_new(o, "unit", filed ? json_string(db_col_text(st, 4)) : json_null());
		json_object_set_new(o, "status", filed ? json_integer(status) : json_null());
		json_object_set_new(o, "status_name", filed ? json_pack("{s:s,s:s}", "vi", workflow_status_name(d->workflow, status, "vi"),
									 "en", workflow_status_name(d->workflow, status, "en"))
							   : json_null());
		json_object_set_new(o, "due_at", json_time(db_col_int(st, 6), filed && !db_col_null(st, 6)));
		json_array_append_new(list, o);
	}
	return list;
}

static int render(const struct dossiers *d, struct db *db, const char *id, const struct principal *who, json_t **out,
		  struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT type, applicant_id, subject_id, state, reason, created_at, due_at, finished_at, "
					    "outputs FROM bundles WHERE id = ?");
	if (!st || db_bind(st, "t", id) || db_step(st) != DB_ROW)
		return err_set(e, 404, "bundle_not_found", "no bundle %s", "không có hồ sơ liên thông %s", id);
	if (who && !dossier_applicant_is(who, db_col_text(st, 1))) {
		db_reset(st);
		return err_set(e, 403, "forbidden", "bundle %s is another applicant's", "hồ sơ liên thông %s của người khác", id);
	}
	const json_t *def = definition(d, db_col_text(st, 0));
	json_t *outputs = unseal_json("bundles.outputs", id, db_col_text(st, 8));
	*out = json_pack("{s:s,s:s,s:O,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id", id, "type", db_col_text(st, 0), "name",
			 json_object_get(def, "name"), "applicant", db_col_text(st, 1), "state", db_col_text(st, 3), "subject",
			 db_col_null(st, 2) ? json_null() : json_string(db_col_text(st, 2)), "reason",
			 db_col_null(st, 4) ? json_null() : json_string(db_col_text(st, 4)), "created_at",
			 json_time(db_col_int(st, 5), true), "due_at", json_time(db_col_int(st, 6), true), "finished_at",
			 json_time(db_col_int(st, 7), !db_col_null(st, 7)), "outputs", outputs ? outputs : json_object());
	db_reset(st);
	json_object_set_new(*out, "components", components_json(d, db, id));
	return 0;
}

int bundle_created(const struct dossiers *d, struct db *db, const char *id, json_t **out, struct err *e)
{
	if (!id[0])
		return err_set(e, 500, "db_error", "the bundle was not saved; nothing was recorded, try again",
			       "hồ sơ liên thông chưa được lưu; chưa có gì được ghi nhận, hãy thử lại");
	return render(d, db, id, NULL, out, e);
}

int bundle_get(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, json_t **out,
	       struct err *e)
{
	return render(d, db, id, who, out, e);
}

int bundle_list_mine(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT id FROM bundles WHERE applicant_id = ? ORDER BY created_at DESC LIMIT 100");
	if (!st || db_bind(st, "t", who->citizen_id))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	char ids[100][24];
	int n = 0;
	while (n < 100 && db_step(st) == DB_ROW)
		snprintf(ids[n++], sizeof ids[0], "%s", db_col_text(st, 0));
	db_reset(st);
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *b;
		if (!render(d, db, ids[i], NULL, &b, e))
			json_array_append_new(list, b);
	}
	*out = json_pack("{s:o}", "bundles", list);
	return 0;
}

json_t *bundle_of(struct db *db, const char *code)
{
	struct db_stmt *st = db_prepare(db, "SELECT bundle_id, component FROM bundle_components WHERE code = ?");
	if (!st || db_bind(st, "t", code) || db_step(st) != DB_ROW)
		return json_null();
	json_t *o = json_pack("{s:s,s:s}", "id", db_col_text(st, 0), "component", db_col_text(st, 1));
	db_reset(st);
	return o;
}

/* ---- moving a bundle on ---- */

struct bundle_row {
	char id[24], type[16], applicant[13], actor[64], state[16];
	json_t *form, *outputs;
	char subject[13];
};

static int load_bundle(struct db *db, const char *id, struct bundle_row *b)
{
	memset(b, 0, sizeof *b);
	struct db_stmt *st = db_prepare(db, "SELECT type, applicant_id, submitted_by, fields, subject_id, outputs, state FROM bundles "
					    "WHERE id = ?");
	if (!st || db_bind(st, "t", id) || db_step(st) != DB_ROW)
		return -1;
	snprintf(b->id, sizeof b->id, "%s", id);
	snprintf(b->type, sizeof b->type, "%s", db_col_text(st, 0));
	snprintf(b->applicant, sizeof b->applicant, "%s", db_col_text(st, 1));
	snprintf(b->actor, sizeof b->actor, "%s", db_col_text(st, 2));
	b->form = unseal_json("bundles.fields", id, db_col_text(st, 3));
	snprintf(b->subject, sizeof b->subject, "%s", db_col_null(st, 4) ? "" : db_col_text(st, 4));
	b->outputs = unseal_json("bundles.outputs", id, db_col_text(st, 5));
	snprintf(b->state, sizeof b->state, "%s", db_col_text(st, 6));
	db_reset(st);
	return b->form && b->outputs ? 0 : -1;
}

static void bundle_release(struct bundle_row *b)
{
	json_decref(b->form);
	json_decref(b->outputs);
}

static int finish_bundle(struct db *db, const struct bundle_row *b, const char *state, const char *reason, const char *actor,
			 int64_t now)
{
	char detail[64];
	snprintf(detail, sizeof detail, "{\"state\":\"%s\"}", state);
	return db_run(db, "UPDATE bundles SET state = ?, reason = ?, finished_at = ? WHERE id = ?", "ttit", state, reason, now, b->id) !=
			       DB_DONE ||
		       audit_append(db, actor, "bundle.finish", b->id, detail)
		       ? -1
		       : 0;
}

/* The 2-digit province code of a unit on today's map, as an ID's first digits want it. */
static int province_of(const struct dossiers *d, const char *unit)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	const struct unit *u = units_find(d->registry->units, unit, today);
	for (int i = 0; u && u->level != UNIT_PROVINCE && i < 4; i++)
		u = units_parent(d->registry->units, u);
	return u ? atoi(u->code) : 0;
}

/* create_child: a new registry record with a new personal ID, its attributes from the action. */
static int create_child(struct bctx *c, const json_t *action, const struct dossier_row *r, const char *actor, int64_t now,
			struct err *e)
{
	const char *source = json_string_value(json_object_get(action, "source"));
	json_t *doc = record_new();
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(action, "attributes"), k, x) {
		json_t *v = resolve(c, json_string_value(x));
		struct stored s = {v, source, true, now, 1, actor};
		if (v && record_set(doc, k, &s))
			err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		json_decref(v);
	}
	struct stored dob, sex;
	int rc = record_get(doc, "date_of_birth", &dob) && record_get(doc, "sex", &sex) ? -1 : -2;
	char id[13];
	for (int attempt = 0; rc == -1 && attempt < 5; attempt++) {
		if (citizen_id_make(province_of(c->d, r->unit), json_string_value(dob.value), json_string_value(sex.value),
				    crypto_random_u32(1000000), id))
			break;
		err_clear(e);
		rc = citizen_insert(c->d->registry, c->db, id, doc, actor, now, e);
		if (rc && e->status != 409)
			break;
		rc = rc ? -1 : 0;
	}
	json_decref(doc);
	if (rc)
		return e->status ? -1 : err_set(e, 422, "child_not_registered", "the child's record could not be made", "không tạo được hồ sơ của trẻ");
	snprintf(c->subject, sizeof c->subject, "%s", id);
	json_object_set_new(c->outputs, "child_id", json_string(id));
	return 0;
}

/* set: a new version of one of the subject's attributes, sourced from the agency. */
static int set_attribute(struct bctx *c, const json_t *action, const char *actor, int64_t now, struct err *e)
{
	json_t *v = resolve(c, json_string_value(json_object_get(action, "value")));
	const char *name = json_string_value(json_object_get(action, "attribute"));
	int rc = !v || !c->subject[0] || !name
			 ? err_set(e, 422, "bundle_data_missing", "the value of %s is not known", "chưa có giá trị của %s", name ? name : "?")
			 : citizen_set(c->d->registry, c->db, c->subject, name, v,
				       json_string_value(json_object_get(action, "source")), actor, now, e);
	json_decref(v);
	return rc;
}

static int run_actions(struct bctx *c, const json_t *comp, const struct dossier_row *r, const char *actor, int64_t now,
		       struct err *e)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(comp, "on_done"), i, a) {
		const char *what = json_string_value(json_object_get(a, "do"));
		int rc = !what ? -1
			 : !strcmp(what, "create_child") ? create_child(c, a, r, actor, now, e)
			 : !strcmp(what, "set")		 ? set_attribute(c, a, actor, now, e)
							 : err_set(e, 500, "bad_bundle_data", "unknown action %s", "hành động không hợp lệ %s", what);
		if (rc)
			return -1;
	}
	return 0;
}

static int component_state(struct db *db, const char *id, const char *component, char *out, size_t n)
{
	struct db_stmt *st = db_prepare(db, "SELECT state FROM bundle_components WHERE bundle_id = ? AND component = ?");
	if (!st || db_bind(st, "tt", id, component) || db_step(st) != DB_ROW)
		return -1;
	snprintf(out, n, "%s", db_col_text(st, 0));
	db_reset(st);
	return 0;
}

/* Whether every component comp waits for is done. */
static bool ready(struct db *db, const char *id, const json_t *comp)
{
	size_t i;
	json_t *after;
	char state[16];
	json_array_foreach(json_object_get(comp, "after"), i, after) {
		if (component_state(db, id, json_string_value(after), state, sizeof state) || strcmp(state, "done"))
			return false;
	}
	return true;
}

/* Files each waiting component whose inputs are ready; counts those still not done. */
static int file_ready(struct bctx *c, const struct bundle_row *b, int64_t now, int *open, struct err *e)
{
	size_t i;
	json_t *comp;
	*open = 0;
	json_array_foreach(json_object_get(c->def, "components"), i, comp) {
		const char *name = json_string_value(json_object_get(comp, "id"));
		char state[16];
		if (component_state(c->db, b->id, name, state, sizeof state))
			return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
		if (strcmp(state, "done"))
			(*open)++;
		if (strcmp(state, "waiting") || !ready(c->db, b->id, comp))
			continue;
		struct filed f = {0};
		json_t *problems = NULL;
		int rc = prepare_component(c, comp, &f, &problems, e) || file_component(c, b->id, b->actor, &f, now);
		json_decref(problems);
		json_decref(f.form);
		if (rc)
			return e->status ? -1 : err_set(e, 500, "db_error", "the next component was not filed", "chưa nộp được hồ sơ tiếp theo");
	}
	return 0;
}

static int component_done(const struct dossiers *d, struct db *db, struct bundle_row *b, const char *component,
			  const struct dossier_row *r, const char *actor, int64_t now, struct err *e)
{
	const json_t *def = definition(d, b->type);
	const json_t *comp = json_find(json_object_get(def, "components"), "id", component);
	struct bctx c = {d, db, def, b->form, b->applicant, json_string_value(json_object_get(b->form, "other_parent_id")), "", b->outputs};
	snprintf(c.subject, sizeof c.subject, "%s", b->subject);
	struct db_stmt *st = db_prepare(db, "SELECT id FROM issued WHERE code = ?");
	if (st && !db_bind(st, "t", r->code) && db_step(st) == DB_ROW) { /* its electronic result, for the next ones */
		json_object_set_new(b->outputs, component, json_string(db_col_text(st, 0)));
		db_reset(st);
	}
	int open = 0;
	if (db_run(db, "UPDATE bundle_components SET state = 'done', finished_at = ? WHERE bundle_id = ? AND component = ?", "itt", now,
		   b->id, component) != DB_DONE ||
	    run_actions(&c, comp, r, actor, now, e))
		return -1;
	/* what this component produced is kept before the next ones are filed, which may fail */
	snprintf(b->subject, sizeof b->subject, "%s", c.subject);
	char *outputs = seal_json("bundles.outputs", b->id, b->outputs);
	int rc = !outputs || db_run(db, "UPDATE bundles SET outputs = ?, subject_id = ? WHERE id = ?", "ttt", outputs,
				    b->subject[0] ? b->subject : NULL, b->id) != DB_DONE;
	free(outputs);
	if (rc)
		return err_set(e, 500, "db_error", "the bundle was not updated", "chưa cập nhật được hồ sơ liên thông");
	return file_ready(&c, b, now, &open, e) || (!open && finish_bundle(db, b, "done", NULL, actor, now)) ? -1 : 0;
}

int bundle_on_status(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *actor, const char *note,
		     int64_t now)
{
	struct db_stmt *st = db_prepare(db, "SELECT bundle_id, component FROM bundle_components WHERE code = ?");
	char id[24], component[48];
	if (!st || db_bind(st, "t", r->code) || db_step(st) != DB_ROW)
		return 0; /* not a bundle's */
	snprintf(id, sizeof id, "%s", db_col_text(st, 0));
	snprintf(component, sizeof component, "%s", db_col_text(st, 1));
	db_reset(st);
	struct bundle_row b;
	if (load_bundle(db, id, &b)) {
		bundle_release(&b);
		return -1;
	}
	int rc = 0;
	struct err e = {0};
	bool stops = r->status == 3 || r->status == 7 || r->status == 8;
	if (strcmp(b.state, "in_progress"))
		rc = 0;
	else if (stops) {
		char reason[600];
		snprintf(reason, sizeof reason, "%s: %s", component, note && note[0] ? note : workflow_status_name(d->workflow, r->status, "vi"));
		rc = db_run(db, "UPDATE bundle_components SET state = 'stopped', finished_at = ? WHERE bundle_id = ? AND component = ?",
			    "itt", now, id, component) != DB_DONE ||
		     finish_bundle(db, &b, "stopped", reason, actor, now);
	} else if (r->status == 9 && component_done(d, db, &b, component, r, actor, now, &e)) {
		/* what the next step needs cannot be had: the bundle stops, saying why */
		char reason[600];
		snprintf(reason, sizeof reason, "%s: %s", component, e.msg[0] ? e.msg : "the next component could not be filed");
		rc = e.status >= 500 ? -1 : finish_bundle(db, &b, "stopped", reason, actor, now);
	}
	bundle_release(&b);
	return rc;
}
