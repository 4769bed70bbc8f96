/* test_clock.c — dates and ISO 8601 times, read and written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <time.h>

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

/* clock_iso and clock_date_vn write their digits by hand: the same text as gmtime_r and
 * snprintf, over leap days, year ends, Vietnam's midnight and a spread of instants to 9999. */
static void formats_as_gmtime_does(void **state)
{
	(void)state;
	int64_t fixed[] = {0, 951782400000000LL - 1, 951782400000000LL, 1767200399999999LL, 1767200400000000LL,
			   4107456000123456LL, 253402300799999999LL};
	unsigned long long x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		int64_t us = i < 7 ? fixed[i] : (int64_t)((x ^= x << 13, x ^= x >> 7, x ^= x << 17) % 253402300800000000ULL);
		char ours[40], want[40], day[12], want_day[12];
		clock_iso(us, ours, sizeof ours);
		clock_date_vn(us, day, sizeof day);
		time_t s = (time_t)(us / 1000000), vn = s + 7 * 3600;
		struct tm tm, tv;
		gmtime_r(&s, &tm);
		gmtime_r(&vn, &tv);
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
		snprintf(want_day, sizeof want_day, "%04d-%02d-%02d", tv.tm_year + 1900, tv.tm_mon + 1, tv.tm_mday);
		assert_string_equal(ours, want);
		assert_string_equal(day, want_day);
	}
	char small[8];
	clock_iso(0, small, sizeof small); /* too small: cut as snprintf cuts */
	assert_string_equal(small, "1970-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(validates_dates), cmocka_unit_test(parses_iso_times),
					   cmocka_unit_test(formats_as_gmtime_does)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
