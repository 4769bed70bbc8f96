/* test_citizen_id.c — personal ID validation and construction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "registry/registry.h"

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

static void accepts_consistent_ids(void **state)
{
	(void)state;
	struct err e;
	assert_int_equal(citizen_id_check("036090123456", "1990-05-12", "male", u, &e), 0);
	assert_int_equal(citizen_id_check("036190123456", "1990-05-12", "female", u, &e), 0);
	assert_int_equal(citizen_id_check("036190123456", NULL, NULL, u, &e), 0);
	assert_int_equal(citizen_id_check("001305000001", "2005-01-01", "female", u, &e), 0);
	assert_int_equal(citizen_id_check("037998123456", "1898-02-03", "female", u, &e), 0); /* 9 = 1800s, female */
}

static void rejects_bad_format(void **state)
{
	(void)state;
	struct err e;
	const char *bad[] = {"", "03619012345", "0361901234567", "03619012345a", "03619 123456", "036-90123456"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err_clear(&e);
		assert_int_equal(citizen_id_check(bad[i], NULL, NULL, u, &e), -1);
		assert_int_equal(e.status, 422);
		assert_string_equal(e.code, "invalid_id");
	}
}

static void rejects_unknown_province(void **state)
{
	(void)state;
	struct err e;
	assert_int_equal(citizen_id_check("003190123456", NULL, NULL, u, &e), -1); /* 03 is not a GSO province code */
	assert_non_null(strstr(e.msg, "province"));
	assert_int_equal(citizen_id_check("097190123456", NULL, NULL, NULL, &e), -1);
	assert_int_equal(citizen_id_check("000190123456", NULL, NULL, NULL, &e), -1);
}

static void rejects_mismatch_with_birth_and_sex(void **state)
{
	(void)state;
	struct err e;
	assert_int_equal(citizen_id_check("036090123456", "1991-05-12", "male", u, &e), -1);
	assert_string_equal(e.code, "id_mismatch");
	assert_non_null(strstr(e.msg, "1990"));
	assert_int_equal(citizen_id_check("036090123456", "1990-05-12", "female", u, &e), -1);
	assert_string_equal(e.code, "id_mismatch");
	assert_int_equal(citizen_id_check("036290123456", "1990-05-12", "male", u, &e), -1); /* 2 = 2000s */
}

static void makes_ids_that_check(void **state)
{
	(void)state;
	char id[13];
	struct err e;
	assert_int_equal(citizen_id_make(36, "1990-05-12", "female", 42, id), 0);
	assert_string_equal(id, "036190000042");
	assert_int_equal(citizen_id_check(id, "1990-05-12", "female", u, &e), 0);
	assert_int_equal(citizen_id_make(1, "2024-01-01", "male", 999999, id), 0);
	assert_string_equal(id, "001224999999");
	assert_int_equal(citizen_id_make(36, "1799-01-01", "male", 1, id), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_consistent_ids),	 cmocka_unit_test(rejects_bad_format),
		cmocka_unit_test(rejects_unknown_province), cmocka_unit_test(rejects_mismatch_with_birth_and_sex),
		cmocka_unit_test(makes_ids_that_check),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
