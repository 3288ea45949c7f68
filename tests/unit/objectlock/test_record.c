/* SPDX-License-Identifier: Apache-2.0 */
/* Version, upload, part and bucket record codecs, version ids and index key order (pure,
 * no store). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto.h"
#include "record.h"

/* A version with every field set to something other than its zero value. */
static void
full_version(struct ol_version *v, enum ol_loc_kind kind)
{
	static const uint8_t body[] = "inline body \x00\x01\xff bytes";
	uint8_t enc[40];
	size_t i;

	ol_version_init(v);
	for (i = 0; i < OL_IID_LEN; i++)
		v->iid[i] = (uint8_t)(0xA0 + i);
	ol_iid_to_text(v->iid, v->version_id);
	v->created_ns = 1700000000123456789LL;
	v->retain_until_ns = 1900000000000000000LL;
	v->lock_mode = OL_LOCK_COMPLIANCE;
	v->legal_hold = true;
	v->repl_status = OL_REPL_PENDING;
	v->cksum_alg = OL_CKSUM_SHA256;
	v->cksum_type = OL_CKSUM_COMPOSITE;
	v->cksum_len = 32;
	for (i = 0; i < 32; i++)
		v->cksum[i] = (uint8_t)(i * 7);
	CHECK_INT_EQ(ol_version_set_etag(v, "9b2cf535f27731c974343645a3985328", 32, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_set_content_type(v, "text/plain; charset=utf-8", 25, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_add_header(v, "x-amz-meta-owner", 16, "ünïcode", 9, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_add_header(v, "cache-control", 13, "no-cache", 8, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_add_header(v, "expires", 7, "", 0, NULL), OL_OK);
	for (i = 0; i < sizeof(enc); i++)
		enc[i] = (uint8_t)(255 - i);
	CHECK_INT_EQ(ol_version_set_enc_info(v, enc, sizeof(enc), NULL), OL_OK);
	v->loc.kind = kind;
	if (kind == OL_LOC_INLINE) {
		v->loc.inline_len = sizeof(body);
		v->loc.inline_data = malloc(sizeof(body));
		memcpy(v->loc.inline_data, body, sizeof(body));
		v->size_bytes = sizeof(body);
	} else if (kind == OL_LOC_BLOB) {
		for (i = 0; i < OL_BLOB_ID_LEN; i++)
			v->loc.blob_id[i] = (uint8_t)(i * 13 + 1);
		v->size_bytes = 5ull << 40; /* 5 TiB: sizes are 64-bit */
		v->loc.blob_len = v->size_bytes;
	} else if (kind == OL_LOC_PARTS) {
		/* gaps in the numbers, an empty part, a 5 GiB one */
		static const uint32_t pn[] = { 1, 2, 7, 9, 10000 };
		static const uint64_t sz[] = { 5u << 20, 0, 5ull << 30, 17, 1 };

		v->loc.n_parts = 5;
		v->loc.parts = calloc(5, sizeof(*v->loc.parts));
		for (i = 0; i < 5; i++) {
			v->loc.parts[i].part_number = pn[i];
			memset(v->loc.parts[i].blob_id, (int)(0x30 + i), OL_BLOB_ID_LEN);
			v->loc.parts[i].size_bytes = sz[i];
			v->loc.parts[i].off = v->size_bytes;
			v->size_bytes += sz[i];
			/* part checksums in the version's algorithm, but not for part 2 (uploaded
			 * with another one): format 3 */
			if (i != 1) {
				memset(v->loc.parts[i].cksum, (int)(0xC0 + i), 32);
				v->loc.parts[i].cksum_len = 32;
			}
		}
	} else {
		v->is_delete_marker = true;
		v->size_bytes = 0;
	}
}

static void
test_roundtrip(void)
{
	enum ol_loc_kind kinds[] = { OL_LOC_INLINE, OL_LOC_BLOB, OL_LOC_NONE, OL_LOC_PARTS };
	size_t k;

	for (k = 0; k < 4; k++) {
		struct ol_version v, d, c;
		struct ol_err e = { 0 };
		uint8_t *enc = NULL;
		size_t n = 0;

		full_version(&v, kinds[k]);
		if (kinds[k] == OL_LOC_NONE) {
			/* a null delete marker: the "null" id comes from the flag */
			v.is_null = true;
			memcpy(v.version_id, "null", 5);
			v.lock_mode = OL_LOCK_NONE;
		}
		CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
		/* only what needs format 3 (part checksums) is written in it */
		CHECK_INT_EQ(enc[0], kinds[k] == OL_LOC_PARTS ? OL_VERSION_FORMAT : 1);
		CHECK_INT_EQ(ol_version_decode(enc, n, &d, &e), OL_OK);
		CHECK(ol_version_equal(&v, &d));
		CHECK_STR_EQ(d.version_id, v.version_id);
		CHECK_STR_EQ(d.hdrs[0].value, "ünïcode");
		CHECK_INT_EQ(d.size_bytes, v.size_bytes);
		CHECK_INT_EQ(ol_version_copy(&d, &c, &e), OL_OK);
		CHECK(ol_version_equal(&c, &v));
		ol_version_release(&c);
		ol_version_release(&d);
		free(enc);
		ol_version_release(&v);
	}
}

/* The minimal record: every optional field absent (NULL, not ""). */
static void
test_minimal(void)
{
	struct ol_version v, d;
	uint8_t *enc = NULL;
	size_t n = 0;

	ol_version_init(&v);
	v.loc.kind = OL_LOC_INLINE; /* empty body */
	ol_iid_to_text(v.iid, v.version_id);
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, NULL), OL_OK);
	CHECK(d.etag == NULL && d.content_type == NULL && d.n_hdrs == 0);
	CHECK(ol_version_equal(&v, &d));
	ol_version_release(&d);
	free(enc);
	/* "" is not NULL */
	ol_version_set_etag(&v, "", 0, NULL);
	CHECK(v.etag != NULL);
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, NULL), OL_OK);
	CHECK(d.etag != NULL && d.etag[0] == '\0');
	ol_version_release(&d);
	free(enc);
	ol_version_release(&v);
}

