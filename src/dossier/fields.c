/* fields.c — a dossier's form: each submitted field checked against the procedure's field
 * definitions, and completed from the applicant's registry record so nobody types twice what the
 * state already knows. Verified values are locked: the applicant may not change them. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "dossier/dossier.h"
#include "registry/record.h"

#define TEXT_MAX 1000
#define TEXTAREA_MAX 4000

static void problem(json_t *problems, const char *field, const struct err *e)
{
	json_array_append_new(problems, json_pack("{s:s,s:s,s:s,s:s}", "field", field, "code", e->code, "message", e->msg,
						  "message_vi", e->msg_vi));
}

static bool has_control(const char *s, bool newlines_ok)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' && !(newlines_ok && (*s == '\n' || *s == '\r' || *s == '\t')))
			return true;
	return false;
}

/* Checks a value through a registry attribute of the same kind (phone, email, address ...). */
static int as_attribute(const struct registry *r, const char *attr, const json_t *v, struct err *e)
{
	const struct attr_def *d = catalog_attr(r->catalog, attr);
	return d ? attr_validate(r, d, v, e) : 0;
}

static bool in_options(const json_t *options, const char *s)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o) if (json_is_string(o) && !strcmp(json_string_value(o), s)) return true;
	return false;
}

/* One value against its field's type; 0, or -1 with e. */
static int check_value(const struct registry *r, const json_t *f, const char *name, const json_t *v, struct err *e)
{
	const char *type = json_string_value(json_object_get(f, "type"));
	const char *s = json_string_value(v);
	if (!type)
		type = "text";
	if (!strcmp(type, "address"))
		return as_attribute(r, "permanent_address", v, e);
	if (!strcmp(type, "number")) {
		if (json_is_number(v) && json_number_value(v) >= 0)
			return 0;
		return err_set(e, 422, "invalid_field", "'%s' must be a number", "'%s' phải là số", name);
	}
	if (!s)
		return err_set(e, 422, "invalid_field", "'%s' must be a string", "'%s' phải là chuỗi ký tự", name);
	size_t n = json_string_length(v);
	bool area = !strcmp(type, "textarea");
	if (n == 0 || n > (area ? TEXTAREA_MAX : TEXT_MAX) || strlen(s) != n || has_control(s, area))
		return err_set(e, 422, "invalid_field", "'%s' must be 1-%d bytes of text", "'%s' phải là văn bản 1-%d byte", name,
			       area ? TEXTAREA_MAX : TEXT_MAX);
	if (!strcmp(type, "date") && !clock_valid_date(s))
		return err_set(e, 422, "invalid_field", "'%s' must be a date YYYY-MM-DD", "'%s' phải là ngày YYYY-MM-DD", name);
	if (!strcmp(type, "sex") && strcmp(s, "male") && strcmp(s, "female"))
		return err_set(e, 422, "invalid_field", "'%s' must be male or female", "'%s' phải là male hoặc female", name);
	if (!strcmp(type, "select") && !in_options(json_object_get(f, "options"), s))
		return err_set(e, 422, "invalid_field", "'%s' is not one of the allowed values", "'%s' không thuộc các giá trị cho phép",
			       name);
	if (!strcmp(type, "id"))
		return citizen_id_check(s, NULL, NULL, r->units, e);
	if (!strcmp(type, "phone") || !strcmp(type, "email"))
		return as_attribute(r, type, v, e);
	return 0;
}

/* The registry's value for a field: the applicant's ID, or an attribute. */
static bool registry_value(const struct record_view *rec, const char *applicant_id, const char *reg, const json_t **v, bool *locked,
			   json_t **owned)
{
	*owned = NULL;
	if (!strcmp(reg, "id")) {
		*v = *owned = json_string(applicant_id);
		*locked = true;
		return true;
	}
	struct stored s;
	if (!record_view_get(rec, reg, &s))
		return false;
	*v = s.value;
	*locked = s.verified;
	return true;
}

int form_check(const struct registry *r, const json_t *procedure, const json_t *doc, const char *applicant_id,
	       const json_t *fields, json_t **out, json_t **problems, struct err *e)
{
	*out = json_object();
	*problems = json_array();
	const json_t *defs = json_object_get(procedure, "fields");
	struct record_view rec;
	record_view(doc, &rec);
	const char *key;
	json_t *x;
	json_object_foreach((json_t *)fields, key, x) {
		bool known = false;
		size_t i;
		json_t *f;
		json_array_foreach(defs, i, f) known = known || !strcmp(key, json_string_value(json_object_get(f, "name")));
		if (!known) {
			struct err pe;
			err_set(&pe, 422, "unknown_field", "'%s' is not a field of this procedure's form",
				"'%s' không phải trường của biểu mẫu thủ tục này", key);
			problem(*problems, key, &pe);
		}
	}
	size_t i;
	json_t *f;
	json_array_foreach(defs, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *reg = json_string_value(json_object_get(f, "registry"));
		const json_t *v = json_object_get(fields, name), *rv = NULL;
		json_t *owned = NULL;
		bool locked = false, from_registry = reg && registry_value(&rec, applicant_id, reg, &rv, &locked, &owned);
		struct err pe = {0};
		if (json_is_null(v))
			v = NULL;
		if (from_registry && locked && v && !json_equal(v, rv))
			err_set(&pe, 422, "locked_field",
				"'%s' comes verified from the registry and cannot be changed here; ask the agency that holds it",
				"'%s' đã được xác thực trong cơ sở dữ liệu, không sửa được tại đây; hãy đề nghị cơ quan quản lý", name);
		else {
			if (!v && from_registry)
				v = rv;
			if (!v && json_is_true(json_object_get(f, "required")))
				err_set(&pe, 422, "missing_field", "'%s' is required", "cần điền '%s'", name);
			else if (v)
				check_value(r, f, name, v, &pe);
		}
		if (pe.status)
			problem(*problems, name, &pe);
		else if (v)
			json_object_set(*out, name, (json_t *)v);
		json_decref(owned);
	}
	if (json_array_size(*problems) == 0) {
		json_decref(*problems);
		*problems = NULL;
		return 0;
	}
	json_decref(*out);
	*out = NULL;
	return err_set(e, 422, "invalid_fields", "%zu field(s) of the form need attention: see fields",
		       "%zu trường của biểu mẫu cần sửa: xem fields", json_array_size(*problems));
}
