/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Background upkeep of the store while the server runs: aborts multipart uploads left
 * incomplete for longer than the configured age (S3's AbortIncompleteMultipartUpload, on by
 * default here so abandoned parts never fill the disk), logging how many it aborted, and
 * forgets the completions (ol_upload_done_get) of uploads completed longer ago than that.
 */
#ifndef HOLDFAST_S3_JANITOR_H
#define HOLDFAST_S3_JANITOR_H

#include <stdint.h>

#include "../../objectlock/objectlock.h"
#include "../base/err.h"

struct s3_janitor;

/* Start the task: every @interval_s it aborts uploads initiated more than @max_age_s ago
 * and forgets completions older than that. GW_OK, or GW_ERR when the thread cannot
 * start. */
int s3_janitor_start(struct ol_store *st, uint64_t max_age_s, unsigned interval_s,
                     struct s3_janitor **out, struct gw_err *err);
/* Run one pass now (also used by tests); returns the number of uploads aborted or -1. */
long s3_janitor_pass(struct ol_store *st, uint64_t max_age_s);
/* Stop and join the task (a pass in progress finishes first). NULL-safe. */
void s3_janitor_stop(struct s3_janitor *j);

#endif
