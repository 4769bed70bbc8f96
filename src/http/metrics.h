/* metrics.h — counting requests for GET /metrics (metrics.c), in Prometheus's text format. */
#ifndef TD_METRICS_H
#define TD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "db/batch.h"
#include "db/db.h"

/* One answered request: its route (index in routes[], or -1), status and time taken. */
void metrics_observe(int route, int status, int64_t us);
/* The text of a scrape (caller frees), or NULL. writer: the group-commit writer's figures. */
char *metrics_render(struct db *db, const struct batch_stats *writer, int db_connections, int threads);

#endif
