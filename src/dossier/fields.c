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

static int text_check(const char *name, const json_t *v, bool area, struct err *e)
{
	const char *s = json_string_value(v);
	if (!s)
		return err_set(e, 422, "invalid_field", "'%s' must be a string", "'%s' phải là chuỗi ký tự", name);
	size_t n = json_string_length(v);
	if (n == 0 || n > (area ? TEXTAREA_MAX : TEXT_MAX) || strlen(s) != n || has_control(s, area))
		return err_set(e, 422, "invalid_field", "'%s' must be 1-%d bytes of text", "'%s' phải là văn bản 1-%d byte", name,
			       area ? TEXTAREA_MAX : TEXT_MAX);
	return 0;
}

/* One value against its field's kind; 0, or -1 with e. */
static int check_value(const struct registry *r, const struct field_def *f, const json_t *v, struct err *e)
{
	const char *name = f->name, *s = json_string_value(v);
	switch (f->kind) {
	case FIELD_ADDRESS:
		return as_attribute(r, "permanent_address", v, e);
	case FIELD_NUMBER:
		if (json_is_number(v) && json_number_value(v) >= 0)
			return 0;
		return err_set(e, 422, "invalid_field", "'%s' must be a number", "'%s' phải là số", name);
	case FIELD_TEXTAREA:
		return text_check(name, v, true, e);
	default:
		break;
	}
	if (text_check(name, v, false, e))
		return -1;
	switch (f->kind) {
	case FIELD_DATE:
		return clock_valid_date(s) ? 0
					   : err_set(e, 422, "invalid_field", "'%s' must be a date YYYY-MM-DD", "'%s' phải là ngày YYYY-MM-DD",
						     name);
	case FIELD_SEX:
		return !strcmp(s, "male") || !strcmp(s, "female")
			       ? 0
			       : err_set(e, 422, "invalid_field", "'%s' must be male or female", "'%s' phải là male hoặc female", name);
	case FIELD_SELECT:
		return in_options(f->options, s) ? 0
						 : err_set(e, 422, "invalid_field", "'%s' is not one of the allowed values",
							   "'%s' không thuộc các giá trị cho phép", name);
	case FIELD_ID:
		return citizen_id_check(s, NULL, NULL, r->units, e);
	case FIELD_PHONE:
		return as_attribute(r, "phone", v, e);
	case FIELD_EMAIL:
		return as_attribute(r, "email", v, e);
	default:
		return 0;
	}
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

/* Names each submitted field the form does not have. */
static void unknown_fields(const struct procedure_def *p, const json_t *fields, json_t *problems)
{
	const char *key;
	json_t *x;
	json_object_foreach((json_t *)fields, key, x) {
		bool known = false;
		for (size_t i = 0; i < p->nfields && !known; i++)
			known = !strcmp(key, p->fields[i].name);
		if (!known) {
			struct err pe;
			err_set(&pe, 422, "unknown_field", "'%s' is not a field of this procedure's form",
				"'%s' không phải trường của biểu mẫu thủ tục này", key);
			problem(problems, key, &pe);
		}
	}
}

int form_check(const struct registry *r, const struct procedure_def *procedure, const json_t *doc, const char *applicant_id,
	       const json_t *fields, json_t **out, json_t **problems, struct err *e)
{
	*out = json_object();
	*problems = json_array();
	struct record_view rec;
	record_view(doc, &rec);
	size_t given = 0; /* submitted fields that are the form's */
	for (size_t i = 0; i < procedure->nfields; i++) {
		const struct field_def *f = &procedure->fields[i];
		const char *name = f->name;
		const json_t *v = json_object_get(fields, name), *rv = NULL;
		json_t *owned = NULL;
		bool locked = false, from_registry = f->registry && registry_value(&rec, applicant_id, f->registry, &rv, &locked, &owned);
		struct err pe = {0};
		given += v != NULL;
		if (json_is_null(v))
			v = NULL;
		if (from_registry && locked && v && !json_equal(v, rv))
			err_set(&pe, 422, "locked_field",
				"'%s' comes verified from the registry and cannot be changed here; ask the agency that holds it",
				"'%s' đã được xác thực trong cơ sở dữ liệu, không sửa được tại đây; hãy đề nghị cơ quan quản lý", name);
		else {
			if (!v && from_registry)
				v = rv;
			if (!v && f->required)
				err_set(&pe, 422, "missing_field", "'%s' is required", "cần điền '%s'", name);
			else if (v)
				check_value(r, f, v, &pe);
		}
		if (pe.status)
			problem(*problems, name, &pe);
		else if (v)
			json_object_set(*out, name, (json_t *)v);
		json_decref(owned);
	}
	if (given < json_object_size(fields)) { /* fields the form does not have: named first */
		json_t *all = json_array();
		unknown_fields(procedure, fields, all);
		json_array_extend(all, *problems);
		json_decref(*problems);
		*problems = all;
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
