/* SPDX-License-Identifier: Apache-2.0 */
/* The periodic background tasks' sleep (wait.h). */
#include "wait.h"

#include <errno.h>
#include <time.h>

void
gw_wait_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

static bool
reached(const struct timespec *until)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > until->tv_sec ||
	       (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec);
}

bool
gw_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, const bool *stop, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!*stop) {
		struct timespec nap = { 0, 100 * 1000 * 1000 };

		if (pthread_cond_timedwait(cv, mu, &until) != ETIMEDOUT)
			continue; /* signalled (a stop?) or spurious: look again */
		if (reached(&until))
			break;
		/* a timeout before its time: a time shim such as libfaketime wraps the wait and
		 * converts the deadline. Nap rather than spin, still seeing a stop within it. */
		pthread_mutex_unlock(mu);
		nanosleep(&nap, NULL);
		pthread_mutex_lock(mu);
	}
	return *stop;
}
