/* test_workflow.c — the status transition table and the internal process table, as shipped
 * (embedded data/dossier/statuses.json and processes.json), and the refusal of bad tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "db/embedded.h"
#include "dossier/dossier.h"

static struct workflow *w;

static const char *embedded(const char *name)
{
	const struct embedded_file *f = embedded_find(embedded_docs, name);
	return f ? (const char *)f->data : NULL;
}

static int setup(void **state)
{
	(void)state;
	struct err e = {0};
	w = workflow_load(embedded("statuses.json"), &e);
	return w ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	workflow_free(w);
	return 0;
}

static void legal_moves_and_who_makes_them(void **state)
{
	(void)state;
	static const struct {
		int from, to;
		const char *by;
		bool allowed;
	} moves[] = {
		{1, 2, "officer", true},    {1, 2, "applicant", false}, {1, 3, "officer", true},  {1, 7, "applicant", true},
		{1, 7, "officer", false},   {1, 10, "officer", false},  {2, 9, "officer", true},  {5, 4, "applicant", true},
		{5, 4, "officer", true},    {6, 4, "officer", true},    {6, 4, "applicant", false}, {9, 10, "officer", true},
		{10, 1, "officer", false},  {3, 2, "officer", false},   {7, 1, "applicant", false}, {8, 4, "officer", false},
	};
	for (size_t i = 0; i < sizeof moves / sizeof *moves; i++)
		if ((workflow_find(w, moves[i].from, moves[i].to, moves[i].by) != NULL) != moves[i].allowed)
			fail_msg("%d -> %d by %s should %sbe allowed", moves[i].from, moves[i].to, moves[i].by,
				 moves[i].allowed ? "" : "not ");
	assert_true(workflow_allows_any(w, 1, 2));
	assert_false(workflow_allows_any(w, 1, 10));
}

static void notes_resumption_and_final_statuses(void **state)
{
	(void)state;
	assert_true(workflow_find(w, 1, 3, "officer")->note_required);
	assert_true(workflow_find(w, 2, 5, "officer")->note_required);
	assert_true(workflow_find(w, 4, 8, "officer")->note_required);
	assert_false(workflow_find(w, 1, 2, "officer")->note_required);
	assert_true(workflow_find(w, 5, 4, "applicant")->resumes);
	assert_false(workflow_find(w, 6, 4, "officer")->resumes);
	for (int s = 1; s <= 10; s++)
		assert_int_equal(workflow_is_final(w, s), s == 3 || s == 7 || s == 8 || s == 10);
	assert_string_equal(workflow_status_name(w, 2, "vi"), "Được tiếp nhận");
	assert_string_equal(workflow_status_name(w, 10, "en"), "Result returned");
}

static void the_shipped_processes_load(void **state)
{
	(void)state;
	struct err e = {0};
	struct processes *p = processes_load(embedded("processes.json"), &e);
	assert_non_null(p);
	processes_free(p);
}

static void assert_process_refused(const char *json, const char *needle)
{
	struct err e = {0};
	struct processes *p = processes_load(json, &e);
	assert_null(p);
	assert_string_equal(e.code, "bad_process_data");
	if (!strstr(e.msg, needle) || !e.msg_vi[0])
		fail_msg("'%s' should say '%s'", e.msg, needle);
}

#define STEP(id, role, share) "{\"id\":\"" id "\",\"name\":{\"vi\":\"x\",\"en\":\"x\"},\"role\":\"" role "\",\"share\":" #share "}"

static void bad_process_tables_are_refused(void **state)
{
	(void)state;
	assert_process_refused("not json", "not JSON");
	assert_process_refused("{\"processes\":[{\"id\":\"a\",\"steps\":[" STEP("r", "officer", 50) "," STEP("x", "officer", 40) "]}]}",
			       "add up to 100");
	assert_process_refused("{\"processes\":[{\"id\":\"a\",\"steps\":[" STEP("r", "clerk", 50) "," STEP("x", "officer", 50) "]}]}",
			       "role");
	assert_process_refused("{\"processes\":[{\"id\":\"a\",\"steps\":[" STEP("r", "officer", 100) "]}]}", "2 to 12 steps");
	assert_process_refused("{\"processes\":[{\"steps\":[" STEP("r", "officer", 50) "," STEP("x", "leader", 50) "]}]}", "an id");
	struct err e = {0};
	struct processes *ok =
		processes_load("{\"processes\":[{\"id\":\"a\",\"steps\":[" STEP("r", "officer", 50) "," STEP("x", "leader", 50) "]}]}", &e);
	assert_non_null(ok);
	processes_free(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(legal_moves_and_who_makes_them),
		cmocka_unit_test(notes_resumption_and_final_statuses),
		cmocka_unit_test(the_shipped_processes_load),
		cmocka_unit_test(bad_process_tables_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
