/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compliance clock with fake time sources (io_test.h): a wall clock set ten years ahead
 * moves compliance time by at most the drift bound (1/60 of the monotonic time elapsed); a
 * wall clock set back never moves it back; a restart resumes from the checkpoint (crediting
 * measured time only on the same, trusted boot); the checkpoint and the disagreement log
 * survive a reopen; a damaged checkpoint is refused; the status reports it all. Then the
 * real clocks: cheap, monotonic, thread-safe; and, when libfaketime is installed, a child
 * process started with the system time ten years ahead cannot remove a version locked for a
 * day.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "io_test.h"
#include "olt.h"

#define SEC 1000000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define YEAR (365 * DAY)
#define W0 (1800000000LL * SEC) /* 2027-01-15T08:00:00Z */
#define M0 (1000 * SEC)

static char dir[64];

/* ---- the fake sources ---- */

static _Atomic int64_t f_wall, f_mono;
static atomic_bool f_trusted;
static pthread_mutex_t f_mu = PTHREAD_MUTEX_INITIALIZER;
static char f_boot[40];

static int64_t
fake_wall(void *ctx)
{
	(void)ctx;
	return atomic_load(&f_wall);
}

static int64_t
fake_mono(void *ctx)
{
	(void)ctx;
	return atomic_load(&f_mono);
}

static bool
fake_boot(void *ctx, char out[40])
{
	(void)ctx;
	pthread_mutex_lock(&f_mu);
	snprintf(out, 40, "%s", f_boot);
	pthread_mutex_unlock(&f_mu);
	return atomic_load(&f_trusted);
}

static void
fake_set(int64_t wall, int64_t mono, const char *boot, bool trusted)
{
	static const struct ol_clock_source src = { fake_wall, fake_mono, fake_boot, NULL };

	atomic_store(&f_wall, wall);
	atomic_store(&f_mono, mono);
	pthread_mutex_lock(&f_mu);
	snprintf(f_boot, sizeof(f_boot), "%s", boot);
	pthread_mutex_unlock(&f_mu);
	atomic_store(&f_trusted, trusted);
	ol_test_clock_source(&src);
}

/* Both clocks move by @d (time passes); the wall clock additionally by @jump. */
static void
tick(int64_t d, int64_t jump)
{
	atomic_fetch_add(&f_mono, d);
	atomic_fetch_add(&f_wall, d + jump);
}

static void
fresh_dir(void)
{
	if (dir[0])
		olt_rmrf(dir);
	olt_tmpdir(dir);
}

/* A read-write open whose checkpoint thread never finds a checkpoint due (the fake clocks
 * move by days): for the tests that close "as after kill -9" and need to know what the
 * last checkpoint on disk is. */
static struct ol_store *
open_quiet(void)
{
	struct ol_store_opts o = { 0 };
	struct ol_store *st = NULL;
	struct ol_err e = { 0 };

	o.data_dir = dir;
	o.clock_checkpoint_ms = UINT32_MAX;
	if (ol_store_open(&o, &st, &e) != OL_OK) {
		fprintf(stderr, "open '%s': %s\n", dir, e.msg);
		exit(1);
	}
	return st;
}

static struct ol_store *
open_ro(const char *d, int *rc_out, struct ol_err *e)
{
	struct ol_store_opts o = { 0 };
	struct ol_store *st = NULL;

	o.data_dir = d;
	o.read_only = true;
	*rc_out = ol_store_open(&o, &st, e);
	return st;
}

static const struct ol_clock_event *
last_event(const struct ol_clock_status *s)
{
	return s->n_events ? &s->events[s->n_events - 1] : NULL;
}

/* ---- tests ---- */

static void
test_new_store(void)
{
	struct ol_store *st;
	struct ol_clock_status s;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), W0);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.start, OL_CLOCK_START_NEW);
	CHECK_INT_EQ(s.started_ns, W0);
	CHECK_INT_EQ(s.offset_ns, 0);
	CHECK_INT_EQ(s.slew_div, 60);
	CHECK_INT_EQ(s.checkpoints_written, 1); /* the first open writes at once */
	CHECK_INT_EQ(s.checkpoint_ns, W0);
	CHECK_INT_EQ(s.disagreements, 0);
	CHECK_INT_EQ(s.n_events, 1);
	CHECK_INT_EQ(s.events[0].kind, OL_CLOCK_EV_NEW);
	CHECK(s.boot_trusted);
	CHECK(!s.read_only);
	/* in agreement, compliance time is the wall clock */
	tick(MIN, 0);
	CHECK_INT_EQ(ol_clock_now(st), W0 + MIN);
	tick(5 * SEC, 300 * 1000000LL); /* a 0.3 s NTP step: followed within the bound */
	CHECK_INT_EQ(ol_clock_now(st), W0 + MIN + 5 * SEC + 5 * SEC / 60);
	ol_store_close(st);
}

