/* units.c — lookups over the effective-dated unit hierarchy. */
#include "units/units.h"

#include <stdlib.h>
#include <string.h>

struct units {
	struct unit *v;
	size_t n, cap;
	struct unit_link *l;
	size_t nl, capl;
	struct unit_link **by_new; /* links sorted by new side */
};

struct units *units_new(void)
{
	return calloc(1, sizeof(struct units));
}

void units_free(struct units *u)
{
	if (!u)
		return;
	free(u->v);
	free(u->l);
	free(u->by_new);
	free(u);
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 1024;
	void *q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

int units_add(struct units *u, const struct unit *x)
{
	if (grow((void **)&u->v, &u->cap, u->n, sizeof *u->v))
		return -1;
	u->v[u->n++] = *x;
	return 0;
}

int units_link(struct units *u, const struct unit_link *l)
{
	if (grow((void **)&u->l, &u->capl, u->nl, sizeof *u->l))
		return -1;
	u->l[u->nl++] = *l;
	return 0;
}

static int cmp_unit(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->valid_from, y->valid_from);
}

static int cmp_link_old(const void *a, const void *b)
{
	const struct unit_link *x = a, *y = b;
	int c = strcmp(x->old_code, y->old_code);
	return c ? c : strcmp(x->new_code, y->new_code);
}

static int cmp_link_new(const void *a, const void *b)
{
	const struct unit_link *x = *(struct unit_link *const *)a, *y = *(struct unit_link *const *)b;
	int c = strcmp(x->new_code, y->new_code);
	return c ? c : strcmp(x->old_code, y->old_code);
}

void units_index(struct units *u)
{
	qsort(u->v, u->n, sizeof *u->v, cmp_unit);
	qsort(u->l, u->nl, sizeof *u->l, cmp_link_old);
	free(u->by_new);
	u->by_new = malloc((u->nl ? u->nl : 1) * sizeof *u->by_new);
	for (size_t i = 0; u->by_new && i < u->nl; i++)
		u->by_new[i] = &u->l[i];
	if (u->by_new)
		qsort(u->by_new, u->nl, sizeof *u->by_new, cmp_link_new);
}

size_t units_count(const struct units *u)
{
	return u->n;
}

const struct unit *units_at(const struct units *u, size_t i)
{
	return i < u->n ? &u->v[i] : NULL;
}

size_t units_link_count(const struct units *u)
{
	return u->nl;
}

const struct unit_link *units_link_at(const struct units *u, size_t i)
{
	return i < u->nl ? &u->l[i] : NULL;
}

static bool in_force(const struct unit *x, const char *date)
{
	return strcmp(date, x->valid_from) >= 0 && (!x->valid_to[0] || strcmp(date, x->valid_to) <= 0);
}

const struct unit *units_find(const struct units *u, const char *code, const char *date)
{
	size_t lo = 0, hi = u->n;
	while (lo < hi) { /* first entry with this code */
		size_t mid = (lo + hi) / 2;
		if (strcmp(u->v[mid].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct unit *oldest = NULL;
	for (size_t i = lo; i < u->n && !strcmp(u->v[i].code, code); i++) {
		if (in_force(&u->v[i], date))
			return &u->v[i];
		if (!oldest)
			oldest = &u->v[i];
	}
	/* before the oldest map we know, that map stands in */
	if (oldest && strcmp(date, oldest->valid_from) < 0)
		return oldest;
	return NULL;
}

const struct unit *units_parent(const struct units *u, const struct unit *x)
{
	if (!x->parent[0])
		return NULL;
	return units_find(u, x->parent, x->valid_from);
}

size_t units_successors(const struct units *u, const struct unit *x, const struct unit_link **out, size_t max)
{
	if (!x->valid_to[0])
		return 0;
	size_t lo = 0, hi = u->nl;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(u->l[mid].old_code, x->code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	for (size_t i = lo; i < u->nl && !strcmp(u->l[i].old_code, x->code); i++) {
		const struct unit_link *l = &u->l[i];
		if (l->level != x->level || strcmp(l->effective, x->valid_to) <= 0)
			continue;
		if (n < max)
			out[n] = l;
		n++;
	}
	return n;
}

size_t units_predecessors(const struct units *u, const struct unit *x, const struct unit_link **out, size_t max)
{
	size_t lo = 0, hi = u->nl;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(u->by_new[mid]->new_code, x->code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	for (size_t i = lo; i < u->nl && !strcmp(u->by_new[i]->new_code, x->code); i++) {
		const struct unit_link *l = u->by_new[i];
		if (l->level != x->level || strcmp(l->effective, x->valid_from) != 0)
			continue;
		if (n < max)
			out[n] = l;
		n++;
	}
	return n;
}

static bool chain_reaches(const struct units *u, const struct unit *x, const struct unit *anc)
{
	for (int hops = 0; x && hops < 4; hops++, x = units_parent(u, x))
		if (x == anc)
			return true;
	return false;
}

bool units_within(const struct units *u, const char *code, const char *recorded_on, const char *ancestor,
		  const char *today)
{
	const struct unit *anc = units_find(u, ancestor, today);
	const struct unit *x = units_find(u, code, recorded_on);
	if (!anc || !x)
		return false;
	for (int step = 0; step < 4; step++) { /* follow the map forward until today's */
		if (in_force(x, today) || strcmp(today, x->valid_from) < 0)
			return chain_reaches(u, x, anc);
		const struct unit_link *next[16];
		size_t n = units_successors(u, x, next, 16);
		if (n == 0) { /* a tier the reform removed (districts): it lies where its parent went */
			x = units_parent(u, x);
			if (!x)
				return false;
			continue;
		}
		for (size_t i = 1; i < n && i < 16; i++) {
			const struct unit *s = units_find(u, next[i]->new_code, next[i]->effective);
			if (s && units_within(u, s->code, s->valid_from, ancestor, today))
				return true;
		}
		x = units_find(u, next[0]->new_code, next[0]->effective);
		if (!x)
			return false;
	}
	return false;
}

static const char *const level_names[] = {"province", "district", "commune"};

const char *units_level_name(enum unit_level l)
{
	return level_names[l];
}

int units_level_parse(const char *s, enum unit_level *out)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, level_names[i])) {
			*out = (enum unit_level)i;
			return 0;
		}
	return -1;
}

bool units_valid_code(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}
