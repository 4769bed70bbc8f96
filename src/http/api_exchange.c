/* api_exchange.c — the exchange over HTTP: POST /x/{class}/{member}/{subsystem}/{service}/{version}
 * (a signed call between members, answered once its message-log entry is on disk) and the admin's
 * list of members, services and grants. Thin: exchange/ decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"

int api_exchange_call(struct call *c)
{
	struct exchange *x = &c->app->exchange;
	struct xrequest rq = {
		.method = c->method,
		.path = c->path,
		.service_parts = {c->params[0], c->params[1], c->params[2], c->params[3], c->params[4]},
		.client = call_header(c, "X-Road-Client"),
		.id = call_header(c, "X-Road-Id"),
		.user = call_header(c, "X-Road-UserId"),
		.issue = call_header(c, "X-Road-Issue"),
		.date = call_header(c, "X-Road-Date"),
		.signature = call_header(c, "X-Road-Signature"),
		.body = c->raw_body,
		.body_len = c->raw_body_len,
	};
	struct xanswer a;
	if (xcall_handle(x, c->db, &rq, &a))
		return err_set(&c->err, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	c->status = a.status;
	c->text = a.text;
	a.text = NULL;
	const char *names[] = {"X-Road-Request-Hash", "X-Road-Response-Signature"};
	const char *values[] = {a.request_hash, a.response_signature};
	for (int i = 0; i < 2; i++)
		if (values[i][0]) {
			c->headers.name[i] = names[i];
			snprintf(c->headers.value[i], sizeof c->headers.value[i], "%s", values[i]);
		}
	int rc = xcall_log(x, c->db, &a, c->wait);
	xanswer_release(&a);
	if (rc < 0) {
		free(c->text);
		c->text = NULL;
		c->headers = (struct call_headers){0};
		return err_set(&c->err, 503, "message_log_unavailable", "the call could not be logged, so it is not answered; try again "
									 "with a new X-Road-Id",
			       "không ghi được nhật ký thông điệp nên cuộc gọi không được trả lời; hãy thử lại với X-Road-Id mới");
	}
	return rc;
}

int api_exchange_services(struct call *c)
{
	return xservices_list(&c->app->exchange, c->db, &c->result, &c->err);
}

int api_exchange_objection(struct call *c)
{
	if (xobjection_create(&c->app->exchange, c->db, c->who->citizen_id, c->params[0], c->body, &c->result, &c->err))
		return -1;
	c->status = 201;
	return 0;
}

int api_exchange_objections(struct call *c)
{
	return xobjections_list(c->db, &c->result, &c->err);
}

int api_exchange_objection_answer(struct call *c)
{
	return xobjection_answer(c->db, c->who->username, c->params[0], c->body, &c->result, &c->err);
}

int api_exchange_fetch(struct call *c)
{
	int status = 200;
	if (xpeer_fetch(&c->app->exchange, c->db, c->who, c->body, c->arrived_us, &c->result, &status, &c->err))
		return -1;
	c->status = status;
	return 0;
}