/* The system clock jumps ten years ahead: compliance time moves at most 1/60 faster than
 * the monotonic clock, however often it is read. */
static void
test_jump_ahead(void)
{
	struct ol_clock_status s;
	struct ol_store *st;
	int64_t c0, c, prev, elapsed = 0;
	uint64_t ev;
	int i;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = olt_open(dir, 0);
	tick(MIN, 0);
	c0 = ol_clock_now(st);
	CHECK_INT_EQ(c0, W0 + MIN);
	tick(0, 10 * YEAR);
	CHECK_INT_EQ(ol_clock_now(st), c0); /* no monotonic time passed: nothing moves */
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.disagreements, 1);
	CHECK_INT_EQ(last_event(&s)->kind, OL_CLOCK_EV_WALL_AHEAD);
	CHECK_INT_EQ(last_event(&s)->detail_ns, 10 * YEAR);
	CHECK_INT_EQ(s.last_disagreement_wall_ns, W0 + MIN + 10 * YEAR);
	CHECK_INT_EQ(s.last_disagreement_compliance_ns, c0);
	CHECK_INT_EQ(s.offset_ns, 10 * YEAR);
	ev = s.events_total;
	/* an hour in minutes: one minute of catching up, not ten years */
	prev = c0;
	for (i = 0; i < 60; i++) {
		tick(MIN, 0);
		elapsed += MIN;
		c = ol_clock_now(st);
		CHECK_INT_EQ(c - prev, MIN + SEC);
		prev = c;
	}
	CHECK_INT_EQ(prev, c0 + HOUR + MIN);
	/* a second in microseconds: the bound is not lost to rounding, nor exceeded */
	for (i = 0; i < 1000000; i++) {
		tick(1000, 0);
		c = ol_clock_now(st);
		if (c < prev) {
			CHECK(c >= prev);
			break;
		}
		prev = c;
	}
	elapsed += SEC;
	c = ol_clock_now(st);
	CHECK(c - c0 <= elapsed + elapsed / 60);
	CHECK(c - c0 >= elapsed + elapsed / 60 - 1000);
	/* a day: 24 minutes of catching up */
	for (i = 0; i < 24; i++)
		tick(HOUR, 0);
	CHECK_INT_EQ(ol_clock_now(st) - c, DAY + 24 * MIN);
	/* catching up is no new disagreement */
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.events_total, ev);
	CHECK_INT_EQ(s.disagreements, 1);
	CHECK(s.max_ahead_ns >= 10 * YEAR - 2 * DAY);
	/* a further step while ahead is one */
	tick(SEC, YEAR);
	ol_clock_now(st);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.disagreements, 2);
	CHECK_INT_EQ(last_event(&s)->kind, OL_CLOCK_EV_WALL_STEP);
	CHECK_INT_EQ(last_event(&s)->detail_ns, YEAR);
	ol_store_close(st);
}

/* The system clock is set back a day: compliance time never goes back, runs at least
 * 59/60 of the monotonic rate, and meets the wall clock again after 60 days. */
