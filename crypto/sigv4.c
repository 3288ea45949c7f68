/* SPDX-License-Identifier: Apache-2.0 */
/* The SigV4 signing core (AWS Signature Version 4, spec/S3.md §2.3 and §2.5): key derivation,
 * strings to sign and the final HMAC, shared by the verifier and the replicator. */

#include <string.h>

#include "crypto.h"

/* hex(SHA256("")): the constant second hash line of every chunk string to sign. */
static const char cr_sigv4_empty_sha256[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

int
cr_sigv4_signing_key(const char *secret, size_t secret_len, const char *date8,
                     size_t date_len, const char *region, size_t region_len,
                     const char *service, size_t service_len, uint8_t out[CR_SIGV4_KEY_LEN])
{
	/* "AWS4" + secret must be one contiguous HMAC key; it is as secret as the secret. */
	unsigned char k0[4 + CR_SIGV4_SECRET_MAX];
	uint8_t k1[CR_SHA256_LEN], k2[CR_SHA256_LEN];

	if (secret_len > CR_SIGV4_SECRET_MAX || date_len != 8)
		return CR_EINVAL;
	memcpy(k0, "AWS4", 4);
	if (secret_len)
		memcpy(k0 + 4, secret, secret_len);
	cr_hmac_sha256(k0, 4 + secret_len, date8, date_len, k1);      /* kDate */
	cr_hmac_sha256(k1, sizeof(k1), region, region_len, k2);         /* kRegion */
	cr_hmac_sha256(k2, sizeof(k2), service, service_len, k1);       /* kService */
	cr_hmac_sha256(k1, sizeof(k1), "aws4_request", 12, out);        /* kSigning */
	cr_wipe(k0, sizeof(k0));
	cr_wipe(k1, sizeof(k1));
	cr_wipe(k2, sizeof(k2));
	return CR_OK;
}

/* Appends (p, n) at *o when it fits below @cap (keeping room for the NUL). */
static int
cr_put(char *out, size_t cap, size_t *o, const void *p, size_t n)
{
	if (n >= cap || *o > cap - 1 - n)
		return CR_EINVAL;
	memcpy(out + *o, p, n);
	*o += n;
	return CR_OK;
}

int
cr_sigv4_scope(const char *date8, size_t date_len, const char *region, size_t region_len,
               const char *service, size_t service_len, char *out, size_t cap)
{
	char tmp[CR_SIGV4_SCOPE_MAX + 1];
	size_t o = 0;

	if (cr_put(tmp, sizeof(tmp), &o, date8, date_len) || cr_put(tmp, sizeof(tmp), &o, "/", 1) ||
	    cr_put(tmp, sizeof(tmp), &o, region, region_len) ||
	    cr_put(tmp, sizeof(tmp), &o, "/", 1) ||
	    cr_put(tmp, sizeof(tmp), &o, service, service_len) ||
	    cr_put(tmp, sizeof(tmp), &o, "/aws4_request", 13) || o + 1 > cap)
		return CR_EINVAL;
	memcpy(out, tmp, o);
	out[o] = '\0';
	return (int)o;
}

/* "<algo>\n<amz_date>\n<scope>\n" + each of @lines joined by "\n", built in a local buffer
 * so that @out is untouched on failure. */
static int
cr_sts(const char *algo, const char *amz_date, size_t amz_len, const char *scope,
       size_t scope_len, const char *const *lines, const size_t *lens, size_t nlines,
       char *out, size_t cap)
{
	char tmp[CR_SIGV4_STS_MAX + 1];
	size_t o = 0;

	if (amz_len != CR_SIGV4_AMZ_DATE_LEN || scope_len > CR_SIGV4_SCOPE_MAX)
		return CR_EINVAL;
	if (cr_put(tmp, sizeof(tmp), &o, algo, strlen(algo)) ||
	    cr_put(tmp, sizeof(tmp), &o, "\n", 1) ||
	    cr_put(tmp, sizeof(tmp), &o, amz_date, amz_len) ||
	    cr_put(tmp, sizeof(tmp), &o, "\n", 1) ||
	    cr_put(tmp, sizeof(tmp), &o, scope, scope_len))
		return CR_EINVAL;
	for (size_t i = 0; i < nlines; i++)
		if (cr_put(tmp, sizeof(tmp), &o, "\n", 1) ||
		    cr_put(tmp, sizeof(tmp), &o, lines[i], lens[i]))
			return CR_EINVAL;
	if (o + 1 > cap)
		return CR_EINVAL;
	memcpy(out, tmp, o);
	out[o] = '\0';
	return (int)o;
}

int
cr_sigv4_string_to_sign(const char *amz_date, size_t amz_len, const char *scope,
                        size_t scope_len, const void *creq, size_t creq_len, char *out,
                        size_t cap)
{
	uint8_t h[CR_SHA256_LEN];
	char hex[2 * CR_SHA256_LEN + 1];
	const char *lines[1] = { hex };
	const size_t lens[1] = { 2 * CR_SHA256_LEN };

	cr_sha256(creq, creq_len, h);
	cr_hex_encode(h, sizeof(h), hex);
	return cr_sts("AWS4-HMAC-SHA256", amz_date, amz_len, scope, scope_len, lines, lens, 1,
	              out, cap);
}

int
cr_sigv4_chunk_string_to_sign(const char *amz_date, size_t amz_len, const char *scope,
                              size_t scope_len, const char *prev_sig,
                              const uint8_t chunk_sha256[CR_SHA256_LEN], char *out, size_t cap)
{
	char hex[2 * CR_SHA256_LEN + 1];
	const char *lines[3] = { prev_sig, cr_sigv4_empty_sha256, hex };
	const size_t lens[3] = { CR_SIGV4_SIG_HEX_LEN, 2 * CR_SHA256_LEN, 2 * CR_SHA256_LEN };

	cr_hex_encode(chunk_sha256, CR_SHA256_LEN, hex);
	return cr_sts("AWS4-HMAC-SHA256-PAYLOAD", amz_date, amz_len, scope, scope_len, lines,
	              lens, 3, out, cap);
}

int
cr_sigv4_trailer_string_to_sign(const char *amz_date, size_t amz_len, const char *scope,
                                size_t scope_len, const char *prev_sig,
                                const uint8_t trailer_sha256[CR_SHA256_LEN], char *out,
                                size_t cap)
{
	char hex[2 * CR_SHA256_LEN + 1];
	const char *lines[2] = { prev_sig, hex };
	const size_t lens[2] = { CR_SIGV4_SIG_HEX_LEN, 2 * CR_SHA256_LEN };

	cr_hex_encode(trailer_sha256, CR_SHA256_LEN, hex);
	return cr_sts("AWS4-HMAC-SHA256-TRAILER", amz_date, amz_len, scope, scope_len, lines,
	              lens, 2, out, cap);
}

void
cr_sigv4_sign(const uint8_t key[CR_SIGV4_KEY_LEN], const void *sts, size_t sts_len,
              char out[CR_SIGV4_SIG_HEX_LEN + 1])
{
	uint8_t mac[CR_SHA256_LEN];

	cr_hmac_sha256(key, CR_SIGV4_KEY_LEN, sts, sts_len, mac);
	cr_hex_encode(mac, sizeof(mac), out);
}
