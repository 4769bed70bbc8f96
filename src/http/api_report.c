/* api_report.c — reports: the national service index (Decision 766) and what lies behind it. */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "report/report.h"

#define DRILL_MAX 500

static int period_of(struct call *c, struct period *p)
{
	return period_parse(call_query(c, "period"), call_query(c, "cut"), p, &c->err);
}

int api_report_766(struct call *c)
{
	struct period p;
	const char *format = call_query(c, "format");
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return err_set(&c->err, 400, "invalid_query", "format must be json or csv", "format phải là json hoặc csv");
	if (period_of(c, &p) || report_766_view(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), &p, &c->result, &c->err))
		return -1;
	if (!format || !strcmp(format, "json"))
		return 0;
	c->file = report_766_csv(c->result);
	json_decref(c->result);
	c->result = NULL;
	if (!c->file)
		return err_set(&c->err, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	c->file_len = strlen(c->file);
	c->file_type = "text/csv; charset=utf-8";
	snprintf(c->file_name, sizeof c->file_name, "766-%s-%s.csv", call_query(c, "unit"), p.name);
	return 0;
}

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

int api_report_targets(struct call *c)
{
	struct period p;
	return period_of(c, &p) ? -1 : report_targets(&c->app->dossiers, c->db, c->who, call_query(c, "unit"), &p, &c->result, &c->err);
}

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
