/* buf.h — a growable byte buffer with a maximum size (every buffer that takes input has one). */
#ifndef TD_BUF_H
#define TD_BUF_H

#include <stddef.h>

struct buf {
	char *data;     /* always NUL-terminated when len > 0 or after buf_cstr */
	size_t len;
	size_t cap;
	size_t max;     /* appends that would pass this fail */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Returns 0, or -1 when the buffer would exceed its maximum (or memory runs out). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a CSV field in double quotes, a quote inside doubled (NULL as ""). */
int buf_add_quoted(struct buf *b, const char *s);
/* Room for n more bytes: where to write them (then buf_wrote with how many were), or NULL when
 * the buffer would pass its maximum (or memory runs out). For writers that would otherwise add
 * a few bytes at a time. */
char *buf_room(struct buf *b, size_t n);
static inline void buf_wrote(struct buf *b, size_t k)
{
	b->len += k;
	b->data[b->len] = 0;
}
const char *buf_cstr(struct buf *b);
void buf_reset(struct buf *b);

#endif
