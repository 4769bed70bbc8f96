/* cmd_keys.c — `trondoi keys status`: which data keys seal how much; `trondoi keys rotate`: a new
 * data key, everything re-sealed under it, the old keys dropped from the key file once nothing
 * needs them. Servers may keep running: they take the new key within a few seconds. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/opts.h"
#include "security/reseal.h"

#define USAGE "usage: trondoi keys status|rotate --db URL [--files DIR]\n"
#define SETTLE_S 3 /* running servers reread the key file within 2 s (seal.c) */

static void print_counts(const struct reseal_counts *k)
{
	for (int i = 0; i < k->n; i++)
		printf("key %d%s: %lld values, %lld files\n", k->ids[i], i == k->n - 1 ? " (seals)" : "", (long long)k->values[i],
		       (long long)k->files[i]);
	if (k->values_clear || k->files_clear)
		printf("in clear: %lld values, %lld files (trondoi keys rotate seals them)\n", (long long)k->values_clear,
		       (long long)k->files_clear);
}

/* Nothing is sealed under a key but the active one, and nothing is in clear. */
static bool only_active(const struct reseal_counts *k)
{
	bool clean = !k->values_clear && !k->files_clear;
	for (int i = 0; i < k->n - 1; i++)
		clean &= !k->values[i] && !k->files[i];
	return clean;
}

static int rotate(struct db *db, const char *files, struct err *e)
{
	int old[SEAL_KEYS_MAX], nold = seal_key_ids(old);
	if (seal_add_key(e) || seal_mark(db, e))
		return -1;
	printf("data key %d added; waiting %d s for running servers to take it\n", seal_active(), SETTLE_S);
	sleep(SETTLE_S);
	struct reseal_stats st;
	struct reseal_counts k;
	for (int pass = 0; pass < 3; pass++) {
		if (reseal_all(db, files, &st, e) || reseal_count(db, files, &k, e))
			return -1;
		printf("re-sealed %ld values and %ld files under key %d\n", st.rows, st.files, seal_active());
		if (only_active(&k))
			break;
	}
	if (!only_active(&k)) {
		print_counts(&k);
		return err_set(e, 409, "rotation_unfinished", "values are still sealed under older keys; they stay in the key file",
			       "vẫn còn giá trị niêm phong bằng khóa cũ; các khóa cũ được giữ trong tệp khóa");
	}
	if (seal_drop_keys(NULL, 0, e))
		return -1;
	char detail[64];
	snprintf(detail, sizeof detail, "{\"key\":%d,\"dropped\":%d}", seal_active(), nold);
	if (audit_append(db, "cli", "keys.rotate", "data-key", detail))
		return err_set(e, 500, "db_error", "the rotation is done but was not audited", "đã đổi khóa nhưng chưa ghi nhật ký");
	print_counts(&k);
	printf("rotated: key %d seals everything; %d old key(s) removed from the key file\n", seal_active(), nold);
	return 0;
}

int cmd_keys(int argc, char **argv)
{
	int status;
	bool is_rotate = argc > 1 && !strcmp(argv[1], "rotate");
	if (!is_rotate && !cli_sub(argc, argv, "status", USAGE, &status))
		return status;
	const char *db_url = NULL, *files = NULL;
	const struct opt opts[] = {{"db", "URL", "the database (a path, sqlite:PATH or postgresql://…)", &db_url, NULL, true},
				   {"files", "DIR", "where stored documents are (default: DB.files beside a SQLite database)", &files, NULL,
				    false},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc - 1, argv + 1, opts, is_rotate ? "keys rotate --db URL [--files DIR]" : "keys status --db URL [--files DIR]",
			   is_rotate ? "Add a new data key, re-seal every sealed value and stored file under it, and drop the old\n"
				       "keys from the key file (TRONDOI_DATA_KEY, else DB.data-key) once nothing needs them."
				     : "How many sealed values and stored files each data key seals.",
			   pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	char files_dir[1100];
	cli_files_dir(db_url, files, files_dir, sizeof files_dir);
	const char *dir = files_dir[0] ? files_dir : NULL;
	struct db *db = NULL;
	struct err e = {0};
	struct reseal_counts k;
	int rc = db_open(&db, db_url, false, &e) || seal_load(db, db_url, false, &e) ? -1
		 : is_rotate ? rotate(db, dir, &e)
			     : reseal_count(db, dir, &k, &e);
	if (!rc && !is_rotate)
		print_counts(&k);
	seal_unload();
	if (db)
		db_close(db);
	return rc ? cli_fail(is_rotate ? "keys rotate" : "keys status", &e) : 0;
}
