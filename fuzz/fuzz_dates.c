/* fuzz_dates.c — query values: ISO instants, dates and reporting periods. Whatever parses gives a
 * sane value: an instant that prints, a date that prints back the same, a period whose bounds
 * are in order. */
#include "calendar/calendar.h"
#include "core/clock.h"
#include "fuzz.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;
	int64_t us;
	if (!clock_parse_iso(s, &us)) {
		char out[40];
		clock_iso(us, out, sizeof out);
		FUZZ_ASSERT(strlen(out) >= 20);
	}
	long jd;
	if (!cal_parse_date(s, &jd)) {
		char out[16];
		cal_format_date(jd, out, sizeof out);
		FUZZ_ASSERT(!strncmp(out, s, 10));
	}
	struct period p;
	struct err e = {0};
	const char *cuts[] = {NULL, "calendar", s};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
		if (!period_parse(s, cuts[i], &p, &e))
			FUZZ_ASSERT(p.from_us < p.until_us && strlen(p.last_day) == 10);
		else
			FUZZ_ASSERT(e.status == 400);
	free(s);
	return 0;
}
