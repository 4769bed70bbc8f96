/* prefill.c — a procedure's form filled from the registry, so nobody types twice what the state
 * already knows. Verified values come locked. */
#include <string.h>

#include "registry/record.h"
#include "registry/registry.h"

static const char *field_label(const json_t *f, const char *lang)
{
	const char *s = json_string_value(json_object_get(json_object_get(f, "label"), lang));
	return s ? s : "";
}

/* One field of the form: its description, then the value the registry holds. */
static int render_field(struct buf *b, const json_t *f, const char *value_id, const struct stored *a)
{
	const char *type = json_string_value(json_object_get(f, "type"));
	int rc = buf_adds(b, "{\"name\":") || jw_value(b, json_object_get(f, "name")) || buf_adds(b, ",\"label\":") ||
		 jw_str(b, field_label(f, "vi")) || buf_adds(b, ",\"label_en\":") || jw_str(b, field_label(f, "en")) ||
		 buf_adds(b, ",\"type\":") || jw_str(b, type ? type : "text") ||
		 buf_addf(b, ",\"required\":%s,\"value\":", json_is_true(json_object_get(f, "required")) ? "true" : "false");
	if (value_id)
		rc = rc || jw_str(b, value_id) || buf_adds(b, ",\"source\":\"population-db\",\"locked\":true");
	else if (a)
		rc = rc || jw_value(b, a->value) || buf_adds(b, ",\"source\":") || jw_str(b, a->source) ||
		     buf_addf(b, ",\"locked\":%s", a->verified ? "true" : "false");
	else
		rc = rc || buf_adds(b, "null,\"source\":null,\"locked\":false");
	if (json_object_get(f, "options"))
		rc = rc || buf_adds(b, ",\"options\":") || jw_value(b, json_object_get(f, "options"));
	return rc || buf_adds(b, "}");
}

int prefill_form(const struct registry *r, struct db *db, const struct principal *who, const char *procedure,
		 char **out, struct err *e)
{
	const json_t *p = catalog_procedure(r->catalog, procedure);
	if (!p)
		return err_set(e, 404, "procedure_not_found", "no procedure with code %s", "không có thủ tục mã %s", procedure);
	if (who->role != ROLE_CITIZEN || !who->citizen_id[0])
		return err_set(e, 403, "forbidden", "prefill is for a signed-in citizen", "chỉ công dân đã đăng nhập mới dùng được");
	json_t *doc;
	if (citizen_load(db, who->citizen_id, &doc, NULL, e))
		return -1;
	json_t *used = json_array();
	struct buf b;
	buf_init(&b, (size_t)1 << 20);
	int rc = buf_adds(&b, "{\"procedure\":") || jw_str(&b, procedure) || buf_adds(&b, ",\"name\":") ||
		 jw_value(&b, json_object_get(p, "name")) || buf_adds(&b, ",\"fields\":[");
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(p, "fields"), i, f) {
		const char *reg = json_string_value(json_object_get(f, "registry"));
		struct stored a;
		bool is_id = reg && !strcmp(reg, "id"), known = reg && !is_id && record_get(doc, reg, &a);
		rc = rc || (i && buf_adds(&b, ",")) || render_field(&b, f, is_id ? who->citizen_id : NULL, known ? &a : NULL);
		if (known)
			json_array_append_new(used, json_string(reg));
	}
	json_decref(doc);
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
