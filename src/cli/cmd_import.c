/* cmd_import.c — `trondoi import citizens`: bulk import with a progress bar on a terminal. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/opts.h"

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
	if (!cli_sub(argc, argv, "citizens", "usage: trondoi import citizens --db PATH FILE.csv [--source population-db]\n", &status))
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
