/* test_clock.c — dates and ISO 8601 times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/clock.h"

static void validates_dates(void **state)
{
	(void)state;
	assert_true(clock_valid_date("2024-02-29"));
	assert_false(clock_valid_date("2025-02-29"));
	assert_false(clock_valid_date("2025-13-01"));
	assert_false(clock_valid_date("2025-1-01"));
	assert_false(clock_valid_date("2025-01-01x"));
	assert_true(clock_valid_date("1900-02-28"));
	assert_false(clock_valid_date("1900-02-29"));
}

static void parses_iso_times(void **state)
{
	(void)state;
	int64_t us, us2;
	assert_int_equal(clock_parse_iso("1970-01-01T00:00:00Z", &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(clock_parse_iso("2026-11-25T08:00:00+07:00", &us), 0);
	assert_int_equal(clock_parse_iso("2026-11-25T01:00:00.000000Z", &us2), 0);
	assert_int_equal(us, us2);
	assert_int_equal(clock_parse_iso("2026-11-25", &us), 0);
	assert_int_equal(clock_parse_iso("2026-11-25T24:00:00Z", &us), -1);
	assert_int_equal(clock_parse_iso("2026-11-25T10:00", &us), -1); /* no zone: ambiguous */
	char s[40];
	clock_iso(us2 + 5, s, sizeof s);
	assert_string_equal(s, "2026-11-25T01:00:00.000005Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(validates_dates), cmocka_unit_test(parses_iso_times)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
