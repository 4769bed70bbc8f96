/* opts.h — long options for subcommands, described by a table that also prints the help. */
#ifndef TD_OPTS_H
#define TD_OPTS_H

#include <stdbool.h>

struct opt {
	const char *name;     /* without the leading "--" */
	const char *arg;      /* argument name for help, NULL for a flag */
	const char *help;
	const char **value;   /* set for options with an argument */
	bool *flag;           /* set for flags */
	bool required;
	const char *alias;    /* a one-letter short form without the "-" ("o" for -o), or NULL */
};

/* Parses argv (argv[0] is the subcommand) against opts, which ends with {0}. Positional
 * arguments go to pos (up to maxpos). Prints usage and returns -1 on error, 1 on --help. */
int opts_parse(int argc, char **argv, const struct opt *opts, const char *usage, const char *summary,
	       const char **pos, int maxpos, int *npos);
void opts_usage(const char *usage, const char *summary, const struct opt *opts);
/* Reads a configuration file of "name = value" lines (# comments): a name of opts (without
 * "--") sets that option unless the command line did; a TRONDOI_* name sets that environment
 * variable unless it is set. The values live in *text (the caller frees it). 0, or -1 after
 * printing the file's line that is wrong. */
int opts_config(const char *cmd, const char *path, const struct opt *opts, char **text);

#endif
