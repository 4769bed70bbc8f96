/* cmd_calendar.c — `trondoi calendar --year Y`: the year's holidays and make-up working days. */
#include <stdio.h>
#include <stdlib.h>

#include "calendar/calendar.h"
#include "cli/cli.h"
#include "core/opts.h"

int cmd_calendar(int argc, char **argv)
{
	const char *year = NULL, *data = NULL;
	const struct opt opts[] = {{"year", "Y", "the year (1900-2100)", &year, NULL, true},
				   {"data", "DIR", "reference data folder (default: the data/ beside the program)", &data, NULL, false},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "calendar --year Y",
			   "Print the year's public holidays, compensatory days off and make-up working days:\n"
			   "the official decision from data/holidays/ when there is one, else the Labour Code's rules.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	long y = atol(year);
	char dir[1100];
	cli_data_dir(data, "holidays", dir, sizeof dir);
	struct err e = {0};
	struct calendar *c = cal_new();
	struct cal_year *list = malloc(sizeof *list);
	int rc = !c || !list ? err_set(&e, 500, "out_of_memory", "out of memory", "hết bộ nhớ")
			     : cal_load_dir(c, dir, &e) || cal_holidays(c, (int)y, list, &e);
	if (!rc) {
		static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
		printf("%ld: %s\n", y, list->official ? list->source : "computed from the Labour Code (no official decision on file)");
		for (size_t i = 0; i < list->n; i++)
			printf("%s %s  %-12s %s / %s\n", list->v[i].date, wd[cal_weekday_jd(list->v[i].jd)],
			       cal_kind_name(list->v[i].kind), list->v[i].name_vi, list->v[i].name_en);
	}
	free(list);
	cal_free(c);
	return rc ? cli_fail("calendar", &e) : 0;
}
