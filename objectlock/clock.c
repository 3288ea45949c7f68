/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compliance clock: the time retention is judged against. It advances with the
 * monotonic clock from a persisted checkpoint, follows the wall clock only within a bounded
 * drift, never goes back, and records every disagreement (objectlock.h, "compliance clock",
 * has the rules; this file says why each step is safe).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "store.h"

#define CLOCK_KEY "objectlock.clock"
#define CLOCK_FORMAT 1
/* Below this much monotonic time the anchor is not moved, so the 1/60 bound never rounds
 * down to nothing when readings come every few microseconds. */
#define REANCHOR_NS 10000000LL
/* Event-driven checkpoints (a disagreement just seen) at most this often. */
#define EVENT_CKPT_MIN_NS 1000000000LL
/* /proc/uptime and CLOCK_BOOTTIME must agree this closely for the boot to be trusted. */
#define UPTIME_TOLERANCE_NS 2000000000LL

/* ---- the real time sources ---- */

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t
real_wall(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	/* Through libc (the vDSO) on purpose: this is the clock an operator, NTP or a time shim
	 * moves, and whose disagreement we want to see and report. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_ns(&ts);
}

/* 1 = direct system call works, -1 = it does not (seccomp): libc's CLOCK_BOOTTIME. Decided
 * once per process: switching source mid-run could make the reading jump. */
static atomic_int mono_method;

static int64_t
real_mono(void *ctx)
{
	struct timespec ts;
	int m = atomic_load(&mono_method);

	(void)ctx;
	/* A direct system call, not the vDSO: libfaketime and other LD_PRELOAD shims replace
	 * clock_gettime() (and under FAKETIME="+10y" even report CLOCK_BOOTTIME ten years on),
	 * but not the kernel's answer. CLOCK_BOOTTIME counts suspend (time does pass for
	 * retention) and cannot be set. */
	if (m >= 0 && syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &ts) == 0) {
		if (m == 0)
			atomic_store(&mono_method, 1);
		return ts_ns(&ts);
	}
	if (m == 0)
		atomic_store(&mono_method, -1);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts_ns(&ts);
}