static void
test_set_back(void)
{
	struct ol_clock_status s;
	struct ol_store *st;
	int64_t c0, c, prev;
	int i;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = olt_open(dir, 0);
	c0 = ol_clock_now(st);
	tick(0, -DAY);
	CHECK_INT_EQ(ol_clock_now(st), c0);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(last_event(&s)->kind, OL_CLOCK_EV_WALL_BEHIND);
	CHECK_INT_EQ(last_event(&s)->detail_ns, -DAY);
	CHECK_INT_EQ(s.disagreements, 1);
	CHECK_INT_EQ(s.offset_ns, -DAY);
	prev = c0;
	for (i = 0; i < 24 * 61; i++) {
		tick(HOUR, 0);
		c = ol_clock_now(st);
		CHECK(c - prev >= HOUR - MIN);
		CHECK(c - prev <= HOUR);
		prev = c;
	}
	CHECK_INT_EQ(prev, atomic_load(&f_wall)); /* met again: the wall clock rules */
	ol_clock_status(st, &s);
	CHECK_INT_EQ(last_event(&s)->kind, OL_CLOCK_EV_AGREE);
	CHECK_INT_EQ(s.disagreements, 1);
	CHECK_INT_EQ(s.max_behind_ns, DAY);
	/* steps back under the alarm threshold: never a value below the last one */
	for (i = 0; i < 100; i++) {
		tick(MIN / 100, i % 2 ? -SEC / 2 : SEC / 2);
		c = ol_clock_now(st);
		CHECK(c >= prev);
		prev = c;
	}
	ol_store_close(st);
}

/* Restarts: after a reboot the checkpoint, nothing more; on the same trusted boot the time
 * the monotonic clock measured, but never more than the wall clock claims. */
static void
test_restart(void)
{
	struct ol_clock_status s;
	struct ol_store *st;
	int64_t c1, c2;
	uint64_t dis;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = olt_open(dir, 0);
	tick(10 * MIN, 0);
	c1 = ol_clock_now(st);
	ol_store_close(st); /* the close writes c1 */

	/* reboot (another boot id, monotonic from zero) with the wall clock ten years on */
	fake_set(c1 + 10 * YEAR, 5 * SEC, "boot-b", true);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c1);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.start, OL_CLOCK_START_CHECKPOINT);
	CHECK_INT_EQ(s.started_ns, c1);
	CHECK_INT_EQ(s.credited_ns, 0);
	CHECK_INT_EQ(s.n_events, 3); /* new, resume, wall-ahead */
	CHECK_INT_EQ(s.events[0].kind, OL_CLOCK_EV_NEW);
	CHECK_INT_EQ(s.events[1].kind, OL_CLOCK_EV_RESUME);
	CHECK_INT_EQ(s.events[1].detail_ns, 0);
	CHECK_INT_EQ(s.events[2].kind, OL_CLOCK_EV_WALL_AHEAD);
	CHECK_INT_EQ(s.events[2].wall_ns, c1 + 10 * YEAR);
	CHECK_INT_EQ(s.events[2].compliance_ns, c1);
	CHECK_INT_EQ(s.disagreements, 1);
	tick(HOUR, 0);
	c2 = ol_clock_now(st);
	CHECK_INT_EQ(c2, c1 + HOUR + MIN);
	ol_store_close(st);

	/* same boot, five minutes later, wall clock still ten years on: five minutes */
	tick(5 * MIN, 0);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c2 + 5 * MIN);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.start, OL_CLOCK_START_CHECKPOINT_BOOT);
	CHECK_INT_EQ(s.credited_ns, 5 * MIN);
	c2 += 5 * MIN;
	ol_store_close(st);

	/* same boot, the wall clock set ten years ahead while the store was closed: only the
	 * five minutes the monotonic clock measured */
	tick(5 * MIN, 10 * YEAR);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c2 + 5 * MIN);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.start, OL_CLOCK_START_CHECKPOINT_BOOT);
	CHECK_INT_EQ(s.credited_ns, 5 * MIN);
	CHECK_INT_EQ(last_event(&s)->kind, OL_CLOCK_EV_WALL_AHEAD);
	c2 += 5 * MIN;
	ol_store_close(st);

	/* same boot, the wall clock set back meanwhile: no more than it claims (nothing) */
	tick(5 * MIN, -DAY);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c2);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.credited_ns, 0);
	ol_store_close(st);

	/* same boot id but the monotonic clock not trusted: nothing */
	tick(5 * MIN, DAY);
	atomic_store(&f_trusted, false);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c2);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.start, OL_CLOCK_START_CHECKPOINT);
	CHECK(!s.boot_trusted);
	ol_store_close(st); /* written without a boot id: the next open credits nothing */
	atomic_store(&f_trusted, true);
	tick(5 * MIN, 0);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c2);
	ol_store_close(st);

	/* a monotonic clock behind the checkpoint's on the same boot: nothing */
	atomic_store(&f_mono, SEC);
	st = olt_open(dir, 0);
	CHECK_INT_EQ(ol_clock_now(st), c2);
	ol_clock_status(st, &s);
	dis = s.disagreements;
	CHECK(dis >= 2);
	ol_store_close(st);
}

