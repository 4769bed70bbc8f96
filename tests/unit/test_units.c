/* test_units.c — unit lookups by date across the 2025 reform. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "units/units.h"

static struct units *u;

static int setup(void **state)
{
	(void)state;
	struct err e;
	u = units_new();
	return units_load_dir(u, "data/admin-units", &e);
}

static int teardown(void **state)
{
	(void)state;
	units_free(u);
	return 0;
}

static size_t count(const char *date, enum unit_level lv, const char *parent)
{
	size_t n = 0;
	for (size_t i = 0; i < units_count(u); i++) {
		const struct unit *x = units_at(u, i);
		if (x->level == lv && units_find(u, x->code, date) == x && (!parent || !strcmp(x->parent, parent)))
			n++;
	}
	return n;
}

static void province_counts_by_date(void **state)
{
	(void)state;
	assert_int_equal(count("2025-06-30", UNIT_PROVINCE, NULL), 63);
	assert_int_equal(count("2025-07-01", UNIT_PROVINCE, NULL), 34);
	assert_int_equal(count("2020-01-01", UNIT_PROVINCE, NULL), 63);
	assert_int_equal(count("2026-11-25", UNIT_DISTRICT, NULL), 0); /* no district tier since the reform */
	assert_int_equal(count("2025-06-30", UNIT_DISTRICT, "36"), 9);  /* old Nam Định */
	assert_int_equal(count("2026-01-01", UNIT_COMMUNE, "37"), 129); /* Ninh Bình today */
}

static void same_code_differs_by_date(void **state)
{
	(void)state;
	const struct unit *old = units_find(u, "36", "2025-06-30");
	assert_non_null(old);
	assert_string_equal(old->name, "Tỉnh Nam Định");
	assert_null(units_find(u, "36", "2025-07-01"));
	const struct unit *a = units_find(u, "00004", "2025-01-01"), *b = units_find(u, "00004", "2025-08-01");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->name, "Phường Trúc Bạch");
	assert_string_equal(b->name, "Phường Ba Đình");
	assert_string_equal(units_parent(u, b)->code, "01");
	assert_int_equal(units_parent(u, a)->level, UNIT_DISTRICT);
}

static void links_across_the_reform(void **state)
{
	(void)state;
	const struct unit *nb = units_find(u, "37", "2026-01-01");
	const struct unit_link *l[8];
	size_t n = units_predecessors(u, nb, l, 8);
	assert_int_equal(n, 3);
	const struct unit *nd = units_find(u, "36", "2025-06-30");
	n = units_successors(u, nd, l, 8);
	assert_int_equal(n, 1);
	assert_string_equal(l[0]->new_code, "37");
}

static void within_follows_successors(void **state)
{
	(void)state;
	/* an old Nam Định commune lies in today's Ninh Bình, not in Hà Nội */
	const struct unit *d = NULL;
	for (size_t i = 0; i < units_count(u) && !d; i++) {
		const struct unit *x = units_at(u, i);
		const struct unit *p = x->level == UNIT_COMMUNE && x->valid_to[0] ? units_parent(u, x) : NULL;
		if (p && !strcmp(p->parent, "36"))
			d = x;
	}
	assert_non_null(d);
	assert_true(units_within(u, d->code, "2024-01-01", "37", "2026-11-25"));
	assert_false(units_within(u, d->code, "2024-01-01", "01", "2026-11-25"));
	/* today's commune is within itself and its province */
	assert_true(units_within(u, "00004", "2026-01-01", "00004", "2026-11-25"));
	assert_true(units_within(u, "00004", "2026-01-01", "01", "2026-11-25"));
	assert_false(units_within(u, "00004", "2026-01-01", "37", "2026-11-25"));
	assert_false(units_within(u, "99999", "2026-01-01", "37", "2026-11-25"));
	/* a district (a tier gone since 2025-07-01, no successors) lies where its province went */
	assert_true(units_within(u, "372", "2025-01-02", "37", "2026-11-25"));
	assert_true(units_within(u, "356", "2025-01-02", "37", "2026-11-25")); /* Thành phố Nam Định */
	assert_false(units_within(u, "372", "2025-01-02", "01", "2026-11-25"));
	assert_false(units_within(u, "372", "2025-01-02", "14038", "2026-11-25")); /* not within one commune */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(province_counts_by_date), cmocka_unit_test(same_code_differs_by_date),
		cmocka_unit_test(links_across_the_reform), cmocka_unit_test(within_follows_successors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
