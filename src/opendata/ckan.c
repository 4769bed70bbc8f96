/* ckan.c — the envelope of CKAN's action API over the datasets: the actions and the parameters
 * each takes (every one checked: known, given once, size-limited, ids well formed), packages with
 * DCAT-style metadata (title, description, licence, publisher, temporal coverage, modified),
 * datastore pages, and errors as CKAN writes them — {"__type","message"}, a Validation Error
 * keyed by the parameter — with our machine-readable code and the Vietnamese message beside. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "opendata/dataset.h"
#include "report/facts.h"

#define OD_OFFSET_MAX 100000000L
#define OD_KEY_MAX 32

/* In name order, as package_list answers. */
static const struct od_dataset *const datasets[] = {&od_units, &od_statistics, &od_procedures, &od_index};
#define NDATASETS (sizeof datasets / sizeof *datasets)

/* An action's failure: the error, and for a Validation Error the parameter at fault. */
struct fail {
	struct err e;
	char field[OD_KEY_MAX + 1];
};

static const struct {
	int status;
	const char *type;
} types[] = {
	{400, "Bad Request"},
	{403, "Authorization Error"},
	{404, "Not Found Error"},
	{409, "Validation Error"},
	{429, "Rate Limit Error"},
};

static const char *type_of(int status)
{
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (types[i].status == status)
			return types[i].type;
	return "Internal Server Error";
}

/* A Validation Error (409) about parameter field. */
#define INVALID(f, field_, en, vi, ...)                                                            \
	(snprintf((f)->field, sizeof (f)->field, "%s", (field_)), err_set(&(f)->e, 409, "invalid_query", en, vi, __VA_ARGS__))

/* ---- parameters ---- */

/* The index of parameter key's first appearance, or -1. */
static int first(const struct od_request *rq, const char *key)
{
	for (size_t i = 0; i < rq->nargs && i < OD_MAX_ARGS; i++)
		if (!strcmp(rq->args[i].key, key))
			return (int)i;
	return -1;
}

static const char *arg(const struct od_request *rq, const char *key)
{
	int i = first(rq, key);
	return i < 0 ? NULL : rq->args[i].value ? rq->args[i].value : "";
}

static bool listed(const char *const *names, const char *key)
{
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], key))
			return true;
	return false;
}

/* Every parameter is one the action takes, given once, within OD_ARG_MAX bytes. */
static int check_args(const char *const *params, const struct od_request *rq, struct fail *f)
{
	if (rq->nargs > OD_MAX_ARGS)
		return INVALID(f, "__junk", "at most %d query parameters", "tối đa %d tham số truy vấn", OD_MAX_ARGS);
	for (size_t i = 0; i < rq->nargs; i++) {
		const char *key = rq->args[i].key, *value = rq->args[i].value ? rq->args[i].value : "";
		if (strlen(key) > OD_KEY_MAX || !listed(params, key))
			return INVALID(f, strlen(key) > OD_KEY_MAX ? "__junk" : key, "The input field %.32s was not expected.",
				       "Không nhận tham số %.32s.", key);
		if (first(rq, key) != (int)i)
			return INVALID(f, key, "%s is given more than once", "%s được truyền nhiều lần", key);
		if (strlen(value) > OD_ARG_MAX)
			return INVALID(f, key, "%s is longer than %d bytes", "%s dài quá %d byte", key, OD_ARG_MAX);
	}
	return 0;
}

/* A whole number in [lo, hi], def when absent. */
static int int_arg(const struct od_request *rq, const char *key, long lo, long hi, long def, long *out, struct fail *f)
{
	const char *s = arg(rq, key);
	*out = def;
	if (!s)
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return INVALID(f, key, "%s must be a whole number from %ld to %ld", "%s phải là số nguyên từ %ld đến %ld", key, lo, hi);
	*out = v;
	return 0;
}

/* A required id: a name (a-z, 0-9, - and _) or a UUID, at most OD_ARG_MAX bytes. */
static int id_arg(const struct od_request *rq, const char *key, const char **out, struct fail *f)
{
	const char *s = *out = arg(rq, key);
	if (!s || !*s)
		return INVALID(f, key, "Missing value: %s is required", "Thiếu giá trị: cần %s", key);
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_");
	if (s[n] || n > OD_ARG_MAX)
		return INVALID(f, key, "%s must be a dataset's name or id: up to %d of a-z, 0-9, - and _",
			       "%s phải là tên hoặc mã của bộ dữ liệu: tối đa %d ký tự a-z, 0-9, - và _", key, OD_ARG_MAX);
	return 0;
}

/* ---- ids, names, times ---- */