/* What is on disk: the last checkpoint written (a crash loses what came after it, which is
 * the safe side), the counters and the event log. */
static void
test_persisted(void)
{
	struct ol_clock_status s, before;
	struct ol_store *st;
	struct ol_err e = { 0 };
	int64_t ca;
	uint32_t i;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = open_quiet();
	tick(MIN, 3 * DAY);
	tick(MIN, -2 * DAY);
	ca = ol_clock_now(st);
	CHECK_INT_EQ(ol_clock_checkpoint(st, &e), OL_OK);
	ol_clock_status(st, &before);
	CHECK_INT_EQ(before.checkpoint_ns, ca);
	CHECK_INT_EQ(before.checkpoints_written, 2);
	tick(30 * MIN, 0);
	ol_test_close_no_checkpoint(st); /* as after kill -9 */

	fake_set(atomic_load(&f_wall), SEC, "boot-b", true);
	st = olt_open(dir, 0);
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.compliance_ns, ca);
	CHECK_INT_EQ(s.checkpoint_ns, ca); /* read, then written again at open */
	/* what was persisted, plus the resume and the wall clock (a day ahead) seen at open */
	CHECK_INT_EQ(before.disagreements, 1);
	CHECK_INT_EQ(s.disagreements, before.disagreements + 1);
	CHECK(s.max_ahead_ns >= before.max_ahead_ns);
	CHECK_INT_EQ(s.events_total, before.events_total + 2);
	CHECK_INT_EQ(s.n_events, before.n_events + 2);
	for (i = 0; i < before.n_events; i++) {
		CHECK_INT_EQ(s.events[i].kind, before.events[i].kind);
		CHECK_INT_EQ(s.events[i].wall_ns, before.events[i].wall_ns);
		CHECK_INT_EQ(s.events[i].compliance_ns, before.events[i].compliance_ns);
		CHECK_INT_EQ(s.events[i].detail_ns, before.events[i].detail_ns);
	}
	CHECK_INT_EQ(s.events[before.n_events].kind, OL_CLOCK_EV_RESUME);
	CHECK_INT_EQ(s.events[before.n_events + 1].kind, OL_CLOCK_EV_WALL_AHEAD);
	CHECK_INT_EQ(s.last_disagreement_compliance_ns, ca);
	/* the log keeps the last OL_CLOCK_EVENTS_MAX, oldest first */
	for (i = 0; i < 40; i++) {
		tick(SEC, i % 2 ? -5 * SEC : 5 * SEC);
		ol_clock_now(st);
	}
	ol_clock_status(st, &s);
	CHECK_INT_EQ(s.events_total, before.events_total + 42);
	CHECK_INT_EQ(s.n_events, OL_CLOCK_EVENTS_MAX);
	CHECK(s.events[OL_CLOCK_EVENTS_MAX - 1].wall_ns >= s.events[0].wall_ns);
	ol_store_close(st);

	/* read-only: starts from the checkpoint, writes nothing */
	{
		struct ol_store *ro;
		int rc;

		ro = open_ro(dir, &rc, &e);
		CHECK_INT_EQ(rc, OL_OK);
		if (ro) {
			ol_clock_status(ro, &s);
			CHECK(s.read_only);
			CHECK_INT_EQ(s.checkpoints_written, 0);
			CHECK(s.start == OL_CLOCK_START_CHECKPOINT ||
			      s.start == OL_CLOCK_START_CHECKPOINT_BOOT);
			CHECK_INT_EQ(ol_clock_checkpoint(ro, &e), OL_EINVAL);
			CHECK_STR_EQ(e.msg, "clock checkpoint: store is read-only");
			ol_store_close(ro);
		}
	}
}

/* A damaged checkpoint: a read-write open refuses to guess; read-only goes on from the wall
 * clock and says so. */