static void
test_rejects(void)
{
	struct ol_version v, d;
	struct ol_err e = { 0 };
	uint8_t *enc = NULL, *bad;
	size_t n = 0, i, bit;

	full_version(&v, OL_LOC_INLINE);
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, NULL), OL_OK);
	bad = malloc(n);

	/* every truncation */
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		CHECK_INT_EQ(ol_version_decode(enc, i, &d, &e), OL_ECORRUPT);
		CHECK_INT_EQ(e.rc, OL_ECORRUPT);
	}
	/* every single bit flip is caught (CRC32C detects all 1-bit errors) */
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, enc, n);
			bad[i] ^= (uint8_t)(1u << bit);
			if (ol_version_decode(bad, n, &d, NULL) == OL_OK) {
				CHECK(!"bit flip accepted");
				ol_version_release(&d);
			}
		}
	}
	/* checksum message */
	memcpy(bad, enc, n);
	bad[n / 2] ^= 0x40;
	CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "version record: checksum mismatch");
	/* unknown format version, even with a valid CRC; formats 2 and 3 read a format-1
	 * body */
	{
		static const uint8_t unknown[] = { 0, 4, 255 }, newer[] = { 2, 3 };
		uint32_t c;

		for (i = 0; i < sizeof(unknown) + sizeof(newer); i++) {
			bool known = i >= sizeof(unknown);

			memcpy(bad, enc, n);
			bad[0] = known ? newer[i - sizeof(unknown)] : unknown[i];
			c = cr_crc32c(0, bad, n - 4);
			bad[n - 4] = (uint8_t)c;
			bad[n - 3] = (uint8_t)(c >> 8);
			bad[n - 2] = (uint8_t)(c >> 16);
			bad[n - 1] = (uint8_t)(c >> 24);
			if (!known) {
				char want[64];

				snprintf(want, sizeof(want), "version record: unknown format %u",
				         (unsigned)bad[0]);
				CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_ECORRUPT);
				CHECK_STR_EQ(e.msg, want);
				continue;
			}
			CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_OK);
			CHECK(ol_version_equal(&v, &d));
			ol_version_release(&d);
		}
	}
	/* trailing bytes after a valid body, CRC recomputed */
	{
		uint8_t *t = malloc(n + 1);
		uint32_t c;

		memcpy(t, enc, n - 4);
		t[n - 4] = 0;
		c = cr_crc32c(0, t, n - 3);
		t[n - 3] = (uint8_t)c;
		t[n - 2] = (uint8_t)(c >> 8);
		t[n - 1] = (uint8_t)(c >> 16);
		t[n] = (uint8_t)(c >> 24);
		CHECK_INT_EQ(ol_version_decode(t, n + 1, &d, &e), OL_ECORRUPT);
		CHECK_STR_EQ(e.msg, "version record: trailing bytes");
		free(t);
	}
	/* salvage reads past a bad CRC (fsck) but not past a bad structure */
	memcpy(bad, enc, n);
	bad[n - 1] ^= 1;
	CHECK_INT_EQ(ol_version_salvage(bad, n, &d), OL_OK);
	CHECK(ol_version_equal(&v, &d));
	ol_version_release(&d);
	CHECK_INT_EQ(ol_version_salvage(enc, 10, &d), OL_ECORRUPT);
	free(bad);
	free(enc);

	/* encode-side checks */
	v.cksum_len = 4; /* SHA-256 needs 32 */
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "version record: checksum of 4 bytes for SHA256");
	v.cksum_len = 32;
	v.lock_mode = (enum ol_lock_mode)7;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	v.lock_mode = OL_LOCK_GOVERNANCE;
	v.loc.inline_len--; /* inline body must be the whole object */
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "version record: bad inline locator");
	v.loc.inline_len++;
	ol_version_release(&v);

	/* setters */
	ol_version_init(&v);
	CHECK_INT_EQ(ol_version_set_etag(&v, "a\0b", 3, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "etag: NUL byte inside");
	{
		char *big = calloc(1, OL_STR_MAX + 2);

		memset(big, 'x', OL_STR_MAX + 1);
		CHECK_INT_EQ(ol_version_set_content_type(&v, big, OL_STR_MAX + 1, &e), OL_E2BIG);
		CHECK_INT_EQ(ol_version_set_content_type(&v, big, OL_STR_MAX, &e), OL_OK);
		free(big);
	}
	CHECK_INT_EQ(ol_version_add_header(&v, "", 0, "v", 1, &e), OL_EINVAL);
	for (i = 0; i < OL_HDRS_MAX; i++)
		CHECK_INT_EQ(ol_version_add_header(&v, "x-amz-meta-k", 12, "v", 1, NULL), OL_OK);
	CHECK_INT_EQ(ol_version_add_header(&v, "x-amz-meta-k", 12, "v", 1, &e), OL_E2BIG);
	CHECK_INT_EQ(ol_version_set_enc_info(&v, "x", OL_ENC_INFO_MAX + 1, &e), OL_E2BIG);
	ol_version_release(&v);
	ol_version_release(&v); /* idempotent */
	ol_version_release(NULL);
}

