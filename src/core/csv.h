/* csv.h — one CSV record (RFC 4180 quoting, no line breaks inside fields) split in place. */
#ifndef TD_CSV_H
#define TD_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_LINE 8192

/* Splits line (modified in place; trailing \r\n removed) into at most max fields.
 * Returns the number of fields, or -1 on bad quoting or too many fields. */
int csv_split(char *line, char **fields, int max);
/* Writes s as one CSV field (quoted when needed) to f. */
void csv_write_field(FILE *f, const char *s);

#endif