static void
test_damaged(void)
{
	struct ol_store_opts o = { 0 };
	struct ol_clock_status s;
	struct ol_store *st = NULL;
	struct ol_err e = { 0 };
	int rc;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = open_quiet();
	CHECK_INT_EQ(ol_kv_put(st, OL_CF_META, "objectlock.clock", 16, "garbage", 7, &e), OL_OK);
	ol_test_close_no_checkpoint(st);
	st = NULL;
	o.data_dir = dir;
	tick(HOUR, 10 * YEAR);
	CHECK_INT_EQ(ol_store_open(&o, &st, &e), OL_ECORRUPT);
	CHECK(strstr(e.msg, "compliance clock checkpoint damaged") != NULL);
	CHECK(st == NULL);
	st = open_ro(dir, &rc, &e);
	CHECK_INT_EQ(rc, OL_OK);
	if (st) {
		ol_clock_status(st, &s);
		CHECK_INT_EQ(s.start, OL_CLOCK_START_WALL_FALLBACK);
		CHECK_INT_EQ(s.events[0].kind, OL_CLOCK_EV_NO_CHECKPOINT);
		ol_store_close(st);
	}
}

/* One day of COMPLIANCE retention under a wall clock ten years ahead: locked for at least
 * 60/61 of the day, freed by the end of it. */
static void
test_day_of_retention(void)
{
	struct ol_store *st;
	struct ol_bucket b;
	struct ol_version v, g;
	struct ol_err e = { 0 };
	enum ol_verdict vd = OL_ALLOW;
	uint8_t body[3000];
	struct ol_put *put = NULL;
	int i;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = olt_open(dir, 1000);
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "lk");
	b.lock_enabled = true;
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_OK);
	olt_fill(body, sizeof(body), 3);
	ol_version_init(&v);
	v.lock_mode = OL_LOCK_COMPLIANCE;
	v.retain_until_ns = W0 + DAY;
	CHECK_INT_EQ(ol_put_begin(st, "lk", "k", 1, &put, &e), OL_OK);
	CHECK_INT_EQ(ol_put_write(put, body, sizeof(body), &e), OL_OK);
	CHECK_INT_EQ(ol_put_commit(put, &v, &e), OL_OK);
	ol_store_close(st);

	/* restart after a reboot with the system clock ten years on */
	fake_set(W0 + 10 * YEAR, 5 * SEC, "boot-b", true);
	st = olt_open(dir, 1000);
	for (i = 0; i < 23; i++) {
		tick(HOUR, 0);
		CHECK_INT_EQ(ol_version_remove_checked(st, "lk", "k", 1, v.version_id, NULL, OL_NOW, &vd,
		                                       NULL, &e), OL_ELOCKED);
		CHECK_INT_EQ(vd, OL_DENY_COMPLIANCE);
	}
	/* 23 h 37 min of real time: 24 h 0 min 37 s of compliance time, over */
	tick(37 * MIN, 0);
	CHECK_INT_EQ(ol_version_remove_checked(st, "lk", "k", 1, v.version_id, NULL, OL_NOW, &vd,
	                                       &g, &e), OL_OK);
	CHECK_STR_EQ(g.version_id, v.version_id);
	ol_version_release(&g);
	ol_version_release(&v);
	ol_store_close(st);
}

static void
test_status_print(void)
{
	struct ol_store_status ss;
	struct ol_store *st;
	char *txt = NULL, *js = NULL;
	size_t n1 = 0, n2 = 0;
	FILE *f;

	fresh_dir();
	fake_set(W0, M0, "boot-a", true);
	st = olt_open(dir, 0);
	tick(MIN, 10 * YEAR);
	ol_store_status(st, &ss);
	CHECK_INT_EQ(ss.clock.disagreements, 1);
	CHECK(ss.immutable != OL_IMMUTABLE_UNKNOWN);
	CHECK(ss.immutable == OL_IMMUTABLE_SUPPORTED ? ss.immutable_reason[0] == '\0'
	                                               : ss.immutable_reason[0] != '\0');
	f = open_memstream(&txt, &n1);
	ol_store_status_print(f, &ss);
	fclose(f);
	f = open_memstream(&js, &n2);
	ol_store_status_print_json(f, &ss);
	fclose(f);
	CHECK(strstr(txt, "compliance time: 2027-01-15T08:01:01.000Z") != NULL);
	CHECK(strstr(txt, "wall clock:      2037-01-12T08:01:00.000Z (+315359999.000 s ahead: "
	                  "not believed)") != NULL);
	CHECK(strstr(txt, "drift bound:     1/60 of elapsed time (1.67 %); alarm at 1.000 s") !=
	      NULL);
	CHECK(strstr(txt, "disagreements:   1 (last: wall 2037-01-12T08:01:00.000Z") != NULL);
	CHECK(strstr(txt, "immutable flag:  ") != NULL);
	CHECK(strstr(txt, "wall-ahead") != NULL);
	CHECK(strstr(js, "{\"clock\":{\"compliance_ns\":1800000061000000000,") == js);
	CHECK(strstr(js, "\"slew_div\":60,") != NULL);
	CHECK(strstr(js, "\"disagreements\":1,") != NULL);
	CHECK(strstr(js, "\"kind\":\"wall-ahead\"") != NULL);
	CHECK(strstr(js, "\"immutable\":{\"support\":\"") != NULL);
	CHECK(js[n2 - 1] == '\n' && js[n2 - 2] == '}');
	if (check_failures)
		fprintf(stderr, "%s%s", txt, js);
	free(txt);
	free(js);
	ol_store_close(st);
}

