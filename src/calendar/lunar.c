/* lunar.c — Julian day numbers and the Vietnamese lunar calendar, computed for UTC+7.
 *
 * The rules (the method Hồ Ngọc Đức published, with Meeus's low-precision series):
 * - a lunar month begins on the local (UTC+7) day of an astronomical new moon;
 * - month 11 is the month that contains the winter solstice (sun at 270°);
 * - when two consecutive months 11 are 13 new moons apart, the first month after month 11 that
 *   contains no major solar term (the sun crosses no multiple of 30°) is the leap month and
 *   repeats the number of the month before it.
 * Vietnam computes on the UTC+7 meridian and China on UTC+8, so the two calendars differ in some
 * years (Tết 1985 and 2007). The series are good to minutes for 1900-2100, the supported range. */
#include "calendar/calendar.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

#define SYNODIC_MONTH 29.530588853
#define NEW_MOON_0 2415021.076998695 /* JD of new moon number 0 (1900-01-01, about 13:50 UT) */
#define DEG (M_PI / 180.0)

/* ---- Julian day numbers ---- */

long cal_jd(int y, int m, int d)
{
	long a = (14 - m) / 12;
	long yy = y + 4800 - a;
	long mm = m + 12 * a - 3;
	return d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 + yy / 400 - 32045;
}

void cal_jd_to_date(long jd, int *y, int *m, int *d)
{
	long a = jd + 32044;
	long b = (4 * a + 3) / 146097;
	long c = a - 146097 * b / 4;
	long dd = (4 * c + 3) / 1461;
	long e = c - 1461 * dd / 4;
	long mm = (5 * e + 2) / 153;
	*d = (int)(e - (153 * mm + 2) / 5 + 1);
	*m = (int)(mm + 3 - 12 * (mm / 10));
	*y = (int)(100 * b + dd - 4800 + mm / 10);
}

int cal_weekday_jd(long jd)
{
	return (int)((jd + 1) % 7);
}

int cal_weekday(int y, int m, int d)
{
	return cal_weekday_jd(cal_jd(y, m, d));
}

