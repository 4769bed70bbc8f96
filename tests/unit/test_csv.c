/* test_csv.c — CSV record splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/csv.h"

static void splits_plain_and_quoted(void **state)
{
	(void)state;
	char line[] = "a,\"b, c\",\"say \"\"hi\"\"\",,end\r\n";
	char *f[8];
	assert_int_equal(csv_split(line, f, 8), 5);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b, c");
	assert_string_equal(f[2], "say \"hi\"");
	assert_string_equal(f[3], "");
	assert_string_equal(f[4], "end");
}

static void rejects_bad_quoting_and_too_many(void **state)
{
	(void)state;
	char a[] = "a,\"open";
	char b[] = "a,\"x\"y,z";
	char c[] = "a,b\"c";
	char d[] = "1,2,3,4";
	char *f[3];
	assert_int_equal(csv_split(a, f, 3), -1);
	assert_int_equal(csv_split(b, f, 3), -1);
	assert_int_equal(csv_split(c, f, 3), -1);
	assert_int_equal(csv_split(d, f, 3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(splits_plain_and_quoted),
					   cmocka_unit_test(rejects_bad_quoting_and_too_many)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