/* Read a small /proc file (not ours: not through ol_io, never faulted, never counted). */
static bool
read_small(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool
real_boot_id(void *ctx, char out[40])
{
	char id[64], up[64], *end = NULL;
	double secs;
	int64_t mono, diff;
	size_t n;

	(void)ctx;
	if (!read_small("/proc/sys/kernel/random/boot_id", id, sizeof(id)) ||
	    !read_small("/proc/uptime", up, sizeof(up)))
		return false;
	n = strcspn(id, "\n");
	if (n == 0 || n >= 40)
		return false;
	/* A second opinion on the monotonic clock: a shim that also intercepted the system
	 * call would have to fake /proc/uptime as well. Disagreement = no credit at restart. */
	secs = strtod(up, &end);
	if (end == up || secs < 0)
		return false;
	mono = real_mono(NULL);
	diff = mono - (int64_t)(secs * 1e9);
	if (diff > UPTIME_TOLERANCE_NS || diff < -UPTIME_TOLERANCE_NS)
		return false;
	memcpy(out, id, n);
	out[n] = '\0';
	return true;
}

static const struct ol_clock_source real_source = { real_wall, real_mono, real_boot_id, NULL };

static pthread_mutex_t test_src_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ol_clock_source test_src;
static bool test_src_set;

void
ol_test_clock_source(const struct ol_clock_source *src)
{
	pthread_mutex_lock(&test_src_mu);
	test_src_set = src != NULL;
	if (src)
		test_src = *src;
	pthread_mutex_unlock(&test_src_mu);
}

/* ---- the rules ---- */

static void
record_event(struct ol_clock *c, enum ol_clock_event_kind kind, int64_t comp, int64_t wall,
             int64_t detail)
{
	struct ol_clock_event *e;

	if (c->ev_n == OL_CLOCK_EVENTS_MAX) {
		memmove(c->ev, c->ev + 1, (OL_CLOCK_EVENTS_MAX - 1) * sizeof(c->ev[0]));
		c->ev_n--;
	}
	e = &c->ev[c->ev_n++];
	e->kind = kind;
	e->compliance_ns = comp;
	e->wall_ns = wall;
	e->detail_ns = detail;
	c->events_total++;
	if (kind == OL_CLOCK_EV_WALL_AHEAD || kind == OL_CLOCK_EV_WALL_BEHIND ||
	    kind == OL_CLOCK_EV_WALL_STEP) {
		c->disagreements++;
		c->last_dis_w = wall;
		c->last_dis_c = comp;
	}
	/* persist soon: the thread waits on this */
	pthread_cond_signal(&c->cv);
}

/* Compare the wall clock with compliance time after a reading (rule 6). @step: how far the
 * wall clock moved relative to the monotonic one since the previous reading. */
static void
observe(struct ol_clock *c, int64_t comp, int64_t w, int64_t step)
{
	int64_t off = w - comp;
	int ns = off > OL_CLOCK_ALARM_NS ? 1 : off < -OL_CLOCK_ALARM_NS ? -1 : 0;

	if (off > c->max_ahead)
		c->max_ahead = off;
	if (-off > c->max_behind)
		c->max_behind = -off;
	if (ns != c->state)
		record_event(c, ns > 0 ? OL_CLOCK_EV_WALL_AHEAD
		                       : ns < 0 ? OL_CLOCK_EV_WALL_BEHIND : OL_CLOCK_EV_AGREE,
		             comp, w, step);
	else if (ns != 0 && (step > OL_CLOCK_ALARM_NS || step < -OL_CLOCK_ALARM_NS))
		record_event(c, OL_CLOCK_EV_WALL_STEP, comp, w, step);
	c->state = ns;
}

/* One reading (rules 1 and 2). Under c->mu. */
static int64_t
advance(struct ol_clock *c, int64_t w, int64_t m)
{
	int64_t d = m - c->anchor_m, base, lim, adj, now, step;

	if (d < 0) {
		/* CLOCK_BOOTTIME never goes back; if a source does, stand still rather than
		 * guess, and measure from here on */
		c->anchor_m = m;
		c->anchor_c = c->last_c;
		d = 0;
	}
	base = c->anchor_c + d;
	lim = d / OL_CLOCK_SLEW_DIV;
	/* toward the wall clock by at most 1/60 of the elapsed time, either way */
	adj = w - base;
	if (adj > lim)
		adj = lim;
	if (adj < -lim)
		adj = -lim;
	now = base + adj;
	/* within an anchor window the wall clock may step back below what was handed out */
	if (now < c->last_c)
		now = c->last_c;
	c->last_c = now;
	if (d >= REANCHOR_NS) {
		c->anchor_c = now;
		c->anchor_m = m;
	}
	step = (w - c->prev_w) - (m - c->prev_m);
	observe(c, now, w, step);
	c->prev_w = w;
	c->prev_m = m;
	return now;
}

/* Read both clocks and advance. Under c->mu: readings taken outside it could reach
 * advance() out of order, and an older monotonic reading would then be counted twice. */
static int64_t
reading(struct ol_clock *c, int64_t *w_out, int64_t *m_out)
{
	int64_t w = c->src.wall_ns(c->src.ctx), m = c->src.mono_ns(c->src.ctx);

	if (w_out)
		*w_out = w;
	if (m_out)
		*m_out = m;
	return advance(c, w, m);
}

int64_t
ol_clock_now(struct ol_store *st)
{
	struct ol_clock *c = &st->clock;
	int64_t now;

	pthread_mutex_lock(&c->mu);
	now = reading(c, NULL, NULL);
	pthread_mutex_unlock(&c->mu);
	return now;
}

int64_t
ol_clock_judge_time(struct ol_store *st, int64_t now_ns)
{
	int64_t c = ol_clock_now(st);

	return now_ns == OL_NOW || now_ns > c ? c : now_ns;
}

/* ---- the checkpoint record ----
 * u8 format | i64 compliance | i64 wall | i64 mono | u8 boot known | 40 boot id |
 * u64 disagreements | u64 events_total | i64 last_dis_wall | i64 last_dis_compliance |
 * i64 max_ahead | i64 max_behind | u8 n_events | n x (u8 kind, i64 compliance, i64 wall,
 * i64 detail) | u32 crc32c of everything before, all little-endian. */

#define CKPT_FIXED (1 + 8 * 3 + 1 + 40 + 8 * 6 + 1)
#define CKPT_EVENT (1 + 8 * 3)
#define CKPT_MAX (CKPT_FIXED + OL_CLOCK_EVENTS_MAX * CKPT_EVENT + 4)

struct ckpt {
	int64_t c, w, m;
	bool boot_known;
	char boot_id[40];
	uint64_t disagreements, events_total;
	int64_t last_dis_w, last_dis_c, max_ahead, max_behind;
	uint32_t n;
	struct ol_clock_event ev[OL_CLOCK_EVENTS_MAX];
};

static void
put64(uint8_t **p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static uint64_t
get64(const uint8_t **p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)*(*p)++ << (8 * i);
	return v;
}

static size_t
ckpt_encode(const struct ckpt *k, uint8_t out[CKPT_MAX])
{
	uint8_t *p = out;
	uint32_t crc, i;

	*p++ = CLOCK_FORMAT;
	put64(&p, (uint64_t)k->c);
	put64(&p, (uint64_t)k->w);
	put64(&p, (uint64_t)k->m);
	*p++ = k->boot_known;
	memset(p, 0, 40);
	if (k->boot_known)
		memcpy(p, k->boot_id, strnlen(k->boot_id, 39));
	p += 40;
	put64(&p, k->disagreements);
	put64(&p, k->events_total);
	put64(&p, (uint64_t)k->last_dis_w);
	put64(&p, (uint64_t)k->last_dis_c);
	put64(&p, (uint64_t)k->max_ahead);
	put64(&p, (uint64_t)k->max_behind);
	*p++ = (uint8_t)k->n;
	for (i = 0; i < k->n; i++) {
		*p++ = (uint8_t)k->ev[i].kind;
		put64(&p, (uint64_t)k->ev[i].compliance_ns);
		put64(&p, (uint64_t)k->ev[i].wall_ns);
		put64(&p, (uint64_t)k->ev[i].detail_ns);
	}
	crc = cr_crc32c(0, out, (size_t)(p - out));
	for (i = 0; i < 4; i++)
		*p++ = (uint8_t)(crc >> (8 * i));
	return (size_t)(p - out);
}

static bool
ckpt_decode(const void *buf, size_t n, struct ckpt *k)
{
	const uint8_t *p = buf, *start = buf;
	uint32_t crc = 0, i;

	if (n < CKPT_FIXED + 4 || p[0] != CLOCK_FORMAT)
		return false;
	for (i = 0; i < 4; i++)
		crc |= (uint32_t)start[n - 4 + i] << (8 * i);
	if (cr_crc32c(0, start, n - 4) != crc)
		return false;
	memset(k, 0, sizeof(*k));
	p++;
	k->c = (int64_t)get64(&p);
	k->w = (int64_t)get64(&p);
	k->m = (int64_t)get64(&p);
	k->boot_known = *p++ != 0;
	memcpy(k->boot_id, p, 39);
	k->boot_id[39] = '\0';
	p += 40;
	k->disagreements = get64(&p);
	k->events_total = get64(&p);
	k->last_dis_w = (int64_t)get64(&p);
	k->last_dis_c = (int64_t)get64(&p);
	k->max_ahead = (int64_t)get64(&p);
	k->max_behind = (int64_t)get64(&p);
	k->n = *p++;
	if (k->n > OL_CLOCK_EVENTS_MAX || n != CKPT_FIXED + k->n * CKPT_EVENT + 4)
		return false;
	for (i = 0; i < k->n; i++) {
		unsigned kind = *p++;

		if (kind < OL_CLOCK_EV_NEW || kind > OL_CLOCK_EV_NO_CHECKPOINT)
			return false;
		k->ev[i].kind = (enum ol_clock_event_kind)kind;
		k->ev[i].compliance_ns = (int64_t)get64(&p);
		k->ev[i].wall_ns = (int64_t)get64(&p);
		k->ev[i].detail_ns = (int64_t)get64(&p);
	}
	return k->c > 0;
}

/*
 * Write the checkpoint (rule 3). The triple (compliance, wall, monotonic) comes from one
 * reading taken under ckpt_mu, so checkpoints are written in reading order and the last one
 * on disk is the latest. Written with a plain synced RocksDB write, not ol_db_write: the
 * thread runs at times of its own, and the I/O fault tests count ol_db_write calls.
 */
static int
persist(struct ol_store *st, struct ol_err *err)
{
	struct ol_clock *c = &st->clock;
	rocksdb_writebatch_t *wb = NULL;
	uint8_t buf[CKPT_MAX];
	struct ckpt k;
	char *e = NULL, id[40] = "";
	bool trusted;
	size_t n;
	int64_t w, m;
	int rc = OL_OK;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "clock checkpoint: store is read-only");
	pthread_mutex_lock(&c->ckpt_mu);
	trusted = c->src.boot_id(c->src.ctx, id);
	pthread_mutex_lock(&c->mu);
	memset(&k, 0, sizeof(k));
	k.c = reading(c, &w, &m);
	k.w = w;
	k.m = m;
	/* a boot id only when the monotonic reading can be believed: else the next open
	 * credits nothing */
	c->boot_trusted = trusted;
	k.boot_known = trusted;
	if (trusted)
		memcpy(k.boot_id, id, sizeof(id));
	k.disagreements = c->disagreements;
	k.events_total = c->events_total;
	k.last_dis_w = c->last_dis_w;
	k.last_dis_c = c->last_dis_c;
	k.max_ahead = c->max_ahead;
	k.max_behind = c->max_behind;
	k.n = c->ev_n;
	memcpy(k.ev, c->ev, c->ev_n * sizeof(c->ev[0]));
	pthread_mutex_unlock(&c->mu);

	n = ckpt_encode(&k, buf);
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_META], CLOCK_KEY, strlen(CLOCK_KEY),
	                          (const char *)buf, n);
	rocksdb_write(st->db, st->wopt, wb, &e);
	rocksdb_writebatch_destroy(wb);

	pthread_mutex_lock(&c->mu);
	if (e) {
		rc = ol_err_set(err, strstr(e, "No space left") ? OL_ENOSPC : OL_EIO,
		                "clock checkpoint: index write failed: %s", e);
		c->ckpt_failed++;
		snprintf(c->ckpt_error, sizeof(c->ckpt_error), "%s", e);
	} else {
		c->ckpt_c = k.c;
		c->ckpt_w = k.w;
		c->ckpt_written++;
		c->events_persisted = k.events_total;
	}
	c->ckpt_m_written = m;
	pthread_mutex_unlock(&c->mu);
	pthread_mutex_unlock(&c->ckpt_mu);
	rocksdb_free(e);
	return rc;
}

