/* cmd_import.c — `trondoi import citizens`: bulk import with a progress bar on a terminal;
 * `trondoi import work-items|inspections`: the scorecard's registers, all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/opts.h"
#include "report/report.h"

#define USAGE "usage: trondoi import citizens --db PATH FILE.csv [--source population-db]\n" \
	      "       trondoi import work-items|inspections --db PATH FILE.csv\n"

/* `import work-items|inspections --db PATH FILE.csv`: the same checks as the API's import; every
 * row names its unit. Prints "imported N", or each bad line and exits 1 with nothing written. */
static int import_register(int argc, char **argv)
{
	const char *db_url = NULL, *reg = argv[1];
	const struct opt opts[] = {{"db", "PATH", "database", &db_url, NULL, true}, {0}};
	const char *pos[1] = {0};
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "import work-items|inspections --db PATH FILE.csv",
			   "Import a register the targets scorecard reads, from CSV with a header line (columns as in\n"
			   "docs/reporting.md, a unit column on every row). Nothing is written if any line is bad.",
			   pos, 1, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (npos != 1) {
		fprintf(stderr, "trondoi import %s: name the CSV file to import\n", reg);
		return 2;
	}
	size_t len;
	char *text = cli_read_file(pos[0], REGISTER_IMPORT_MAX, &len);
	if (!text) {
		fprintf(stderr, "trondoi import %s: cannot read %s\n", reg, pos[0]);
		return 1;
	}
	struct app a;
	struct db *db;
	struct err e = {0};
	json_t *out = NULL, *problems = NULL;
	if (app_open(&a, db_url, &db, &e)) {
		free(text);
		return cli_fail("import", &e);
	}
	int rc = register_import(&a.dossiers, db, NULL, reg, text, len, &out, &problems, &e);
	free(text);
	app_close(&a);
	db_close(db);
	size_t i;
	json_t *p;
	json_array_foreach(problems, i, p) fprintf(stderr, "line %lld: %s\n", (long long)json_integer_value(json_object_get(p, "line")),
						   json_string_value(json_object_get(p, "message")));
	json_decref(problems);
	if (rc)
		return cli_fail("import", &e);
	printf("imported %lld\n", (long long)json_integer_value(json_object_get(out, "imported")));
	json_decref(out);
	return 0;
}

static int64_t started;

static void progress(long rows, long total, long pos)
{
	if (total <= 0)
		return;
	int pct = (int)(pos * 100 / total), width = 40, filled = pct * width / 100;
	double secs = (double)(clock_now_us() - started) / 1e6;
	fprintf(stderr, "\r[%.*s%*s] %3d%%  %ld rows  %.0f rows/s", filled, "########################################",
		width - filled, "", pct, rows, secs > 0 ? rows / secs : 0.0);
	fflush(stderr);
}

int cmd_import(int argc, char **argv)
{
	int status;
	if (argc >= 2 && (!strcmp(argv[1], "work-items") || !strcmp(argv[1], "inspections")))
		return import_register(argc, argv);
	if (!cli_sub(argc, argv, "citizens", USAGE, &status))
		return status;
	const char *db_url = NULL, *source = "population-db";
	const struct opt opts[] = {{"db", "PATH", "database", &db_url, NULL, true},
				   {"source", "NAME", "the source the values carry (default population-db)", &source, NULL, false},
				   {0}};
	const char *pos[1] = {0};
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "import citizens --db PATH FILE.csv",
			   "Import citizens from CSV (columns as written by 'trondoi gen citizens'). Bad rows go to\n"
			   "FILE.rejects.csv with the reason; running it again changes nothing; a changed value\n"
			   "becomes a new version.",
			   pos, 1, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (npos != 1) {
		fprintf(stderr, "trondoi import citizens: name the CSV file to import\n");
		return 2;
	}
	char rejects[1100];
	size_t n = strlen(pos[0]);
	snprintf(rejects, sizeof rejects, "%.*s.rejects.csv", (int)(n > 4 && !strcmp(pos[0] + n - 4, ".csv") ? n - 4 : n), pos[0]);
	struct app a;
	struct db *db;
	struct err e = {0};
	if (app_open(&a, db_url, &db, &e))
		return cli_fail("import", &e);
	char actor[96];
	snprintf(actor, sizeof actor, "import:%s", source);
	struct import_stats st;
	started = clock_now_us();
	int rc = registry_import(&a.registry, db, pos[0], rejects, source, actor, isatty(2) ? progress : NULL, &st, &e);
	if (isatty(2))
		fputc('\n', stderr);
	app_close(&a);
	db_close(db);
	if (rc)
		return cli_fail("import", &e);
	printf("imported %ld, updated %ld, rejected %ld\n", st.imported, st.updated, st.rejected);
	if (st.rejected)
		printf("rejected rows and reasons: %s\n", rejects);
	return 0;
}
