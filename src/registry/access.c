/* access.c — who may read a citizen's record: the citizen; staff whose unit covers the
 * permanent address on today's map (addresses on a pre-2025 code count through the successor
 * unit); anyone the citizen consented to, for the consented attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "registry/record.h"
#include "registry/registry.h"

bool registry_in_scope(const struct registry *r, const struct principal *who, const json_t *doc)
{
	if (!(who->role & ROLE_STAFF) || !who->unit[0])
		return false;
	struct stored addr;
	if (!record_get(doc, "permanent_address", &addr) || !json_is_object(addr.value))
		return false;
	char unit[8], date[11], today[11];
	attr_address_unit(addr.value, addr.updated_at, unit, date);
	clock_today_vn(today, sizeof today);
	return units_within(r->units, unit, date, who->unit, today);
}

/* Does a consent's recipient name who: their username, or a unit that is or contains theirs? */
static bool names_recipient(const struct registry *r, const struct principal *who, const char *recipient)
{
	if (!strcmp(recipient, who->username))
		return true;
	if (!(who->role & ROLE_STAFF) || !who->unit[0] || !units_valid_code(recipient))
		return false;
	char today[11];
	clock_today_vn(today, sizeof today);
	return units_within(r->units, who->unit, today, recipient, today);
}

/* Unions the attributes of the live consents that name who. */
static int consented(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		     struct access *out)
{
	struct db_stmt *st = db_prepare(db, "SELECT attributes, purpose, recipient FROM consents WHERE citizen_id = ? AND "
					    "revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC");
	if (!st || db_bind(st, "ti", id, clock_now_us()))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (!names_recipient(r, who, db_col_text(st, 2)))
			continue;
		json_t *names = json_loads(db_col_text(st, 0), 0, NULL);
		if (!out->names) {
			out->names = json_array();
			snprintf(out->purpose, sizeof out->purpose, "%s", db_col_text(st, 1));
		}
		size_t i;
		json_t *n;
		json_array_foreach(names, i, n) json_array_append(out->names, n);
		json_decref(names);
	}
	if (rc != DB_DONE)
		return -1;
	if (out->names)
		out->kind = ACCESS_CONSENT;
	return 0;
}

#define MINOR_YEARS 18

/* A parent the registry links to a minor (mother_id, father_id) reads the child's record. */
static bool guardian_of(const struct principal *who, const json_t *doc)
{
	static const char *const parents[] = {"mother_id", "father_id"};
	struct stored dob, p;
	char today[11];
	clock_today_vn(today, sizeof today);
	if (who->role != ROLE_CITIZEN || !record_get(doc, "date_of_birth", &dob) || !json_is_string(dob.value) ||
	    atoi(today) - atoi(json_string_value(dob.value)) > MINOR_YEARS)
		return false;
	for (size_t i = 0; i < 2; i++)
		if (record_get(doc, parents[i], &p) && json_is_string(p.value) && !strcmp(json_string_value(p.value), who->citizen_id))
			return true;
	return false;
}

int registry_access(const struct registry *r, struct db *db, const struct principal *who, const char *id,
		    const json_t *doc, struct access *out)
{
	memset(out, 0, sizeof *out);
	if (who->role == ROLE_CITIZEN && !strcmp(who->citizen_id, id)) {
		out->kind = ACCESS_SELF;
		return 0;
	}
	if (registry_in_scope(r, who, doc)) {
		out->kind = ACCESS_SCOPE;
		return 0;
	}
	if (guardian_of(who, doc)) {
		out->kind = ACCESS_GUARDIAN;
		return 0;
	}
	return consented(r, db, who, id, out);
}
