/* clock.c — time helpers. */
#include "core/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian; days_from_civil's inverse). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* v in width decimal digits, zero-padded (v < 10^width). */
static char *put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

/* YYYY-MM-DD of the day holding second s >= 0 (UTC seconds shifted to the wanted zone) at p;
 * false past year 9999, which the callers then format with snprintf as before. */
static bool put_date(char *p, int64_t s)
{
	int y, m, d;
	civil_from_days(s / 86400, &y, &m, &d);
	if (y > 9999)
		return false;
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	put_digits(p, d, 2);
	return true;
}

/* (Called for every time an answer shows: digits by hand, not gmtime_r and snprintf.) */
void clock_iso(int64_t us, char *out, size_t n)
{
	int64_t s = us / 1000000, sod = s % 86400;
	if (us >= 0 && n >= 28 && put_date(out, s)) {
		char *p = out + 10;
		*p++ = 'T';
		p = put_digits(p, sod / 3600, 2);
		*p++ = ':';
		p = put_digits(p, sod / 60 % 60, 2);
		*p++ = ':';
		p = put_digits(p, sod % 60, 2);
		*p++ = '.';
		p = put_digits(p, us % 1000000, 6);
		*p++ = 'Z';
		*p = 0;
		return;
	}
	time_t t = (time_t)s;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

void clock_today_vn(char *out, size_t n)
{
	clock_date_vn(clock_now_us(), out, n);
}

void clock_date_vn(int64_t us, char *out, size_t n)
{
	int64_t s = us / 1000000 + 7 * 3600;
	if (us >= 0 && n >= 11 && put_date(out, s)) {
		out[10] = 0;
		return;
	}
	time_t t = (time_t)s;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool parse_date(const char *s, int *y, int *m, int *d)
{
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return *y >= 1800 && *y <= 2299 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

bool clock_valid_date(const char *s)
{
	int y, m, d;
	return strlen(s) == 10 && parse_date(s, &y, &m, &d);
}

/* Days since 1970-01-01 (civil calendar, proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int clock_parse_iso(const char *s, int64_t *us)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	int64_t frac = 0, off = 0;
	size_t len = strlen(s);
	if (len < 10 || !parse_date(s, &y, &mo, &d))
		return -1;
	const char *p = s + 10;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2))
			return -1;
		h = (p[0] - '0') * 10 + p[1] - '0';
		mi = (p[3] - '0') * 10 + p[4] - '0';
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2))
				return -1;
			se = (p[1] - '0') * 10 + p[2] - '0';
			p += 3;
			if (*p == '.') {
				p++;
				int n = 0;
				while (*p >= '0' && *p <= '9') {
					if (n < 6) {
						frac = frac * 10 + (*p - '0');
						n++;
					}
					p++;
				}
				if (n == 0)
					return -1;
				for (; n < 6; n++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-') {
			if (!digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2))
				return -1;
			off = ((p[1] - '0') * 10 + p[2] - '0') * 3600 + ((p[4] - '0') * 10 + p[5] - '0') * 60;
			if (*p == '-')
				off = -off;
			p += 6;
		} else
			return -1;
	}
	if (*p)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*us = secs * 1000000 + frac;
	return 0;
}