/* A stable UUID for kind:name (SHA-256, shaped as a version 8 UUID): the same on every server. */
static void uuid_of(const char *kind, const char *name, char out[37])
{
	char text[160], h[65];
	int n = snprintf(text, sizeof text, "trondoi:opendata:%s:%s", kind, name);
	crypto_sha256_hex(text, (size_t)n, h);
	h[12] = '8';
	h[16] = "89ab"[(h[16] - '0') & 3];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* The dataset whose name, package id or resource id (kind) is id, or NULL. */
static const struct od_dataset *find(const char *id, const char *kind)
{
	for (size_t i = 0; i < NDATASETS; i++) {
		char uuid[37];
		uuid_of(kind, datasets[i]->name, uuid);
		if (!strcmp(id, datasets[i]->name) || !strcmp(id, uuid))
			return datasets[i];
	}
	return NULL;
}

/* CKAN's times: ISO 8601 in UTC without the zone ("2026-11-25T08:30:00.123456"). */
static json_t *ckan_time(int64_t us)
{
	char s[40];
	clock_iso(us, s, sizeof s);
	s[strcspn(s, "Z")] = 0;
	return json_string(s);
}

/* ---- datastore pages ---- */

json_t *od_fields_json(const struct od_field *f, size_t n)
{
	json_t *list = json_pack("[{s:s,s:s}]", "id", "_id", "type", "int");
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", f[i].id, "type", f[i].type, "info", "label",
						      f[i].label, "notes", f[i].notes));
	return list;
}

bool od_page_wants(struct od_page *pg)
{
	long at = pg->total++;
	return at >= pg->offset && at < pg->offset + pg->limit;
}

void od_page_add(struct od_page *pg, json_t *record)
{
	json_object_set_new(record, "_id", json_integer((json_int_t)(pg->total)));
	json_array_append_new(pg->records, record);
}

/* ---- the envelope ---- */

static json_t *help_url(const struct opendata *o, const char *action)
{
	char url[512];
	snprintf(url, sizeof url, "%s/api/3/action/help_show?name=%s", o->d->public_url, action);
	return json_string(url);
}

static json_t *error_json(const struct err *e, const char *field)
{
	char msg[360];
	snprintf(msg, sizeof msg, "%s%s", e->status == 404 ? "Not found: " : "", e->msg);
	json_t *v = json_pack("{s:s,s:s,s:s,s:s}", "__type", type_of(e->status), "message", msg, "code", e->code, "message_vi", e->msg_vi);
	if (field && field[0])
		json_object_set_new(v, field, json_pack("[s]", e->msg));
	return v;
}

json_t *opendata_error(const struct opendata *o, const char *action, const struct err *e)
{
	return json_pack("{s:o,s:b,s:o}", "help", help_url(o, action), "success", 0, "error", error_json(e, NULL));
}

/* ---- packages ---- */

static const json_t *meta_of(const struct opendata *o, const struct od_dataset *ds)
{
	return json_find(json_object_get(o->meta, "datasets"), "name", ds->name);
}

static const char *text(const json_t *x, const char *key, const char *lang)
{
	const char *s = json_string_value(json_object_get(json_object_get(x, key), lang));
	return s ? s : "";
}

static json_t *organization(const struct opendata *o)
{
	const json_t *p = json_object_get(o->meta, "publisher");
	const char *name = json_string_value(json_object_get(p, "name"));
	char id[37];
	uuid_of("organization", name ? name : "", id);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id", id, "name", name ? name : "", "title", text(p, "title", "vi"),
			 "description", text(p, "title", "en"), "type", "organization", "is_organization", 1, "state", "active",
			 "approval_status", "approved", "image_url", "");
}

static void extra(json_t *extras, const char *key, const char *value)
{
	if (value && value[0])
		json_array_append_new(extras, json_pack("{s:s,s:s}", "key", key, "value", value));
}

static json_t *extras_of(const struct opendata *o, const json_t *m, const struct od_coverage *cv)
{
	const json_t *p = json_object_get(o->meta, "publisher");
	json_t *x = json_array();
	extra(x, "temporal_start", cv->from);
	extra(x, "temporal_end", cv->until);
	extra(x, "frequency", json_string_value(json_object_get(m, "frequency")));
	extra(x, "language", "vi");
	extra(x, "publisher_name", text(p, "title", "vi"));
	extra(x, "publisher_email", json_string_value(json_object_get(p, "email")));
	extra(x, "publisher_unit", json_string_value(json_object_get(p, "unit")));
	char months[16];
	snprintf(months, sizeof months, "%d", cv->months_max);
	extra(x, "months_max", cv->months_max ? months : NULL);
	return x;
}

