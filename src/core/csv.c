/* csv.c — CSV record splitting and field writing. */
#include "core/csv.h"

#include <stdio.h>
#include <string.h>

int csv_split(char *line, char **fields, int max)
{
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = 0;
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		if (*p == '"') {
			char *w = ++p;
			fields[n++] = w;
			for (;;) {
				if (!*p)
					return -1; /* unterminated quote */
				if (*p == '"') {
					if (p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			if (*p && *p != ',')
				return -1;
			*w = 0;
			if (!*p)
				return n;
			p++;
		} else {
			fields[n++] = p;
			char *c = strchr(p, ',');
			if (strchr(p, '"') && (!c || strchr(p, '"') < c))
				return -1; /* quote inside an unquoted field */
			if (!c)
				return n;
			*c = 0;
			p = c + 1;
		}
	}
}

void csv_write_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		if (*s != '\r' && *s != '\n')
			fputc(*s, f);
		else
			fputc(' ', f);
	}
	fputc('"', f);
}
