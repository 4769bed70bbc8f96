/* prefill.c — a procedure's form filled from the registry, so nobody types twice what the state
 * already knows. Verified values come locked. */
#include <stdlib.h>
#include <string.h>

#include "registry/record.h"
#include "registry/registry.h"

static const char *field_label(const json_t *f, const char *lang)
{
	const char *s = json_string_value(json_object_get(json_object_get(f, "label"), lang));
	return s ? s : "";
}

/* Each procedure's form, with what does not depend on the citizen written out once: a field's
 * description before its value ({"name","label","label_en","type","required","value":) and its
 * options after. */
struct form_field {
	char *head, *tail;
	const char *registry; /* the attribute that fills it, "id", or NULL */
};

struct form {
	const char *code;
	char *head; /* {"procedure":..,"name":..,"fields":[ */
	struct form_field *fields;
	size_t nfields;
};

struct prefill_forms {
	struct form *v;
	size_t n;
};

static char *field_head(const json_t *f)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	const char *type = json_string_value(json_object_get(f, "type"));
	if (buf_adds(&b, "{\"name\":") || jw_value(&b, json_object_get(f, "name")) || buf_adds(&b, ",\"label\":") ||
	    jw_str(&b, field_label(f, "vi")) || buf_adds(&b, ",\"label_en\":") || jw_str(&b, field_label(f, "en")) ||
	    buf_adds(&b, ",\"type\":") || jw_str(&b, type ? type : "text") ||
	    buf_addf(&b, ",\"required\":%s,\"value\":", json_is_true(json_object_get(f, "required")) ? "true" : "false")) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

static char *field_tail(const json_t *f)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	if ((json_object_get(f, "options") && (buf_adds(&b, ",\"options\":") || jw_value(&b, json_object_get(f, "options")))) ||
	    buf_adds(&b, "}")) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

static int prepare_form(struct form *fm, const json_t *p)
{
	fm->code = json_string_value(json_object_get(p, "code"));
	struct buf b;
	buf_init(&b, 1 << 16);
	if (buf_adds(&b, "{\"procedure\":") || jw_str(&b, fm->code) || buf_adds(&b, ",\"name\":") ||
	    jw_value(&b, json_object_get(p, "name")) || buf_adds(&b, ",\"fields\":[")) {
		buf_release(&b);
		return -1;
	}
	fm->head = b.data;
	const json_t *fields = json_object_get(p, "fields");
	fm->nfields = json_array_size(fields);
	fm->fields = calloc(fm->nfields ? fm->nfields : 1, sizeof *fm->fields);
	if (!fm->fields)
		return -1;
	for (size_t i = 0; i < fm->nfields; i++) {
		const json_t *f = json_array_get(fields, i);
		fm->fields[i].registry = json_string_value(json_object_get(f, "registry"));
		fm->fields[i].head = field_head(f);
		fm->fields[i].tail = field_tail(f);
		if (!fm->fields[i].head || !fm->fields[i].tail)
			return -1;
	}
	return 0;
}

void prefill_release(struct registry *r)
{
	struct prefill_forms *pf = r->forms;
	for (size_t i = 0; pf && i < pf->n; i++) {
		for (size_t k = 0; k < pf->v[i].nfields; k++) {
			free(pf->v[i].fields[k].head);
			free(pf->v[i].fields[k].tail);
		}
		free(pf->v[i].fields);
		free(pf->v[i].head);
	}
	if (pf)
		free(pf->v);
	free(pf);
	r->forms = NULL;
}

int prefill_prepare(struct registry *r)
{
	const json_t *procs = r->catalog->procedures;
	struct prefill_forms *pf = calloc(1, sizeof *pf);
	if (!pf)
		return -1;
	r->forms = pf;
	pf->v = calloc(json_array_size(procs) + 1, sizeof *pf->v);
	if (!pf->v)
		return -1;
	for (size_t i = 0; i < json_array_size(procs); i++, pf->n++)
		if (prepare_form(&pf->v[i], json_array_get(procs, i))) {
			pf->n++;
			prefill_release(r);
			return -1;
		}
	return 0;
}

/* The prepared form of a procedure (the catalog is sorted by code, and so is this). */
static const struct form *form_of(const struct registry *r, const char *code)
{
	const struct prefill_forms *pf = r->forms;
	size_t lo = 0, hi = pf ? pf->n : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(pf->v[mid].code, code);
		if (!c)
			return &pf->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int prefill_form(const struct registry *r, struct db *db, const struct principal *who, const char *procedure,
		 char **out, struct err *e)
{
	const struct form *fm = form_of(r, procedure);
	if (!fm)
		return err_set(e, 404, "procedure_not_found", "no procedure with code %s", "không có thủ tục mã %s", procedure);
	if (who->role != ROLE_CITIZEN || !who->citizen_id[0])
		return err_set(e, 403, "forbidden", "prefill is for a signed-in citizen", "chỉ công dân đã đăng nhập mới dùng được");
	const json_t *doc;
	if (citizen_read(db, who->citizen_id, &doc, e))
		return -1;
	json_t *used = json_array();
	struct buf b;
	buf_init(&b, (size_t)1 << 20);
	int rc = buf_adds(&b, fm->head);
	for (size_t i = 0; i < fm->nfields; i++) {
		const struct form_field *f = &fm->fields[i];
		struct stored a;
		bool is_id = f->registry && !strcmp(f->registry, "id");
		bool known = f->registry && !is_id && record_get(doc, f->registry, &a);
		rc = rc || (i && buf_adds(&b, ",")) || buf_adds(&b, f->head);
		if (is_id)
			rc = rc || jw_str(&b, who->citizen_id) || buf_adds(&b, ",\"source\":\"population-db\",\"locked\":true");
		else if (known)
			rc = rc || jw_value(&b, a.value) || buf_adds(&b, ",\"source\":") || jw_str(&b, a.source) ||
			     buf_adds(&b, a.verified ? ",\"locked\":true" : ",\"locked\":false");
		else
			rc = rc || buf_adds(&b, "null,\"source\":null,\"locked\":false");
		rc = rc || buf_adds(&b, f->tail);
		if (known)
			json_array_append_new(used, json_string(f->registry));
	}
	json_decref((json_t *)doc);
	if (rc || buf_adds(&b, "]}")) {
		json_decref(used);
		buf_release(&b);
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	}
	struct usage_entry ux = {who->citizen_id, who->username, NULL, "prefill", procedure, used};
	usage_record(r, db, &ux, false, NULL); /* the citizen's own read: logged, not waited for */
	json_decref(used);
	*out = b.data;
	return 0;
}
