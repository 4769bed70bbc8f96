/* units.c — dataset 2, the administrative units: every unit of every map (before and after the
 * 2025 reform) with its level, parent and validity, in the order the unit index keeps them. */
#include <stdio.h>
#include <string.h>

#include "opendata/dataset.h"

static const struct od_field fields[] = {
	{"code", "text", "Mã đơn vị", "the unit's code (GSO): 2 digits a province, 3 a district, 5 a commune; repeats across maps"},
	{"name", "text", "Tên đơn vị", "the unit's name"},
	{"type", "text", "Loại đơn vị", "Tỉnh, Thành phố Trung ương, Huyện, Quận, Xã, Phường, Thị trấn, …"},
	{"level", "text", "Cấp", "province, district or commune"},
	{"parent", "text", "Đơn vị cấp trên", "the code of the unit above it on the same map (empty for a province)"},
	{"valid_from", "date", "Hiệu lực từ", "the first day the unit is in force on this map"},
	{"valid_to", "date", "Hiệu lực đến", "the last day it is in force (empty while in force)"},
};
#define NFIELDS (sizeof fields / sizeof *fields)

static json_t *unit_fields(const struct opendata *o)
{
	(void)o;
	return od_fields_json(fields, NFIELDS);
}

static json_t *record(const struct unit *x)
{
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s}", "code", x->code, "name", x->name, "type", x->type, "level",
			      units_level_name(x->level), "valid_from", x->valid_from);
	json_object_set_new(r, "parent", x->parent[0] ? json_string(x->parent) : json_null());
	json_object_set_new(r, "valid_to", x->valid_to[0] ? json_string(x->valid_to) : json_null());
	return r;
}

static int unit_records(const struct opendata *o, struct db *db, struct od_page *pg, struct err *e)
{
	(void)db;
	(void)e;
	const struct units *u = o->d->registry->units;
	for (size_t i = 0; i < units_count(u); i++)
		if (od_page_wants(pg))
			od_page_add(pg, record(units_at(u, i)));
	return 0;
}

/* From the oldest map's first day; open at the end while the newest is in force. */
static int unit_coverage(const struct opendata *o, struct db *db, struct od_coverage *cv, struct err *e)
{
	const struct units *u = o->d->registry->units;
	if (od_loaded_at(db, &cv->modified_us))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	for (size_t i = 0; i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (!cv->from[0] || strcmp(x->valid_from, cv->from) < 0)
			snprintf(cv->from, sizeof cv->from, "%s", x->valid_from);
	}
	return 0; /* until: open, the newest map is in force */
}

const struct od_dataset od_units = {"administrative-units", unit_fields, unit_records, unit_coverage};
