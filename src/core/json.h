/* json.h — JSON input with limits (size, depth, UTF-8, no trailing garbage) and small getters
 * over jansson that report type errors in both languages. */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define JSON_MAX_DEPTH 32

/* Parses len bytes as one JSON value. Fails with 413 past max_bytes, 400 on bad JSON, depth
 * beyond max_depth, NUL bytes or trailing data. Returns a new reference or NULL. */
json_t *json_parse_limited(const char *text, size_t len, size_t max_bytes, int max_depth, struct err *e);

/* Same, and the value must be an object. */
json_t *json_parse_object(const char *text, size_t len, size_t max_bytes, struct err *e);

/* Getters: key absent -> returns def (or NULL) without error when optional; wrong type -> 422. */
int json_get_str(const json_t *o, const char *key, bool required, size_t max_len, const char **out, struct err *e);
int json_get_bool(const json_t *o, const char *key, bool required, bool *out, struct err *e);

/* Compact UTF-8 serialisation (jw_value), any value, up to JSON_TEXT_MAX bytes; caller frees;
 * NULL past that or out of memory. */
#define JSON_TEXT_MAX ((size_t)1 << 30)
char *json_to_str(const json_t *v);
/* The element of array arr whose member key is the string value, or NULL. */
const json_t *json_find(const json_t *arr, const char *key, const char *value);
/* An instant as an ISO 8601 string, or null when absent. */
json_t *json_time(int64_t us, bool present);
/* The API's error answer {"error":{"code","message","message_vi"}} for e. */
json_t *json_error(const struct err *e);

#endif
