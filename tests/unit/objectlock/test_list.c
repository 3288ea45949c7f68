/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ol_list against a brute-force model computed here from the same key set: every page of
 * many (prefix, delimiter, max_keys) combinations over ~10,000 keys, following next_marker
 * to the end; plus a bound on iterator steps, so that a common prefix is skipped by a seek
 * and never walked. Then ListObjectVersions paging over a smaller versioned set.
 */
#include "io_test.h"
#include "olt.h"

static char dir[64];

struct key {
	uint8_t *p;
	size_t n;
};

static int
cmp_bytes(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return (an > bn) - (an < bn);
}

static int
cmp_key(const void *x, const void *y)
{
	const struct key *a = x, *b = y;

	return cmp_bytes(a->p, a->n, b->p, b->n);
}

/* ---- the model ---- */

struct entry {
	const uint8_t *p;
	size_t n;
	bool is_prefix;
	int ver; /* versions model: index into the key's version list */
	int key;
};

struct page {
	struct entry *e;
	size_t n;
	bool truncated;
	uint64_t work; /* keys visited + common prefixes met: the walk may take 2 steps each */
};

static bool
has_prefix(const struct key *k, const void *p, size_t n)
{
	return k->n >= n && memcmp(k->p, p, n) == 0;
}

/* S3.md 5.6, as the header documents it: keys after the marker, rolled up at the first
 * delimiter after the prefix; a common prefix not after the marker is not returned. */
