/* ratelimit.h — per-client request limits for public routes. */
#ifndef TD_RATELIMIT_H
#define TD_RATELIMIT_H

#include <stdbool.h>

/* Counts a request of key (a client address); false (with seconds to wait) past per_minute. */
bool ratelimit_allow(const char *key, int per_minute, int *retry_after);
/* Whether one more of key would still be within per_minute, without counting it. */
bool ratelimit_within(const char *key, int per_minute, int *retry_after);

#endif
