/* indicators.c — the checks the indicator definitions pass when the program starts
 * (data/indicators/766.json and data/indicators/targets.json, embedded): every indicator's points
 * sum to its group's, the groups' to 100, every counter named is one the engine counts, every
 * figure a target reads is an indicator of a report regime, ids are unique. A bad file is refused with a message naming the file, the entry and what is wrong. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "report/report.h"

#define INDICATORS_FILE "data/indicators/766.json"
#define TARGETS_FILE "data/indicators/targets.json"

/* 500 bad_indicators: "FILE: ENTRY: what". */
static int bad(struct err *e, const char *file, const char *entry, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(struct err *e, const char *file, const char *entry, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return err_set(e, 500, "bad_indicators", "%s: %s: %s (fix the file and rebuild)", "%s: %s: %s (sửa tệp định nghĩa chỉ tiêu rồi build lại)",
		       file, entry, what);
}

static const char *str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* The id of o, unique among those seen (an object used as a set); NULL when missing or repeated. */
static const char *unique_id(const json_t *o, json_t *seen)
{
	const char *id = str(o, "id");
	if (!id || !id[0] || json_object_get(seen, id))
		return NULL;
	json_object_set_new(seen, id, json_true());
	return id;
}

/* A counter field: a name the engine counts (null allowed when may_be_null). */
static int counter_ok(const json_t *o, const char *key, bool may_be_null)
{
	const json_t *v = json_object_get(o, key);
	if (may_be_null && (!v || json_is_null(v)))
		return 1;
	return json_is_string(v) && report_counter_known(json_string_value(v));
}

/* The numerator and the denominator of o (file's entry id) name counters the engine knows. */
static int check_parts(const json_t *o, const char *file, const char *id, bool may_be_null, struct err *e)
{
	static const char *const parts[] = {"numerator", "denominator"};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		if (!counter_ok(o, parts[i], may_be_null))
			return bad(e, file, id, "%s \"%s\" is not a counter the engine knows", parts[i],
				   str(o, parts[i]) ? str(o, parts[i]) : "");
	return 0;
}

static int check_indicator(const json_t *x, const char *group, json_t *ids, double *sum, struct err *e)
{
	const char *id = str(x, "id");
	if (!unique_id(x, ids))
		return bad(e, INDICATORS_FILE, group, "indicator \"%s\" has no id or repeats one", id ? id : "");
	if (!json_is_number(json_object_get(x, "max")) || json_number_value(json_object_get(x, "max")) < 0)
		return bad(e, INDICATORS_FILE, id, "max (its points) must be a number, 0 or more");
	if (!json_is_number(json_object_get(x, "target")))
		return bad(e, INDICATORS_FILE, id, "target must be a number");
	if (check_parts(x, INDICATORS_FILE, id, false, e))
		return -1;
	*sum += json_number_value(json_object_get(x, "max"));
	return 0;
}

static int check_group(const json_t *g, json_t *groups, json_t *ids, double *sum, struct err *e)
{
	const char *id = str(g, "id");
	if (!unique_id(g, groups))
		return bad(e, INDICATORS_FILE, "groups", "group \"%s\" has no id or repeats one", id ? id : "");
	const json_t *max = json_object_get(g, "max"), *list = json_object_get(g, "indicators");
	if (!json_is_number(max) || !json_array_size(list))
		return bad(e, INDICATORS_FILE, id, "a group needs max (its points) and indicators");
	double points = 0;
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
		if (check_indicator(x, id, ids, &points, e))
			return -1;
	if (fabs(points - json_number_value(max)) > 1e-9)
		return bad(e, INDICATORS_FILE, id, "its indicators' points sum to %g, not the group's %g", points, json_number_value(max));
	*sum += points;
	return 0;
}

static int check_index(const json_t *doc, struct err *e)
{
	const json_t *groups = json_object_get(doc, "groups");
	if (!json_array_size(groups))
		return bad(e, INDICATORS_FILE, "groups", "no groups (is the file there and valid JSON?)");
	json_t *gids = json_object(), *ids = json_object();
	double sum = 0;
	size_t i;
	json_t *g;
	int rc = 0;
	json_array_foreach(groups, i, g)
		if ((rc = check_group(g, gids, ids, &sum, e)))
			break;
	json_decref(gids);
	json_decref(ids);
	if (!rc && fabs(sum - 100) > 1e-9)
		rc = bad(e, INDICATORS_FILE, "groups", "the groups' points sum to %g, not 100", sum);
	return rc;
}

/* A figure of a report regime's forms: {"regime", "indicator"}, both defined in regimes. */
static int check_figure(const json_t *figure, const char *id, const json_t *regimes, struct err *e)
{
	const json_t *r = json_find(json_object_get(regimes, "regimes"), "id", str(figure, "regime") ? str(figure, "regime") : "");
	if (!r)
		return bad(e, TARGETS_FILE, id, "figure.regime \"%s\" is no regime of data/report-regimes.json",
			   str(figure, "regime") ? str(figure, "regime") : "");
	if (!json_find(json_object_get(r, "indicators"), "id", str(figure, "indicator") ? str(figure, "indicator") : ""))
		return bad(e, TARGETS_FILE, id, "figure.indicator \"%s\" is no indicator of regime %s",
			   str(figure, "indicator") ? str(figure, "indicator") : "", str(figure, "regime"));
	return 0;
}

static int check_target(const json_t *t, json_t *ids, const json_t *regimes, struct err *e)
{
	const char *id = str(t, "id");
	if (!unique_id(t, ids))
		return bad(e, TARGETS_FILE, "targets", "target \"%s\" has no id or repeats one", id ? id : "");
	const json_t *by = json_object_get(t, "target_by_level");
	if (!json_is_number(json_object_get(t, "target")) && !json_is_object(by))
		return bad(e, TARGETS_FILE, id, "needs target (a number) or target_by_level");
	const char *level;
	json_t *v;
	json_object_foreach((json_t *)by, level, v)
		if (!json_is_number(v))
			return bad(e, TARGETS_FILE, id, "target_by_level.%s must be a number", level);
	const json_t *figure = json_object_get(t, "figure");
	if (figure)
		return check_figure(figure, id, regimes, e);
	return check_parts(t, TARGETS_FILE, id, true, e);
}

static int check_targets(const json_t *doc, const json_t *regimes, struct err *e)
{
	const json_t *list = json_object_get(doc, "targets");
	if (!json_is_array(list))
		return bad(e, TARGETS_FILE, "targets", "no targets list (is the file there and valid JSON?)");
	json_t *ids = json_object();
	size_t i;
	json_t *t;
	int rc = 0;
	json_array_foreach(list, i, t)
		if ((rc = check_target(t, ids, regimes, e)))
			break;
	json_decref(ids);
	return rc;
}

int indicators_check(const json_t *index, const json_t *targets, const json_t *regimes, struct err *e)
{
	return check_index(index, e) || check_targets(targets, regimes, e) ? -1 : 0;
}