/* ---- the real clocks ---- */

struct reader {
	struct ol_store *st;
	int n;
	bool ok;
};

static void *
reader_fn(void *arg)
{
	struct reader *r = arg;
	int64_t prev = 0, c;
	int i;

	r->ok = true;
	for (i = 0; i < r->n; i++) {
		c = ol_clock_now(r->st);
		if (c < prev)
			r->ok = false;
		prev = c;
	}
	return NULL;
}

static int64_t
real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void
test_real_clocks(void)
{
	struct reader r[4];
	pthread_t th[4];
	struct ol_clock_status s;
	struct ol_store *st;
	struct timespec t0, t1;
	int64_t c, w;
	int i;

	fresh_dir();
	ol_test_clock_source(NULL);
	st = olt_open(dir, 0);
	c = ol_clock_now(st);
	w = real_now();
	CHECK(w - c >= 0 && w - c < SEC); /* a new store starts from the wall clock */
	ol_clock_status(st, &s);
	fprintf(stderr, "objectlock-clock: real boot %s\n", s.boot_trusted ? "trusted"
	                                                                    : "not trusted");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 4; i++) {
		r[i].st = st;
		r[i].n = 50000;
		pthread_create(&th[i], NULL, reader_fn, &r[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK(r[i].ok);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "objectlock-clock: 200000 ol_clock_now on 4 threads in %.3f s\n",
	        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	c = ol_clock_now(st);
	w = real_now();
	CHECK(w - c > -SEC && w - c < SEC);
	ol_store_close(st);
	/* a restart on the same boot loses nothing measurable */
	st = olt_open(dir, 0);
	c = ol_clock_now(st);
	w = real_now();
	CHECK(w - c > -SEC && w - c < SEC);
	ol_store_close(st);
}

/* ---- under libfaketime ---- */

static const char *
find_libfaketime(void)
{
	static const char *const paths[] = {
		"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
		"/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
		"/usr/lib/faketime/libfaketime.so.1",
		"/usr/local/lib/faketime/libfaketime.so.1",
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

/* The kernel's wall clock, past any LD_PRELOAD shim. */
static int64_t
kernel_now(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

/* Run in the child under FAKETIME: 0 ok, 77 faketime not in effect, 1 failure. */
static int
faketime_child(const char *d, const char *vid)
{
	struct ol_store_opts o = { 0 };
	struct ol_clock_status s;
	struct ol_store *st = NULL;
	struct ol_err e = { 0 };
	enum ol_verdict vd = OL_ALLOW;
	int64_t c, k;
	int rc;

	if (real_now() - kernel_now() < 9 * YEAR)
		return 77;
	o.data_dir = d;
	if (ol_store_open(&o, &st, &e) != OL_OK) {
		fprintf(stderr, "child: open: %s\n", e.msg);
		return 1;
	}
	c = ol_clock_now(st);
	k = kernel_now();
	rc = ol_version_remove_checked(st, "lk", "k", 1, vid, NULL, OL_NOW, &vd, NULL, &e);
	ol_clock_status(st, &s);
	ol_store_close(st);
	if (c - k > 60 * SEC || k - c > 60 * SEC) {
		fprintf(stderr, "child: compliance time %lld s away from the kernel's\n",
		        (long long)((c - k) / SEC));
		return 1;
	}
	if (rc != OL_ELOCKED || vd != OL_DENY_COMPLIANCE) {
		fprintf(stderr, "child: remove gave %s (%s)\n", ol_rc_name(rc), e.msg);
		return 1;
	}
	if (s.offset_ns < 9 * YEAR || s.disagreements < 1) {
		fprintf(stderr, "child: disagreement not seen\n");
		return 1;
	}
	return 0;
}

static void
test_faketime(const char *self)
{
	static const char *const modes[] = { "+10y", "@2036-06-01 12:00:00", "+10y x10" };
	const char *lib = find_libfaketime();
	struct ol_store *st;
	struct ol_bucket b;
	struct ol_version v, g;
	struct ol_err e = { 0 };
	struct ol_put *put = NULL;
	struct ol_clock_status s;
	uint8_t body[3000];
	size_t i;
	int ran = 0;

	if (!lib) {
		fprintf(stderr, "objectlock-clock: libfaketime not installed: faketime test "
		        "skipped\n");
		return;
	}
	fresh_dir();
	ol_test_clock_source(NULL);
	st = olt_open(dir, 1000);
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "lk");
	b.lock_enabled = true;
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_OK);
	olt_fill(body, sizeof(body), 9);
	ol_version_init(&v);
	v.lock_mode = OL_LOCK_COMPLIANCE;
	v.retain_until_ns = ol_clock_now(st) + DAY;
	CHECK_INT_EQ(ol_put_begin(st, "lk", "k", 1, &put, &e), OL_OK);
	CHECK_INT_EQ(ol_put_write(put, body, sizeof(body), &e), OL_OK);
	CHECK_INT_EQ(ol_put_commit(put, &v, &e), OL_OK);
	ol_store_close(st);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		pid_t pid = fork();
		int status = 0;

		if (pid == 0) {
			setenv("LD_PRELOAD", lib, 1);
			setenv("FAKETIME", modes[i], 1);
			setenv("FAKETIME_DONT_RESET", "1", 1);
			/* an ASan build: libfaketime comes before the ASan runtime */
			setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
			execl(self, self, "--faketime-child", dir, v.version_id, (char *)NULL);
			_exit(127);
		}
		CHECK(pid > 0);
		if (pid <= 0 || waitpid(pid, &status, 0) != pid)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			fprintf(stderr, "objectlock-clock: FAKETIME=%s not in effect: skipped\n",
			        modes[i]);
			continue;
		}
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fprintf(stderr, "faketime child FAKETIME='%s' failed (status %d)\n", modes[i],
			        status);
		ran++;
	}
	/* back under the real clock: still there, still locked, the disagreement on record */
	st = olt_open(dir, 1000);
	CHECK_INT_EQ(ol_version_get(st, "lk", "k", 1, v.version_id, &g, &e), OL_OK);
	ol_version_release(&g);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "k", 1, v.version_id, NULL, &e), OL_ELOCKED);
	ol_clock_status(st, &s);
	if (ran)
		CHECK(s.max_ahead_ns >= 9 * YEAR && s.disagreements >= (uint64_t)ran);
	ol_store_close(st);
	ol_version_release(&v);
	fprintf(stderr, "objectlock-clock: %d libfaketime runs\n", ran);
}

int
main(int argc, char **argv)
{
#define T(f) { f, #f }
	static const struct {
		void (*fn)(void);
		const char *name;
	} t[] = { T(test_new_store), T(test_jump_ahead), T(test_set_back), T(test_restart),
	          T(test_persisted), T(test_damaged), T(test_day_of_retention),
	          T(test_status_print), T(test_real_clocks) };
#undef T
	struct timespec t0, t1;
	size_t i;

	if (argc == 4 && strcmp(argv[1], "--faketime-child") == 0)
		return faketime_child(argv[2], argv[3]);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "%s: %s %.2f s\n", "objectlock-clock", t[i].name,
		        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_faketime("/proc/self/exe");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "%s: %s %.2f s\n", "objectlock-clock", "test_faketime",
	        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ol_test_clock_source(NULL);
	olt_rmrf(dir);
	return check_done("objectlock-clock");
}
