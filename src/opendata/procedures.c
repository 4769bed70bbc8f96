/* procedures.c — dataset 1, the procedure catalog: every procedure of the embedded catalog
 * (data/procedures/, as init stored it) in code order, with its agency's name. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "opendata/dataset.h"

static const struct od_field fields[] = {
	{"code", "text", "Mã thủ tục", "the procedure's code in the national catalog (or TD.nnnn for local ones)"},
	{"name", "text", "Tên thủ tục", "the procedure's name in Vietnamese"},
	{"name_en", "text", "Tên tiếng Anh", "the procedure's name in English"},
	{"field", "text", "Lĩnh vực", "the field it belongs to, in Vietnamese"},
	{"field_en", "text", "Lĩnh vực (tiếng Anh)", "the field in English"},
	{"level", "text", "Cấp thực hiện", "the level of the unit that handles it: commune or province"},
	{"agency", "text", "Cơ quan", "the kind of agency that handles it (ubnd, congan, …)"},
	{"agency_name", "text", "Tên cơ quan", "that agency kind's name in Vietnamese"},
	{"processing_days", "int", "Thời hạn giải quyết", "the legal processing time in working days"},
	{"fee", "int", "Lệ phí", "the fee in đồng (0: free)"},
	{"full_online", "bool", "Trực tuyến toàn trình", "whether it can be done fully online"},
	{"legal_basis", "text", "Căn cứ pháp lý", "the legal documents it rests on, separated by \"; \""},
};
#define NFIELDS (sizeof fields / sizeof *fields)

static json_t *procedure_fields(const struct opendata *o)
{
	(void)o;
	return od_fields_json(fields, NFIELDS);
}

static const char *text_of(const json_t *x, const char *key, const char *lang)
{
	const json_t *v = json_object_get(x, key);
	const char *s = lang ? json_string_value(json_object_get(v, lang)) : json_string_value(v);
	return s ? s : "";
}

/* The legal basis as one text, "; " between documents. */
static json_t *legal_basis(const json_t *x)
{
	struct buf b;
	buf_init(&b, 8192);
	size_t i;
	json_t *doc;
	int rc = 0;
	json_array_foreach(json_object_get(x, "legal_basis"), i, doc)
		rc = rc || buf_addf(&b, "%s%s", i ? "; " : "", json_string_value(doc) ? json_string_value(doc) : "");
	json_t *v = json_string(!rc && b.data ? b.data : "");
	buf_release(&b);
	return v;
}

static json_t *record(const struct catalog *c, const json_t *x)
{
	const json_t *agency = catalog_agency(c, text_of(x, "agency", NULL));
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "code", text_of(x, "code", NULL), "name", text_of(x, "name", "vi"),
			      "name_en", text_of(x, "name", "en"), "field", text_of(x, "field", "vi"), "field_en", text_of(x, "field", "en"),
			      "level", text_of(x, "level", NULL), "agency", text_of(x, "agency", NULL), "agency_name",
			      agency ? text_of(agency, "name", "vi") : "");
	json_object_set_new(r, "processing_days", json_integer(json_integer_value(json_object_get(x, "processing_days"))));
	json_object_set_new(r, "fee", json_integer(json_integer_value(json_object_get(x, "fee"))));
	json_object_set_new(r, "full_online", json_boolean(json_is_true(json_object_get(x, "full_online"))));
	json_object_set_new(r, "legal_basis", legal_basis(x));
	return r;
}

static int procedure_records(const struct opendata *o, struct db *db, struct od_page *pg, struct err *e)
{
	(void)db;
	(void)e;
	const struct catalog *c = o->d->registry->catalog;
	size_t i;
	json_t *x;
	json_array_foreach(c->procedures, i, x) if (od_page_wants(pg)) od_page_add(pg, record(c, x));
	return 0;
}

/* The catalog in force since init last loaded it; open at the end. */
static int procedure_coverage(const struct opendata *o, struct db *db, struct od_coverage *cv, struct err *e)
{
	(void)o;
	if (od_loaded_at(db, &cv->modified_us))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	clock_date_vn(cv->modified_us, cv->from, sizeof cv->from);
	return 0;
}

const struct od_dataset od_procedures = {"procedure-catalog", procedure_fields, procedure_records, procedure_coverage};
