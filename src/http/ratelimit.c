/* ratelimit.c — a fixed-window request limit per client address, for public routes that anyone
 * could hammer (the dossier lookup). In memory, per process. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "http/ratelimit.h"

#define SLOTS 4096

static struct {
	char key[64];
	int64_t window;
	int count;
} slots[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Counts (by adding `add`, 0 or 1) a request of key in this minute's window; whether the count
 * stays within per_minute. */
static bool count(const char *key, int add, int per_minute, int *retry_after)
{
	unsigned h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	int64_t now = clock_now_us(), window = now / 60000000;
	pthread_mutex_lock(&mu);
	/* a slot shared by two clients counts them together: the limit errs on the strict side */
	if (slots[h % SLOTS].window != window || strcmp(slots[h % SLOTS].key, key)) {
		snprintf(slots[h % SLOTS].key, sizeof slots[h % SLOTS].key, "%s", key);
		slots[h % SLOTS].window = window;
		slots[h % SLOTS].count = 0;
	}
	slots[h % SLOTS].count += add;
	bool ok = slots[h % SLOTS].count <= per_minute;
	pthread_mutex_unlock(&mu);
	*retry_after = ok ? 0 : (int)(60 - (now / 1000000) % 60);
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
