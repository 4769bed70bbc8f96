/* load.c — builds struct units from data/admin-units/: maps.json lists the map files, their
 * format and the dates they are in force. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "units/units.h"

struct loader {
	struct units *u;
	const char *from, *to;
	struct err *e;
};

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* New units carry no type: it is the leading words of the name ("Phường Phủ Lý"). */
static void type_from_name(const char *name, char *out, size_t n)
{
	static const char *const two_words[] = {"Thành phố", "Đặc khu", "Thị xã", "Thị trấn"};
	for (size_t i = 0; i < sizeof two_words / sizeof *two_words; i++)
		if (!strncmp(name, two_words[i], strlen(two_words[i]))) {
			copy(out, n, two_words[i]);
			return;
		}
	const char *sp = strchr(name, ' ');
	snprintf(out, n, "%.*s", sp ? (int)(sp - name) : (int)strlen(name), name);
}

static int add(struct loader *l, const char *code, const char *name, const char *type, enum unit_level lv,
	       const char *parent)
{
	struct unit x = {0};
	if (!code || !name || !units_valid_code(code))
		return err_set(l->e, 500, "bad_unit_data", "unit data: bad entry '%s'", "dữ liệu đơn vị: mục sai '%s'",
			       code ? code : "?");
	copy(x.code, sizeof x.code, code);
	copy(x.name, sizeof x.name, name);
	if (type)
		copy(x.type, sizeof x.type, type);
	else
		type_from_name(name, x.type, sizeof x.type);
	x.level = lv;
	copy(x.parent, sizeof x.parent, parent);
	copy(x.valid_from, sizeof x.valid_from, l->from);
	copy(x.valid_to, sizeof x.valid_to, l->to);
	return units_add(l->u, &x) ? err_set(l->e, 500, "out_of_memory", "out of memory", "hết bộ nhớ") : 0;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int load_gso(struct loader *l, json_t *data)
{
	size_t i, j, k;
	json_t *p, *d, *c;
	json_array_foreach(data, i, p) {
		if (add(l, str(p, "level1_id"), str(p, "name"), str(p, "type"), UNIT_PROVINCE, NULL))
			return -1;
		json_array_foreach(json_object_get(p, "level2s"), j, d) {
			if (add(l, str(d, "level2_id"), str(d, "name"), str(d, "type"), UNIT_DISTRICT, str(p, "level1_id")))
				return -1;
			json_array_foreach(json_object_get(d, "level3s"), k, c)
				if (add(l, str(c, "level3_id"), str(c, "name"), str(c, "type"), UNIT_COMMUNE,
					str(d, "level2_id")))
					return -1;
		}
	}
	return 0;
}

static int add_links(struct loader *l, json_t *merges, const char *new_code, enum unit_level lv)
{
	size_t i;
	json_t *m;
	json_array_foreach(merges, i, m) {
		struct unit_link k = {0};
		copy(k.old_code, sizeof k.old_code, str(m, "old_id"));
		copy(k.new_code, sizeof k.new_code, new_code);
		copy(k.kind, sizeof k.kind, str(m, "type"));
		copy(k.effective, sizeof k.effective, l->from);
		k.level = lv;
		if (!units_valid_code(k.old_code) || units_link(l->u, &k))
			return err_set(l->e, 500, "bad_unit_data", "unit data: bad merge entry under %s",
				       "dữ liệu đơn vị: mục sáp nhập sai tại %s", new_code);
	}
	return 0;
}

static int load_merges(struct loader *l, json_t *data)
{
	size_t i, j;
	json_t *p, *c;
	json_array_foreach(data, i, p) {
		const char *pc = str(p, "level1_id");
		if (add(l, pc, str(p, "name"), NULL, UNIT_PROVINCE, NULL) ||
		    add_links(l, json_object_get(p, "merges"), pc, UNIT_PROVINCE))
			return -1;
		json_array_foreach(json_object_get(p, "level2s"), j, c) {
			const char *cc = str(c, "level2_id");
			if (add(l, cc, str(c, "name"), NULL, UNIT_COMMUNE, pc) ||
			    add_links(l, json_object_get(c, "merges"), cc, UNIT_COMMUNE))
				return -1;
		}
	}
	return 0;
}

static json_t *load_file(const char *dir, const char *name, struct err *e)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	json_error_t je;
	json_t *v = json_load_file(path, 0, &je);
	if (!v)
		err_set(e, 500, "bad_unit_data", "cannot read %s: %s", "không đọc được %s: %s", path, je.text);
	return v;
}

int units_load_dir(struct units *u, const char *dir, struct err *e)
{
	json_t *maps = load_file(dir, "maps.json", e);
	if (!maps)
		return -1;
	int rc = 0;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(maps, "maps"), i, m) {
		const char *fmt = str(m, "format");
		struct loader l = {u, str(m, "valid_from"), str(m, "valid_to"), e};
		json_t *doc = str(m, "file") ? load_file(dir, str(m, "file"), e) : NULL;
		json_t *data = json_object_get(doc, "data");
		if (!doc || !fmt || !l.from || !json_is_array(data))
			rc = doc ? err_set(e, 500, "bad_unit_data", "%s/maps.json: entry %zu is incomplete",
					   "%s/maps.json: mục %zu thiếu thông tin", dir, i)
				 : -1;
		else if (!strcmp(fmt, "gso-3tier"))
			rc = load_gso(&l, data);
		else if (!strcmp(fmt, "merges-2tier"))
			rc = load_merges(&l, data);
		else
			rc = err_set(e, 500, "bad_unit_data", "unknown map format '%s'", "định dạng bản đồ lạ '%s'", fmt);
		json_decref(doc);
		if (rc)
			break;
	}
	json_decref(maps);
	if (!rc)
		units_index(u);
	return rc;
}
