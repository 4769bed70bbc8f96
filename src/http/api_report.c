/* api_report.c — reports: the national service index (Decision 766) and what lies behind it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "report/report.h"

#define DRILL_MAX 500

static int period_of(struct call *c, struct period *p)
{
	return period_parse(call_query(c, "period"), call_query(c, "cut"), p, &c->err);
}

/* A report of kind for ?unit&period[&cut][&format]: JSON as the result, or CSV or XLSX as a file. */
static int answer(struct call *c, const char *kind)
{
	const struct report_kind *k = report_kind_find(kind);
	const char *format = call_query(c, "format");
	struct period p;
	if (report_format_check(format, &c->err) || period_of(c, &p) ||
	    k->make(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), &p, &c->result, &c->err))
		return -1;
	if (!format || !strcmp(format, "json"))
		return 0;
	struct report_file f;
	int rc = report_export(k, c->result, format, &f, &c->err);
	json_decref(c->result);
	c->result = NULL;
	if (rc)
		return -1;
	c->file = f.data;
	c->file_len = f.len;
	c->file_type = f.type;
	snprintf(c->file_name, sizeof c->file_name, "%s", f.name);
	return 0;
}

int api_report_766(struct call *c) { return answer(c, "766"); }

int api_report_766_drill(struct call *c)
{
	struct period p;
	long limit, offset;
	if (period_of(c, &p) || call_query_int(c, "limit", 1, DRILL_MAX, 100, &limit) < 0 ||
	    call_query_int(c, "offset", 0, 100000000, 0, &offset) < 0)
		return -1;
	return report_766_drill(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), &p, call_query(c, "indicator"),
				call_query(c, "part"), limit, offset, &c->result, &c->err);
}

int api_report_766_trend(struct call *c)
{
	return report_766_trend(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), call_query(c, "from"), call_query(c, "to"),
				call_query(c, "cut"), &c->result, &c->err);
}

int api_report_targets(struct call *c) { return answer(c, "targets"); }
int api_report_publish(struct call *c)
{
	c->status = 201;
	int rc = report_publish(&c->app->dossiers, c->db, c->who, c->body, &c->result, &c->err);
	if (!rc && !json_is_true(json_object_get(c->result, "created")))
		c->status = 200; /* nothing differed: no new version */
	return rc;
}

int api_report_versions(struct call *c)
{
	struct period p;
	return period_of(c, &p) ? -1 : report_versions(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), &p, &c->result, &c->err);
}

int api_report_version(struct call *c)
{
	struct period p;
	char *end;
	long version = strtol(c->params[0], &end, 10);
	if (*end || version < 1 || version > 1000000)
		return err_set(&c->err, 400, "invalid_path", "the version is a whole number from 1", "phiên bản là số nguyên từ 1");
	return period_of(c, &p) ? -1
				: report_version(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), &p, version, &c->result, &c->err);
}

int api_report_sent(struct call *c)
{
	struct period p;
	bool one = call_query(c, "period") != NULL;
	if (one && period_of(c, &p))
		return -1;
	return report_sends_list(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), one ? &p : NULL, &c->result, &c->err);
}

int api_announcements(struct call *c)
{
	return report_announcements(&c->app->dossiers, c->db, c->params[0], &c->result, &c->err);
}

int api_announce(struct call *c)
{
	c->status = 201;
	return report_announce(&c->app->dossiers, c->db, c->who, c->params[0], c->body, &c->result, &c->err);
}

int api_announce_published(struct call *c)
{
	return report_announce_published(&c->app->dossiers, c->db, c->who, c->params[0], c->params[1], c->body, &c->result, &c->err);
}
