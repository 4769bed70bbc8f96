/* gen.c — synthetic citizens for demos, tests and benchmarks: Vietnamese names from
 * data/names/vi.json, IDs consistent with birth date and sex, addresses in real communes of the
 * province (on today's map; a pre-2025 province code means the communes that succeeded it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/text.h"
#include "registry/registry.h"

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static unsigned below(struct rng *r, unsigned n)
{
	return n ? (unsigned)(next(r) % n) : 0;
}

struct weighted {
	const char **v;
	unsigned *cum;
	size_t n;
	unsigned total;
};

/* Reads ["name", weight] pairs, or plain strings (weight 1). */
static int weighted_load(struct weighted *w, json_t *arr)
{
	w->n = json_array_size(arr);
	w->v = calloc(w->n ? w->n : 1, sizeof *w->v);
	w->cum = calloc(w->n ? w->n : 1, sizeof *w->cum);
	if (!w->v || !w->cum || !w->n)
		return -1;
	w->total = 0;
	for (size_t i = 0; i < w->n; i++) {
		json_t *x = json_array_get(arr, i);
		json_t *name = json_is_array(x) ? json_array_get(x, 0) : x;
		json_int_t weight = json_is_array(x) ? json_integer_value(json_array_get(x, 1)) : 1;
		if (!json_is_string(name))
			return -1;
		w->v[i] = json_string_value(name);
		w->total += (unsigned)(weight > 0 ? weight : 1);
		w->cum[i] = w->total;
	}
	return 0;
}

static const char *pick(struct weighted *w, struct rng *r)
{
	unsigned x = below(r, w->total);
	size_t lo = 0, hi = w->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return w->v[lo];
}

static void weighted_free(struct weighted *w)
{
	free(w->v);
	free(w->cum);
}

/* Today's communes of province p: its own, or those that succeeded its pre-2025 communes. */
static size_t province_communes(const struct units *u, const char *pcode, const struct unit ***out)
{
	size_t cap = 512, n = 0;
	const struct unit **v = malloc(cap * sizeof *v);
	const char *today = "2099-12-31";
	const struct unit *prov = units_find(u, pcode, today);
	for (size_t i = 0; v && i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (x->level != UNIT_COMMUNE || x->valid_to[0])
			continue;
		bool ours = prov && !strcmp(x->parent, pcode) && !strcmp(prov->code, pcode);
		if (!ours) { /* does any predecessor lie in the old province? */
			const struct unit_link *pre[64];
			size_t np = units_predecessors(u, x, pre, 64);
			for (size_t k = 0; k < np && k < 64 && !ours; k++) {
				const struct unit *old = units_find(u, pre[k]->old_code, "2025-06-30");
				const struct unit *dist = old ? units_parent(u, old) : NULL;
				ours = dist && !strcmp(dist->parent, pcode) && !prov;
			}
		}
		if (!ours)
			continue;
		if (n == cap) {
			const struct unit **w = realloc(v, (cap *= 2) * sizeof *v);
			if (!w)
				break;
			v = w;
		}
		v[n++] = x;
	}
	*out = v;
	return n;
}

const char *const registry_csv_columns[] = {
	"id", "full_name", "date_of_birth", "sex", "place_of_birth", "hometown", "ethnicity", "religion", "nationality",
	"permanent_unit", "permanent_street", "current_unit", "current_street", "marital_status", "phone", "email", NULL};

struct names {
	json_t *doc;
	struct weighted surnames, mid_m, mid_f, given_m, given_f, streets, ethnic, religion, domains, prefixes;
};

static int names_load(struct names *nm, const char *data_dir, struct err *e)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/names/vi.json", data_dir);
	json_error_t je;
	nm->doc = json_load_file(path, 0, &je);
	if (!nm->doc)
		return err_set(e, 500, "bad_data", "cannot read %s: %s", "không đọc được %s: %s", path, je.text);
	struct {
		struct weighted *w;
		const char *key;
	} lists[] = {{&nm->surnames, "surnames"},   {&nm->mid_m, "middle_male"},   {&nm->mid_f, "middle_female"},
		     {&nm->given_m, "given_male"},  {&nm->given_f, "given_female"}, {&nm->streets, "streets"},
		     {&nm->ethnic, "ethnicities"},  {&nm->religion, "religions"},  {&nm->domains, "email_domains"},
		     {&nm->prefixes, "phone_prefixes"}};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		if (weighted_load(lists[i].w, json_object_get(nm->doc, lists[i].key)))
			return err_set(e, 500, "bad_data", "%s: list '%s' is missing or empty", "%s: thiếu danh sách '%s'", path,
				       lists[i].key);
	return 0;
}