static json_t *tags_of(const json_t *m)
{
	json_t *tags = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(m, "tags"), i, t)
		json_array_append_new(tags, json_pack("{s:O,s:O,s:s}", "name", t, "display_name", t, "state", "active"));
	return tags;
}

static json_t *resource_of(const struct opendata *o, const struct od_dataset *ds, const json_t *m, const char *package_id,
			   int64_t created, int64_t modified)
{
	char id[37], url[600];
	uuid_of("resource", ds->name, id);
	snprintf(url, sizeof url, "%s/api/3/action/datastore_search?resource_id=%s", o->d->public_url, id);
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:i,s:s}", "id", id, "package_id", package_id, "name",
			      text(m, "title", "vi"), "description", text(m, "notes", "en"), "format", "JSON", "mimetype",
			      "application/json", "url", url, "url_type", "datastore", "datastore_active", 1, "position", 0, "state",
			      "active");
	json_object_set_new(r, "created", ckan_time(created));
	json_object_set_new(r, "last_modified", ckan_time(modified));
	return r;
}

static int package_of(const struct opendata *o, struct db *db, const struct od_dataset *ds, json_t **out, struct err *e)
{
	struct od_coverage cv = {0};
	int64_t created;
	if (ds->coverage(o, db, &cv, e))
		return -1;
	if (od_loaded_at(db, &created))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	const json_t *m = meta_of(o, ds), *lic = json_object_get(o->meta, "license"), *p = json_object_get(o->meta, "publisher");
	char id[37];
	uuid_of("package", ds->name, id);
	json_t *org = organization(o);
	json_t *pkg = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:s,s:{s:s,s:s},s:s,s:s,s:b,s:b}", "id", id, "name", ds->name, "title",
				text(m, "title", "vi"), "title_translated", "vi", text(m, "title", "vi"), "en", text(m, "title", "en"),
				"notes", text(m, "notes", "vi"), "notes_translated", "vi", text(m, "notes", "vi"), "en",
				text(m, "notes", "en"), "type", "dataset", "state", "active", "private", 0, "isopen", 1);
	json_object_set(pkg, "license_id", json_object_get(lic, "id"));
	json_object_set(pkg, "license_title", json_object_get(lic, "title"));
	json_object_set(pkg, "license_url", json_object_get(lic, "url"));
	json_object_set_new(pkg, "author", json_string(text(p, "title", "vi")));
	json_object_set(pkg, "maintainer", json_object_get(pkg, "author"));
	json_object_set(pkg, "maintainer_email", json_object_get(p, "email"));
	json_object_set(pkg, "owner_org", json_object_get(org, "id"));
	json_object_set_new(pkg, "organization", org);
	json_object_set_new(pkg, "metadata_created", ckan_time(created));
	json_object_set_new(pkg, "metadata_modified", ckan_time(cv.modified_us));
	json_object_set_new(pkg, "extras", extras_of(o, m, &cv));
	json_t *tags = tags_of(m);
	json_object_set_new(pkg, "num_tags", json_integer((json_int_t)json_array_size(tags)));
	json_object_set_new(pkg, "tags", tags);
	json_object_set_new(pkg, "groups", json_array());
	json_object_set_new(pkg, "resources", json_pack("[o]", resource_of(o, ds, m, id, created, cv.modified_us)));
	json_object_set_new(pkg, "num_resources", json_integer(1));
	*out = pkg;
	return 0;
}

/* ---- the actions ---- */

static int package_list(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out, struct fail *f)
{
	(void)o;
	(void)db;
	long limit, offset;
	if (int_arg(rq, "limit", 0, OD_LIMIT_MAX, OD_LIMIT_MAX, &limit, f) || int_arg(rq, "offset", 0, OD_OFFSET_MAX, 0, &offset, f))
		return -1;
	*out = json_array();
	for (size_t i = (size_t)offset; i < NDATASETS && (long)json_array_size(*out) < limit; i++)
		json_array_append_new(*out, json_string(datasets[i]->name));
	return 0;
}

static int package_show(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out, struct fail *f)
{
	const char *id;
	if (id_arg(rq, "id", &id, f))
		return -1;
	const struct od_dataset *ds = find(id, "package");
	if (!ds)
		return err_set(&f->e, 404, "dataset_not_found", "no dataset named or with id %s (package_list names them)",
			       "không có bộ dữ liệu tên hoặc mã %s (package_list liệt kê các bộ dữ liệu)", id);
	return package_of(o, db, ds, out, &f->e);
}

