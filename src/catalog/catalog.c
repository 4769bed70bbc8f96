/* catalog.c — loading and checking the attribute, agency and procedure catalogs. */
#include "catalog/catalog.h"
#include "core/json.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"text", "date", "sex", "address", "phone", "email", "id", "select"};

int attr_type_parse(const char *s, enum attr_type *out)
{
	for (size_t i = 0; s && i < sizeof type_names / sizeof *type_names; i++)
		if (!strcmp(s, type_names[i])) {
			*out = (enum attr_type)i;
			return 0;
		}
	return -1;
}

void catalog_release(struct catalog *c)
{
	json_decref(c->attributes);
	json_decref(c->agencies);
	json_decref(c->procedures);
	free(c->attrs);
	for (size_t i = 0; i < c->nprocs; i++)
		free(c->procs[i].fields);
	free(c->procs);
	memset(c, 0, sizeof *c);
}

static int bad(struct err *e, const char *what, const char *detail)
{
	return err_set(e, 500, "bad_catalog", "catalog data: %s: %s", "dữ liệu danh mục: %s: %s", what, detail);
}

/* Builds the attr_def index over c->attributes. */
static int index_attributes(struct catalog *c, struct err *e)
{
	json_t *list = json_object_get(c->attributes, "attributes");
	if (!json_is_array(list))
		return bad(e, "attributes.json", "needs an \"attributes\" array");
	c->nattrs = json_array_size(list);
	c->attrs = calloc(c->nattrs ? c->nattrs : 1, sizeof *c->attrs);
	if (!c->attrs)
		return bad(e, "attributes", "out of memory");
	for (size_t i = 0; i < c->nattrs; i++) {
		json_t *a = json_array_get(list, i);
		struct attr_def *d = &c->attrs[i];
		d->doc = a;
		d->name = json_string_value(json_object_get(a, "name"));
		const char *cls = json_string_value(json_object_get(a, "classification"));
		if (!d->name || attr_type_parse(json_string_value(json_object_get(a, "type")), &d->type) ||
		    !cls || (strcmp(cls, "public") && strcmp(cls, "personal") && strcmp(cls, "sensitive")))
			return bad(e, "attributes.json", d->name ? d->name : "an entry has no name, type or classification");
		d->classification = cls;
		d->self_declared = json_is_true(json_object_get(a, "self_declared"));
		json_int_t max = json_integer_value(json_object_get(a, "max_length"));
		d->max_length = max > 0 && max < 4096 ? (size_t)max : 200;
		d->options = json_object_get(a, "options");
		if (d->type == ATTR_SELECT && !json_is_array(d->options))
			return bad(e, d->name, "a select attribute needs options");
	}
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "code"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "code"));
	return strcmp(x, y);
}

static int sort_procedures(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof *v, cmp_code);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
	return 0;
}

static const struct {
	const char *type;
	enum field_kind kind;
} field_kinds[] = {
	{"text", FIELD_TEXT},   {"textarea", FIELD_TEXTAREA}, {"number", FIELD_NUMBER}, {"date", FIELD_DATE},
	{"sex", FIELD_SEX},     {"select", FIELD_SELECT},     {"id", FIELD_ID},         {"phone", FIELD_PHONE},
	{"email", FIELD_EMAIL}, {"address", FIELD_ADDRESS},
};

static enum field_kind field_kind_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof field_kinds / sizeof *field_kinds; i++)
		if (!strcmp(type, field_kinds[i].type))
			return field_kinds[i].kind;
	return FIELD_TEXT;
}

/* Reads one procedure's form fields out of its entry. 0, or -1 out of memory. */
static int index_fields(struct procedure_def *d)
{
	const json_t *list = json_object_get(d->doc, "fields");
	d->nfields = json_array_size(list);
	if (!(d->fields = calloc(d->nfields ? d->nfields : 1, sizeof *d->fields)))
		return -1;
	for (size_t i = 0; i < d->nfields; i++) {
		const json_t *f = json_array_get(list, i);
		d->fields[i] = (struct field_def){.name = json_string_value(json_object_get(f, "name")),
						   .registry = json_string_value(json_object_get(f, "registry")),
						   .kind = field_kind_of(json_string_value(json_object_get(f, "type"))),
						   .required = json_is_true(json_object_get(f, "required")),
						   .options = json_object_get(f, "options")};
		if (!d->fields[i].name)
			d->fields[i].name = "";
	}
	return 0;
}

/* Builds the procedure_def index over c->procedures (sorted by code). */
static int index_procedures(struct catalog *c)
{
	size_t n = json_array_size(c->procedures);
	if (!(c->procs = calloc(n ? n : 1, sizeof *c->procs)))
		return -1;
	for (; c->nprocs < n; c->nprocs++) {
		struct procedure_def *d = &c->procs[c->nprocs];
		d->doc = json_array_get(c->procedures, c->nprocs);
		d->code = json_string_value(json_object_get(d->doc, "code"));
		if (!d->code || index_fields(d))
			return -1;
	}
	return 0;
}

