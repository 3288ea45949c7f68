/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compliance clock's events in the server log. The store records every disagreement
 * between the wall clock and the compliance clock (objectlock.h, "the compliance clock")
 * in its persisted event log, which `holdfast clock status` shows; this task also writes
 * each one to the log as it happens, so an operator's alerting sees a moved system clock
 * within seconds rather than at the next look. Reading the clock is what notices a step
 * of the wall clock, so the task reads it every interval even when no request does.
 */
#ifndef HOLDFAST_S3_CLOCK_LOG_H
#define HOLDFAST_S3_CLOCK_LOG_H

#include "../../objectlock/objectlock.h"
#include "../base/err.h"

struct s3_clock_log;

/* Log the events of this open (the start, a disagreement found at open), then start the
 * task that logs new ones, looking every @interval_ms. GW_OK, or GW_ERR when the thread
 * cannot start. */
int s3_clock_log_start(struct ol_store *st, unsigned interval_ms, struct s3_clock_log **out,
                       struct gw_err *err);
/* Stop and join the task, logging what it has not yet seen. NULL-safe. */
void s3_clock_log_stop(struct s3_clock_log *cl);

#endif
