/* SPDX-License-Identifier: Apache-2.0 */
/* Index key encoding and version ids (record.h explains both formats). */
#include <assert.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "record.h"

void
ol_kb_reset(struct ol_kbuf *k)
{
	k->n = 0;
}

void
ol_kb_raw(struct ol_kbuf *k, const void *p, size_t n)
{
	assert(n <= sizeof(k->b) - k->n);
	if (n)
		memcpy(k->b + k->n, p, n);
	k->n += n;
}

void
ol_kb_byte(struct ol_kbuf *k, uint8_t c)
{
	assert(k->n < sizeof(k->b));
	k->b[k->n++] = c;
}

void
ol_kb_esc(struct ol_kbuf *k, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] <= 0x01) {
			ol_kb_byte(k, 0x01);
			ol_kb_byte(k, (uint8_t)(s[i] + 1));
		} else {
			ol_kb_byte(k, s[i]);
		}
	}
}

void
ol_kb_bucket(struct ol_kbuf *k, const char *bucket)
{
	ol_kb_reset(k);
	ol_kb_esc(k, bucket, strlen(bucket));
	ol_kb_byte(k, 0x00);
}

void
ol_kb_object(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen)
{
	ol_kb_bucket(k, bucket);
	ol_kb_esc(k, key, keylen);
	ol_kb_byte(k, 0x00);
}

void
ol_kb_version(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen,
              const uint8_t iid[OL_IID_LEN])
{
	size_t i;

	ol_kb_object(k, bucket, key, keylen);
	/* inverted so that the newest (largest) id sorts first */
	for (i = 0; i < OL_IID_LEN; i++)
		ol_kb_byte(k, (uint8_t)~iid[i]);
}

void
ol_kb_upload(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen,
             const uint8_t uid[OL_IID_LEN])
{
	ol_kb_object(k, bucket, key, keylen);
	ol_kb_raw(k, uid, OL_IID_LEN); /* not inverted: oldest upload first */
}

void
ol_kb_part(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen,
           const uint8_t uid[OL_IID_LEN], uint32_t part_number)
{
	ol_kb_upload(k, bucket, key, keylen, uid);
	ol_kb_byte(k, (uint8_t)(part_number >> 8));
	ol_kb_byte(k, (uint8_t)part_number);
}

void
ol_kb_done(struct ol_kbuf *k, const uint8_t uid[OL_IID_LEN])
{
	ol_kb_reset(k);
	ol_kb_raw(k, OL_DONE_KEY_PREFIX, sizeof(OL_DONE_KEY_PREFIX) - 1);
	ol_kb_raw(k, uid, OL_IID_LEN);
}

bool
ol_kb_successor(struct ol_kbuf *k)
{
	while (k->n > 0 && k->b[k->n - 1] == 0xFF)
		k->n--;
	if (k->n == 0)
		return false;
	k->b[k->n - 1]++;
	return true;
}

size_t
ol_unesc(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint8_t c = p[i++];

		if (c == 0x00) {
			*outlen = o;
			return i;
		}
		if (c == 0x01) {
			if (i >= n || (p[i] != 0x01 && p[i] != 0x02))
				return 0;
			c = (uint8_t)(p[i++] - 1);
		}
		if (o >= cap)
			return 0;
		out[o++] = c;
	}
	return 0; /* no terminator */
}

bool
ol_vkey_parse(const uint8_t *p, size_t n, char bucket[OL_BUCKET_NAME_MAX + 1],
              uint8_t key[OL_KEY_MAX], size_t *keylen, uint8_t iid[OL_IID_LEN])
{
	size_t used, blen, klen, i;

	used = ol_unesc(p, n, (uint8_t *)bucket, OL_BUCKET_NAME_MAX, &blen);
	if (used == 0 || blen == 0 || memchr(bucket, 0, blen))
		return false;
	bucket[blen] = '\0';
	p += used;
	n -= used;
	used = ol_unesc(p, n, key, OL_KEY_MAX, &klen);
	if (used == 0 || klen == 0 || n - used != OL_IID_LEN)
		return false;
	for (i = 0; i < OL_IID_LEN; i++)
		iid[i] = (uint8_t)~p[used + i];
	*keylen = klen;
	return true;
}

