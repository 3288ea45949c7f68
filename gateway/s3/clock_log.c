/* SPDX-License-Identifier: Apache-2.0 */
/* The compliance clock's events in the server log (clock_log.h says why). */
#include "clock_log.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../base/log.h"
#include "../base/wait.h"
#include "httpdate.h"

struct s3_clock_log {
	struct ol_store *st;
	unsigned interval_ms;
	uint64_t seen;        /* events_total already logged */
	pthread_mutex_t poll_mu; /* one poll at a time: the thread, the stop */
	pthread_mutex_t mu;   /* guards stop, with cv */
	pthread_cond_t cv;
	bool stop;
	pthread_t thread;
};

static void
log_event(const struct ol_clock_event *e)
{
	char c[S3_ISO8601_MS_LEN + 1], w[S3_ISO8601_MS_LEN + 1];
	double off = (double)(e->wall_ns - e->compliance_ns) / 1e9;
	/* a disagreement is an operator's business; agreement and starts are news */
	bool bad = e->kind == OL_CLOCK_EV_WALL_AHEAD || e->kind == OL_CLOCK_EV_WALL_BEHIND ||
	           e->kind == OL_CLOCK_EV_WALL_STEP || e->kind == OL_CLOCK_EV_NO_CHECKPOINT;

	s3_iso8601_ms_format(e->compliance_ns, c);
	s3_iso8601_ms_format(e->wall_ns, w);
	gw_log(bad ? GW_LOG_WARN : GW_LOG_INFO, "clock",
	       "%s: compliance %s, wall %s (wall %+.3f s)%s", ol_clock_event_name(e->kind), c, w,
	       off, bad ? "; retention is judged by the compliance clock" : "");
}

/* Log what is new since the last look. */
static void
poll_events(struct s3_clock_log *cl)
{
	struct ol_clock_status s;
	uint64_t fresh, missed = 0;

	pthread_mutex_lock(&cl->poll_mu);
	ol_clock_status(cl->st, &s);
	fresh = s.events_total > cl->seen ? s.events_total - cl->seen : 0;
	if (fresh > s.n_events) { /* more than the ring keeps: say so, log what is left */
		missed = fresh - s.n_events;
		fresh = s.n_events;
	}
	if (missed)
		gw_log(GW_LOG_WARN, "clock", "%" PRIu64 " clock event(s) not logged (ring full); "
		       "holdfast clock status has the counts", missed);
	for (uint32_t i = s.n_events - (uint32_t)fresh; i < s.n_events; i++)
		log_event(&s.events[i]);
	cl->seen = s.events_total;
	pthread_mutex_unlock(&cl->poll_mu);
}

static void *
run(void *arg)
{
	struct s3_clock_log *cl = arg;

	pthread_mutex_lock(&cl->mu);
	while (!gw_wait_ms(&cl->cv, &cl->mu, &cl->stop, cl->interval_ms)) {
		pthread_mutex_unlock(&cl->mu);
		poll_events(cl);
		pthread_mutex_lock(&cl->mu);
	}
	pthread_mutex_unlock(&cl->mu);
	return NULL;
}

int
s3_clock_log_start(struct ol_store *st, unsigned interval_ms, struct s3_clock_log **out,
                   struct gw_err *err)
{
	struct s3_clock_log *cl = calloc(1, sizeof(*cl));
	struct ol_clock_status s;

	if (!cl)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	cl->st = st;
	cl->interval_ms = interval_ms ? interval_ms : 1000;
	/* this open's events: those at or after its start (older ones were logged by the
	 * runs that saw them) */
	ol_clock_status(st, &s);
	cl->seen = s.events_total;
	for (uint32_t i = 0; i < s.n_events; i++) {
		if (s.events[i].compliance_ns >= s.started_ns) {
			cl->seen -= s.n_events - i;
			break;
		}
	}
	pthread_mutex_init(&cl->poll_mu, NULL);
	pthread_mutex_init(&cl->mu, NULL);
	gw_wait_cond_init(&cl->cv);
	poll_events(cl);
	if (pthread_create(&cl->thread, NULL, run, cl) != 0) {
		pthread_cond_destroy(&cl->cv);
		pthread_mutex_destroy(&cl->mu);
		pthread_mutex_destroy(&cl->poll_mu);
		free(cl);
		return gw_err_set(err, GW_ERR, "cannot start the clock log task");
	}
	*out = cl;
	return GW_OK;
}

void
s3_clock_log_stop(struct s3_clock_log *cl)
{
	if (!cl)
		return;
	pthread_mutex_lock(&cl->mu);
	cl->stop = true;
	pthread_cond_signal(&cl->cv);
	pthread_mutex_unlock(&cl->mu);
	pthread_join(cl->thread, NULL);
	poll_events(cl);
	pthread_cond_destroy(&cl->cv);
	pthread_mutex_destroy(&cl->mu);
	pthread_mutex_destroy(&cl->poll_mu);
	free(cl);
}