static void
model_page(const struct key *keys, const bool *visible, size_t nkeys, const void *prefix,
           size_t plen, const void *delim, size_t dlen, const void *marker, size_t mlen,
           uint32_t max, struct page *pg)
{
	size_t i;

	size_t lo = 0, hi = nkeys;

	pg->n = 0;
	pg->truncated = false;
	pg->work = 0;
	/* keys are sorted: the ones with the prefix form one run starting at its lower bound */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_bytes(keys[mid].p, keys[mid].n, prefix, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (mlen) {
		/* and the ones after the marker start at its upper bound */
		size_t mlo = lo, mhi = nkeys;

		while (mlo < mhi) {
			size_t mid = mlo + (mhi - mlo) / 2;

			if (cmp_bytes(keys[mid].p, keys[mid].n, marker, mlen) <= 0)
				mlo = mid + 1;
			else
				mhi = mid;
		}
		lo = mlo;
	}
	for (i = lo; i < nkeys; i++) {
		const struct key *k = &keys[i];
		const uint8_t *d = NULL;

		if (!has_prefix(k, prefix, plen))
			break;
		if (mlen && cmp_bytes(k->p, k->n, marker, mlen) <= 0)
			continue;
		if (dlen && k->n > plen)
			d = memmem(k->p + plen, k->n - plen, delim, dlen);
		if (d) {
			size_t cl = (size_t)(d - k->p) + dlen;

			if (pg->n && pg->e[pg->n - 1].is_prefix && pg->e[pg->n - 1].n == cl &&
			    memcmp(pg->e[pg->n - 1].p, k->p, cl) == 0)
				continue; /* same prefix as the last entry */
			if (mlen && cmp_bytes(k->p, cl, marker, mlen) <= 0) {
				pg->work++;
				continue;
			}
			pg->work++;
			if (pg->n == max) {
				pg->truncated = true;
				return;
			}
			pg->e[pg->n].p = k->p;
			pg->e[pg->n].n = cl;
			pg->e[pg->n].is_prefix = true;
			pg->n++;
			continue;
		}
		pg->work++;
		if (!visible[i])
			continue;
		if (pg->n == max) {
			pg->truncated = true;
			return;
		}
		pg->e[pg->n].p = k->p;
		pg->e[pg->n].n = k->n;
		pg->e[pg->n].is_prefix = false;
		pg->n++;
	}
}

/* ---- what ol_list returned ---- */

struct got {
	struct entry *e;
	uint8_t (*buf)[OL_KEY_MAX];
	char (*vid)[OL_VERSION_ID_LEN + 1];
	bool *latest;
	size_t n, cap;
};

static int
got_cb(void *ctx, const struct ol_list_entry *e)
{
	struct got *g = ctx;

	if (g->n >= g->cap)
		return OL_E2BIG;
	memcpy(g->buf[g->n], e->key, e->keylen);
	g->e[g->n].p = g->buf[g->n];
	g->e[g->n].n = e->keylen;
	g->e[g->n].is_prefix = e->is_prefix;
	g->latest[g->n] = e->is_latest;
	if (e->v)
		memcpy(g->vid[g->n], e->v->version_id, OL_VERSION_ID_LEN + 1);
	else
		g->vid[g->n][0] = '\0';
	/* the entry must hold what a listing needs */
	if (!e->is_prefix && (!e->v || (!e->v->is_delete_marker && !e->v->etag)))
		return OL_ERR;
	g->n++;
	return 0;
}

static void
got_init(struct got *g, size_t cap)
{
	g->cap = cap;
	g->n = 0;
	g->e = calloc(cap, sizeof(*g->e));
	g->buf = calloc(cap, sizeof(*g->buf));
	g->vid = calloc(cap, sizeof(*g->vid));
	g->latest = calloc(cap, sizeof(*g->latest));
}

static void
got_free(struct got *g)
{
	free(g->e);
	free(g->buf);
	free(g->vid);
	free(g->latest);
}

/* ---- the 10,000-key set ---- */

static struct key *keys;
static bool *visible;
static size_t nkeys;

static void
add_key(const void *p, size_t n)
{
	keys[nkeys].p = malloc(n);
	memcpy(keys[nkeys].p, p, n);
	keys[nkeys].n = n;
	nkeys++;
}

static void
build_keys(void)
{
	static const struct {
		const char *p;
		size_t n;
	} special[] = {
		{ "a", 1 }, { "a/", 2 }, { "a/b", 3 }, { "ab", 2 }, { "a\x00", 2 }, { "a\x01", 2 },
		{ "a\x02", 2 }, { "a\xff", 2 }, { "\xff", 1 }, { "\xff\xff", 2 }, { "\xff/x", 3 },
		{ "\x01", 1 }, { "\x02", 1 }, { "\x00", 1 }, { "\x00/\x00", 3 }, { "d05", 3 },
		{ "d05/", 4 }, { "d05//x", 6 }, { "x|y|z", 5 }, { "x|y", 3 }, { "x||", 3 },
		{ "\xc3\xa9/\xc3\xbc", 5 }, { "a/b/c/d", 7 }, { "a/\x00", 3 }, { "d05/s03", 7 },
	};
	char k[64];
	int d, s, f;
	size_t i;

	keys = calloc(12000, sizeof(*keys));
	visible = calloc(12000, sizeof(*visible));
	for (d = 0; d < 20; d++)
		for (s = 0; s < 20; s++)
			for (f = 0; f < 24; f++) {
				snprintf(k, sizeof(k), "d%02d/s%02d/f%03d", d, s, f);
				add_key(k, strlen(k));
			}
	for (i = 0; i < 375; i++) {
		snprintf(k, sizeof(k), "top%03zu", i);
		add_key(k, strlen(k));
	}
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		add_key(special[i].p, special[i].n);
	qsort(keys, nkeys, sizeof(*keys), cmp_key);
}

static uint64_t pages_checked;

/* Page through one listing, comparing every page with the model. */
static void
check_listing(struct ol_store *st, const char *bucket, const void *prefix, size_t plen,
              const void *delim, size_t dlen, uint32_t max)
{
	struct page pg;
	struct got g;
	uint8_t marker[OL_KEY_MAX];
	size_t mlen = 0, total = 0, guard = 0;

	pg.e = calloc(max + 1, sizeof(*pg.e));
	got_init(&g, max + 1);
	for (;;) {
		struct ol_list_opts o = { 0 };
		struct ol_list_result r;
		struct ol_err e = { 0 };
		uint64_t steps0 = ol_test_list_steps(), steps;
		size_t i;
		int rc;

		model_page(keys, visible, nkeys, prefix, plen, delim, dlen, marker, mlen, max, &pg);
		o.bucket = bucket;
		o.prefix = prefix;
		o.prefix_len = plen;
		o.delimiter = delim;
		o.delimiter_len = dlen;
		o.marker = marker;
		o.marker_len = mlen;
		o.max_keys = max;
		g.n = 0;
		rc = ol_list(st, &o, got_cb, &g, &r, &e);
		steps = ol_test_list_steps() - steps0;
		CHECK_INT_EQ(rc, OL_OK);
		if (rc != OL_OK) {
			fprintf(stderr, "  %s\n", e.msg);
			break;
		}
		pages_checked++;
		CHECK_INT_EQ(r.count, g.n);
		CHECK_INT_EQ(g.n, pg.n);
		CHECK_INT_EQ(r.is_truncated, pg.truncated);
		for (i = 0; i < g.n && i < pg.n; i++) {
			if (g.e[i].is_prefix != pg.e[i].is_prefix ||
			    cmp_bytes(g.e[i].p, g.e[i].n, pg.e[i].p, pg.e[i].n) != 0) {
				CHECK(!"entry differs from the model");
				fprintf(stderr, "  plen %zu dlen %zu max %u entry %zu: got '%.*s' want "
				        "'%.*s'\n", plen, dlen, max, i, (int)g.e[i].n, g.e[i].p,
				        (int)pg.e[i].n, pg.e[i].p);
				break;
			}
			CHECK(g.latest[i] || g.e[i].is_prefix);
		}
		/* bounded walk: one initial seek, at most two steps per key or prefix met */
		if (steps > 2 * pg.work + 2) {
			CHECK(!"listing walked more than it returned");
			fprintf(stderr, "  steps %llu work %llu\n", (unsigned long long)steps,
			        (unsigned long long)pg.work);
		}
		total += g.n;
		if (!r.is_truncated) {
			CHECK_INT_EQ(r.next_marker_len, 0);
			break;
		}
		CHECK(r.next_marker_len > 0);
		if (g.n)
			CHECK(cmp_bytes(r.next_marker, r.next_marker_len, g.e[g.n - 1].p,
			                g.e[g.n - 1].n) == 0);
		memcpy(marker, r.next_marker, r.next_marker_len);
		mlen = r.next_marker_len;
		if (++guard > nkeys + 2) {
			CHECK(!"paging does not end");
			break;
		}
	}
	(void)total;
	free(pg.e);
	got_free(&g);
}

static void
test_objects(void)
{
	static const struct {
		const char *p;
		size_t n;
	} prefixes[] = {
		{ "", 0 }, { "d05/", 4 }, { "d05/s1", 6 }, { "a", 1 }, { "\xff", 1 }, { "top1", 4 },
		{ "zzz", 3 }, { "d05/s03/f01", 11 }, { "x|", 2 }, { "\x00", 1 },
	};
	static const struct {
		const char *p;
		size_t n;
	} delims[] = { { "", 0 }, { "/", 1 }, { "|", 1 }, { "s0", 2 }, { "\x00", 1 } };
	static const uint32_t maxes[] = { 1, 7, 250, 1000 };
	struct ol_store *st = olt_open(dir, 0);
	struct ol_err e = { 0 };
	size_t i, p, d, m;

	ol_test_nosync(st);
	build_keys();
	olt_bucket(st, "big", OL_VERSIONING_ENABLED);
	olt_bucket(st, "bif", OL_VERSIONING_ENABLED); /* a neighbour whose keys must not leak */
	olt_bucket(st, "bih", OL_VERSIONING_ENABLED);
	for (i = 0; i < nkeys; i++) {
		struct ol_version v;
		uint8_t body[8];
		int versions = i % 10 == 3 ? 3 : 1, j;

		olt_fill(body, sizeof(body), (uint32_t)i);
		for (j = 0; j < versions; j++) {
			CHECK_INT_EQ(olt_put(st, "big", keys[i].p, keys[i].n, body, sizeof(body), 8, &v,
			                     &e), OL_OK);
			ol_version_release(&v);
		}
		visible[i] = true;
		/* every 37th key: deleted (latest is a delete marker): hidden from listings */
		if (i % 37 == 5) {
			CHECK_INT_EQ(ol_delete_marker_put(st, "big", keys[i].p, keys[i].n, NULL, &e),
			             OL_OK);
			visible[i] = false;
		}
		if (i % 100 == 0) {
			ol_version_init(&v);
			olt_put(st, i % 200 ? "bif" : "bih", keys[i].p, keys[i].n, body, 1, 1, &v, &e);
			ol_version_release(&v);
		}
	}
	for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
		for (d = 0; d < sizeof(delims) / sizeof(delims[0]); d++)
			for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
				/* max 1 over the whole bucket is 10,000 calls: keep it to prefixes */
				if (maxes[m] == 1 && prefixes[p].n == 0 && delims[d].n == 0)
					continue;
				check_listing(st, "big", prefixes[p].p, prefixes[p].n, delims[d].p,
				              delims[d].n, maxes[m]);
			}

	/* The rollup is a seek: 9,600 keys under 20 prefixes cost a handful of steps. */
	{
		struct ol_list_opts o = { 0 };
		struct ol_list_result r;
		struct got g;
		uint64_t s0 = ol_test_list_steps();

		got_init(&g, 1000);
		o.bucket = "big";
		o.prefix = "d";
		o.prefix_len = 1;
		o.delimiter = "/";
		o.delimiter_len = 1;
		o.max_keys = 1000;
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_OK);
		CHECK_INT_EQ(g.n, 21); /* d00/ .. d19/, d05 */
		CHECK(ol_test_list_steps() - s0 < 50);
		got_free(&g);
	}
	/* a user marker inside a common prefix: that prefix is behind us */
	{
		struct ol_list_opts o = { 0 };
		struct ol_list_result r;
		struct got g;

		got_init(&g, 10);
		o.bucket = "big";
		o.delimiter = "/";
		o.delimiter_len = 1;
		o.prefix = "d0";
		o.prefix_len = 2;
		o.marker = "d03/s07/f000";
		o.marker_len = 12;
		o.max_keys = 2;
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_OK);
		CHECK_INT_EQ(g.n, 2);
		CHECK(g.n == 2 && g.e[0].n == 4 && memcmp(g.e[0].p, "d04/", 4) == 0);
		CHECK(r.is_truncated);
		CHECK(g.n == 2 && r.next_marker_len == g.e[1].n &&
		      memcmp(r.next_marker, g.e[1].p, g.e[1].n) == 0);
		got_free(&g);
	}
	/* argument errors */
	{
		struct ol_list_opts o = { 0 };
		struct ol_list_result r;
		struct got g;

		got_init(&g, 4);
		o.bucket = "nope";
		o.max_keys = 10;
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_ENOTFOUND);
		o.bucket = "big";
		o.want_versions = true;
		o.version_id_marker = "null";
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "list: version-id marker without key marker");
		o.want_versions = false;
		o.version_id_marker = NULL;
		o.max_keys = 0;
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_OK);
		CHECK(r.count == 0 && !r.is_truncated);
		/* the callback's code comes back */
		o.max_keys = 100;
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_E2BIG);
		got_free(&g);
	}
	ol_store_close(st);
	for (i = 0; i < nkeys; i++)
		free(keys[i].p);
	free(keys);
	free(visible);
}

