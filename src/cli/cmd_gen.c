/* cmd_gen.c — `trondoi gen citizens`: synthetic citizens as CSV on standard output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/opts.h"

int cmd_gen(int argc, char **argv)
{
	int status;
	if (!cli_sub(argc, argv, "citizens", "usage: trondoi gen citizens --count N [--province 36] [--seed S]\n", &status))
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
