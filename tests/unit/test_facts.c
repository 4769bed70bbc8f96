/* test_facts.c — the grain of the index's counters: half-months in Vietnam time, and which
 * dossiers each column counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/clock.h"
#include "report/facts.h"

static int64_t at(const char *iso)
{
	int64_t us = 0;
	assert_int_equal(clock_parse_iso(iso, &us), 0);
	return us;
}

static void halves_turn_on_the_1st_and_the_15th_in_vietnam(void **state)
{
	(void)state;
	int64_t h = fact_half(at("2026-03-14T23:59:59+07:00"));
	assert_int_equal(h, (2026 * 12 + 2) * 2);
	assert_int_equal(fact_half(at("2026-03-15T00:00:00+07:00")), h + 1);
	assert_int_equal(fact_half(at("2026-03-14T17:00:00Z")), h + 1); /* already the 15th in Vietnam */
	assert_int_equal(fact_half(at("2026-03-31T23:59:59+07:00")), h + 1);
	assert_int_equal(fact_half(at("2026-04-01T00:00:00+07:00")), h + 2);
	assert_int_equal(fact_half(at("2025-12-31T23:00:00+07:00")) + 1, fact_half(at("2026-01-01T00:00:00+07:00")));
	char day[11];
	fact_half_day(h, day, sizeof day);
	assert_string_equal(day, "2026-03-01");
	fact_half_day(h + 1, day, sizeof day);
	assert_string_equal(day, "2026-03-15");
	fact_half_day(fact_half(at("2026-12-20T08:00:00+07:00")), day, sizeof day);
	assert_string_equal(day, "2026-12-15");
}

static void columns_count_the_dossiers_with_all_their_flags(void **state)
{
	(void)state;
	int on_time = fact_column_index("finished_on_time"), satisfied = fact_column_index("finished_satisfied");
	int received = fact_column_index("received"), paid = fact_column_index("fee_paid");
	assert_true(on_time >= 0 && satisfied >= 0 && received >= 0 && paid >= 0);
	assert_int_equal(fact_column_index("no_such_counter"), -1);
	struct fact f = {.flags = FACT_FINISHED | FACT_ON_TIME | FACT_FEE};
	assert_true(fact_counts(&f, received));
	assert_true(fact_counts(&f, on_time));
	assert_false(fact_counts(&f, satisfied)); /* rated 1-2 stars: not content */
	assert_false(fact_counts(&f, paid));
	f.flags |= FACT_CONTENT | FACT_PAID;
	assert_true(fact_counts(&f, satisfied));
	assert_true(fact_counts(&f, paid));
	assert_int_equal(fact_columns[on_time].basis, ON_FINISHED);
	assert_int_equal(fact_columns[received].basis, ON_RECEIVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(halves_turn_on_the_1st_and_the_15th_in_vietnam),
					   cmocka_unit_test(columns_count_the_dossiers_with_all_their_flags)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