/* ---- versions ---- */

struct mver {
	char id[OL_VERSION_ID_LEN + 1];
};

struct mkey {
	char name[16];
	struct mver v[16]; /* creation order */
	int n;
};

static void
mkey_add(struct mkey *k, const char *id)
{
	/* a null version replaces the previous null version */
	if (strcmp(id, "null") == 0) {
		int i;

		for (i = 0; i < k->n; i++)
			if (strcmp(k->v[i].id, "null") == 0) {
				memmove(&k->v[i], &k->v[i + 1], (size_t)(k->n - i - 1) * sizeof(k->v[0]));
				k->n--;
				break;
			}
	}
	snprintf(k->v[k->n].id, sizeof(k->v[0].id), "%s", id);
	k->n++;
}

struct ventry {
	int key, ver; /* ver -1: a common prefix of key's name */
	size_t cplen;
};

/* The flattened versions listing of the model, newest first per key. */
static size_t
model_versions(const struct mkey *mk, int nk, const char *delim, struct ventry *out)
{
	size_t n = 0;
	int i, j;

	for (i = 0; i < nk; i++) {
		const char *d = delim ? strstr(mk[i].name, delim) : NULL;

		if (d) {
			size_t cl = (size_t)(d - mk[i].name) + strlen(delim);

			if (!(n && out[n - 1].ver < 0 && out[n - 1].cplen == cl &&
			      strncmp(mk[out[n - 1].key].name, mk[i].name, cl) == 0)) {
				out[n].key = i;
				out[n].ver = -1;
				out[n].cplen = cl;
				n++;
			}
			continue;
		}
		for (j = mk[i].n - 1; j >= 0; j--) {
			out[n].key = i;
			out[n].ver = j;
			out[n].cplen = 0;
			n++;
		}
	}
	return n;
}

