/* prefill.c — a procedure's form filled from the registry, so nobody types twice what the state
 * already knows. Verified values come locked. */
#include <string.h>

#include "registry/record.h"
#include "registry/registry.h"

static json_t *field_label(const json_t *f, const char *lang)
{
	const char *s = json_string_value(json_object_get(json_object_get(f, "label"), lang));
	return json_string(s ? s : "");
}

int prefill_form(const struct registry *r, struct db *db, const struct principal *who, const char *procedure,
		 json_t **out, struct err *e)
{
	const json_t *p = catalog_procedure(r->catalog, procedure);
	if (!p)
		return err_set(e, 404, "procedure_not_found", "no procedure with code %s", "không có thủ tục mã %s", procedure);
	if (who->role != ROLE_CITIZEN || !who->citizen_id[0])
		return err_set(e, 403, "forbidden", "prefill is for a signed-in citizen", "chỉ công dân đã đăng nhập mới dùng được");
	json_t *doc;
	if (citizen_load(db, who->citizen_id, &doc, NULL, e))
		return -1;
	json_t *fields = json_array(), *used = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(p, "fields"), i, f) {
		const char *reg = json_string_value(json_object_get(f, "registry"));
		struct stored a;
		bool known = reg && record_get(doc, reg, &a);
		json_t *o = json_pack("{s:O,s:o,s:o,s:O}", "name", json_object_get(f, "name"), "label", field_label(f, "vi"),
				      "label_en", field_label(f, "en"), "type", json_object_get(f, "type"));
		json_object_set(o, "required", json_is_true(json_object_get(f, "required")) ? json_true() : json_false());
		if (reg && !strcmp(reg, "id")) {
			json_object_set_new(o, "value", json_string(who->citizen_id));
			json_object_set_new(o, "source", json_string("population-db"));
			json_object_set_new(o, "locked", json_true());
		} else if (known) {
			json_object_set(o, "value", a.value);
			json_object_set_new(o, "source", json_string(a.source));
			json_object_set_new(o, "locked", json_boolean(a.verified));
			json_array_append_new(used, json_string(reg));
		} else {
			json_object_set_new(o, "value", json_null());
			json_object_set_new(o, "source", json_null());
			json_object_set_new(o, "locked", json_false());
		}
		if (json_object_get(f, "options"))
			json_object_set(o, "options", json_object_get(f, "options"));
		json_array_append_new(fields, o);
	}
	json_decref(doc);
	struct usage_entry ux = {who->citizen_id, who->username, NULL, "prefill", procedure, used};
	usage_record(r, db, &ux, false, NULL); /* the citizen's own read: logged, not waited for */
	json_decref(used);
	*out = json_pack("{s:s,s:O,s:o}", "procedure", procedure, "name", json_object_get(p, "name"), "fields", fields);
	return 0;
}