/* Recompute the CRC32C trailer of (p, n). */
static void
fix_crc(uint8_t *p, size_t n)
{
	uint32_t c = cr_crc32c(0, p, n - 4);

	p[n - 4] = (uint8_t)c;
	p[n - 3] = (uint8_t)(c >> 8);
	p[n - 2] = (uint8_t)(c >> 16);
	p[n - 1] = (uint8_t)(c >> 24);
}

/* Parts locators: bounds on both sides, the format they need, the largest one. */
static void
test_parts_locator(void)
{
	struct ol_version v, d;
	struct ol_err e = { 0 };
	uint8_t *enc = NULL, *bad;
	uint64_t off = 0, len = 0;
	size_t n = 0, i;

	full_version(&v, OL_LOC_PARTS);
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, &e), OL_OK);
	CHECK_INT_EQ(ol_version_parts_count(&d), 5);
	CHECK_INT_EQ(d.loc.parts[2].off, (5u << 20));
	CHECK_INT_EQ(d.loc.parts[4].off, (5u << 20) + (5ull << 30) + 17);
	/* part ranges by the number completed under */
	CHECK_INT_EQ(ol_version_part_range(&d, 7, &off, &len), OL_OK);
	CHECK(off == (5u << 20) && len == (5ull << 30));
	CHECK_INT_EQ(ol_version_part_range(&d, 2, &off, &len), OL_OK);
	CHECK(off == (5u << 20) && len == 0);
	CHECK_INT_EQ(ol_version_part_range(&d, 10000, &off, &len), OL_OK);
	CHECK_INT_EQ(len, 1);
	CHECK_INT_EQ(ol_version_part_range(&d, 3, &off, &len), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_part_range(&d, 10001, &off, &len), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_part_range(&d, 0, &off, &len), OL_EINVAL);
	ol_version_release(&d);

	/* every truncation and bit flip of a format-3 record is caught too */
	bad = malloc(n);
	for (i = 0; i < n; i++)
		CHECK_INT_EQ(ol_version_decode(enc, i, &d, NULL), OL_ECORRUPT);
	for (i = 0; i < n * 8; i++) {
		memcpy(bad, enc, n);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (ol_version_decode(bad, n, &d, NULL) == OL_OK) {
			CHECK(!"bit flip accepted");
			ol_version_release(&d);
		}
	}
	/* a parts locator in a format-1 record is damage, even with a valid CRC */
	memcpy(bad, enc, n);
	bad[0] = 1;
	fix_crc(bad, n);
	CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "version record: bad parts locator");
	/* the size no longer the sum of the parts (size is at offset 30) */
	memcpy(bad, enc, n);
	bad[30] ^= 1;
	fix_crc(bad, n);
	CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "version record: part sizes do not sum to the size");
	free(bad);
	free(enc);

	/* encode-side checks */
	v.loc.parts[1].part_number = 1; /* not ascending */
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "version record: part numbers not ascending in 1..10000");
	v.loc.parts[1].part_number = 2;
	v.size_bytes++;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "version record: part sizes do not sum to the size");
	v.size_bytes--;
	v.loc.parts[0].size_bytes = UINT64_MAX;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_E2BIG);
	v.loc.parts[0].size_bytes = 5u << 20;
	v.is_delete_marker = true;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	ol_version_release(&v);

	/* the largest object: 10000 parts of 5 GiB, no part checksums (format 2); the record
	 * stays well under 1 MiB */
	ol_version_init(&v);
	ol_iid_to_text(v.iid, v.version_id);
	v.loc.kind = OL_LOC_PARTS;
	v.loc.n_parts = OL_PARTS_MAX;
	v.loc.parts = calloc(OL_PARTS_MAX, sizeof(*v.loc.parts));
	for (i = 0; i < OL_PARTS_MAX; i++) {
		v.loc.parts[i].part_number = (uint32_t)i + 1;
		memset(v.loc.parts[i].blob_id, (int)i, OL_BLOB_ID_LEN);
		v.loc.parts[i].size_bytes = 5ull << 30;
		v.loc.parts[i].off = v.size_bytes;
		v.size_bytes += 5ull << 30;
	}
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
	CHECK(n < 300 * 1000);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, &e), OL_OK);
	CHECK(ol_version_equal(&v, &d));
	CHECK_INT_EQ(ol_version_part_range(&d, 9999, &off, &len), OL_OK);
	CHECK_INT_EQ(off, 9998ull * (5ull << 30));
	ol_version_release(&d);
	free(enc);
	v.loc.n_parts = OL_PARTS_MAX + 1;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	ol_version_release(&v);

	/* a version that is not multipart has one part: the whole object */
	full_version(&v, OL_LOC_BLOB);
	CHECK_INT_EQ(ol_version_parts_count(&v), 0);
	CHECK_INT_EQ(ol_version_part_range(&v, 1, &off, &len), OL_OK);
	CHECK(off == 0 && len == v.size_bytes);
	CHECK_INT_EQ(ol_version_part_range(&v, 2, &off, &len), OL_ENOTFOUND);
	ol_version_release(&v);
}

/* Where the checksum length byte of part @i of @v sits in its format-3 record @enc. */
static size_t
part_cksum_at(const uint8_t *enc, size_t n, const struct ol_version *v, uint32_t i)
{
	const struct ol_loc_part *p = &v->loc.parts[i];
	uint64_t s = p->size_bytes;
	size_t at, var = 1;

	for (at = 0; at + OL_BLOB_ID_LEN <= n; at++)
		if (memcmp(enc + at, p->blob_id, OL_BLOB_ID_LEN) == 0)
			break;
	CHECK(at + OL_BLOB_ID_LEN <= n);
	while (s >>= 7)
		var++;
	return at + OL_BLOB_ID_LEN + var;
}

