/* api_report_forms.c — the report regimes' forms: fill in, submit, approve or return; a unit
 * above sees the states and the consolidated figures; reminders for the signed-in officer. */
#include "http/api.h"
#include "report/report.h"

int api_report_form_get(struct call *c)
{
	return report_form_get(&c->app->dossiers, c->db, c->who, c->params[0], c->params[1], c->params[2], &c->result, &c->err);
}

int api_report_form_put(struct call *c)
{
	return report_form_put(&c->app->dossiers, c->db, c->who, c->params[0], c->params[1], c->params[2], c->body, &c->result, &c->details,
			       &c->err);
}

int api_report_form_transition(struct call *c)
{
	return report_form_transition(&c->app->dossiers, c->db, c->who, c->params[0], c->params[1], c->params[2], c->body, &c->result,
				      &c->details, &c->err);
}

int api_report_forms_overview(struct call *c)
{
	return report_forms_overview(&c->app->dossiers, c->db, c->who, c->params[0], c->params[1], call_query(c, "unit"), &c->result, &c->err);
}

int api_report_forms_reminders(struct call *c)
{
	return report_forms_reminders(&c->app->dossiers, c->db, c->who, &c->result, &c->err);
}

int api_report_regimes(struct call *c)
{
	return report_regimes_list(&c->app->dossiers, &c->result);
}