/* CKAN's _links: where this search starts and the page after this one. */
static json_t *links(const char *rid, long limit, long offset)
{
	char start[200], next[240];
	snprintf(start, sizeof start, "/api/3/action/datastore_search?resource_id=%s&limit=%ld", rid, limit);
	snprintf(next, sizeof next, "%s&offset=%ld", start, offset + limit);
	return json_pack("{s:s,s:s}", "start", start, "next", next);
}

static int datastore_search(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out, struct fail *f)
{
	const char *id;
	long limit, offset;
	if (id_arg(rq, "resource_id", &id, f) || int_arg(rq, "limit", 0, OD_LIMIT_MAX, OD_LIMIT_DEFAULT, &limit, f) ||
	    int_arg(rq, "offset", 0, OD_OFFSET_MAX, 0, &offset, f))
		return -1;
	const struct od_dataset *ds = find(id, "resource");
	if (!ds)
		return err_set(&f->e, 404, "resource_not_found", "Resource \"%s\" was not found.", "Không có tài nguyên \"%s\".", id);
	struct od_page pg = {limit, offset, 0, json_array()};
	if (ds->records(o, db, &pg, &f->e)) {
		json_decref(pg.records);
		return -1;
	}
	char rid[37];
	uuid_of("resource", ds->name, rid);
	*out = json_pack("{s:s,s:o,s:o,s:I,s:I,s:I,s:b,s:s,s:o}", "resource_id", rid, "fields", ds->fields(o), "records", pg.records,
			 "total", (json_int_t)pg.total, "limit", (json_int_t)limit, "offset", (json_int_t)offset, "include_total", 1,
			 "records_format", "objects", "_links", links(rid, limit, offset));
	return 0;
}

static int help_show(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out, struct fail *f);

static const struct action {
	const char *name;
	const char *const params[4]; /* the parameters it takes, NULL-ended */
	int (*run)(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out, struct fail *f);
	const char *help;
} actions[] = {
	{"package_list", {"limit", "offset", NULL}, package_list,
	 "Return the names of the site's datasets (packages), in name order.\n\n:param limit: how many at most (default all)\n"
	 ":param offset: how many to skip\n:rtype: list of strings"},
	{"package_show", {"id", NULL}, package_show,
	 "Return the metadata of a dataset (package) and its resource.\n\n:param id: the id or name of the dataset\n"
	 ":rtype: dictionary"},
	{"datastore_search", {"resource_id", "limit", "offset", NULL}, datastore_search,
	 "Return a page of a resource's records with its fields.\n\n:param resource_id: the id (or the dataset's name, an alias) "
	 "of the resource\n:param limit: records per page, 0 to 1000 (default 100)\n:param offset: records to skip (default 0)\n"
	 ":rtype: dictionary with resource_id, fields, records, total, limit, offset and _links"},
	{"help_show", {"name", NULL}, help_show, "Return the help string of an action.\n\n:param name: the action's name\n:rtype: string"},
};
#define NACTIONS (sizeof actions / sizeof *actions)

static const struct action *action_named(const char *name)
{
	for (size_t i = 0; name && i < NACTIONS; i++)
		if (!strcmp(actions[i].name, name))
			return &actions[i];
	return NULL;
}

static int help_show(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out, struct fail *f)
{
	(void)o;
	(void)db;
	const char *name;
	if (id_arg(rq, "name", &name, f))
		return -1;
	const struct action *a = action_named(name);
	if (!a)
		return err_set(&f->e, 404, "action_not_found", "Action function not found: %s", "Không có hành động %s", name);
	*out = json_string(a->help);
	return 0;
}

int opendata_call(const struct opendata *o, struct db *db, const struct od_request *rq, json_t **out)
{
	const struct action *a = action_named(rq->action);
	struct fail f = {0};
	json_t *result = NULL;
	if (!a)
		err_set(&f.e, 400, "unknown_action", "Action name not known: %s", "Không biết hành động: %s", rq->action ? rq->action : "");
	else if (!o->meta)
		err_set(&f.e, 500, "opendata_not_configured", "open data is not configured (data/opendata.json): run trondoi init",
			"chưa cấu hình dữ liệu mở (data/opendata.json): hãy chạy trondoi init");
	else if (facts_sync(o->d, db, true)) /* the datasets read the index's counters */
		err_set(&f.e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	else if (!check_args(a->params, rq, &f) && !a->run(o, db, rq, &result, &f)) {
		*out = json_pack("{s:o,s:b,s:o}", "help", help_url(o, a->name), "success", 1, "result", result);
		return 200;
	}
	*out = json_pack("{s:o,s:b,s:o}", "help", help_url(o, rq->action ? rq->action : ""), "success", 0, "error",
			 error_json(&f.e, f.field));
	return f.e.status ? f.e.status : 500;
}