/* Part checksums (format 3): kept per part, written only when some part has one, bounded
 * by the version's algorithm on both sides, and the largest record still fits. */
static void
test_part_checksums(void)
{
	struct ol_version v, d;
	struct ol_err e = { 0 };
	uint8_t *enc = NULL, *bad;
	size_t n = 0, i, at;

	full_version(&v, OL_LOC_PARTS);
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
	CHECK_INT_EQ(enc[0], 3);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, &e), OL_OK);
	CHECK(ol_version_equal(&v, &d));
	CHECK_INT_EQ(d.loc.parts[0].cksum_len, 32);
	CHECK_INT_EQ(d.loc.parts[0].cksum[31], 0xC0);
	CHECK_INT_EQ(d.loc.parts[1].cksum_len, 0);
	CHECK_INT_EQ(d.loc.parts[4].cksum[0], 0xC4);
	/* a value that differs is another record */
	d.loc.parts[3].cksum[5] ^= 1;
	CHECK(!ol_version_equal(&v, &d));
	ol_version_release(&d);

	/* a part checksum length that is not the algorithm's is damage, CRC or not */
	bad = malloc(n);
	at = part_cksum_at(enc, n, &v, 0);
	CHECK_INT_EQ(enc[at], 32);
	memcpy(bad, enc, n);
	bad[at] = 4;
	fix_crc(bad, n);
	CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "version record: part checksum length does not fit the algorithm");
	/* read as format 2 (no checksum bytes), the locator does not parse */
	memcpy(bad, enc, n);
	bad[0] = 2;
	fix_crc(bad, n);
	CHECK_INT_EQ(ol_version_decode(bad, n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "version record: bad parts locator");
	free(bad);
	free(enc);

	/* without any part checksum a multipart version is still written as format 2, and a
	 * format-2 record reads as before */
	for (i = 0; i < v.loc.n_parts; i++)
		v.loc.parts[i].cksum_len = 0;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
	CHECK_INT_EQ(enc[0], 2);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, &e), OL_OK);
	CHECK(ol_version_equal(&v, &d));
	ol_version_release(&d);
	free(enc);

	/* encode-side checks: the version's algorithm and its length */
	v.loc.parts[2].cksum_len = 20;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "version record: part 7 checksum of 20 bytes for SHA256");
	v.loc.parts[2].cksum_len = 32;
	v.cksum_alg = OL_CKSUM_NONE;
	v.cksum_type = OL_CKSUM_TYPE_NONE;
	v.cksum_len = 0;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "version record: part 7 checksum of 32 bytes for no algorithm");
	v.loc.parts[2].cksum_len = 0;
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
	CHECK_INT_EQ(enc[0], 2);
	free(enc);
	ol_version_release(&v);

	/* the largest: 10000 parts, each with a SHA-256 */
	ol_version_init(&v);
	ol_iid_to_text(v.iid, v.version_id);
	v.cksum_alg = OL_CKSUM_SHA256;
	v.cksum_type = OL_CKSUM_COMPOSITE;
	v.cksum_len = 32;
	v.loc.kind = OL_LOC_PARTS;
	v.loc.n_parts = OL_PARTS_MAX;
	v.loc.parts = calloc(OL_PARTS_MAX, sizeof(*v.loc.parts));
	for (i = 0; i < OL_PARTS_MAX; i++) {
		v.loc.parts[i].part_number = (uint32_t)i + 1;
		memset(v.loc.parts[i].blob_id, (int)i, OL_BLOB_ID_LEN);
		v.loc.parts[i].size_bytes = 5ull << 30;
		v.loc.parts[i].off = v.size_bytes;
		v.size_bytes += 5ull << 30;
		memset(v.loc.parts[i].cksum, (int)(i * 3), 32);
		v.loc.parts[i].cksum_len = 32;
	}
	CHECK_INT_EQ(ol_version_encode(&v, &enc, &n, &e), OL_OK);
	CHECK(n < 620 * 1000);
	CHECK_INT_EQ(ol_version_decode(enc, n, &d, &e), OL_OK);
	CHECK(ol_version_equal(&v, &d));
	CHECK_INT_EQ(d.loc.parts[9999].cksum[0], (uint8_t)(9999 * 3));
	ol_version_release(&d);
	free(enc);
	ol_version_release(&v);
}

