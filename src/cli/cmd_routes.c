/* cmd_routes.c — `trondoi routes`: the HTTP route table, one route a line (METHOD PATH ROLES). */
#include <stdio.h>

#include "cli/cli.h"
#include "http/call.h"

int cmd_routes(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < routes_count; i++) {
		printf("%-6s %-50s ", routes[i].method, routes[i].pattern);
		if (!routes[i].roles)
			printf("public");
		for (int b = 0, first = 1; b < ROLE_COUNT; b++)
			if (routes[i].roles & (1 << b)) {
				printf("%s%s", first ? "" : ",", role_name((enum role)(1 << b)));
				first = 0;
			}
		printf("\n");
	}
	return 0;
}
