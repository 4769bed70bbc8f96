/* holidays_db.c — the official holiday decisions kept in the database: stored by `trondoi init`
 * from data/holidays/, loaded into the calendar by the server. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/json.h"

/* Stores one year document after the calendar accepted it. */
static int store_year(struct calendar *check, struct db *db, const char *path, struct err *e)
{
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return err_set(e, 500, "bad_holiday_data", "%s: line %d: %s", "%s: dòng %d: %s", path, je.line, je.text);
	int rc = cal_load_json(check, doc, path, e);
	char *text = rc ? NULL : json_to_str(doc);
	if (!rc && (!text || db_run(db, "INSERT INTO holiday_years (year, doc, loaded_at) VALUES (?, ?, ?)", "iti",
				    (int64_t)json_integer_value(json_object_get(doc, "year")), text, clock_now_us()) != DB_DONE))
		rc = err_set(e, 500, "db_error", "%s: cannot store it (a second file for the same year?)",
			     "%s: không lưu được (hai tệp cho cùng một năm?)", path);
	free(text);
	json_decref(doc);
	return rc;
}

int holidays_store_dir(struct db *db, const char *dir, int *count, struct err *e)
{
	*count = 0;
	if (db_run(db, "DELETE FROM holiday_years", "") != DB_DONE)
		return err_set(e, 500, "db_error", "cannot replace the holiday decisions", "không thay được dữ liệu ngày nghỉ");
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, 500, "bad_holiday_data", "cannot open %s", "không mở được %s", dir);
	struct calendar *check = cal_new();
	int rc = check ? 0 : err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n != 9 || strcmp(de->d_name + 4, ".json"))
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		rc = store_year(check, db, path, e);
		if (!rc)
			(*count)++;
	}
	closedir(d);
	cal_free(check);
	return rc;
}

int holidays_load_db(struct calendar *c, struct db *db, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT year, doc FROM holiday_years ORDER BY year");
	if (!st)
		return err_set(e, 500, "db_error", "cannot read the holiday decisions: %s", "không đọc được dữ liệu ngày nghỉ: %s",
			       db_errmsg(db));
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char name[32];
		snprintf(name, sizeof name, "holiday_years %lld", (long long)db_col_int(st, 0));
		json_t *doc = json_loads(db_col_text(st, 1), 0, NULL);
		int bad = cal_load_json(c, doc, name, e);
		json_decref(doc);
		if (bad) {
			db_reset(st);
			return -1;
		}
	}
	return rc == DB_DONE ? 0 : err_set(e, 500, "db_error", "cannot read the holiday decisions", "không đọc được dữ liệu ngày nghỉ");
}
