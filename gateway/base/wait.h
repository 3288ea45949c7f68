/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The periodic background tasks' sleep: a wait on a condition variable bound to
 * CLOCK_MONOTONIC, so that a step of the wall clock neither stalls nor rushes a task, and
 * that a stop request ends at once.
 */
#ifndef HOLDFAST_GW_WAIT_H
#define HOLDFAST_GW_WAIT_H

#include <pthread.h>
#include <stdbool.h>

/* Initialise @cv for gw_wait_ms (CLOCK_MONOTONIC). */
void gw_wait_cond_init(pthread_cond_t *cv);
/* With @mu held: wait until @ms milliseconds of monotonic time have passed or *@stop is
 * set (by a thread that holds @mu and signals @cv). Returns *@stop. @mu is held again on
 * return. */
bool gw_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, const bool *stop, unsigned ms);

#endif