/* Completion records: fixed size, checked like every record. */
static void
test_done_record(void)
{
	struct ol_done_rec r, d;
	struct ol_err e = { 0 };
	struct ol_kbuf k;
	uint8_t enc[OL_DONE_REC_LEN], bad[OL_DONE_REC_LEN], uid[OL_IID_LEN];
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < OL_BLOB_ID_LEN; i++)
		r.blob_id[i] = (uint8_t)(0x80 + i);
	r.completed_ns = 1700000000123456789LL;
	for (i = 0; i < sizeof(r.parts_digest); i++)
		r.parts_digest[i] = (uint8_t)(i * 5);
	ol_done_encode(&r, enc);
	CHECK_INT_EQ(enc[0], OL_DONE_FORMAT);
	CHECK_INT_EQ(ol_done_decode(enc, sizeof(enc), &d, &e), OL_OK);
	CHECK(memcmp(&d.blob_id, r.blob_id, OL_BLOB_ID_LEN) == 0);
	CHECK(d.completed_ns == r.completed_ns);
	CHECK(memcmp(d.parts_digest, r.parts_digest, sizeof(r.parts_digest)) == 0);
	for (i = 0; i < sizeof(enc); i++)
		CHECK_INT_EQ(ol_done_decode(enc, i, &d, &e), OL_ECORRUPT);
	for (i = 0; i < sizeof(enc) * 8; i++) {
		memcpy(bad, enc, sizeof(enc));
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK_INT_EQ(ol_done_decode(bad, sizeof(bad), &d, &e), OL_ECORRUPT);
	}
	memcpy(bad, enc, sizeof(enc));
	bad[5] ^= 1;
	CHECK_INT_EQ(ol_done_decode(bad, sizeof(bad), &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "completion record: checksum mismatch");
	memcpy(bad, enc, sizeof(enc));
	bad[0] = 2;
	fix_crc(bad, sizeof(bad));
	CHECK_INT_EQ(ol_done_decode(bad, sizeof(bad), &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "completion record: 61 bytes, format 2");

	/* its key: the reserved prefix, then the upload id, so initiation order */
	memset(uid, 0xEE, sizeof(uid));
	ol_kb_done(&k, uid);
	CHECK_INT_EQ(k.n, strlen(OL_DONE_KEY_PREFIX) + OL_IID_LEN);
	CHECK(memcmp(k.b, "objectlock.", 11) == 0);
	CHECK(memcmp(k.b + k.n - OL_IID_LEN, uid, OL_IID_LEN) == 0);
}

static void
test_upload_record(void)
{
	struct ol_upload u, d;
	struct ol_err e = { 0 };
	uint8_t *enc = NULL;
	size_t n = 0, i;

	memset(&u, 0, sizeof(u));
	full_version(&u.tmpl, OL_LOC_NONE);
	u.tmpl.is_delete_marker = false;
	u.tmpl.loc.kind = OL_LOC_NONE;
	memset(u.tmpl.iid, 0, OL_IID_LEN);
	memset(u.tmpl.version_id, 0, sizeof(u.tmpl.version_id));
	u.tmpl.created_ns = 0;
	memcpy(u.upload_id, "0123456789ABCDEFGHIJKLMNOPQRSTUV", OL_UPLOAD_ID_LEN + 1);
	u.initiated_ns = 1700000000000000001LL;
	CHECK_INT_EQ(ol_upload_encode(&u, &enc, &n, &e), OL_OK);
	CHECK_INT_EQ(enc[0], OL_UPLOAD_FORMAT);
	CHECK_INT_EQ(ol_upload_decode(enc, n, &d, &e), OL_OK);
	CHECK(ol_upload_equal(&u, &d));
	CHECK_STR_EQ(d.tmpl.etag, u.tmpl.etag);
	CHECK_INT_EQ(d.tmpl.lock_mode, OL_LOCK_COMPLIANCE);
	CHECK(d.tmpl.legal_hold);
	ol_upload_release(&d);
	for (i = 0; i < n; i++)
		CHECK_INT_EQ(ol_upload_decode(enc, i, &d, NULL), OL_ECORRUPT);
	enc[n / 2] ^= 4;
	CHECK_INT_EQ(ol_upload_decode(enc, n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "upload record: checksum mismatch");
	/* a version record is not an upload record */
	free(enc);
	CHECK_INT_EQ(ol_version_encode(&u.tmpl, &enc, &n, &e), OL_EINVAL);
	u.upload_id[3] = '!';
	CHECK_INT_EQ(ol_upload_encode(&u, &enc, &n, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "upload record: bad upload id");
	ol_upload_release(&u);
	ol_upload_release(&u);
	ol_upload_release(NULL);
}

static int
kb_cmp(const struct ol_kbuf *a, const struct ol_kbuf *b)
{
	int c = memcmp(a->b, b->b, a->n < b->n ? a->n : b->n);

	return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* Upload keys: a key's uploads in id order, each followed by its parts in number order,
 * all before the next key's; the parser splits what the builders made. */
static void
test_upload_keys(void)
{
	uint8_t u1[OL_IID_LEN], u2[OL_IID_LEN], uid[OL_IID_LEN], key[OL_KEY_MAX];
	char bucket[OL_BUCKET_NAME_MAX + 1];
	struct ol_kbuf a[7];
	size_t i, keylen = 0, ulen = 0;
	uint32_t pn = 99;

	memset(u1, 0x10, sizeof(u1));
	memset(u2, 0x10, sizeof(u2));
	u2[OL_IID_LEN - 1] = 0x11;
	ol_kb_upload(&a[0], "b", "k", 1, u1);
	ol_kb_part(&a[1], "b", "k", 1, u1, 1);
	ol_kb_part(&a[2], "b", "k", 1, u1, 256);
	ol_kb_part(&a[3], "b", "k", 1, u1, 10000);
	ol_kb_upload(&a[4], "b", "k", 1, u2);
	ol_kb_upload(&a[5], "b", "k\0", 2, u1);
	ol_kb_upload(&a[6], "b", "k/", 2, u1);
	for (i = 1; i < 7; i++)
		CHECK(kb_cmp(&a[i - 1], &a[i]) < 0);
	CHECK(ol_ukey_parse(a[0].b, a[0].n, bucket, key, &keylen, uid, &pn, &ulen));
	CHECK(pn == 0 && keylen == 1 && key[0] == 'k' && ulen == a[0].n);
	CHECK_STR_EQ(bucket, "b");
	CHECK(memcmp(uid, u1, OL_IID_LEN) == 0);
	CHECK(ol_ukey_parse(a[3].b, a[3].n, bucket, key, &keylen, uid, &pn, &ulen));
	CHECK(pn == 10000 && ulen == a[0].n);
	CHECK(ol_ukey_parse(a[5].b, a[5].n, bucket, key, &keylen, uid, &pn, &ulen));
	CHECK(keylen == 2 && key[1] == 0);
	CHECK(!ol_ukey_parse(a[0].b, a[0].n - 1, bucket, key, &keylen, uid, &pn, &ulen));
	ol_kb_part(&a[1], "b", "k", 1, u1, 0); /* part 0 does not exist */
	CHECK(!ol_ukey_parse(a[1].b, a[1].n, bucket, key, &keylen, uid, &pn, &ulen));
}

static void
test_part_record(void)
{
	struct ol_part_rec r, d;
	uint8_t rec[OL_PART_REC_MAX];
	struct ol_err e = { 0 };
	int n, i;

	memset(&r, 0, sizeof(r));
	r.p.part_number = OL_PART_NUMBER_MAX;
	r.p.size_bytes = 5ull << 30;
	r.p.created_ns = 1700000000000000002LL;
	memset(r.p.etag, 'e', OL_PART_ETAG_MAX); /* the longest etag */
	for (i = 0; i < OL_MD5_LEN; i++)
		r.p.md5[i] = (uint8_t)(0xF0 + i);
	r.p.cksum_alg = OL_CKSUM_SHA256; /* the longest checksum */
	r.p.cksum_len = 32;
	memset(r.p.cksum, 0xAB, 32);
	memset(r.blob_id, 0x5A, OL_BLOB_ID_LEN);
	n = ol_part_encode(&r, rec, &e);
	CHECK(n > 0 && n <= OL_PART_REC_MAX);
	CHECK_INT_EQ(ol_part_decode(rec, (size_t)n, &d, &e), OL_OK);
	CHECK(ol_part_equal(&r, &d));
	for (i = 0; i < n; i++)
		CHECK_INT_EQ(ol_part_decode(rec, (size_t)i, &d, NULL), OL_ECORRUPT);
	rec[20] ^= 0x10;
	CHECK_INT_EQ(ol_part_decode(rec, (size_t)n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "part record: checksum mismatch");
	CHECK_INT_EQ(ol_part_salvage(rec, (size_t)n, &d), OL_OK); /* fsck learns the blob */
	CHECK(memcmp(d.blob_id, r.blob_id, OL_BLOB_ID_LEN) == 0);
	/* encode-side checks */
	r.p.part_number = 0;
	CHECK_INT_EQ(ol_part_encode(&r, rec, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "part record: part number 0 outside 1..10000");
	r.p.part_number = 3;
	r.p.cksum_len = 4;
	CHECK_INT_EQ(ol_part_encode(&r, rec, &e), OL_EINVAL);
	r.p.cksum_alg = OL_CKSUM_NONE;
	r.p.cksum_len = 0;
	r.p.etag[0] = '\0';
	CHECK_INT_EQ(ol_part_encode(&r, rec, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "part record: etag of 0 bytes (1..128)");
	memcpy(r.p.etag, "d41d8cd98f00b204e9800998ecf8427e", 33);
	n = ol_part_encode(&r, rec, &e);
	CHECK(n > 0);
	CHECK_INT_EQ(ol_part_decode(rec, (size_t)n, &d, &e), OL_OK);
	CHECK(ol_part_equal(&r, &d));
}

static void
test_version_ids(void)
{
	uint8_t a[OL_IID_LEN], b[OL_IID_LEN], back[OL_IID_LEN], floor[OL_IID_LEN];
	char ta[OL_VERSION_ID_LEN + 1], tb[OL_VERSION_ID_LEN + 1];
	size_t i, j;

	CHECK_INT_EQ(ol_iid_next(NULL, a, NULL), OL_OK);
	for (i = 0; i < 2000; i++) {
		CHECK_INT_EQ(ol_iid_next(NULL, b, NULL), OL_OK);
		ol_iid_to_text(a, ta);
		ol_iid_to_text(b, tb);
		CHECK_INT_EQ(strlen(tb), OL_VERSION_ID_LEN);
		/* strictly increasing, and text order == byte order == time order */
		CHECK(memcmp(a, b, OL_IID_LEN) < 0);
		CHECK(strcmp(ta, tb) < 0);
		for (j = 0; j < OL_VERSION_ID_LEN; j++)
			CHECK(strchr("-_", tb[j]) || (tb[j] >= '0' && tb[j] <= '9') ||
			      (tb[j] >= 'A' && tb[j] <= 'Z') || (tb[j] >= 'a' && tb[j] <= 'z'));
		CHECK(ol_iid_from_text(tb, OL_VERSION_ID_LEN, back));
		CHECK_MEM_EQ(back, b, OL_IID_LEN);
		memcpy(a, b, OL_IID_LEN);
	}
	/* a floor far in the future (a clock stepped back since it was written) is honoured */
	memset(floor, 0, sizeof(floor));
	floor[0] = 0x7f;
	CHECK_INT_EQ(ol_iid_next(floor, b, NULL), OL_OK);
	CHECK(memcmp(b, floor, OL_IID_LEN) > 0);
	/* counter overflow carries into the time field */
	memset(floor + 8, 0xff, 4);
	CHECK_INT_EQ(ol_iid_next(floor, b, NULL), OL_OK);
	CHECK(memcmp(b, floor, OL_IID_LEN) > 0);

	CHECK(ol_version_id_valid("null", 4));
	CHECK(!ol_version_id_valid("NULL", 4));
	CHECK(!ol_version_id_valid("", 0));
	CHECK(ol_version_id_valid(tb, OL_VERSION_ID_LEN));
	CHECK(!ol_version_id_valid(tb, OL_VERSION_ID_LEN - 1));
	tb[5] = '.';
	CHECK(!ol_version_id_valid(tb, OL_VERSION_ID_LEN));
	CHECK(!ol_iid_from_text("%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%", 32, back));
	/* the alphabet's extremes */
	CHECK(ol_iid_from_text("--------------------------------", 32, back));
	for (i = 0; i < OL_IID_LEN; i++)
		CHECK_INT_EQ(back[i], 0);
	CHECK(ol_iid_from_text("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 32, back));
	for (i = 0; i < OL_IID_LEN; i++)
		CHECK_INT_EQ(back[i], 0xff);
}

struct rawkey {
	const char *p;
	size_t n;
};

static int
cmp_raw(const void *x, const void *y)
{
	const struct rawkey *a = x, *b = y;
	int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);

	return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* Escaped version keys sort like the raw keys (S3 byte order), versions newest first. */
static void
test_key_order(void)
{
	static const struct rawkey keys[] = {
		{ "a", 1 }, { "a/", 2 }, { "a/b", 3 }, { "ab", 2 }, { "a\x00", 2 },
		{ "a\x00\x00", 3 }, { "a\x01", 2 }, { "a\x01\x02", 3 }, { "a\x02", 2 },
		{ "a\xff", 2 }, { "\xff", 1 }, { "\xff\xff", 2 }, { "\x00", 1 }, { "\x01", 1 },
		{ "\x02", 1 }, { "\x00\xff", 2 }, { "\x01\x00", 2 }, { "b", 1 }, { "a.", 2 },
		{ "a/\x00", 3 }, { "a//", 3 },
	};
	enum { N = sizeof(keys) / sizeof(keys[0]) };
	struct ol_kbuf *kb = calloc(N, sizeof(*kb));
	uint8_t lo[OL_IID_LEN], hi[OL_IID_LEN];
	size_t i, j;

	memset(lo, 0, sizeof(lo));
	memset(hi, 0, sizeof(hi));
	hi[0] = 1;
	for (i = 0; i < N; i++)
		ol_kb_version(&kb[i], "bkt", keys[i].p, keys[i].n, lo);
	for (i = 0; i < N; i++) {
		for (j = 0; j < N; j++) {
			int raw = cmp_raw(&keys[i], &keys[j]);
			int c = memcmp(kb[i].b, kb[j].b, kb[i].n < kb[j].n ? kb[i].n : kb[j].n);

			if (!c)
				c = (kb[i].n > kb[j].n) - (kb[i].n < kb[j].n);
			CHECK((raw < 0) == (c < 0) && (raw == 0) == (c == 0));
		}
	}
	/* versions of one key: newer id first; all of them before the next key */
	{
		struct ol_kbuf newer, older, next;

		ol_kb_version(&newer, "bkt", "a", 1, hi);
		ol_kb_version(&older, "bkt", "a", 1, lo);
		ol_kb_version(&next, "bkt", "a\x00", 2, hi);
		CHECK(memcmp(newer.b, older.b, newer.n) < 0);
		CHECK(memcmp(older.b, next.b, older.n < next.n ? older.n : next.n) < 0);
	}
	/* round trip through the parser */
	for (i = 0; i < N; i++) {
		char bucket[OL_BUCKET_NAME_MAX + 1];
		uint8_t key[OL_KEY_MAX], iid[OL_IID_LEN];
		size_t kl = 0;

		CHECK(ol_vkey_parse(kb[i].b, kb[i].n, bucket, key, &kl, iid));
		CHECK_STR_EQ(bucket, "bkt");
		CHECK_INT_EQ(kl, keys[i].n);
		CHECK_MEM_EQ(key, keys[i].p, kl);
		CHECK_MEM_EQ(iid, lo, OL_IID_LEN);
		CHECK(!ol_vkey_parse(kb[i].b, kb[i].n - 1, bucket, key, &kl, iid));
	}
	/* successor: everything with the prefix sorts below it */
	{
		struct ol_kbuf s;

		ol_kb_reset(&s);
		ol_kb_raw(&s, "a\xff\xff", 3);
		CHECK(ol_kb_successor(&s));
		CHECK_INT_EQ(s.n, 1);
		CHECK_INT_EQ(s.b[0], 'b');
		ol_kb_reset(&s);
		ol_kb_raw(&s, "\xff", 1);
		CHECK(!ol_kb_successor(&s));
	}
	free(kb);
}

static void
test_bucket_record(void)
{
	struct ol_bucket b, d;
	uint8_t rec[OL_BUCKET_REC_MAX];
	struct ol_err e = { 0 };
	int n, i;

	memset(&b, 0, sizeof(b));
	memset(b.name, 'n', OL_BUCKET_NAME_MAX);
	memset(b.region, 'r', OL_REGION_MAX);
	b.lock_enabled = true;
	b.versioning = OL_VERSIONING_SUSPENDED;
	b.created_ns = -5;
	n = ol_bucket_encode(&b, rec, &e);
	CHECK(n > 0 && n <= OL_BUCKET_REC_MAX);
	CHECK_INT_EQ(ol_bucket_decode(rec, (size_t)n, &d, &e), OL_OK);
	CHECK(memcmp(&b, &d, sizeof(b)) == 0);
	for (i = 0; i < n; i++)
		CHECK_INT_EQ(ol_bucket_decode(rec, (size_t)i, &d, NULL), OL_ECORRUPT);
	rec[5] ^= 1;
	CHECK_INT_EQ(ol_bucket_decode(rec, (size_t)n, &d, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "bucket record: checksum mismatch");
	b.name[0] = '\0';
	CHECK_INT_EQ(ol_bucket_encode(&b, rec, &e), OL_EINVAL);
}

/* The default rule round-trips; bad rules are refused on both sides; format 1 (no rule)
 * still reads. */
static void
test_bucket_record_rule(void)
{
	static const struct ol_lock_rule bad[] = {
		{ OL_LOCK_GOVERNANCE, 0, 0 }, { OL_LOCK_GOVERNANCE, 1, 1 },
		{ OL_LOCK_COMPLIANCE, OL_DEFAULT_DAYS_MAX + 1, 0 },
		{ OL_LOCK_COMPLIANCE, 0, OL_DEFAULT_YEARS_MAX + 1 }, { OL_LOCK_NONE, 1, 0 },
		{ (enum ol_lock_mode)3, 1, 0 },
	};
	struct ol_bucket b, d;
	uint8_t rec[OL_BUCKET_REC_MAX], v1[OL_BUCKET_REC_MAX];
	struct ol_err e = { 0 };
	uint32_t c;
	size_t i;
	int n;

	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "lockb");
	b.lock_enabled = true;
	b.versioning = OL_VERSIONING_ENABLED;
	b.created_ns = 1234567;
	b.default_rule = (struct ol_lock_rule){ OL_LOCK_COMPLIANCE, 0, OL_DEFAULT_YEARS_MAX };
	n = ol_bucket_encode(&b, rec, &e);
	CHECK(n > 0);
	CHECK_INT_EQ(rec[0], OL_BUCKET_FORMAT);
	CHECK_INT_EQ(ol_bucket_decode(rec, (size_t)n, &d, &e), OL_OK);
	CHECK(memcmp(&b, &d, sizeof(b)) == 0);
	b.default_rule = (struct ol_lock_rule){ OL_LOCK_GOVERNANCE, OL_DEFAULT_DAYS_MAX, 0 };
	n = ol_bucket_encode(&b, rec, &e);
	CHECK_INT_EQ(ol_bucket_decode(rec, (size_t)n, &d, &e), OL_OK);
	CHECK(memcmp(&b, &d, sizeof(b)) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.default_rule = bad[i];
		CHECK_INT_EQ(ol_bucket_encode(&b, rec, NULL), OL_EINVAL);
	}
	/* a rule without lock is refused too */
	b.lock_enabled = false;
	b.default_rule = (struct ol_lock_rule){ OL_LOCK_GOVERNANCE, 1, 0 };
	CHECK_INT_EQ(ol_bucket_encode(&b, rec, NULL), OL_EINVAL);

	/* format 1: the format-2 bytes without the 9 rule bytes, CRC over the rest */
	b.lock_enabled = true;
	b.default_rule = (struct ol_lock_rule){ OL_LOCK_NONE, 0, 0 };
	n = ol_bucket_encode(&b, rec, &e);
	memcpy(v1, rec, (size_t)n - 13);
	v1[0] = 1;
	c = cr_crc32c(0, v1, (size_t)n - 13);
	for (i = 0; i < 4; i++)
		v1[(size_t)n - 13 + i] = (uint8_t)(c >> (8 * i));
	CHECK_INT_EQ(ol_bucket_decode(v1, (size_t)n - 9, &d, &e), OL_OK);
	CHECK(memcmp(&b, &d, sizeof(b)) == 0);
	/* a format-2 record whose rule bytes are out of range is corrupt */
	rec[n - 13] = 7;
	c = cr_crc32c(0, rec, (size_t)n - 4);
	for (i = 0; i < 4; i++)
		rec[(size_t)n - 4 + i] = (uint8_t)(c >> (8 * i));
	CHECK_INT_EQ(ol_bucket_decode(rec, (size_t)n, &d, &e), OL_ECORRUPT);
}

/* Days are 86400 s each; years are calendar years, never shorter than 365 days. */
static void
test_lock_rule_until(void)
{
	const int64_t s = 1000000000LL;
	/* 2024-02-29T12:00:00.5Z */
	const int64_t leap = 1709208000LL * s + s / 2;
	struct ol_lock_rule r = { OL_LOCK_GOVERNANCE, 2, 0 };

	CHECK(ol_lock_rule_until(&r, leap) == leap + 2 * 86400 * s);
	r = (struct ol_lock_rule){ OL_LOCK_COMPLIANCE, 0, 1 };
	/* 2025-03-01T12:00:00.5Z: 29 Feb plus a year */
	CHECK(ol_lock_rule_until(&r, leap) == 1740830400LL * s + s / 2);
	r.years = 4; /* 2028-02-29T12:00:00.5Z */
	CHECK(ol_lock_rule_until(&r, leap) == 1835438400LL * s + s / 2);
	r.years = 100;
	CHECK(ol_lock_rule_until(&r, leap) >= leap + 36500LL * 86400 * s);
	r = (struct ol_lock_rule){ OL_LOCK_NONE, 0, 0 };
	CHECK(ol_lock_rule_until(&r, leap) == 0);
}

static void
test_quote(void)
{
	char q[16];

	ol_quote(q, sizeof(q), "a\x00'b", 4);
	CHECK_STR_EQ(q, "a\\x00\\x27b");
	ol_quote(q, sizeof(q), "0123456789abcdefghij", 20);
	CHECK_STR_EQ(q, "0123456789ab...");
	CHECK_STR_EQ(ol_rc_name(OL_ENOTEMPTY), "OL_ENOTEMPTY");
	CHECK_STR_EQ(ol_rc_name(OL_EBADPART), "OL_EBADPART");
	CHECK_STR_EQ(ol_rc_name(OL_EPARTORDER), "OL_EPARTORDER");
	CHECK_STR_EQ(ol_rc_name(42), "OL_?");
}

int
main(void)
{
	test_roundtrip();
	test_minimal();
	test_rejects();
	test_version_ids();
	test_key_order();
	test_bucket_record();
	test_bucket_record_rule();
	test_lock_rule_until();
	test_parts_locator();
	test_part_checksums();
	test_done_record();
	test_upload_record();
	test_upload_keys();
	test_part_record();
	test_quote();
	return check_done("objectlock-record");
}
