/* embedded.h — files compiled into the binary (migrations, the OpenAPI document). */
#ifndef TD_EMBEDDED_H
#define TD_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct embedded_file embedded_migrations[]; /* ends with {0}, sorted by name */
extern const struct embedded_file embedded_docs[]; /* openapi.yaml, statuses.json */

/* The file of that name in set, or NULL. */
const struct embedded_file *embedded_find(const struct embedded_file *set, const char *name);

#endif
