/* test_indicators.c — the indicator definitions are checked when the program starts: the files
 * as shipped pass; a copy broken in one way each (points that do not add up, a counter the engine
 * does not know, a repeated id, a figure of no regime) is refused with a message naming the entry and the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/json.h"
#include "report/report.h"

static json_t *index_doc, *targets_doc, *regimes_doc;

static int load(void **state)
{
	(void)state;
	index_doc = json_load_file("data/indicators/766.json", 0, NULL);
	targets_doc = json_load_file("data/indicators/targets.json", 0, NULL);
	regimes_doc = json_load_file("data/report-regimes.json", 0, NULL);
	return index_doc && targets_doc && regimes_doc ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	json_decref(index_doc);
	json_decref(targets_doc);
	json_decref(regimes_doc);
	return 0;
}

static json_t *group(json_t *doc, size_t i) { return json_array_get(json_object_get(doc, "groups"), i); }
static json_t *indicator(json_t *doc, size_t g, size_t i) { return json_array_get(json_object_get(group(doc, g), "indicators"), i); }
static void add_to(json_t *o, const char *key, double d)
{
	json_object_set_new(o, key, json_real(json_number_value(json_object_get(o, key)) + d));
}

/* Checks a broken copy: refused, and the messages hold each of the words. */
static void refused(json_t *index, json_t *targets, const char *a, const char *b)
{
	struct err e = {0};
	assert_int_equal(indicators_check(index, targets, regimes_doc, &e), -1);
	assert_int_equal(e.status, 500);
	assert_string_equal(e.code, "bad_indicators");
	assert_non_null(strstr(e.msg, a));
	assert_non_null(strstr(e.msg, b));
	assert_non_null(strstr(e.msg_vi, a));
	json_decref(index);
	json_decref(targets);
}

static void the_shipped_files_pass(void **state)
{
	(void)state;
	struct err e = {0};
	assert_int_equal(indicators_check(index_doc, targets_doc, regimes_doc, &e), 0);
	assert_int_equal(e.status, 0);
}

static void points_that_do_not_add_up_to_the_group(void **state)
{
	(void)state;
	json_t *x = json_deep_copy(index_doc);
	add_to(indicator(x, 1, 0), "max", 1);
	char what[64];
	snprintf(what, sizeof what, "not the group's %g", json_number_value(json_object_get(group(x, 1), "max")));
	refused(x, json_incref(targets_doc), json_string_value(json_object_get(group(x, 1), "id")), what);
}

static void groups_that_do_not_add_up_to_100(void **state)
{
	(void)state;
	json_t *x = json_deep_copy(index_doc);
	add_to(indicator(x, 0, 0), "max", 2);
	add_to(group(x, 0), "max", 2);
	refused(x, json_incref(targets_doc), "groups", "sum to 102, not 100");
}

static void a_counter_the_engine_does_not_know(void **state)
{
	(void)state;
	json_t *x = json_deep_copy(index_doc);
	json_object_set_new(indicator(x, 2, 1), "denominator", json_string("recieved"));
	refused(x, json_incref(targets_doc), json_string_value(json_object_get(indicator(x, 2, 1), "id")), "denominator \"recieved\"");
	json_t *t = json_deep_copy(targets_doc);
	json_object_set_new(json_array_get(json_object_get(t, "targets"), 0), "numerator", json_string("fibre"));
	refused(json_incref(index_doc), t, "targets.json", "numerator \"fibre\"");
}

static void a_repeated_id(void **state)
{
	(void)state;
	json_t *x = json_deep_copy(index_doc);
	json_object_set(indicator(x, 3, 0), "id", json_object_get(indicator(x, 0, 0), "id"));
	refused(x, json_incref(targets_doc), "repeats", json_string_value(json_object_get(indicator(x, 0, 0), "id")));
	x = json_deep_copy(index_doc);
	json_object_set(group(x, 2), "id", json_object_get(group(x, 1), "id"));
	refused(x, json_incref(targets_doc), "group", "repeats");
	json_t *t = json_deep_copy(targets_doc);
	json_t *list = json_object_get(t, "targets");
	json_object_set(json_array_get(list, 1), "id", json_object_get(json_array_get(list, 0), "id"));
	refused(json_incref(index_doc), t, "targets.json", "repeats");
}

static void a_figure_of_no_regime_indicator(void **state)
{
	(void)state;
	json_t *t = json_deep_copy(targets_doc);
	json_t *x = (json_t *)json_find(json_object_get(t, "targets"), "id", "digital_economy_share");
	assert_non_null(x);
	json_object_set_new(json_object_get(x, "figure"), "indicator", json_string("grdp"));
	refused(json_incref(index_doc), t, "digital_economy_share", "figure.indicator \"grdp\"");
	t = json_deep_copy(targets_doc);
	x = (json_t *)json_find(json_object_get(t, "targets"), "id", "digital_economy_share");
	json_object_set_new(json_object_get(x, "figure"), "regime", json_string("monthly"));
	refused(json_incref(index_doc), t, "digital_economy_share", "figure.regime \"monthly\"");
}

static void no_file_at_all(void **state)
{
	(void)state;
	refused(NULL, json_incref(targets_doc), "766.json", "no groups");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_shipped_files_pass),
		cmocka_unit_test(points_that_do_not_add_up_to_the_group),
		cmocka_unit_test(groups_that_do_not_add_up_to_100),
		cmocka_unit_test(a_counter_the_engine_does_not_know),
		cmocka_unit_test(a_repeated_id),
		cmocka_unit_test(a_figure_of_no_regime_indicator),
		cmocka_unit_test(no_file_at_all),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
