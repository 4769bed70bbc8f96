/* record.c — reading and writing the compact stored form of a citizen's record. */
#include "registry/record.h"

#include <stdio.h>
#include <string.h>

json_t *record_new(void)
{
	return json_pack("{s:{},s:{},s:[],s:{}}", "d", "v", "x", "o");
}

/* Index of name in the "x" list (verified flag flipped), or -1. */
static int flipped(const json_t *x, const char *name)
{
	size_t i;
	json_t *n;
	json_array_foreach(x, i, n) if (!strcmp(json_string_value(n) ? json_string_value(n) : "", name)) return (int)i;
	return -1;
}

static void read_prov(const json_t *p, struct stored *out)
{
	out->source = json_string_value(json_object_get(p, "s"));
	if (!out->source)
		out->source = "";
	out->verified = json_is_true(json_object_get(p, "f"));
	out->updated_at = json_integer_value(json_object_get(p, "t"));
	out->version = json_integer_value(json_object_get(p, "n"));
	out->actor = json_string_value(json_object_get(p, "a"));
	if (!out->actor)
		out->actor = "";
}

void record_view(const json_t *doc, struct record_view *w)
{
	w->v = json_object_get(doc, "v");
	w->x = json_object_get(doc, "x");
	w->o = json_object_get(doc, "o");
	read_prov(json_object_get(doc, "d"), &w->defaults);
}

bool record_view_get(const struct record_view *w, const char *name, struct stored *out)
{
	json_t *v = json_object_get(w->v, name);
	if (v) {
		*out = w->defaults;
		out->value = v;
		if (flipped(w->x, name) >= 0)
			out->verified = !out->verified;
		return true;
	}
	json_t *o = json_object_get(w->o, name);
	if (!o)
		return false;
	read_prov(o, out);
	out->value = json_object_get(o, "value");
	return out->value != NULL;
}

bool record_get(const json_t *doc, const char *name, struct stored *out)
{
	struct record_view w;
	record_view(doc, &w);
	return record_view_get(&w, name, out);
}

static json_t *prov(const struct stored *s)
{
	return json_pack("{s:s,s:b,s:I,s:I,s:s}", "s", s->source, "f", s->verified, "t", (json_int_t)s->updated_at, "n",
			 (json_int_t)s->version, "a", s->actor);
}

int record_set(json_t *doc, const char *name, const struct stored *s)
{
	json_t *d = json_object_get(doc, "d"), *v = json_object_get(doc, "v"), *o = json_object_get(doc, "o");
	if (!d || !v || !o)
		return -1;
	json_t *p = prov(s);
	if (!p)
		return -1;
	if (json_object_size(d) == 0) /* the first attribute sets the defaults */
		json_object_update(d, p);
	json_object_del(v, name);
	json_object_del(o, name);
	json_t *x = json_object_get(doc, "x");
	if (!x) {
		x = json_array();
		json_object_set_new(doc, "x", x);
	}
	int at = flipped(x, name);
	if (at >= 0)
		json_array_remove(x, (size_t)at);
	json_object_set_new(p, "f", json_boolean(!s->verified)); /* the defaults but for the flag? */
	bool flip = json_equal(d, p);
	json_object_set_new(p, "f", json_boolean(s->verified));
	int rc;
	if (json_equal(d, p) || flip) {
		rc = json_object_set(v, name, s->value) || (flip && json_array_append_new(x, json_string(name)));
		json_decref(p);
	} else {
		rc = json_object_set(p, "value", s->value) || json_object_set_new(o, name, p);
	}
	return rc ? -1 : 0;
}

json_t *record_names(const json_t *doc)
{
	json_t *names = json_array();
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(doc, "v"), k, x) json_array_append_new(names, json_string(k));
	json_object_foreach(json_object_get(doc, "o"), k, x) json_array_append_new(names, json_string(k));
	return names;
}
