/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the record decoders of objectlock/record.c: version records (formats 1
 * to 3, parts locators with and without part checksums included), multipart upload
 * records, part records and completion records — the bytes every read, listing,
 * completion, retried completion and fsck trust once their CRC passes. Invariants:
 * decoding never crashes; whatever decodes re-encodes, decodes again to equal fields, and
 * that encoding is canonical (a second encode gives the same bytes) and in the oldest
 * format that holds it; a decoded parts locator is consistent (offsets are the running sum
 * of the sizes, the sum is the size, every part's range is found by its number, a part
 * checksum is in the version's algorithm). Each input is tried as is and with its
 * CRC32C trailer recomputed, so the fuzzer reaches the field parsers instead of stopping at
 * the checksum. The salvage decoders (fsck), the bucket record decoder and the index key
 * parsers see the same input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a reader and ?partNumber=N rely on. */
static void
check_parts(const struct ol_version *v)
{
	uint64_t sum = 0, off = 0, len = 0;
	uint32_t i;

	if (v->loc.kind != OL_LOC_PARTS) {
		if (ol_version_parts_count(v) != 0)
			abort();
		return;
	}
	if (ol_version_parts_count(v) != v->loc.n_parts || v->loc.n_parts == 0 ||
	    v->loc.n_parts > OL_PARTS_MAX)
		abort();
	for (i = 0; i < v->loc.n_parts; i++) {
		const struct ol_loc_part *p = &v->loc.parts[i];

		if (p->off != sum || (i && p->part_number <= v->loc.parts[i - 1].part_number))
			abort();
		if (ol_version_part_range(v, p->part_number, &off, &len) != OL_OK || off != p->off ||
		    len != p->size_bytes)
			abort();
		if (p->cksum_len && (v->cksum_alg == OL_CKSUM_NONE ||
		                     p->cksum_len != ol_cksum_len_of(v->cksum_alg)))
			abort();
		sum += p->size_bytes;
	}
	if (sum != v->size_bytes)
		abort();
}

static void
roundtrip_upload(const uint8_t *data, size_t size)
{
	struct ol_upload u, w;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t n = 0, n2 = 0;

	if (ol_upload_decode(data, size, &u, NULL) != OL_OK)
		return;
	if (ol_upload_encode(&u, &enc, &n, NULL) != OL_OK)
		abort();
	if (ol_upload_decode(enc, n, &w, NULL) != OL_OK || !ol_upload_equal(&u, &w))
		abort();
	if (ol_upload_encode(&w, &enc2, &n2, NULL) != OL_OK || n2 != n ||
	    memcmp(enc, enc2, n) != 0)
		abort();
	free(enc2);
	free(enc);
	ol_upload_release(&w);
	ol_upload_release(&u);
}

static void
roundtrip_part(const uint8_t *data, size_t size)
{
	struct ol_part_rec r, w;
	uint8_t enc[OL_PART_REC_MAX], enc2[OL_PART_REC_MAX];
	int n, n2;

	if (ol_part_salvage(data, size, &r) == OL_OK && ol_part_encode(&r, enc, NULL) < 0)
		abort(); /* salvage checks every field but the CRC */
	if (ol_part_decode(data, size, &r, NULL) != OL_OK)
		return;
	n = ol_part_encode(&r, enc, NULL);
	if (n < 0 || ol_part_decode(enc, (size_t)n, &w, NULL) != OL_OK || !ol_part_equal(&r, &w))
		abort();
	n2 = ol_part_encode(&w, enc2, NULL);
	if (n2 != n || memcmp(enc, enc2, (size_t)n) != 0)
		abort();
}

static void
roundtrip_done(const uint8_t *data, size_t size)
{
	struct ol_done_rec r, w;
	uint8_t enc[OL_DONE_REC_LEN];

	if (ol_done_decode(data, size, &r, NULL) != OL_OK)
		return;
	/* a fixed layout: what decodes is exactly what encodes */
	ol_done_encode(&r, enc);
	if (size != sizeof(enc) || memcmp(enc, data, size) != 0)
		abort();
	if (ol_done_decode(enc, sizeof(enc), &w, NULL) != OL_OK ||
	    memcmp(&r.blob_id, &w.blob_id, OL_BLOB_ID_LEN) != 0 ||
	    r.completed_ns != w.completed_ns ||
	    memcmp(r.parts_digest, w.parts_digest, sizeof(r.parts_digest)) != 0)
		abort();
}

/* The format byte an encoder picks: the oldest that holds @v (record.c). */
static uint8_t
oldest_format(const struct ol_version *v)
{
	uint32_t i;

	if (v->loc.kind != OL_LOC_PARTS)
		return 1;
	for (i = 0; i < v->loc.n_parts; i++)
		if (v->loc.parts[i].cksum_len)
			return 3;
	return 2;
}

static void
roundtrip(const uint8_t *data, size_t size)
{
	struct ol_version v, w;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t n = 0, n2 = 0;

	roundtrip_upload(data, size);
	roundtrip_part(data, size);
	roundtrip_done(data, size);
	if (ol_version_decode(data, size, &v, NULL) != OL_OK)
		return;
	check_parts(&v);
	if (ol_version_encode(&v, &enc, &n, NULL) != OL_OK)
		abort(); /* a record we accept must be one we can write */
	if (enc[0] != oldest_format(&v))
		abort();
	if (ol_version_decode(enc, n, &w, NULL) != OL_OK)
		abort();
	if (!ol_version_equal(&v, &w))
		abort();
	if (ol_version_encode(&w, &enc2, &n2, NULL) != OL_OK || n2 != n ||
	    memcmp(enc, enc2, n) != 0)
		abort();
	free(enc2);
	free(enc);
	ol_version_release(&w);
	ol_version_release(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ol_version s;
	struct ol_bucket b;
	char bucket[OL_BUCKET_NAME_MAX + 1];
	uint8_t key[OL_KEY_MAX], iid[OL_IID_LEN];
	size_t keylen = 0, ulen = 0;
	uint32_t pn = 0;

	if (ol_version_salvage(data, size, &s) == OL_OK)
		ol_version_release(&s);
	(void)ol_bucket_decode(data, size, &b, NULL);
	(void)ol_vkey_parse(data, size, bucket, key, &keylen, iid);
	if (ol_ukey_parse(data, size, bucket, key, &keylen, iid, &pn, &ulen) &&
	    (pn > OL_PART_NUMBER_MAX || ulen > size || (pn && ulen + 2 != size) ||
	     (!pn && ulen != size)))
		abort();
	roundtrip(data, size);

	if (size >= 5) {
		uint8_t *fixed = malloc(size);
		uint32_t c;

		if (!fixed)
			return 0;
		memcpy(fixed, data, size);
		c = cr_crc32c(0, fixed, size - 4);
		fixed[size - 4] = (uint8_t)c;
		fixed[size - 3] = (uint8_t)(c >> 8);
		fixed[size - 2] = (uint8_t)(c >> 16);
		fixed[size - 1] = (uint8_t)(c >> 24);
		roundtrip(fixed, size);
		free(fixed);
	}
	return 0;
}
