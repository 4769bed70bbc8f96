/* demo.c — what `trondoi init --demo` adds: 300 synthetic citizens of old Nam Định (province
 * 36, today Ninh Bình), demo accounts (README lists them), and draft applications prefilled from
 * the registry — the dossiers-to-be a citizen finds when signing in. Runs once per database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/json.h"
#include "security/seal.h"

#define DEMO_PASSWORD "trondoi-demo"
#define DEMO_CITIZENS 300
#define DEMO_SEED 2026

int user_check_spec(struct app *a, struct db *db, struct user_spec *u, struct err *e);

static bool demo_present(struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT value FROM meta WHERE key = 'demo'");
	bool yes = st && db_step(st) == DB_ROW;
	if (st)
		db_reset(st);
	return yes;
}

/* The first data row's ID and permanent commune: the demo citizen. */
static int first_citizen(const char *csv, char id[13], char unit[8])
{
	FILE *f = fopen(csv, "r");
	char line[CSV_MAX_LINE];
	char *fields[CSV_MAX_FIELDS];
	int rc = -1;
	if (f && fgets(line, sizeof line, f) && fgets(line, sizeof line, f) && csv_split(line, fields, CSV_MAX_FIELDS) > 9) {
		snprintf(id, 13, "%s", fields[0]);
		snprintf(unit, 8, "%s", fields[9]);
		rc = 0;
	}
	if (f)
		fclose(f);
	return rc;
}

static int add_drafts(struct app *a, struct db *db, const char *citizen_id, struct err *e)
{
	static const char *const procedures[] = {"1.004873", "2.000815", "1.004222"};
	struct principal who = {.role = ROLE_CITIZEN};
	snprintf(who.citizen_id, sizeof who.citizen_id, "%s", citizen_id);
	snprintf(who.username, sizeof who.username, "dan"); /* the demo citizen account: their own prefill */
	for (size_t i = 0; i < sizeof procedures / sizeof *procedures; i++) {
		char *answer;
		if (!catalog_procedure(&a->catalog, procedures[i]))
			continue;
		if (prefill_form(&a->registry, db, &who, procedures[i], &answer, e))
			return -1;
		json_t *form = json_loads(answer, 0, NULL);
		free(answer);
		json_t *fields = json_object();
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(form, "fields"), k, f)
			json_object_set(fields, json_string_value(json_object_get(f, "name")), json_object_get(f, "value"));
		char id[33];
		crypto_random_hex(id, 16);
		char *text = seal_json("drafts.fields", id, fields);
		int rc = text && db_run(db, "INSERT INTO drafts (id, citizen_id, procedure_code, fields, created_at) VALUES (?, ?, ?, ?, ?)",
				       "tttti", id, citizen_id, procedures[i], text, clock_now_us()) == DB_DONE ? 0 : -1;
		free(text);
		json_decref(fields);
		json_decref(form);
		if (rc)
			return err_set(e, 500, "db_error", "cannot store a draft: %s", "không lưu được bản nháp: %s", db_errmsg(db));
	}
	return 0;
}

int demo_load(struct app *a, struct db *db, const char *data_dir, struct err *e)
{
	if (demo_present(db)) {
		printf("demo data already present\n");
		return 0;
	}
	char csv[] = "/tmp/trondoi-demo-XXXXXX.csv";
	int fd = mkstemps(csv, 4);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f)
		return err_set(e, 500, "tmp_failed", "cannot create a temporary file", "không tạo được tệp tạm");
	int rc = registry_gen(a->units, data_dir, 36, DEMO_CITIZENS, DEMO_SEED, f, e);
	fclose(f);
	struct import_stats st;
	char rejects[64];
	snprintf(rejects, sizeof rejects, "%s.rejects", csv);
	char id[13], unit[8];
	if (!rc)
		rc = registry_import(&a->registry, db, csv, rejects, "population-db", "import:population-db", NULL, &st, e);
	if (!rc && first_citizen(csv, id, unit))
		rc = err_set(e, 500, "demo_failed", "cannot read the demo citizens back", "không đọc lại được công dân mẫu");
	unlink(csv);
	if (rc)
		return -1;
	struct user_spec accounts[] = {
		{"dan", DEMO_PASSWORD, "citizen", NULL, NULL, id},
		{"canbo.xa", DEMO_PASSWORD, "officer", unit, "ubnd", NULL, "canbo.xa@motcua.trondoi.local"},
		{"lanhdao.xa", DEMO_PASSWORD, "leader", unit, "ubnd", NULL, "lanhdao.xa@motcua.trondoi.local"},
		{"canbo.tinh", DEMO_PASSWORD, "officer", "37", "ubnd", NULL},
		{"congan.tinh", DEMO_PASSWORD, "officer", "37", "congan", NULL},
		{"canbo.hanoi", DEMO_PASSWORD, "officer", "01", "ubnd", NULL},
		{"lanhdao", DEMO_PASSWORD, "leader", "37", "ubnd", NULL},
		{"quantri", DEMO_PASSWORD, "admin", NULL, NULL, NULL},
		{"baove.dulieu", DEMO_PASSWORD, "dpo", NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof accounts / sizeof *accounts; i++)
		if (user_check_spec(a, db, &accounts[i], e) || user_add(db, &accounts[i], "demo", e))
			return -1;
	if (add_drafts(a, db, id, e))
		return -1;
	char now[40];
	clock_iso(clock_now_us(), now, sizeof now);
	if (db_run(db, "INSERT INTO meta (key, value) VALUES ('demo', ?)", "t", now) != DB_DONE)
		return err_set(e, 500, "db_error", "cannot mark the demo as loaded", "không đánh dấu được dữ liệu mẫu");
	printf("demo: %ld citizens; accounts dan (citizen %s), canbo.xa (officer, commune %s), lanhdao.xa\n"
	       "      (its leader), canbo.tinh, congan.tinh, canbo.hanoi, lanhdao, quantri, baove.dulieu; password for all: %s\n",
	       st.imported, id, unit, DEMO_PASSWORD);
	return 0;
}
