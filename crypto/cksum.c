/* SPDX-License-Identifier: Apache-2.0 */
/* One front over the five x-amz-checksum-* algorithms, so handlers need not switch. */

#include "crypto.h"

static const char *const cr_cksum_names[] = {
	[CR_CKSUM_CRC32] = "CRC32",
	[CR_CKSUM_CRC32C] = "CRC32C",
	[CR_CKSUM_CRC64NVME] = "CRC64NVME",
	[CR_CKSUM_SHA1] = "SHA1",
	[CR_CKSUM_SHA256] = "SHA256",
};

int
cr_cksum_init(struct cr_cksum *c, enum cr_cksum_alg alg)
{
	int rc;

	/* Released state first, so cr_cksum_release is safe whatever happens below. */
	c->alg = CR_CKSUM_NONE;
	c->crc = 0;
	c->hash.ctx = NULL;
	c->hash.alg = CR_HASH_SHA256;
	switch (alg) {
	case CR_CKSUM_CRC32:
	case CR_CKSUM_CRC32C:
	case CR_CKSUM_CRC64NVME:
		rc = CR_OK;
		break;
	case CR_CKSUM_SHA1:
		rc = cr_hash_init(&c->hash, CR_HASH_SHA1);
		break;
	case CR_CKSUM_SHA256:
		rc = cr_hash_init(&c->hash, CR_HASH_SHA256);
		break;
	case CR_CKSUM_NONE:
	default:
		/* NONE has no value to compute: asking for it is a caller's mistake. */
		rc = CR_EINVAL;
		break;
	}
	if (rc == CR_OK)
		c->alg = alg;
	return rc;
}

int
cr_cksum_update(struct cr_cksum *c, const void *p, size_t n)
{
	switch (c->alg) {
	case CR_CKSUM_CRC32:
		c->crc = cr_crc32((uint32_t)c->crc, p, n);
		return CR_OK;
	case CR_CKSUM_CRC32C:
		c->crc = cr_crc32c((uint32_t)c->crc, p, n);
		return CR_OK;
	case CR_CKSUM_CRC64NVME:
		c->crc = cr_crc64nvme(c->crc, p, n);
		return CR_OK;
	case CR_CKSUM_SHA1:
	case CR_CKSUM_SHA256:
		return cr_hash_update(&c->hash, p, n);
	case CR_CKSUM_NONE:
		break;
	}
	return CR_EINVAL;
}

int
cr_cksum_final(struct cr_cksum *c, uint8_t *out)
{
	size_t i, len = cr_cksum_len(c->alg);

	switch (c->alg) {
	case CR_CKSUM_CRC32:
	case CR_CKSUM_CRC32C:
	case CR_CKSUM_CRC64NVME:
		/* S3 sends the CRC as its big-endian bytes, base64-encoded by the caller. */
		for (i = 0; i < len; i++)
			out[i] = (uint8_t)(c->crc >> (8 * (len - 1 - i)));
		return CR_OK;
	case CR_CKSUM_SHA1:
	case CR_CKSUM_SHA256:
		return cr_hash_final(&c->hash, out);
	case CR_CKSUM_NONE:
		break;
	}
	return CR_EINVAL;
}

void
cr_cksum_release(struct cr_cksum *c)
{
	if (!c)
		return;
	cr_hash_release(&c->hash);
	c->alg = CR_CKSUM_NONE;
}

size_t
cr_cksum_len(enum cr_cksum_alg alg)
{
	switch (alg) {
	case CR_CKSUM_CRC32:
	case CR_CKSUM_CRC32C:
		return 4;
	case CR_CKSUM_CRC64NVME:
		return 8;
	case CR_CKSUM_SHA1:
		return CR_SHA1_LEN;
	case CR_CKSUM_SHA256:
		return CR_SHA256_LEN;
	case CR_CKSUM_NONE:
		break;
	}
	return 0;
}

const char *
cr_cksum_name(enum cr_cksum_alg alg)
{
	if (alg <= CR_CKSUM_NONE || alg > CR_CKSUM_SHA256)
		return NULL;
	return cr_cksum_names[alg];
}

/* ASCII-only folding: strncasecmp would follow the locale, and header names do not. */
static unsigned char
cr_upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

enum cr_cksum_alg
cr_cksum_from_name(const char *p, size_t n)
{
	enum cr_cksum_alg alg;
	size_t i;

	if (!p)
		return CR_CKSUM_NONE;
	for (alg = CR_CKSUM_CRC32; alg <= CR_CKSUM_SHA256; alg++) {
		const char *name = cr_cksum_names[alg];

		for (i = 0; i < n && name[i]; i++)
			if (cr_upper((unsigned char)p[i]) != (unsigned char)name[i])
				break;
		if (i == n && name[i] == '\0')
			return alg;
	}
	return CR_CKSUM_NONE;
}
