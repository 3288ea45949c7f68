/* SPDX-License-Identifier: Apache-2.0 */
/* The cleanup thread: a timed wait on a monotonic clock, one pass per interval. */
#include "janitor.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "../base/log.h"
#include "../base/wait.h"

struct s3_janitor {
	struct ol_store *st;
	uint64_t max_age_s;
	unsigned interval_ms; /* <= 86400 s (config.c) */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;          /* under mu: ends the waits */
	atomic_bool halt;   /* read by a pass in progress: ends it between two uploads */
};

struct pass {
	struct ol_store *st;
	atomic_bool *halt; /* NULL: run to the end */
	long aborted, failed;
};

static int
abort_one(void *ctx, const char *bucket, const void *key, size_t keylen,
          const struct ol_upload *u)
{
	struct pass *p = ctx;
	struct ol_err err;
	int rc;

	/* a store with many stale uploads must not hold up a shutdown: the rest waits for the
	 * next run, none is half aborted (each abort is one batch) */
	if (p->halt && atomic_load(p->halt))
		return 1;
	/* Uploads are not versions: no retention or legal hold can apply to them yet (locks
	 * are stamped at completion), so an abort here never touches protected data. */
	rc = ol_upload_abort(p->st, bucket, key, keylen, u->upload_id, &err);
	if (rc == OL_OK)
		p->aborted++;
	else if (rc != OL_ENOTFOUND) { /* completed meanwhile: fine */
		p->failed++;
		gw_log(GW_LOG_WARN, "multipart_cleanup", "abort of upload %s in %s failed: %s",
		       u->upload_id, bucket, err.msg);
	}
	return 0;
}

static long
pass_run(struct ol_store *st, uint64_t max_age_s, atomic_bool *halt)
{
	struct pass p = { st, halt, 0, 0 };
	struct timespec now;
	struct ol_err err;
	int64_t cutoff;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	/* max_age_s is at most 10 years (config bounds): no overflow */
	cutoff = ((int64_t)now.tv_sec - (int64_t)max_age_s) * 1000000000 + now.tv_nsec;
	rc = ol_upload_list_older_than(st, cutoff, abort_one, &p, &err);
	if (rc != OL_OK)
		gw_log(GW_LOG_WARN, "multipart_cleanup", "scan incomplete: %s", err.msg);
	if (p.aborted || p.failed)
		gw_log(GW_LOG_INFO, "multipart_cleanup",
		       "aborted %ld incomplete upload(s) older than %llu s (%ld failed)", p.aborted,
		       (unsigned long long)max_age_s, p.failed);
	/* a retried Complete is answered from a completion for as long as an upload may stay
	 * open; after that it would be NoSuchUpload anyway */
	if (!halt || !atomic_load(halt)) {
		uint64_t forgotten = 0;
		int erc = ol_upload_done_expire(st, cutoff, &forgotten, &err);

		if (erc != OL_OK)
			gw_log(GW_LOG_WARN, "multipart_cleanup", "completion expiry failed: %s",
			       err.msg);
		else if (forgotten)
			gw_log(GW_LOG_DEBUG, "multipart_cleanup",
			       "forgot %llu completion(s) older than %llu s",
			       (unsigned long long)forgotten, (unsigned long long)max_age_s);
		if (rc == OL_OK)
			rc = erc;
	}
	return rc == OL_OK ? p.aborted : -1;
}

long
s3_janitor_pass(struct ol_store *st, uint64_t max_age_s)
{
	return pass_run(st, max_age_s, NULL);
}

static void *
run(void *arg)
{
	struct s3_janitor *j = arg;

	pthread_mutex_lock(&j->mu);
	while (!gw_wait_ms(&j->cv, &j->mu, &j->stop, j->interval_ms)) {
		pthread_mutex_unlock(&j->mu);
		pass_run(j->st, j->max_age_s, &j->halt);
		pthread_mutex_lock(&j->mu);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

int
s3_janitor_start(struct ol_store *st, uint64_t max_age_s, unsigned interval_s,
                 struct s3_janitor **out, struct gw_err *err)
{
	struct s3_janitor *j = calloc(1, sizeof(*j));

	if (!j)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	j->st = st;
	j->max_age_s = max_age_s;
	j->interval_ms = (interval_s ? interval_s : 1) * 1000u;
	atomic_init(&j->halt, false);
	pthread_mutex_init(&j->mu, NULL);
	/* a monotonic wait: a clock step must neither stall nor rush the task */
	gw_wait_cond_init(&j->cv);
	if (pthread_create(&j->thread, NULL, run, j) != 0) {
		pthread_cond_destroy(&j->cv);
		pthread_mutex_destroy(&j->mu);
		free(j);
		return gw_err_set(err, GW_ERR, "cannot start the cleanup task");
	}
	*out = j;
	return GW_OK;
}

void
s3_janitor_stop(struct s3_janitor *j)
{
	if (!j)
		return;
	atomic_store(&j->halt, true);
	pthread_mutex_lock(&j->mu);
	j->stop = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}
