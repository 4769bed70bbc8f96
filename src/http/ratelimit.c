/* ratelimit.c — a sliding-window request limit per client address, for public routes that anyone
 * could hammer (the dossier lookup, sign-in failures). The minute is counted in twelve buckets of
 * five seconds, so a burst that straddles the turn of a clock minute is still one minute's burst.
 * In memory, per process. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "http/ratelimit.h"

#define SLOTS 4096
#define BUCKETS 12
#define BUCKET_US (60000000 / BUCKETS)

static struct slot {
	char key[64];
	int64_t last; /* the newest bucket counted (microseconds / BUCKET_US) */
	int n[BUCKETS];
} slots[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Brings the slot to bucket b: the buckets that fell out of the minute are emptied. */
static void advance(struct slot *s, int64_t b)
{
	if (b - s->last >= BUCKETS)
		memset(s->n, 0, sizeof s->n);
	else
		for (int64_t i = s->last + 1; i <= b; i++)
			s->n[i % BUCKETS] = 0;
	s->last = b;
}

/* Seconds until enough of the oldest buckets leave the minute for total to be within limit. */
static int wait_for(const struct slot *s, int total, int limit, int64_t now)
{
	for (int64_t i = s->last - BUCKETS + 1; i <= s->last; i++) {
		total -= s->n[(i % BUCKETS + BUCKETS) % BUCKETS];
		if (total <= limit) {
			int64_t us = (i + BUCKETS) * BUCKET_US - now;
			return us <= 0 ? 1 : (int)((us + 999999) / 1000000);
		}
	}
	return 60;
}

/* Counts (by adding `add`, 0 or 1) a request of key; whether the last minute's count stays within
 * per_minute. */
static bool count(const char *key, int add, int per_minute, int *retry_after)
{
	unsigned h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	int64_t now = clock_now_us(), b = now / BUCKET_US;
	pthread_mutex_lock(&mu);
	struct slot *s = &slots[h % SLOTS];
	/* a slot shared by two clients counts them together: the limit errs on the strict side */
	if (strcmp(s->key, key)) {
		snprintf(s->key, sizeof s->key, "%s", key);
		memset(s->n, 0, sizeof s->n);
		s->last = b;
	}
	advance(s, b);
	s->n[b % BUCKETS] += add;
	int total = 0;
	for (int i = 0; i < BUCKETS; i++)
		total += s->n[i];
	bool ok = total <= per_minute;
	*retry_after = ok ? 0 : wait_for(s, total, per_minute, now);
	pthread_mutex_unlock(&mu);
	return ok;
}

bool ratelimit_allow(const char *key, int per_minute, int *retry_after)
{
	return count(key, 1, per_minute, retry_after);
}

bool ratelimit_within(const char *key, int per_minute, int *retry_after)
{
	return count(key, 0, per_minute - 1, retry_after);
}
