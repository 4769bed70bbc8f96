/* cli.h — the subcommands; main.c dispatches to them from its table. Each returns the process
 * exit status. */
#ifndef TD_CLI_H
#define TD_CLI_H

#include <stdbool.h>

#include "app.h"

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_exchange(int argc, char **argv);
int cmd_keys(int argc, char **argv);

/* demo.c: synthetic citizens, demo accounts and draft applications for `init --demo`. */
int demo_load(struct app *a, struct db *db, const char *data_dir, struct err *e);

/* Two-word commands ("gen citizens"): true when argv[1] is sub; otherwise prints usage and sets
 * *status to the exit status (0 for --help, 2 for anything else). */
bool cli_sub(int argc, char **argv, const char *sub, const char *usage, int *status);

/* The reference data folder: given (--data), else the data/ beside the program; with sub
 * ("holidays"), that folder inside it. */
void cli_data_dir(const char *given, const char *sub, char *out, size_t n);

/* Reads at most max + 1 bytes of path (so that a larger file shows), NUL-terminated; caller
 * frees; NULL when it cannot be read. */
char *cli_read_file(const char *path, size_t max, size_t *len);

/* Where stored documents are: given (--files), else DB.files beside a SQLite database; "" with
 * PostgreSQL and none given. */
void cli_files_dir(const char *db_url, const char *given, char *out, size_t n);

/* Prints "trondoi CMD: message" (English, then Vietnamese) to stderr; returns exit status 1. */
int cli_fail(const char *cmd, const struct err *e);

#endif