int
ol_clock_checkpoint(struct ol_store *st, struct ol_err *err)
{
	if (!st)
		return ol_err_set(err, OL_EINVAL, "clock checkpoint: no store");
	return persist(st, err);
}

/* Re-write the checkpoint every period, and soon after an event. */
static void *
ckpt_thread(void *arg)
{
	struct ol_store *st = arg;
	struct ol_clock *c = &st->clock;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		struct timespec dl;
		int64_t now_m, due;
		bool events;

		/* the wait's deadline is only a wake-up call; whether a checkpoint is due is
		 * decided on the clock's own monotonic source below */
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_sec += 1;
		pthread_cond_timedwait(&c->cv, &c->mu, &dl);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->mu);
		now_m = c->src.mono_ns(c->src.ctx);
		pthread_mutex_lock(&c->mu);
		events = c->events_total != c->events_persisted;
		due = c->ckpt_m_written + (int64_t)c->period_ms * 1000000;
		if (now_m >= due || (events && now_m >= c->ckpt_m_written + EVENT_CKPT_MIN_NS)) {
			pthread_mutex_unlock(&c->mu);
			persist(st, NULL); /* a failure is counted in the status */
			pthread_mutex_lock(&c->mu);
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Rule 4 and 5: where the clock starts. */
static int
start_point(struct ol_store *st, int64_t w, int64_t m, bool trusted, const char *id,
            struct ol_err *err)
{
	struct ol_clock *c = &st->clock;
	struct ckpt k;
	char *v = NULL;
	size_t vlen = 0;
	int rc;

	rc = ol_db_get(st, OL_CF_META, CLOCK_KEY, strlen(CLOCK_KEY), &v, &vlen, err);
	if (rc != OL_OK && rc != OL_ENOTFOUND)
		return rc;
	if (rc == OL_OK && !ckpt_decode(v, vlen, &k)) {
		rocksdb_free(v);
		if (!st->read_only)
			/* Starting from the wall clock here would let anyone who can damage one
			 * index record drag every retention to the wall clock's idea of now. */
			return ol_err_set(err, OL_ECORRUPT,
			                  "compliance clock checkpoint damaged: refusing to guess the "
			                  "time (restore the index or the key '%s' from a backup)",
			                  CLOCK_KEY);
		rc = OL_ENOTFOUND; /* read-only: report and go on from the wall clock */
	} else if (rc == OL_OK) {
		rocksdb_free(v);
	}
	ol_err_quiet(err, OL_OK);
	c->anchor_m = c->prev_m = m;
	c->prev_w = w;
	if (rc == OL_ENOTFOUND) {
		c->anchor_c = c->last_c = w;
		c->started_ns = w;
		c->start = st->read_only ? OL_CLOCK_START_WALL_FALLBACK : OL_CLOCK_START_NEW;
		record_event(c, st->read_only ? OL_CLOCK_EV_NO_CHECKPOINT : OL_CLOCK_EV_NEW, w, w, 0);
		return OL_OK;
	}
	c->disagreements = k.disagreements;
	c->events_total = k.events_total;
	c->events_persisted = k.events_total;
	c->last_dis_w = k.last_dis_w;
	c->last_dis_c = k.last_dis_c;
	c->max_ahead = k.max_ahead;
	c->max_behind = k.max_behind;
	c->ev_n = k.n;
	memcpy(c->ev, k.ev, k.n * sizeof(k.ev[0]));
	c->ckpt_c = k.c;
	c->ckpt_w = k.w;
	c->credited_ns = 0;
	c->start = OL_CLOCK_START_CHECKPOINT;
	/* Same boot, both readings believed: the monotonic clock measured the time since the
	 * checkpoint. Take no more than the wall clock claims either (a wall clock set back
	 * must not be outrun), and never a negative amount. After a reboot nothing can be
	 * measured: resume at the checkpoint and catch up at the bounded rate. */
	if (trusted && k.boot_known && strcmp(id, k.boot_id) == 0 && m >= k.m) {
		int64_t dm = m - k.m, dw = w - k.w;

		c->credited_ns = dw < 0 ? 0 : dw < dm ? dw : dm;
		c->start = OL_CLOCK_START_CHECKPOINT_BOOT;
	}
	c->anchor_c = c->last_c = k.c + c->credited_ns;
	c->started_ns = c->anchor_c;
	record_event(c, OL_CLOCK_EV_RESUME, c->anchor_c, w, c->credited_ns);
	return OL_OK;
}

int
ol_clock_open(struct ol_store *st, uint32_t period_ms, struct ol_err *err)
{
	struct ol_clock *c = &st->clock;
	pthread_condattr_t ca;
	char id[40] = "";
	int64_t w, m, off;
	bool trusted;
	int rc;

	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->ckpt_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	c->init = true;
	c->period_ms = period_ms ? period_ms : OL_CLOCK_CHECKPOINT_MS;
	pthread_mutex_lock(&test_src_mu);
	c->src = test_src_set ? test_src : real_source;
	pthread_mutex_unlock(&test_src_mu);

	trusted = c->src.boot_id(c->src.ctx, id);
	w = c->src.wall_ns(c->src.ctx);
	m = c->src.mono_ns(c->src.ctx);
	c->boot_trusted = trusted;
	snprintf(c->boot_id, sizeof(c->boot_id), "%s", trusted ? id : "");
	pthread_mutex_lock(&c->mu);
	rc = start_point(st, w, m, trusted, id, err);
	if (rc == OL_OK) {
		/* a wall clock far from where we resumed is reported, never believed */
		off = w - c->last_c;
		c->state = off > OL_CLOCK_ALARM_NS ? 1 : off < -OL_CLOCK_ALARM_NS ? -1 : 0;
		if (c->state)
			record_event(c, c->state > 0 ? OL_CLOCK_EV_WALL_AHEAD : OL_CLOCK_EV_WALL_BEHIND,
			             c->last_c, w, 0);
		if (off > c->max_ahead)
			c->max_ahead = off;
		if (-off > c->max_behind)
			c->max_behind = -off;
	}
	pthread_mutex_unlock(&c->mu);
	if (rc != OL_OK || st->read_only)
		return rc;
	/* The start is on disk before the store serves: a crash right after a first open must
	 * not start from the wall clock again. */
	rc = persist(st, err);
	if (rc != OL_OK)
		return rc;
	if (pthread_create(&c->th, NULL, ckpt_thread, st) != 0)
		return ol_err_set(err, OL_ERR, "clock: cannot start the checkpoint thread");
	c->th_started = true;
	return OL_OK;
}

void
ol_clock_close(struct ol_store *st)
{
	struct ol_clock *c = &st->clock;

	if (!c->init)
		return;
	if (c->th_started) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->th, NULL);
		c->th_started = false;
		if (!c->no_close_ckpt)
			persist(st, NULL); /* the last word at close */
	}
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->ckpt_mu);
	pthread_mutex_destroy(&c->mu);
	c->init = false;
}

