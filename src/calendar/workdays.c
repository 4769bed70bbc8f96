/* workdays.c — the working-day clock of a dossier.
 *
 * Conventions:
 * - Instants are microseconds since the epoch (UTC); the clock works in Vietnam time (UTC+7,
 *   no daylight saving). A "day" is a Vietnam civil date.
 * - Working days are Mon-Fri minus the days off of the year's list, plus its make-up working
 *   days (see holidays.c). Working hours end at 17:00.
 * - A dossier received on a working day strictly before the cut-off (default 17:00; a procedure
 *   may set an earlier one, e.g. 15:00) starts its clock that day, at the instant of receipt.
 *   Otherwise the clock starts at 00:00 of the next working day.
 * - Due = 17:00 of the N-th working day after the start day (the domain notes' rule; the day of
 *   receipt is not counted). N = 1 received Monday 09:00 is due Tuesday 17:00; received Monday
 *   18:00 it starts Tuesday and is due Wednesday 17:00. N = 0 (same-day procedures) is due 17:00
 *   of the start day.
 * - The cut-off may not pass 17:00, so a due instant is never before receipt.
 * - A paused clock (supplement requested) resumes with the remaining days: count the working
 *   days used with cal_count_working_days and call cal_due again from the instant of resumption
 *   with what is left. */
#include "calendar/calendar.h"

#define US_PER_MIN INT64_C(60000000)
#define MIN_PER_DAY 1440
#define JD_UNIX_EPOCH 2440588L /* 1970-01-01 */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - (a % b != 0 && (a < 0) != (b < 0));
}

long cal_jd_of_us(int64_t us)
{
	int64_t local_min = floor_div(us, US_PER_MIN) + CAL_TZ_HOURS * 60;
	return JD_UNIX_EPOCH + (long)floor_div(local_min, MIN_PER_DAY);
}

int64_t cal_local_us(long jd, int minutes)
{
	return ((int64_t)(jd - JD_UNIX_EPOCH) * MIN_PER_DAY + minutes - CAL_TZ_HOURS * 60) * US_PER_MIN;
}

long cal_next_working_day(const struct calendar *c, long jd)
{
	while (!cal_is_working_jd(c, jd))
		jd++;
	return jd;
}

long cal_add_working_days(const struct calendar *c, long jd, int n)
{
	for (int k = 0; k < n; k++)
		jd = cal_next_working_day(c, jd + 1);
	return jd;
}

int cal_count_working_days(const struct calendar *c, long from, long to)
{
	int n = 0;
	for (long jd = from; jd <= to; jd++)
		n += cal_is_working_jd(c, jd);
	return n;
}

/* The day the clock starts for a receipt at `us`. */
static long start_day(const struct calendar *c, int64_t us, int cutoff_minutes)
{
	long jd = cal_jd_of_us(us);
	if (cal_is_working_jd(c, jd) && us < cal_local_us(jd, cutoff_minutes))
		return jd;
	return cal_next_working_day(c, jd + 1);
}

int cal_due(const struct calendar *c, int64_t received_at_us, int days, int cutoff_minutes, int64_t *start_us,
	    int64_t *due_us)
{
	if (days < 0 || days > CAL_MAX_DAYS || cutoff_minutes < 1 || cutoff_minutes > CAL_CUTOFF_DEFAULT)
		return -1;
	long received = cal_jd_of_us(received_at_us);
	if (received < CAL_JD_MIN || received > CAL_JD_MAX)
		return -1;
	long start = start_day(c, received_at_us, cutoff_minutes);
	long due = cal_add_working_days(c, start, days);
	if (due > CAL_JD_MAX)
		return -1;
	*start_us = start == received ? received_at_us : cal_local_us(start, 0);
	*due_us = cal_local_us(due, CAL_DUE_MINUTES);
	return 0;
}

int cal_resume(const struct calendar *c, int64_t paused_us, int64_t old_due_us, int64_t now_us, int64_t *due_us)
{
	int left = cal_count_working_days(c, cal_jd_of_us(paused_us) + 1, cal_jd_of_us(old_due_us));
	int64_t start;
	return cal_due(c, now_us, left, CAL_CUTOFF_DEFAULT, &start, due_us);
}
