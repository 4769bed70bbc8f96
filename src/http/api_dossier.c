/* api_dossier.c — dossiers: submit, read, move through statuses, the applicant's list, the
 * desk queue and the public lookup. */
#include "http/api.h"
#include "http/ratelimit.h"

#define LOOKUPS_PER_MINUTE 60

int api_dossier_submit(struct call *c)
{
	c->status = 201;
	return dossier_submit(&c->app->dossiers, c->db, c->who, c->body, c->wait, &c->result, &c->details, &c->err);
}

int api_dossier_submitted(struct call *c)
{
	c->status = 201;
	return dossier_submitted(&c->app->dossiers, c->kept, &c->text, &c->err);
}

int api_dossier_get(struct call *c)
{
	return dossier_get(&c->app->dossiers, c->db, c->who, c->params[0], c->wait, &c->text, &c->err);
}

int api_dossier_transition(struct call *c)
{
	return dossier_transition(&c->app->dossiers, c->db, c->who, c->params[0], c->body, c->wait, &c->text, &c->err);
}

int api_my_dossiers(struct call *c) { return dossier_list_mine(&c->app->dossiers, c->db, c->who, &c->text, &c->err); }

int api_desk(struct call *c)
{
	return dossier_desk(&c->app->dossiers, c->db, c->who, call_query(c, "status"), &c->text, &c->err);
}

int api_dossier_step(struct call *c)
{
	return dossier_step(&c->app->dossiers, c->db, c->who, c->params[0], c->body, c->wait, &c->text, &c->err);
}

int api_desk_lateness(struct call *c)
{
	return steps_lateness(&c->app->dossiers, c->db, c->who, call_query(c, "from"), call_query(c, "to"), &c->result, &c->err);
}

int api_dossier_payment(struct call *c)
{
	return dossier_payment(&c->app->dossiers, c->db, c->who, c->params[0], c->app->payee, &c->result, &c->err);
}

int api_payment_notify(struct call *c)
{
	return payment_notify(&c->app->dossiers, c->db, c->app->payment_secret, c->raw_body, c->raw_body_len,
			      call_header(c, "X-Signature"), &c->result, &c->err);
}

int api_dossier_rate(struct call *c)
{
	c->status = 201;
	return dossier_rate(&c->app->dossiers, c->db, c->who, c->params[0], c->body, &c->result, &c->err);
}

int api_document_upload(struct call *c)
{
	c->status = 201;
	return document_upload(&c->app->dossiers, c->db, c->who, c->params[0], call_header(c, "X-Document-Id"),
			       call_header(c, "X-File-Name"), c->raw_body, c->raw_body_len, &c->result, &c->err);
}

int api_my_notifications(struct call *c)
{
	return notification_list(&c->app->dossiers, c->db, c->who, &c->result, &c->err);
}

int api_lookup(struct call *c)
{
	if (!ratelimit_allow(c->client, LOOKUPS_PER_MINUTE, &c->retry_after))
		return err_set(&c->err, 429, "too_many_requests", "too many lookups from your address; try again in %d s",
			       "tra cứu quá nhiều lần từ địa chỉ của bạn; hãy thử lại sau %d giây", c->retry_after);
	return dossier_lookup(&c->app->dossiers, c->db, c->params[0], &c->text, &c->err);
}

int api_feedback_create(struct call *c)
{
	c->status = 201;
	return feedback_create(&c->app->dossiers, c->db, c->who, c->body, &c->result, &c->err);
}

int api_feedback_get(struct call *c)
{
	return feedback_get(&c->app->dossiers, c->db, c->who, c->params[0], &c->result, &c->err);
}

int api_my_feedback(struct call *c)
{
	return feedback_list_mine(&c->app->dossiers, c->db, c->who, &c->result, &c->err);
}

int api_desk_feedback(struct call *c)
{
	return feedback_desk(&c->app->dossiers, c->db, c->who, &c->result, &c->err);
}

int api_feedback_answer(struct call *c)
{
	return feedback_answer(&c->app->dossiers, c->db, c->who, c->params[0], c->body, &c->result, &c->err);
}

int api_feedback_rate(struct call *c)
{
	return feedback_rate(&c->app->dossiers, c->db, c->who, c->params[0], c->body, &c->result, &c->err);
}