static int
cmp_mkey(const void *a, const void *b)
{
	return strcmp(((const struct mkey *)a)->name, ((const struct mkey *)b)->name);
}

static void
test_versions(void)
{
	enum { NK = 120 };
	struct ol_store *st = olt_open(dir, 0);
	struct mkey *mk = calloc(NK, sizeof(*mk));
	struct ventry *all = calloc(NK * 16, sizeof(*all));
	const char *delims[] = { NULL, "/" };
	const uint32_t maxes[] = { 1, 3, 50, 1000 };
	struct ol_err e = { 0 };
	int i, round;
	size_t d, m;

	ol_test_nosync(st);
	olt_bucket(st, "vv", OL_VERSIONING_UNVERSIONED);
	for (i = 0; i < NK; i++) {
		if (i % 4 == 0)
			snprintf(mk[i].name, sizeof(mk[i].name), "dir%d/k%03d", i % 3, i);
		else
			snprintf(mk[i].name, sizeof(mk[i].name), "k%03d", i);
	}
	/* rounds under different versioning states: null versions, real versions, markers */
	for (round = 0; round < 5; round++) {
		static const enum ol_versioning state[] = {
			OL_VERSIONING_UNVERSIONED, OL_VERSIONING_ENABLED, OL_VERSIONING_SUSPENDED,
			OL_VERSIONING_ENABLED, OL_VERSIONING_SUSPENDED,
		};

		if (round)
			CHECK_INT_EQ(ol_bucket_set_versioning(st, "vv", state[round], &e), OL_OK);
		for (i = 0; i < NK; i++) {
			struct ol_version v;
			uint8_t body[4] = { (uint8_t)round, (uint8_t)i, 0, 0 };

			if ((i + round) % 3 == 0)
				continue;
			if (round && (i + round) % 5 == 0)
				CHECK_INT_EQ(ol_delete_marker_put(st, "vv", mk[i].name,
				                                  strlen(mk[i].name), &v, &e), OL_OK);
			else
				CHECK_INT_EQ(olt_put(st, "vv", mk[i].name, strlen(mk[i].name), body, 4, 4,
				                     &v, &e), OL_OK);
			mkey_add(&mk[i], v.version_id);
			ol_version_release(&v);
		}
	}
	/* keys that got no version at all do not exist */
	{
		int w = 0;

		for (i = 0; i < NK; i++)
			if (mk[i].n)
				mk[w++] = mk[i];
		qsort(mk, (size_t)w, sizeof(*mk), cmp_mkey);
		for (d = 0; d < 2; d++) {
			size_t nall = model_versions(mk, w, delims[d], all);

			for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
				char marker[32] = "", vmarker[OL_VERSION_ID_LEN + 1] = "";
				size_t pos = 0, guard = 0;
				struct got g;

				got_init(&g, maxes[m] + 1);
				for (;;) {
					struct ol_list_opts o = { 0 };
					struct ol_list_result r;
					size_t j;

					o.bucket = "vv";
					o.want_versions = true;
					o.delimiter = delims[d];
					o.delimiter_len = delims[d] ? 1 : 0;
					o.marker = marker;
					o.marker_len = strlen(marker);
					o.version_id_marker = vmarker[0] ? vmarker : NULL;
					o.max_keys = maxes[m];
					g.n = 0;
					CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_OK);
					for (j = 0; j < g.n; j++, pos++) {
						const struct ventry *x = &all[pos];
						const struct mkey *k = &mk[x->key];

						if (pos >= nall) {
							CHECK(!"more entries than the model");
							break;
						}
						if (x->ver < 0) {
							CHECK(g.e[j].is_prefix);
							CHECK(g.e[j].n == x->cplen &&
							      memcmp(g.e[j].p, k->name, x->cplen) == 0);
						} else {
							CHECK(!g.e[j].is_prefix);
							CHECK(g.e[j].n == strlen(k->name) &&
							      memcmp(g.e[j].p, k->name, g.e[j].n) == 0);
							CHECK_STR_EQ(g.vid[j], k->v[x->ver].id);
							CHECK_INT_EQ(g.latest[j], x->ver == k->n - 1);
						}
					}
					CHECK_INT_EQ(r.is_truncated, pos < nall);
					if (!r.is_truncated)
						break;
					snprintf(marker, sizeof(marker), "%.*s", (int)r.next_marker_len,
					         r.next_marker);
					memcpy(vmarker, r.next_version_id, sizeof(vmarker));
					if (++guard > nall + 2) {
						CHECK(!"paging does not end");
						break;
					}
				}
				CHECK_INT_EQ(pos, nall);
				got_free(&g);
			}
		}
	}
	/* resuming after a key marker alone skips all of that key's versions */
	{
		struct ol_list_opts o = { 0 };
		struct ol_list_result r;
		struct got g;

		got_init(&g, 4);
		o.bucket = "vv";
		o.want_versions = true;
		o.marker = "k001";
		o.marker_len = 4;
		o.max_keys = 1;
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_OK);
		CHECK(g.n == 1 && cmp_bytes(g.e[0].p, g.e[0].n, "k001", 4) > 0);
		CHECK(g.latest[0]);
		o.version_id_marker = "bad";
		CHECK_INT_EQ(ol_list(st, &o, got_cb, &g, &r, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "list: bad version-id marker 'bad'");
		got_free(&g);
	}
	free(all);
	free(mk);
	ol_store_close(st);
}

int
main(void)
{
	olt_tmpdir(dir);
	test_objects();
	olt_rmrf(dir);
	olt_tmpdir(dir);
	test_versions();
	olt_rmrf(dir);
	fprintf(stderr, "objectlock-list: %llu pages compared with the model\n",
	        (unsigned long long)pages_checked);
	return check_done("objectlock-list");
}
