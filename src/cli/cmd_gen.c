/* cmd_gen.c — `trondoi gen citizens`: synthetic citizens as CSV on standard output;
 * `trondoi gen dossiers`: synthetic dossiers written into a database, for benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/opts.h"
#include "report/facts.h"

#define GEN_USAGE                                                                                                          \
	"usage: trondoi gen citizens --count N [--province 36] [--seed S]\n"                                              \
	"       trondoi gen dossiers --db PATH --count N [--province 37] [--year 2026] [--seed S]\n"

static int gen_dossiers(int argc, char **argv)
{
	const char *db_url = NULL, *count = NULL, *province = "37", *year = "2026", *seed = NULL;
	const struct opt opts[] = {{"db", "PATH", "the database (made by trondoi init)", &db_url, NULL, true},
				   {"count", "N", "how many dossiers (1-10000000)", &count, NULL, true},
				   {"province", "CODE", "the province whose communes receive them (default 37)", &province, NULL, false},
				   {"year", "Y", "the reporting year they fall in, 15 December before to 14 December (default 2026)",
				    &year, NULL, false},
				   {"seed", "S", "random seed: the same seed gives the same dossiers", &seed, NULL, false},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "gen dossiers --db PATH --count N [--province 37] [--year 2026] [--seed S]",
			   "Write synthetic dossiers (no timeline, no audit entries) into the database, for benchmarks; "
			   "then bring the reports' counters up to date.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	long n = strtol(count, NULL, 10), y = strtol(year, NULL, 10);
	if (n < 1 || n > 10000000 || y < 1901 || y > 2099 || !units_valid_code(province)) {
		fprintf(stderr, "trondoi gen dossiers: --count is 1-10000000, --year 1901-2099, --province a unit code\n");
		return 2;
	}
	struct app a;
	struct db *db;
	struct err e = {0};
	if (app_open(&a, db_url, &db, &e))
		return cli_fail("gen dossiers", &e);
	int64_t t0 = clock_now_us();
	int rc = dossier_gen(&a.dossiers, db, province, (int)y, n, seed ? strtoul(seed, NULL, 10) : (unsigned long)time(NULL), &e);
	int64_t t1 = clock_now_us();
	db_bulk_mode(db, true); /* one transaction: the counting is one bulk write */
	if (!rc && (db_begin(db) || facts_sync_within(&a.dossiers, db) || db_commit(db))) {
		db_rollback(db);
		rc = err_set(&e, 500, "db_error", "the counters were not brought up to date", "chưa cập nhật được bộ đếm");
	}
	db_bulk_mode(db, false);
	int64_t t2 = clock_now_us();
	app_close(&a);
	db_close(db);
	if (rc)
		return cli_fail("gen dossiers", &e);
	printf("generated %ld dossiers in %.1f s; counted them in %.1f s\n", n, (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	int status;
	if (argc >= 2 && !strcmp(argv[1], "dossiers"))
		return gen_dossiers(argc, argv);
	if (!cli_sub(argc, argv, "citizens", GEN_USAGE, &status))
		return status;
	const char *count = NULL, *province = "36", *seed = NULL, *data = NULL;
	const struct opt opts[] = {{"count", "N", "how many citizens (1-10000000)", &count, NULL, true},
				   {"province", "CODE", "province of birth registration, GSO code (default 36)", &province, NULL, false},
				   {"seed", "S", "random seed: the same seed gives the same file", &seed, NULL, false},
				   {"data", "DIR", "reference data folder (default: the data/ beside the program)", &data, NULL, false},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "gen citizens --count N [--province 36] [--seed S]",
			   "Write realistic synthetic citizens (CSV with a header line) to standard output.", pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	char *end;
	long n = strtol(count, &end, 10);
	long p = strtol(province, &end, 10);
	if (n < 1 || n > 10000000 || p < 1 || p > 96) {
		fprintf(stderr, "trondoi gen: --count is 1-10000000, --province a province code 01-96\n");
		return 2;
	}
	unsigned long s = seed ? strtoul(seed, NULL, 10) : (unsigned long)time(NULL);
	char data_dir[1024], dir[1100];
	cli_data_dir(data, NULL, data_dir, sizeof data_dir);
	cli_data_dir(data, "admin-units", dir, sizeof dir);
	struct err e = {0};
	struct units *u = units_new();
	if (!u || units_load_dir(u, dir, &e)) {
		units_free(u);
		return cli_fail("gen", &e);
	}
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	int rc = registry_gen(u, data_dir, (int)p, n, s, stdout, &e);
	units_free(u);
	fflush(stdout);
	return rc ? cli_fail("gen", &e) : 0;
}
