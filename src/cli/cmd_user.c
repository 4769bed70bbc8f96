/* cmd_user.c — `trondoi user add`: accounts for citizens, officers, leaders and admins. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/opts.h"

/* Checks what the role needs: staff a unit on today's map and a known agency; a citizen an
 * existing registry record. */
int user_check_spec(struct app *a, struct db *db, struct user_spec *u, struct err *e);

int user_check_spec(struct app *a, struct db *db, struct user_spec *u, struct err *e)
{
	enum role role;
	if (role_parse(u->role, &role))
		return err_set(e, 400, "invalid_role", "role must be citizen, officer, leader, admin or dpo",
			       "vai trò phải là citizen, officer, leader, admin hoặc dpo");
	char today[11];
	clock_today_vn(today, sizeof today);
	if (role & ROLE_STAFF) {
		if (!u->unit || !units_valid_code(u->unit) || !units_find(a->units, u->unit, today))
			return err_set(e, 400, "invalid_unit", "an %s needs --unit with a unit code on today's map",
				       "%s cần --unit là mã đơn vị hành chính hiện hành", u->role);
		if (!u->agency)
			u->agency = "ubnd";
		if (!catalog_agency(&a->catalog, u->agency))
			return err_set(e, 400, "invalid_agency", "unknown agency kind '%s' (see data/agencies.json)",
				       "loại cơ quan '%s' không có (xem data/agencies.json)", u->agency);
	} else if (u->unit || u->agency || u->email)
		return err_set(e, 400, "invalid_unit", "--unit, --agency and --email are for officers and leaders",
			       "--unit, --agency và --email chỉ dành cho cán bộ và lãnh đạo");
	if (role == ROLE_CITIZEN) {
		json_t *doc;
		if (!u->citizen_id)
			return err_set(e, 400, "missing_citizen", "a citizen account needs --citizen ID",
				       "tài khoản công dân cần --citizen ID");
		if (citizen_load(db, u->citizen_id, &doc, NULL, e))
			return -1;
		json_decref(doc);
	} else if (u->citizen_id)
		return err_set(e, 400, "invalid_citizen", "--citizen is for citizen accounts", "--citizen chỉ dành cho công dân");
	return 0;
}

int cmd_user(int argc, char **argv)
{
	int status;
	if (!cli_sub(argc, argv, "add", "usage: trondoi user add --db PATH --username U --role citizen|officer|leader|admin|dpo [--unit CODE]\n"
		       "                        [--agency KIND] [--citizen ID] --password-stdin\n", &status))
		return status;
	struct user_spec u = {0};
	const char *db_url = NULL;
	bool from_stdin = false;
	const struct opt opts[] = {
		{"db", "PATH", "database", &db_url, NULL, true},
		{"username", "U", "3-64 characters: a-z 0-9 . _ -", &u.username, NULL, true},
		{"role", "ROLE", "citizen, officer, leader or admin", &u.role, NULL, true},
		{"unit", "CODE", "officer/leader: administrative unit code on today's map", &u.unit, NULL, false},
		{"agency", "KIND", "officer/leader: agency kind from data/agencies.json (default ubnd)", &u.agency, NULL, false},
		{"citizen", "ID", "citizen: the 12-digit personal ID of their registry record", &u.citizen_id, NULL, false},
		{"email", "ADDR", "officer/leader: work e-mail address, for reminders of report forms due", &u.email, NULL, false},
		{"password-stdin", NULL, "read the password from the first line of standard input", NULL, &from_stdin, true},
		{0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, "user add --db PATH --username U --role ROLE --password-stdin",
			   "Create an account; the password is hashed with argon2id.", pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (!from_stdin) {
		fprintf(stderr, "trondoi user add: give the password on standard input with --password-stdin\n");
		return 2;
	}
	char pw[PASSWORD_MAX + 2];
	if (!fgets(pw, sizeof pw, stdin)) {
		fprintf(stderr, "trondoi user add: no password on standard input\n");
		return 2;
	}
	pw[strcspn(pw, "\r\n")] = 0;
	u.password = pw;
	struct app a;
	struct db *db;
	struct err e = {0};
	if (app_open(&a, db_url, &db, &e))
		return cli_fail("user add", &e);
	int rc = user_check_spec(&a, db, &u, &e) || user_add(db, &u, "cli", &e);
	if (!rc)
		printf("account %s (%s) created\n", u.username, u.role);
	app_close(&a);
	db_close(db);
	return rc ? cli_fail("user add", &e) : 0;
}