void
ol_test_close_no_checkpoint(struct ol_store *st)
{
	if (st)
		st->clock.no_close_ckpt = true;
	ol_store_close(st);
}

void
ol_clock_status(struct ol_store *st, struct ol_clock_status *out)
{
	struct ol_clock *c = &st->clock;
	int64_t w;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->mu);
	out->compliance_ns = reading(c, &w, NULL);
	out->wall_ns = w;
	out->offset_ns = w - out->compliance_ns;
	out->slew_div = OL_CLOCK_SLEW_DIV;
	out->alarm_ns = OL_CLOCK_ALARM_NS;
	out->start = c->start;
	out->started_ns = c->started_ns;
	out->credited_ns = c->credited_ns;
	out->checkpoint_ns = c->ckpt_c;
	out->checkpoint_wall_ns = c->ckpt_w;
	out->checkpoints_written = c->ckpt_written;
	out->checkpoint_failures = c->ckpt_failed;
	snprintf(out->checkpoint_error, sizeof(out->checkpoint_error), "%s", c->ckpt_error);
	out->read_only = st->read_only;
	out->boot_trusted = c->boot_trusted;
	out->disagreements = c->disagreements;
	out->last_disagreement_wall_ns = c->last_dis_w;
	out->last_disagreement_compliance_ns = c->last_dis_c;
	out->max_ahead_ns = c->max_ahead;
	out->max_behind_ns = c->max_behind;
	out->events_total = c->events_total;
	out->n_events = c->ev_n;
	memcpy(out->events, c->ev, c->ev_n * sizeof(c->ev[0]));
	pthread_mutex_unlock(&c->mu);
}

