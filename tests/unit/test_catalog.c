/* test_catalog.c — the procedure catalog's index: every procedure found by its code, each form
 * field read once at load as its entry says, and a form with two fields of one name refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"

/* The kind each "type" of the shipped forms must be read as (unknown or absent: text). */
static const struct {
	const char *type;
	enum field_kind kind;
} expected[] = {{"text", FIELD_TEXT},   {"textarea", FIELD_TEXTAREA}, {"number", FIELD_NUMBER},   {"date", FIELD_DATE},
		{"sex", FIELD_SEX},     {"select", FIELD_SELECT},     {"id", FIELD_ID},           {"phone", FIELD_PHONE},
		{"email", FIELD_EMAIL}, {"address", FIELD_ADDRESS},   {"no-such-type", FIELD_TEXT}};

static enum field_kind kind_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof expected / sizeof *expected; i++)
		if (!strcmp(type, expected[i].type))
			return expected[i].kind;
	return FIELD_TEXT;
}

static void every_procedure_and_field_as_its_entry_says(void **state)
{
	(void)state;
	struct catalog c;
	struct err e = {0};
	assert_int_equal(catalog_load_dir(&c, "data", &e), 0);
	assert_true(c.nprocs > 0);
	assert_int_equal(c.nprocs, json_array_size(c.procedures));
	size_t i;
	json_t *p;
	json_array_foreach(c.procedures, i, p) {
		const char *code = json_string_value(json_object_get(p, "code"));
		const struct procedure_def *d = catalog_procedure_def(&c, code);
		assert_non_null(d);
		assert_ptr_equal(d->doc, p);
		assert_ptr_equal(catalog_procedure(&c, code), p);
		const json_t *fields = json_object_get(p, "fields");
		assert_int_equal(d->nfields, json_array_size(fields));
		for (size_t k = 0; k < d->nfields; k++) {
			const json_t *f = json_array_get(fields, k);
			const char *reg = json_string_value(json_object_get(f, "registry"));
			assert_string_equal(d->fields[k].name, json_string_value(json_object_get(f, "name")));
			assert_true(reg ? d->fields[k].registry && !strcmp(d->fields[k].registry, reg) : !d->fields[k].registry);
			assert_int_equal(d->fields[k].required, json_is_true(json_object_get(f, "required")));
			assert_int_equal(d->fields[k].kind, kind_of(json_string_value(json_object_get(f, "type"))));
			if (d->fields[k].kind == FIELD_SELECT)
				assert_true(json_is_array(d->fields[k].options));
		}
	}
	/* one the catalog knows, by its fields' kinds */
	const struct procedure_def *m = catalog_procedure_def(&c, "1.004873");
	assert_non_null(m);
	assert_string_equal(m->fields[1].name, "applicant_date_of_birth");
	assert_int_equal(m->fields[1].kind, FIELD_DATE);
	assert_int_equal(m->fields[4].kind, FIELD_ADDRESS);
	assert_int_equal(m->fields[11].kind, FIELD_TEXTAREA);
	/* codes it does not know, before the first, after the last, between two */
	assert_null(catalog_procedure_def(&c, ""));
	assert_null(catalog_procedure_def(&c, "9.999999"));
	assert_null(catalog_procedure_def(&c, "1.0048735"));
	assert_null(catalog_procedure_def(&c, NULL));
	assert_null(catalog_procedure(&c, "9.999999"));
	catalog_release(&c);
}

static void a_form_with_two_fields_of_one_name_is_refused(void **state)
{
	(void)state;
	char dir[] = "/tmp/trondoi-test-catalog-XXXXXX", path[PATH_MAX], here[PATH_MAX];
	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath("data", here));
	const char *links[] = {"attributes.json", "agencies.json"};
	for (size_t i = 0; i < 2; i++) {
		char from[PATH_MAX + 32];
		snprintf(from, sizeof from, "%s/%s", here, links[i]);
		snprintf(path, sizeof path, "%s/%s", dir, links[i]);
		assert_int_equal(symlink(from, path), 0);
	}
	snprintf(path, sizeof path, "%s/procedures", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	json_t *p = json_load_file("data/procedures/1.004873.json", 0, NULL);
	assert_non_null(p);
	json_t *fields = json_object_get(p, "fields");
	json_array_append_new(fields, json_deep_copy(json_array_get(fields, 0)));
	snprintf(path, sizeof path, "%s/procedures/1.004873.json", dir);
	assert_int_equal(json_dump_file(p, path, 0), 0);
	struct catalog c;
	struct err e = {0};
	assert_int_equal(catalog_load_dir(&c, dir, &e), -1);
	assert_string_equal(e.code, "bad_catalog");
	assert_non_null(strstr(e.msg, "two fields have the same name"));
	/* the same form without the second copy loads */
	json_array_remove(fields, json_array_size(fields) - 1);
	assert_int_equal(json_dump_file(p, path, 0), 0);
	assert_int_equal(catalog_load_dir(&c, dir, &e), 0);
	assert_non_null(catalog_procedure_def(&c, "1.004873"));
	catalog_release(&c);
	json_decref(p);
	unlink(path);
	snprintf(path, sizeof path, "%s/procedures", dir);
	rmdir(path);
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, links[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_procedure_and_field_as_its_entry_says),
		cmocka_unit_test(a_form_with_two_fields_of_one_name_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