/* Checks one procedure: the keys every consumer relies on, fields naming known attributes. */
static int check_procedure(const struct catalog *c, json_t *p, struct err *e)
{
	const char *code = json_string_value(json_object_get(p, "code"));
	const char *level = json_string_value(json_object_get(p, "level"));
	const char *agency = json_string_value(json_object_get(p, "agency"));
	if (!code || !json_is_object(json_object_get(p, "name")) || !level ||
	    (strcmp(level, "commune") && strcmp(level, "province")) || !agency ||
	    !json_is_integer(json_object_get(p, "processing_days")) || !json_is_integer(json_object_get(p, "fee")) ||
	    !json_is_array(json_object_get(p, "fields")) || !json_is_array(json_object_get(p, "documents")))
		return bad(e, code ? code : "a procedure", "needs code, name, level, agency, processing_days, fee, "
							   "fields and documents");
	if (!catalog_agency(c, agency))
		return bad(e, code, "unknown agency kind");
	const json_t *fields = json_object_get(p, "fields");
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *reg = json_string_value(json_object_get(f, "registry"));
		if (!name || !json_is_object(json_object_get(f, "label")))
			return bad(e, code, "a field needs a name and a label");
		if (reg && strcmp(reg, "id") && !catalog_attr(c, reg))
			return bad(e, code, "a field names an unknown registry attribute");
		if (json_find(fields, "name", name) != f) /* a form's field is known by its name */
			return bad(e, code, "two fields have the same name");
	}
	return 0;
}

static json_t *load_json(const char *path, struct err *e)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		bad(e, path, je.text);
	return v;
}

static int load_procedures(struct catalog *c, const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return bad(e, dir, "cannot open the procedures folder");
	c->procedures = json_array();
	struct dirent *de;
	int rc = 0;
	while (!rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		json_t *p = load_json(path, e);
		rc = !p || check_procedure(c, p, e) ? -1 : json_array_append_new(c->procedures, p);
		if (rc && p)
			json_decref(p);
	}
	closedir(d);
	return rc ? rc : sort_procedures(c->procedures) || index_procedures(c) ? bad(e, dir, "out of memory") : 0;
}

int catalog_load_dir(struct catalog *c, const char *data_dir, struct err *e)
{
	char path[1024];
	memset(c, 0, sizeof *c);
	snprintf(path, sizeof path, "%s/attributes.json", data_dir);
	if (!(c->attributes = load_json(path, e)) || index_attributes(c, e))
		goto fail;
	snprintf(path, sizeof path, "%s/agencies.json", data_dir);
	if (!(c->agencies = load_json(path, e)))
		goto fail;
	snprintf(path, sizeof path, "%s/procedures", data_dir);
	if (load_procedures(c, path, e))
		goto fail;
	return 0;
fail:
	catalog_release(c);
	return -1;
}

const struct attr_def *catalog_attr(const struct catalog *c, const char *name)
{
	for (size_t i = 0; i < c->nattrs; i++)
		if (!strcmp(c->attrs[i].name, name))
			return &c->attrs[i];
	return NULL;
}

const struct procedure_def *catalog_procedure_def(const struct catalog *c, const char *code)
{
	size_t lo = 0, hi = c->nprocs;
	while (code && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(c->procs[mid].code, code);
		if (!cmp)
			return &c->procs[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const json_t *catalog_procedure(const struct catalog *c, const char *code)
{
	const struct procedure_def *d = catalog_procedure_def(c, code);
	return d ? d->doc : NULL;
}

const json_t *catalog_agency(const struct catalog *c, const char *kind)
{
	return json_find(json_object_get(c->agencies, "agencies"), "kind", kind);
}

/* The stored form: attribute_catalog and agencies rows hold each entry; procedures one row each. */
int catalog_load_db(struct catalog *c, struct db *db, struct err *e)
{
	memset(c, 0, sizeof *c);
	c->procedures = json_array();
	json_t *attrs = json_array(), *agencies = json_array();
	c->attributes = json_pack("{s:o}", "attributes", attrs);
	c->agencies = json_pack("{s:o}", "agencies", agencies);
	static const struct {
		const char *sql;
		int which;
	} q[] = {
		{"SELECT doc FROM attribute_catalog ORDER BY name", 0},
		{"SELECT doc FROM agencies ORDER BY kind", 1},
		{"SELECT doc FROM procedures ORDER BY code", 2},
	};
	for (size_t i = 0; i < 3; i++) {
		struct db_stmt *st = db_prepare(db, q[i].sql);
		if (!st)
			goto fail;
		json_t *into = q[i].which == 0 ? attrs : q[i].which == 1 ? agencies : c->procedures;
		enum db_rc rc;
		while ((rc = db_step(st)) == DB_ROW) {
			json_t *v = json_loads(db_col_text(st, 0), 0, NULL);
			if (!v || json_array_append_new(into, v)) {
				db_reset(st);
				goto fail;
			}
		}
		if (rc != DB_DONE)
			goto fail;
	}
	if (index_attributes(c, e))
		goto fail_quiet;
	if (sort_procedures(c->procedures) || index_procedures(c))
		goto fail;
	return 0;
fail:
	err_set(e, 500, "bad_catalog", "cannot read the catalog from the database: %s (run trondoi init)",
		"không đọc được danh mục từ cơ sở dữ liệu: %s (hãy chạy trondoi init)", db_errmsg(db));
fail_quiet:
	catalog_release(c);
	return -1;
}