/* ---- names and printing ---- */

const char *
ol_clock_start_name(enum ol_clock_start s)
{
	switch (s) {
	case OL_CLOCK_START_NEW: return "new";
	case OL_CLOCK_START_CHECKPOINT: return "checkpoint";
	case OL_CLOCK_START_CHECKPOINT_BOOT: return "checkpoint+boot";
	case OL_CLOCK_START_WALL_FALLBACK: return "wall-fallback";
	}
	return "?";
}

const char *
ol_clock_event_name(enum ol_clock_event_kind k)
{
	switch (k) {
	case OL_CLOCK_EV_NEW: return "new";
	case OL_CLOCK_EV_RESUME: return "resume";
	case OL_CLOCK_EV_WALL_AHEAD: return "wall-ahead";
	case OL_CLOCK_EV_WALL_BEHIND: return "wall-behind";
	case OL_CLOCK_EV_WALL_STEP: return "wall-step";
	case OL_CLOCK_EV_AGREE: return "agree";
	case OL_CLOCK_EV_NO_CHECKPOINT: return "no-checkpoint";
	}
	return "?";
}

const char *
ol_immutable_support_name(enum ol_immutable_support s)
{
	switch (s) {
	case OL_IMMUTABLE_UNKNOWN: return "unknown";
	case OL_IMMUTABLE_SUPPORTED: return "supported";
	case OL_IMMUTABLE_UNSUPPORTED: return "unsupported";
	}
	return "?";
}

