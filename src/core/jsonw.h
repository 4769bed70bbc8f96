/* jsonw.h — writing JSON text straight into a bounded buffer, for answers on hot paths where
 * building a tree first would cost more than the rest of the request. */
#ifndef TD_JSONW_H
#define TD_JSONW_H

#include <jansson.h>

#include "core/buf.h"

/* A JSON string literal for s (UTF-8 passed through, control characters escaped). */
int jw_str(struct buf *b, const char *s);
/* Any jansson value, compact, objects in insertion order (as json_dumps with JSON_COMPACT
 * writes it but for control characters, escaped \u00XX here); -1 past the buffer's maximum or
 * nested deeper than 64. */
int jw_value(struct buf *b, const json_t *v);

#endif
