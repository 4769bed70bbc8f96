/* security.h — threat detection (watch.c): rules as data (data/security-rules.json) watch
 * events as they happen and flag suspicious patterns into security_alerts and the log. */
#ifndef TD_SECURITY_H
#define TD_SECURITY_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* A read of a citizen's data by someone else (the usage log's entry, in its transaction). */
void security_observe_read(struct db *db, const char *actor, const char *action, const char *purpose, const char *citizen,
			   int64_t at);
/* A failed sign-in to username from address. */
void security_observe_failed_login(struct db *db, const char *username, const char *address, int64_t at);
/* An exchange call refused for want of a grant or an allowed purpose (its message-log entry's
 * transaction). */
void security_observe_exchange_refused(struct db *db, const char *client, const char *service, const char *why, int64_t at);
/* GET /security/alerts: the newest alerts (at most limit) and the rules. */
int security_alerts(struct db *db, long limit, json_t **out, struct err *e);

#endif