bool
ol_ukey_parse(const uint8_t *p, size_t n, char bucket[OL_BUCKET_NAME_MAX + 1],
              uint8_t key[OL_KEY_MAX], size_t *keylen, uint8_t uid[OL_IID_LEN],
              uint32_t *part_number, size_t *prefix_len)
{
	size_t used, blen, klen, head;
	uint32_t pn = 0;

	used = ol_unesc(p, n, (uint8_t *)bucket, OL_BUCKET_NAME_MAX, &blen);
	if (used == 0 || blen == 0 || memchr(bucket, 0, blen))
		return false;
	bucket[blen] = '\0';
	head = used;
	used = ol_unesc(p + head, n - head, key, OL_KEY_MAX, &klen);
	if (used == 0 || klen == 0)
		return false;
	head += used;
	if (n - head == OL_IID_LEN + 2) {
		pn = ((uint32_t)p[head + OL_IID_LEN] << 8) | p[head + OL_IID_LEN + 1];
		if (pn == 0 || pn > OL_PART_NUMBER_MAX)
			return false;
	} else if (n - head != OL_IID_LEN) {
		return false;
	}
	memcpy(uid, p + head, OL_IID_LEN);
	*keylen = klen;
	*part_number = pn;
	*prefix_len = head + OL_IID_LEN;
	return true;
}

/* ---- version ids ---- */

/* ASCII order == digit order; every char is RFC 3986 unreserved. */
static const char alphabet[65] =
	"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

static int
digit_of(char c)
{
	if (c == '-')
		return 0;
	if (c >= '0' && c <= '9')
		return 1 + (c - '0');
	if (c >= 'A' && c <= 'Z')
		return 11 + (c - 'A');
	if (c == '_')
		return 37;
	if (c >= 'a' && c <= 'z')
		return 38 + (c - 'a');
	return -1;
}

void
ol_iid_to_text(const uint8_t iid[OL_IID_LEN], char out[OL_VERSION_ID_LEN + 1])
{
	size_t i, o = 0;

	/* 24 bytes = 8 groups of 3 bytes = 32 six-bit digits, most significant first */
	for (i = 0; i < OL_IID_LEN; i += 3) {
		uint32_t g = ((uint32_t)iid[i] << 16) | ((uint32_t)iid[i + 1] << 8) | iid[i + 2];

		out[o++] = alphabet[(g >> 18) & 63];
		out[o++] = alphabet[(g >> 12) & 63];
		out[o++] = alphabet[(g >> 6) & 63];
		out[o++] = alphabet[g & 63];
	}
	out[o] = '\0';
}

bool
ol_iid_from_text(const char *p, size_t n, uint8_t out[OL_IID_LEN])
{
	uint8_t tmp[OL_IID_LEN];
	size_t i, o = 0;

	if (n != OL_VERSION_ID_LEN)
		return false;
	for (i = 0; i < n; i += 4) {
		uint32_t g = 0;
		size_t j;

		for (j = 0; j < 4; j++) {
			int d = digit_of(p[i + j]);

			if (d < 0)
				return false;
			g = (g << 6) | (uint32_t)d;
		}
		tmp[o++] = (uint8_t)(g >> 16);
		tmp[o++] = (uint8_t)(g >> 8);
		tmp[o++] = (uint8_t)g;
	}
	memcpy(out, tmp, sizeof(tmp));
	return true;
}

bool
ol_version_id_valid(const char *p, size_t n)
{
	uint8_t tmp[OL_IID_LEN];

	if (!p)
		return false;
	if (n == 4 && memcmp(p, "null", 4) == 0)
		return true;
	return ol_iid_from_text(p, n, tmp);
}

int64_t
ol_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static pthread_mutex_t iid_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t iid_last_t;
static uint32_t iid_last_c;

static void
put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int
ol_iid_next(const uint8_t *floor, uint8_t out[OL_IID_LEN], struct ol_err *err)
{
	uint8_t rnd[OL_IID_LEN - 12];
	int64_t now = ol_now_ns();
	uint64_t t = now > 0 ? (uint64_t)now : 0;
	uint32_t c = 0;

	if (cr_random_bytes(rnd, sizeof(rnd)) != CR_OK)
		return ol_err_set(err, OL_ERR, "version id: no random bytes");

	/* Strictly increasing (time, counter) within the process even if the wall clock steps
	 * back, and above @floor (the key's newest version) across restarts, so the version
	 * written last is always the latest. */
	pthread_mutex_lock(&iid_mu);
	if (t <= iid_last_t) {
		t = iid_last_t;
		c = iid_last_c + 1;
		if (c == 0)
			t++;
	}
	if (floor) {
		uint64_t ft = get_be64(floor);
		uint32_t fc = ((uint32_t)floor[8] << 24) | ((uint32_t)floor[9] << 16) |
		              ((uint32_t)floor[10] << 8) | floor[11];

		if (t < ft || (t == ft && c <= fc)) {
			t = ft;
			c = fc + 1;
			if (c == 0)
				t++;
		}
	}
	iid_last_t = t;
	iid_last_c = c;
	pthread_mutex_unlock(&iid_mu);

	put_be64(out, t);
	out[8] = (uint8_t)(c >> 24);
	out[9] = (uint8_t)(c >> 16);
	out[10] = (uint8_t)(c >> 8);
	out[11] = (uint8_t)c;
	memcpy(out + 12, rnd, sizeof(rnd));
	return OL_OK;
}