bool cal_valid_date(int y, int m, int d)
{
	if (y < CAL_YEAR_MIN || y > CAL_YEAR_MAX || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int yy, mm, dd;
	cal_jd_to_date(cal_jd(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

int cal_parse_date(const char *s, long *jd)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || !clock_valid_date(s) || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    !cal_valid_date(y, m, d))
		return -1;
	*jd = cal_jd(y, m, d);
	return 0;
}

void cal_format_date(long jd, char *out, size_t n)
{
	int y, m, d;
	cal_jd_to_date(jd, &y, &m, &d);
	snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

/* ---- astronomy ---- */

/* A periodic term of the new-moon correction: amp * sin(m*M + mp*M' + f*F), where M is the sun's
 * mean anomaly, M' the moon's, F the moon's argument of latitude. */
struct moon_term {
	double amp;
	int m, mp, f;
};

static const struct moon_term moon_terms[] = {
	{0.0021, 2, 0, 0},   {-0.4068, 0, 1, 0},  {0.0161, 0, 2, 0},  {-0.0004, 0, 3, 0},
	{0.0104, 0, 0, 2},   {-0.0051, 1, 1, 0},  {-0.0074, 1, -1, 0}, {0.0004, 1, 0, 2},
	{-0.0004, -1, 0, 2}, {-0.0006, 0, 1, 2},  {0.0010, 0, -1, 2},  {0.0005, 1, 2, 0},
};

/* Julian date (UT) of new moon number k, counted from the new moon of 1900-01-01. */
static double new_moon(int k)
{
	double t = k / 1236.85, t2 = t * t, t3 = t2 * t;
	double jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3 +
		    0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * DEG);
	double m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
	double mp = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
	double f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
	double c = (0.1734 - 0.000393 * t) * sin(m * DEG);
	for (size_t i = 0; i < sizeof moon_terms / sizeof *moon_terms; i++) {
		const struct moon_term *x = &moon_terms[i];
		c += x->amp * sin((x->m * m + x->mp * mp + x->f * f) * DEG);
	}
	double delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2; /* TT - UT in days, 1900-2100 */
	return jd + c - delta_t;
}

/* The local (UTC+7) day on which new moon k falls. */
static long new_moon_day(int k)
{
	return (long)floor(new_moon(k) + 0.5 + CAL_TZ_HOURS / 24.0);
}

/* The sun's apparent longitude in radians, 0..2π, at Julian date jd (UT). */
static double sun_longitude(double jd)
{
	double t = (jd - 2451545.0) / 36525, t2 = t * t;
	double m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
	double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
	double c = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(m * DEG) +
		   (0.019993 - 0.000101 * t) * sin(2 * m * DEG) + 0.000290 * sin(3 * m * DEG);
	double l = (l0 + c) * DEG;
	return l - 2 * M_PI * floor(l / (2 * M_PI));
}

/* Which 30° sector (0..11) the sun is in at the local midnight that begins day jd. */
static int sun_sector(long jd)
{
	return (int)floor(sun_longitude(jd - 0.5 - CAL_TZ_HOURS / 24.0) / (M_PI / 6));
}

/* The day of the last new moon on or before day jd: the first day of jd's lunar month. The
 * mean-motion estimate may be one lunation off either way (a true new moon lags or leads the mean
 * one by up to ~14 hours), so start one past it and step back to the first not after jd. */
static long last_new_moon_day(long jd)
{
	int k = (int)floor((jd - NEW_MOON_0) / SYNODIC_MONTH) + 1;
	long start;
	while ((start = new_moon_day(k)) > jd)
		k--;
	return start;
}

/* The first day of lunar month 11 (the month of the winter solstice) of solar year y. */
static long month11(int y)
{
	int k = (int)floor((cal_jd(y, 12, 31) - 2415021) / SYNODIC_MONTH);
	long nm = new_moon_day(k);
	return sun_sector(nm) >= 9 ? new_moon_day(k - 1) : nm;
}

/* The months from month 11 of solar year y to month 11 of y + 1. */
struct lunar_span {
	long a11, b11; /* first days of the two months 11 */
	int k11;       /* new moon number of a11 */
	int leap;      /* offset of the leap month from a11 (1..12), 0 when the span has 12 months */
};

/* The offset from month 11 of the first month whose start and the next month's start have the
 * sun in the same sector, i.e. the first month without a major term. */
static int leap_offset(int k11)
{
	int i = 1, last, arc = sun_sector(new_moon_day(k11 + 1));
	do {
		last = arc;
		i++;
		arc = sun_sector(new_moon_day(k11 + i));
	} while (arc != last && i < 14);
	return i - 1;
}

static void span_of(int y, struct lunar_span *s)
{
	s->a11 = month11(y);
	s->b11 = month11(y + 1);
	s->k11 = (int)floor(0.5 + (s->a11 - NEW_MOON_0) / SYNODIC_MONTH);
	s->leap = s->b11 - s->a11 > 365 ? leap_offset(s->k11) : 0;
}

/* The month number of the month at offset `off` (0 = month 11) in a span without a leap month. */
static int month_number(int off)
{
	return (off + 10) % 12 + 1;
}

/* ---- conversions ---- */

int cal_solar_to_lunar(int y, int m, int d, struct lunar_date *out)
{
	if (!cal_valid_date(y, m, d))
		return -1;
	long jd = cal_jd(y, m, d), start = last_new_moon_day(jd);
	struct lunar_span s;
	int base = month11(y) > start ? y - 1 : y; /* the span that holds this month */
	span_of(base, &s);
	int off = (int)((start - s.a11) / 29);
	bool leap = s.leap && off == s.leap;
	int plain = s.leap && off >= s.leap ? off - 1 : off; /* offset ignoring the leap month */
	out->day = (int)(jd - start + 1);
	out->month = month_number(plain);
	out->leap = leap;
	out->year = out->month >= 11 ? base : base + 1;
	return 0;
}

/* First day and length of the lunar month, or -1 when it does not exist. */
static int month_start(int ly, int lm, bool leap, long *start, int *len)
{
	if (ly < CAL_YEAR_MIN - 1 || ly > CAL_YEAR_MAX || lm < 1 || lm > 12)
		return -1;
	struct lunar_span s;
	span_of(lm >= 11 ? ly : ly - 1, &s);
	int off = (lm + 1) % 12; /* 11 -> 0, 12 -> 1, 1 -> 2 ... 10 -> 11 */
	if (leap && (!s.leap || month_number(s.leap - 1) != lm))
		return -1;
	if (leap || (s.leap && off >= s.leap))
		off++;
	*start = new_moon_day(s.k11 + off);
	*len = (int)(new_moon_day(s.k11 + off + 1) - *start);
	return 0;
}

int cal_lunar_to_solar(int ly, int lm, int ld, bool leap, int *y, int *m, int *d)
{
	long start;
	int len;
	if (month_start(ly, lm, leap, &start, &len) || ld < 1 || ld > len)
		return -1;
	long jd = start + ld - 1;
	if (jd < CAL_JD_MIN || jd > CAL_JD_MAX)
		return -1;
	cal_jd_to_date(jd, y, m, d);
	return 0;
}

int cal_leap_month(int ly)
{
	if (ly < CAL_YEAR_MIN || ly > CAL_YEAR_MAX)
		return -1;
	struct lunar_span s;
	span_of(ly - 1, &s); /* months 1..10 of ly sit at offsets 2..12 of this span */
	if (s.leap >= 3)
		return month_number(s.leap - 1);
	span_of(ly, &s); /* months 11 and 12 of ly sit at offsets 0..2 of the next */
	return s.leap == 1 || s.leap == 2 ? month_number(s.leap - 1) : 0;
}

int cal_lunar_month_days(int ly, int lm, bool leap)
{
	long start;
	int len;
	return month_start(ly, lm, leap, &start, &len) ? -1 : len;
}
