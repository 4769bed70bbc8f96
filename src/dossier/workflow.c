/* workflow.c — the dossier statuses and the transitions between them, read from a table
 * (data/dossier/statuses.json) instead of written as branches. */
#include <stdlib.h>
#include <string.h>

#include "dossier/dossier.h"

#define MAX_STATUS 10
#define MAX_TRANSITIONS 64

struct workflow {
	json_t *doc;
	const json_t *status[MAX_STATUS + 1];
	struct transition t[MAX_TRANSITIONS];
	size_t n;
};

struct workflow *workflow_load(const char *text, struct err *e)
{
	struct workflow *w = calloc(1, sizeof *w);
	json_error_t je;
	if (!w || !(w->doc = json_loads(text, 0, &je))) {
		free(w);
		err_set(e, 500, "bad_workflow", "the status table cannot be read: %s", "không đọc được bảng trạng thái: %s",
			w ? je.text : "out of memory");
		return NULL;
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(w->doc, "statuses"), i, x) {
		json_int_t code = json_integer_value(json_object_get(x, "code"));
		if (code >= 1 && code <= MAX_STATUS)
			w->status[code] = x;
	}
	json_array_foreach(json_object_get(w->doc, "transitions"), i, x) {
		if (w->n == MAX_TRANSITIONS)
			break;
		struct transition *t = &w->t[w->n];
		t->from = (int)json_integer_value(json_object_get(x, "from"));
		t->to = (int)json_integer_value(json_object_get(x, "to"));
		t->by = json_string_value(json_object_get(x, "by"));
		t->note_required = json_is_true(json_object_get(x, "note_required"));
		t->resumes = json_is_true(json_object_get(x, "resumes"));
		if (!t->by || t->from < 1 || t->from > MAX_STATUS || t->to < 1 || t->to > MAX_STATUS) {
			workflow_free(w);
			err_set(e, 500, "bad_workflow", "transition %zu of the status table is malformed",
				"chuyển trạng thái %zu trong bảng bị sai", i);
			return NULL;
		}
		w->n++;
	}
	return w;
}

void workflow_free(struct workflow *w)
{
	if (w)
		json_decref(w->doc);
	free(w);
}

const struct transition *workflow_find(const struct workflow *w, int from, int to, const char *by)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].from == from && w->t[i].to == to && !strcmp(w->t[i].by, by))
			return &w->t[i];
	return NULL;
}

int workflow_allows_any(const struct workflow *w, int from, int to)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].from == from && w->t[i].to == to)
			return 1;
	return 0;
}

const char *workflow_status_name(const struct workflow *w, int status, const char *lang)
{
	if (status < 1 || status > MAX_STATUS || !w->status[status])
		return "?";
	const char *s = json_string_value(json_object_get(json_object_get(w->status[status], "name"), lang));
	return s ? s : "?";
}

int workflow_is_final(const struct workflow *w, int status)
{
	return status >= 1 && status <= MAX_STATUS && w->status[status] &&
	       json_is_true(json_object_get(w->status[status], "final"));
}
