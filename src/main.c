/* main.c — trondoi: parse the subcommand and dispatch from the table. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{"init", cmd_init, "init --db PATH [--demo]            create or migrate the database, load data/"},
	{"serve", cmd_serve, "serve --db PATH [--port 8080]      the HTTP API and web pages"},
	{"user", cmd_user, "user add --db PATH --username U --role R --password-stdin   accounts"},
	{"gen", cmd_gen, "gen citizens --count N [--province 36] [--seed S]          synthetic citizens (CSV)"},
	{"import", cmd_import, "import citizens|work-items|inspections --db PATH FILE.csv  bulk import"},
	{"audit", cmd_audit, "audit verify|anchor|verify-anchor --db PATH   the audit hash chain; signed anchors"},
	{"backup", cmd_backup, "backup --db URL -o FILE            a consistent copy of a live database"},
	{"migrate", cmd_migrate, "migrate --from sqlite:PATH --to postgresql://…   move a province to PostgreSQL"},
	{"restore", cmd_restore, "restore --db URL FILE              put a backup back; the chains must verify"},
	{"exchange", cmd_exchange, "exchange member|service|grant|revoke|verify-log|verify-entry --db PATH …   the data exchange"},
	{"report", cmd_report, "report 766|targets --db PATH --unit CODE --period P [--format json|csv|xlsx] [-o FILE]"},
	{"keys", cmd_keys, "keys status|rotate --db URL [--files DIR]   the data keys that seal personal data"},
	{"verify", cmd_verify, "verify TOKEN --key BASE64           check a result's signed claim offline"},
	{"calendar", cmd_calendar, "calendar --year Y                  the year's holidays and make-up working days"},
	{"routes", cmd_routes, "routes                             list the HTTP routes and who may call them"},
};

static void usage(FILE *f)
{
	fprintf(f, "trondoi — one-stop digital government: declare once, be served for a whole life\n\n"
		   "usage: trondoi COMMAND [options]   (trondoi COMMAND --help for details)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %s\n", commands[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (crypto_init()) {
		fprintf(stderr, "trondoi: cannot initialise libsodium\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "trondoi: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