/* 2026-12-03T18:00:00.123Z; "-" for 0. */
static void
iso(char out[64], int64_t ns)
{
	struct tm tm;
	time_t s;
	int64_t ms;

	if (ns == 0) {
		snprintf(out, 64, "-");
		return;
	}
	s = (time_t)(ns / 1000000000);
	ms = (ns % 1000000000) / 1000000;
	if (ms < 0) {
		s--;
		ms += 1000;
	}
	if (!gmtime_r(&s, &tm)) {
		snprintf(out, 64, "%" PRId64 "ns", ns);
		return;
	}
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)ms);
}

/* +315360000.000 s */
static void
secs(char out[64], int64_t ns)
{
	int64_t a = ns < 0 ? -ns : ns;

	snprintf(out, 64, "%c%" PRId64 ".%03d s", ns < 0 ? '-' : '+', a / 1000000000,
	         (int)((a % 1000000000) / 1000000));
}

void
ol_store_status_print(FILE *f, const struct ol_store_status *s)
{
	const struct ol_clock_status *c = &s->clock;
	char a[64], b[64], d[64];
	uint32_t i;

	iso(a, c->compliance_ns);
	fprintf(f, "compliance time: %s\n", a);
	iso(a, c->wall_ns);
	secs(b, c->offset_ns);
	fprintf(f, "wall clock:      %s (%s %s)\n", a, b,
	        c->offset_ns > c->alarm_ns ? "ahead: not believed"
	        : c->offset_ns < -c->alarm_ns ? "behind" : "in agreement");
	secs(b, c->alarm_ns);
	fprintf(f, "drift bound:     1/%u of elapsed time (%.2f %%); alarm at %s\n",
	        (unsigned)c->slew_div, 100.0 / c->slew_div, b + 1);
	iso(a, c->started_ns);
	secs(b, c->credited_ns);
	fprintf(f, "started:         %s from %s, credited %s\n", a, ol_clock_start_name(c->start),
	        b + 1);
	iso(a, c->checkpoint_ns);
	iso(d, c->checkpoint_wall_ns);
	if (c->read_only)
		fprintf(f, "checkpoint:      %s (wall %s), read-only: none written\n", a, d);
	else
		fprintf(f, "checkpoint:      %s (wall %s), %llu written, %llu failed%s%s\n", a, d,
		        (unsigned long long)c->checkpoints_written,
		        (unsigned long long)c->checkpoint_failures,
		        c->checkpoint_error[0] ? ": " : "", c->checkpoint_error);
	fprintf(f, "boot:            %s\n", c->boot_trusted ? "trusted (same-boot restarts "
	        "credit measured time)" : "not trusted (restarts credit nothing)");
	iso(a, c->last_disagreement_wall_ns);
	iso(d, c->last_disagreement_compliance_ns);
	fprintf(f, "disagreements:   %llu (last: wall %s, compliance %s)\n",
	        (unsigned long long)c->disagreements, a, d);
	secs(a, c->max_ahead_ns);
	secs(b, c->max_behind_ns);
	fprintf(f, "largest:         wall ahead %s, wall behind %s\n", a + 1, b + 1);
	if (s->immutable == OL_IMMUTABLE_SUPPORTED)
		fprintf(f, "immutable flag:  supported");
	else
		fprintf(f, "immutable flag:  %s (%s)", ol_immutable_support_name(s->immutable),
		        s->immutable_reason);
	fprintf(f, "; %llu set, %llu cleared, %llu shared inodes skipped, %llu failed\n",
	        (unsigned long long)s->immutable_set, (unsigned long long)s->immutable_cleared,
	        (unsigned long long)s->immutable_shared, (unsigned long long)s->immutable_failed);
	fprintf(f, "events:          %llu recorded, last %u:\n", (unsigned long long)c->events_total,
	        (unsigned)c->n_events);
	for (i = 0; i < c->n_events; i++) {
		const struct ol_clock_event *e = &c->events[i];

		iso(a, e->compliance_ns);
		iso(b, e->wall_ns);
		secs(d, e->detail_ns);
		fprintf(f, "  %-13s compliance %s  wall %s  %s\n", ol_clock_event_name(e->kind), a, b,
		        d);
	}
}

