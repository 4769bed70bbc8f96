/* api_units.c — the administrative units as of a date. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "http/api.h"

/* ?at=YYYY-MM-DD, default today in Vietnam. */
static int date_param(struct call *c, char at[11])
{
	const char *s = call_query(c, "at");
	if (!s) {
		clock_today_vn(at, 11);
		return 0;
	}
	if (!clock_valid_date(s))
		return err_set(&c->err, 400, "invalid_query", "at must be a date YYYY-MM-DD", "at phải là ngày YYYY-MM-DD");
	snprintf(at, 11, "%s", s);
	return 0;
}

static bool in_force(const struct unit *x, const char *at)
{
	return strcmp(at, x->valid_from) >= 0 && (!x->valid_to[0] || strcmp(at, x->valid_to) <= 0);
}

static json_t *unit_json(const struct unit *x)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "code", x->code, "name", x->name, "type", x->type, "level",
			      units_level_name(x->level), "valid_from", x->valid_from);
	json_object_set_new(o, "valid_to", x->valid_to[0] ? json_string(x->valid_to) : json_null());
	json_object_set_new(o, "parent", x->parent[0] ? json_string(x->parent) : json_null());
	return o;
}

int api_units_list(struct call *c)
{
	char at[11];
	if (date_param(c, at))
		return -1;
	const struct units *u = c->app->units;
	const char *parent = call_query(c, "parent"), *level = call_query(c, "level");
	enum unit_level lv = UNIT_PROVINCE;
	if (level && units_level_parse(level, &lv))
		return err_set(&c->err, 400, "invalid_query", "level must be province, district or commune",
			       "level phải là province, district hoặc commune");
	if (parent && !units_find(u, parent, at))
		return err_set(&c->err, 404, "unit_not_found", "no unit %s on %s", "không có đơn vị %s vào ngày %s", parent, at);
	if (!parent && !level)
		lv = UNIT_PROVINCE; /* with no filter, the provinces */
	json_t *list = json_array();
	for (size_t i = 0; i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (!in_force(x, at) && units_find(u, x->code, at) != x)
			continue;
		if ((level || !parent) && x->level != lv)
			continue;
		if (parent && strcmp(x->parent, parent)) {
			/* ?parent=PROVINCE&level=commune reaches through the districts of the old map */
			const struct unit *p = units_parent(u, x);
			if (!(level && p && !strcmp(p->parent, parent)))
				continue;
		}
		json_array_append_new(list, unit_json(x));
	}
	c->result = json_pack("{s:s,s:I,s:o}", "at", at, "count", (json_int_t)json_array_size(list), "units", list);
	return 0;
}

static json_t *links_json(const struct units *u, const struct unit_link **v, size_t n, bool successors)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < 64; i++) {
		const char *code = successors ? v[i]->new_code : v[i]->old_code;
		const char *date = successors ? v[i]->effective : "2025-06-30";
		const struct unit *x = units_find(u, code, date);
		if (!successors) {
			/* the predecessor is on the map that ended the day before the link took effect */
			for (size_t k = 0; k < units_count(u); k++) {
				const struct unit *y = units_at(u, k);
				if (!strcmp(y->code, code) && y->valid_to[0] && strcmp(y->valid_to, v[i]->effective) < 0)
					x = y;
			}
		}
		json_t *o = json_pack("{s:s,s:s,s:s}", "code", code, "kind", v[i]->kind, "effective", v[i]->effective);
		if (x)
			json_object_set_new(o, "name", json_string(x->name));
		json_array_append_new(a, o);
	}
	return a;
}

int api_unit_get(struct call *c)
{
	char at[11];
	if (date_param(c, at))
		return -1;
	const struct units *u = c->app->units;
	const struct unit *x = units_valid_code(c->params[0]) ? units_find(u, c->params[0], at) : NULL;
	if (!x)
		return err_set(&c->err, 404, "unit_not_found", "no unit %s on %s", "không có đơn vị %s vào ngày %s", c->params[0], at);
	json_t *o = unit_json(x);
	const struct unit *p = units_parent(u, x);
	if (p)
		json_object_set_new(o, "parent_unit", json_pack("{s:s,s:s,s:s}", "code", p->code, "name", p->name, "level",
							       units_level_name(p->level)));
	const struct unit_link *links[64];
	size_t n = units_predecessors(u, x, links, 64);
	json_object_set_new(o, "predecessors", links_json(u, links, n, false));
	n = units_successors(u, x, links, 64);
	json_object_set_new(o, "successors", links_json(u, links, n, true));
	c->result = o;
	return 0;
}