static void names_free(struct names *nm)
{
	struct weighted *all[] = {&nm->surnames, &nm->mid_m, &nm->mid_f, &nm->given_m, &nm->given_f,
				  &nm->streets,  &nm->ethnic, &nm->religion, &nm->domains, &nm->prefixes};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		weighted_free(all[i]);
	json_decref(nm->doc);
}

static const char *marital(struct rng *r, int age)
{
	if (age < 20)
		return "single";
	unsigned x = below(r, 100);
	if (age < 30)
		return x < 55 ? "single" : x < 95 ? "married" : "divorced";
	if (age < 65)
		return x < 8 ? "single" : x < 88 ? "married" : x < 96 ? "divorced" : "widowed";
	return x < 3 ? "single" : x < 65 ? "married" : x < 70 ? "divorced" : "widowed";
}

int registry_gen(const struct units *u, const char *data_dir, int province, long count, unsigned long seed, FILE *f,
		 struct err *e)
{
	char pcode[8];
	snprintf(pcode, sizeof pcode, "%02d", province);
	const struct unit *old = units_find(u, pcode, "2025-06-30");
	if (!old || old->level != UNIT_PROVINCE)
		return err_set(e, 422, "unknown_province", "%s is not a province code", "%s không phải mã tỉnh", pcode);
	struct names nm = {0};
	if (names_load(&nm, data_dir, e)) {
		names_free(&nm);
		return -1;
	}
	const struct unit **communes;
	size_t nc = province_communes(u, pcode, &communes);
	if (!nc) {
		free(communes);
		names_free(&nm);
		return err_set(e, 500, "no_communes", "no communes found for province %s", "không tìm thấy xã của tỉnh %s", pcode);
	}
	struct rng r = {seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL};
	for (int i = 0; i < 8; i++)
		next(&r);
	/* serials per (century-sex digit, year): a bijection keeps IDs unique up to 10^6 a bucket */
	static unsigned counters[10][100];
	unsigned offset = below(&r, 1000000);
	memset(counters, 0, sizeof counters);
	for (int k = 0; registry_csv_columns[k]; k++)
		fprintf(f, "%s%s", k ? "," : "", registry_csv_columns[k]);
	fputc('\n', f);
	for (long i = 0; i < count; i++) {
		bool female = below(&r, 2);
		int year = 1940 + (int)below(&r, 86);
		int month = 1 + (int)below(&r, 12), day = 1 + (int)below(&r, 28);
		char dob[11], id[13];
		snprintf(dob, sizeof dob, "%04d-%02d-%02d", year, month, day);
		int digit = (year >= 2000 ? 2 : 0) + female;
		unsigned serial = (counters[digit][year % 100]++ * 7919u + offset) % 1000000u;
		citizen_id_make(province, dob, female ? "female" : "male", serial, id);
		char name[160];
		snprintf(name, sizeof name, "%s %s %s", pick(&nm.surnames, &r), pick(female ? &nm.mid_f : &nm.mid_m, &r),
			 pick(female ? &nm.given_f : &nm.given_m, &r));
		const struct unit *perm = communes[below(&r, (unsigned)nc)];
		const struct unit *cur = below(&r, 5) ? perm : communes[below(&r, (unsigned)nc)];
		char pstreet[120], cstreet[120], phone[16], email[120] = "";
		snprintf(pstreet, sizeof pstreet, "%s", pick(&nm.streets, &r));
		snprintf(cstreet, sizeof cstreet, "%s", cur == perm ? pstreet : pick(&nm.streets, &r));
		snprintf(phone, sizeof phone, "%s%07u", pick(&nm.prefixes, &r), below(&r, 10000000));
		if (below(&r, 10) < 4 && year > 1955) {
			char folded[160];
			text_fold(name, folded, sizeof folded);
			char *last = strrchr(folded, ' '), *first = strchr(folded, ' ');
			if (last && first)
				snprintf(email, sizeof email, "%s.%.*s%02d@%s", last + 1, (int)(first - folded), folded, year % 100,
					 pick(&nm.domains, &r));
		}
		const char *row[] = {id,	name, dob, female ? "female" : "male", old->name, old->name,
				     pick(&nm.ethnic, &r), pick(&nm.religion, &r), "Việt Nam", perm->code, pstreet,
				     cur->code, cstreet, marital(&r, 2026 - year), phone, email};
		for (size_t k = 0; k < sizeof row / sizeof *row; k++) {
			if (k)
				fputc(',', f);
			csv_write_field(f, row[k]);
		}
		fputc('\n', f);
	}
	free(communes);
	names_free(&nm);
	return ferror(f) ? err_set(e, 500, "write_failed", "cannot write the output", "không ghi được kết quả") : 0;
}