static void
json_s(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void
ol_store_status_print_json(FILE *f, const struct ol_store_status *s)
{
	const struct ol_clock_status *c = &s->clock;
	char a[64], b[64];
	uint32_t i;

	iso(a, c->compliance_ns);
	iso(b, c->wall_ns);
	fprintf(f, "{\"clock\":{\"compliance_ns\":%" PRId64 ",\"compliance\":\"%s\","
	           "\"wall_ns\":%" PRId64 ",\"wall\":\"%s\",\"offset_ns\":%" PRId64 ","
	           "\"slew_div\":%u,\"alarm_ns\":%" PRId64 ",\"start\":\"%s\","
	           "\"started_ns\":%" PRId64 ",\"credited_ns\":%" PRId64 ","
	           "\"checkpoint_ns\":%" PRId64 ",\"checkpoint_wall_ns\":%" PRId64 ","
	           "\"checkpoints_written\":%llu,\"checkpoint_failures\":%llu,"
	           "\"checkpoint_error\":",
	        c->compliance_ns, a, c->wall_ns, b, c->offset_ns, (unsigned)c->slew_div,
	        c->alarm_ns, ol_clock_start_name(c->start), c->started_ns, c->credited_ns,
	        c->checkpoint_ns, c->checkpoint_wall_ns,
	        (unsigned long long)c->checkpoints_written,
	        (unsigned long long)c->checkpoint_failures);
	json_s(f, c->checkpoint_error);
	fprintf(f, ",\"read_only\":%s,\"boot_trusted\":%s,\"disagreements\":%llu,"
	           "\"last_disagreement_wall_ns\":%" PRId64 ","
	           "\"last_disagreement_compliance_ns\":%" PRId64 ",\"max_ahead_ns\":%" PRId64 ","
	           "\"max_behind_ns\":%" PRId64 ",\"events_total\":%llu,\"events\":[",
	        c->read_only ? "true" : "false", c->boot_trusted ? "true" : "false",
	        (unsigned long long)c->disagreements, c->last_disagreement_wall_ns,
	        c->last_disagreement_compliance_ns, c->max_ahead_ns, c->max_behind_ns,
	        (unsigned long long)c->events_total);
	for (i = 0; i < c->n_events; i++) {
		const struct ol_clock_event *e = &c->events[i];

		fprintf(f, "%s{\"kind\":\"%s\",\"compliance_ns\":%" PRId64 ",\"wall_ns\":%" PRId64
		           ",\"detail_ns\":%" PRId64 "}",
		        i ? "," : "", ol_clock_event_name(e->kind), e->compliance_ns, e->wall_ns,
		        e->detail_ns);
	}
	fprintf(f, "]},\"immutable\":{\"support\":\"%s\",\"reason\":",
	        ol_immutable_support_name(s->immutable));
	json_s(f, s->immutable_reason);
	fprintf(f, ",\"set\":%llu,\"cleared\":%llu,\"shared\":%llu,\"failed\":%llu}}\n",
	        (unsigned long long)s->immutable_set, (unsigned long long)s->immutable_cleared,
	        (unsigned long long)s->immutable_shared, (unsigned long long)s->immutable_failed);
}
