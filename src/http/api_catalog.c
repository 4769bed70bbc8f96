/* api_catalog.c — the procedure catalog, prefill, the attribute catalog and agency kinds. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "http/api.h"

#define QUERY_MAX 100

static bool contains_ci(const char *hay, const char *needle)
{
	return text_contains_folded(hay, needle);
}

/* Does procedure p match the text q (code, Vietnamese or English name, field), ignoring case
 * and diacritics ("dang ky khai sinh" finds "Đăng ký khai sinh")? */
static bool matches(const json_t *p, const char *q)
{
	const json_t *name = json_object_get(p, "name"), *field = json_object_get(p, "field");
	return contains_ci(json_string_value(json_object_get(p, "code")), q) ||
	       contains_ci(json_string_value(json_object_get(name, "vi")), q) ||
	       contains_ci(json_string_value(json_object_get(name, "en")), q) ||
	       contains_ci(json_string_value(json_object_get(field, "vi")), q) ||
	       contains_ci(json_string_value(json_object_get(field, "en")), q);
}

int api_procedures_list(struct call *c)
{
	const char *q = call_query(c, "q"), *level = call_query(c, "level"), *agency = call_query(c, "agency");
	if ((q && strlen(q) > QUERY_MAX) || (level && strcmp(level, "commune") && strcmp(level, "province")))
		return err_set(&c->err, 400, "invalid_query", "q is at most %d bytes; level is commune or province",
			       "q tối đa %d byte; level là commune hoặc province", QUERY_MAX);
	json_t *list = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(c->app->catalog.procedures, i, p) {
		if (q && !matches(p, q))
			continue;
		if (level && strcmp(level, json_string_value(json_object_get(p, "level"))))
			continue;
		if (agency && strcmp(agency, json_string_value(json_object_get(p, "agency"))))
			continue;
		json_t *o = json_object();
		static const char *const keys[] = {"code", "name", "field", "level", "agency", "processing_days", "fee",
						   "full_online", "full_online_ineligible"};
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
			if (json_object_get(p, keys[k]))
				json_object_set(o, keys[k], json_object_get(p, keys[k]));
		json_array_append_new(list, o);
	}
	c->result = json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(list), "procedures", list);
	return 0;
}

int api_procedure_get(struct call *c)
{
	const json_t *p = catalog_procedure(&c->app->catalog, c->params[0]);
	if (!p)
		return err_set(&c->err, 404, "procedure_not_found", "no procedure with code %s", "không có thủ tục mã %s",
			       c->params[0]);
	c->result = json_incref((json_t *)p);
	return 0;
}

int api_prefill(struct call *c)
{
	if (prefill_form(&c->app->registry, c->db, c->who, c->params[0], &c->text, &c->err))
		return -1;
	if (!xprefill_wanted(&c->app->exchange, c->params[0]))
		return 0;
	/* fields that another agency's database holds come through the exchange */
	json_t *form = json_loads(c->text, 0, NULL);
	if (!form)
		return err_set(&c->err, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	free(c->text);
	c->text = NULL;
	xprefill(&c->app->exchange, c->db, c->who, c->params[0], form, &c->err);
	c->result = form;
	return 0;
}

int api_attributes_list(struct call *c)
{
	c->result = json_incref(c->app->catalog.attributes);
	return 0;
}

int api_agencies_list(struct call *c)
{
	c->result = json_incref(c->app->catalog.agencies);
	return 0;
}
