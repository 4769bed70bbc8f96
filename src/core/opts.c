/* opts.c — table-driven option parsing. */
#include "core/opts.h"

#include <stdio.h>
#include <string.h>

void opts_usage(const char *usage, const char *summary, const struct opt *opts)
{
	printf("usage: trondoi %s\n\n%s\n\noptions:\n", usage, summary);
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, "%s%s%s--%s%s%s", o->alias ? "-" : "", o->alias ? o->alias : "", o->alias ? ", " : "", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-26s %s%s\n", left, o->help, o->required ? " (required)" : "");
	}
	printf("  %-26s %s\n", "--help", "show this help");
}

/* The option a names: "--name", or "-x" for one with alias x. */
static const struct opt *find(const struct opt *opts, const char *a)
{
	for (const struct opt *o = opts; o->name; o++)
		if ((a[1] == '-' && !strcmp(o->name, a + 2)) || (a[1] != '-' && o->alias && !strcmp(o->alias, a + 1)))
			return o;
	return NULL;
}

int opts_parse(int argc, char **argv, const struct opt *opts, const char *usage, const char *summary,
	       const char **pos, int maxpos, int *npos)
{
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			opts_usage(usage, summary, opts);
			return 1;
		}
		const struct opt *o = a[0] == '-' && a[1] ? find(opts, a) : NULL;
		if (!o && strncmp(a, "--", 2) != 0) {
			if (*npos == maxpos) {
				fprintf(stderr, "trondoi %s: unexpected argument '%s' (see --help)\n", argv[0], a);
				return -1;
			}
			pos[(*npos)++] = a;
			continue;
		}
		if (!o) {
			fprintf(stderr, "trondoi %s: unknown option '%s' (see --help)\n", argv[0], a);
			return -1;
		}
		if (o->flag) {
			*o->flag = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "trondoi %s: option '%s' needs a value (%s)\n", argv[0], a, o->arg);
			return -1;
		}
		*o->value = argv[++i];
	}
	for (const struct opt *o = opts; o->name; o++)
		if (o->required && o->value && !*o->value) {
			fprintf(stderr, "trondoi %s: option --%s is required (see --help)\n", argv[0], o->name);
			return -1;
		}
	return 0;
}
