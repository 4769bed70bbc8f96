/* units.h — the effective-dated hierarchy of administrative units (province, district, commune),
 * in memory, with the links across the 2025 reform. Pure computation: callers load it from the
 * data files (units_load_dir) or from rows they read elsewhere (units_add, units_link). */
#ifndef TD_UNITS_H
#define TD_UNITS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum unit_level { UNIT_PROVINCE = 0, UNIT_DISTRICT = 1, UNIT_COMMUNE = 2 };

struct unit {
	char code[8];
	char name[96];
	char type[48];
	enum unit_level level;
	char parent[8];      /* "" for a province */
	char valid_from[11]; /* YYYY-MM-DD */
	char valid_to[11];   /* YYYY-MM-DD, "" while in force */
};

struct unit_link {
	char old_code[8];
	char new_code[8];
	enum unit_level level;
	char kind[8];       /* "full" or "partial" */
	char effective[11]; /* the day the new unit took over */
};

struct units;

struct units *units_new(void);
void units_free(struct units *u);
int units_add(struct units *u, const struct unit *x);
int units_link(struct units *u, const struct unit_link *l);
/* Sorts and indexes; call once after the last add and before any lookup. */
void units_index(struct units *u);

size_t units_count(const struct units *u);
const struct unit *units_at(const struct units *u, size_t i);
size_t units_link_count(const struct units *u);
const struct unit_link *units_link_at(const struct units *u, size_t i);

/* The unit with this code in force on date (YYYY-MM-DD); dates before the oldest map use the
 * oldest map. NULL when there is none. */
const struct unit *units_find(const struct units *u, const char *code, const char *date);
/* The parent in force on the same map, or NULL for a province. */
const struct unit *units_parent(const struct units *u, const struct unit *x);
/* Links whose old side (successors) or new side (predecessors) is x; fills up to max, returns
 * the total. */
size_t units_successors(const struct units *u, const struct unit *x, const struct unit_link **out, size_t max);
size_t units_predecessors(const struct units *u, const struct unit *x, const struct unit_link **out, size_t max);

/* True when the unit `code` recorded on map date `recorded_on` lies in `ancestor` (in force on
 * `today`) or is it; a unit from an older map counts through its successors, and a unit of a tier
 * the reform removed (a district: no successors) through its parent. */
bool units_within(const struct units *u, const char *code, const char *recorded_on, const char *ancestor,
		  const char *today);

const char *units_level_name(enum unit_level l);
int units_level_parse(const char *s, enum unit_level *out);
bool units_valid_code(const char *s);

/* Loads data/admin-units/ (units-2025-03-01.json, merges-2025-07-01.json). */
int units_load_dir(struct units *u, const char *dir, struct err *e);

#endif
