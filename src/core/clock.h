/* clock.h — wall-clock time in microseconds, ISO 8601 formatting and date checks. */
#ifndef TD_CLOCK_H
#define TD_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t clock_now_us(void);
/* "2026-11-25T08:30:00.123456Z" into out (>= 32 bytes). */
void clock_iso(int64_t us, char *out, size_t n);
/* Today's date in Vietnam (UTC+7) as YYYY-MM-DD into out (>= 11 bytes). */
void clock_today_vn(char *out, size_t n);
/* The Vietnam (UTC+7) date YYYY-MM-DD of an instant. */
void clock_date_vn(int64_t us, char *out, size_t n);
/* True when s is a real calendar date written YYYY-MM-DD (year 1800-2299). */
bool clock_valid_date(const char *s);
/* Parses "YYYY-MM-DD" or an ISO 8601 date-time with Z or ±hh:mm; returns 0 and *us, or -1. */
int clock_parse_iso(const char *s, int64_t *us);

#endif
