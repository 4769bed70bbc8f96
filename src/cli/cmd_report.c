/* cmd_report.c — `trondoi report 766|targets`: a periodic report from the command line, as a
 * file in JSON, CSV or XLSX. The same code as the API's reports writes it (report/export.c), with
 * the command acting as the system (an admin), so both give the same figures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/opts.h"
#include "report/report.h"

#define USAGE                                                                                                                      \
	"usage: trondoi report 766|targets --db PATH --unit CODE --period P [--cut nd09|calendar]\n"                                \
	"                      [--format json|csv|xlsx] [-o FILE]\n"

/* Writes the file to path ("-" or NULL: standard output); 0 or -1 with e. */
static int save(const struct report_file *f, const char *path, struct err *e)
{
	bool out = !path || !strcmp(path, "-");
	FILE *fp = out ? stdout : fopen(path, "wb");
	if (!fp)
		return err_set(e, 500, "cannot_write", "cannot write %s: %s", "không ghi được %s: %s", path, strerror(errno));
	bool ok = fwrite(f->data, 1, f->len, fp) == f->len;
	ok = (out ? fflush(fp) : fclose(fp)) == 0 && ok;
	return ok ? 0 : err_set(e, 500, "cannot_write", "cannot write %s", "không ghi được %s", out ? "standard output" : path);
}

int cmd_report(int argc, char **argv)
{
	const struct report_kind *kind = argc >= 2 ? report_kind_find(argv[1]) : NULL;
	if (!kind) {
		fputs(USAGE, stdout);
		return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
	}
	const char *db_url = NULL, *unit = NULL, *period = NULL, *cut = NULL, *format = "json", *output = NULL;
	const struct opt opts[] = {
		{"db", "PATH", "database", &db_url, NULL, true},
		{"unit", "CODE", "the unit reported on (province or commune code)", &unit, NULL, true},
		{"period", "P", "YYYY, YYYY-Qn or YYYY-MM", &period, NULL, true},
		{"cut", "CUT", "nd09 (default: from the 15th of the month before, Decree 09/2019) or calendar", &cut, NULL, false},
		{"format", "F", "json (default), csv or xlsx", &format, NULL, false},
		{"output", "FILE", "where to write it (default: standard output)", &output, NULL, false, "o"},
		{0}};
	const char *pos[1];
	int npos;
	char usage[80];
	snprintf(usage, sizeof usage, "report %s --db PATH --unit CODE --period P", kind->name);
	int r = opts_parse(argc - 1, argv + 1, opts, usage,
			   "Write a unit's report for a period: the service index of Decision 766 (766) or the\n"
			   "province's digital-transformation targets (targets), the same figures as the API's\n"
			   "GET /api/v1/reports/766 and /reports/targets. See docs/reporting.md.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	char cmd[24];
	snprintf(cmd, sizeof cmd, "report %s", kind->name);
	struct err e = {0};
	struct period p;
	if (report_format_check(format, &e) || period_parse(period, cut, &p, &e))
		return cli_fail(cmd, &e);
	struct app a;
	struct db *db;
	if (app_open(&a, db_url, &db, &e))
		return cli_fail(cmd, &e);
	const struct principal system = {.username = "system", .role = ROLE_ADMIN};
	json_t *report = NULL;
	struct report_file f = {0};
	int rc = kind->make(&a.dossiers, db, &system, unit, &p, &report, &e) || report_export(kind, report, format, &f, &e) ||
		 save(&f, output, &e);
	json_decref(report);
	free(f.data);
	app_close(&a);
	db_close(db);
	return rc ? cli_fail(cmd, &e) : 0;
}
