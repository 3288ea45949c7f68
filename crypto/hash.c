/* SPDX-License-Identifier: Apache-2.0 */
/* Streaming and one-shot MD5 / SHA-1 / SHA-256 and HMAC-SHA256 over OpenSSL 3 EVP. */

#include <pthread.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto.h"

/*
 * Algorithms are fetched once and kept for the life of the process. With the legacy
 * EVP_sha256()-style handles OpenSSL 3 does an implicit fetch through a locked method
 * store on every init, which costs and contends when every request hashes its body
 * (OpenSSL crypto(7), "Performance"). A NULL here means the provider lacks the algorithm
 * (MD5 under a FIPS-only configuration); callers then get CR_ERR, not a crash.
 */
static pthread_once_t cr_fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *cr_md[CR_HASH_SHA256 + 1];
static EVP_MAC *cr_hmac;

static void
cr_fetch(void)
{
	cr_md[CR_HASH_MD5] = EVP_MD_fetch(NULL, "MD5", NULL);
	cr_md[CR_HASH_SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
	cr_md[CR_HASH_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
	cr_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const EVP_MD *
cr_md_get(enum cr_hash_alg alg)
{
	if ((unsigned)alg > CR_HASH_SHA256)
		return NULL;
	pthread_once(&cr_fetch_once, cr_fetch);
	return cr_md[alg];
}

size_t
cr_hash_len(enum cr_hash_alg alg)
{
	switch (alg) {
	case CR_HASH_MD5:
		return CR_MD5_LEN;
	case CR_HASH_SHA1:
		return CR_SHA1_LEN;
	case CR_HASH_SHA256:
		return CR_SHA256_LEN;
	}
	return 0;
}

int
cr_hash_init(struct cr_hash *h, enum cr_hash_alg alg)
{
	const EVP_MD *md;
	EVP_MD_CTX *ctx = NULL;
	int rc;

	/* Released state first, so a failed init is safe to cr_hash_release. */
	h->ctx = NULL;
	h->alg = alg;
	if ((unsigned)alg > CR_HASH_SHA256) {
		rc = CR_EINVAL;
		goto out;
	}
	md = cr_md_get(alg);
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx || !EVP_DigestInit_ex2(ctx, md, NULL)) {
		rc = CR_ERR;
		goto out;
	}
	h->ctx = ctx;
	ctx = NULL;
	rc = CR_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
cr_hash_update(struct cr_hash *h, const void *p, size_t n)
{
	if (!h->ctx)
		return CR_EINVAL;
	if (n == 0)
		return CR_OK;
	return EVP_DigestUpdate(h->ctx, p, n) ? CR_OK : CR_ERR;
}

int
cr_hash_final(struct cr_hash *h, uint8_t *out)
{
	if (!h->ctx)
		return CR_EINVAL;
	return EVP_DigestFinal_ex(h->ctx, out, NULL) ? CR_OK : CR_ERR;
}

int
cr_hash_reset(struct cr_hash *h)
{
	if (!h->ctx)
		return CR_EINVAL;
	/* NULL type keeps the digest already bound to the context: no new fetch. */
	return EVP_DigestInit_ex2(h->ctx, NULL, NULL) ? CR_OK : CR_ERR;
}

void
cr_hash_release(struct cr_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

/* The header promises these never fail: without a working digest nothing we store can be
 * verified, so carrying on would be worse than stopping. */
static void
cr_digest_oneshot(enum cr_hash_alg alg, const void *p, size_t n, uint8_t *out)
{
	static const unsigned char empty[1];
	const EVP_MD *md = cr_md_get(alg);

	if (!md || !EVP_Digest(n ? p : empty, n, out, NULL, md, NULL))
		abort();
}

void
cr_md5(const void *p, size_t n, uint8_t out[CR_MD5_LEN])
{
	cr_digest_oneshot(CR_HASH_MD5, p, n, out);
}

void
cr_sha1(const void *p, size_t n, uint8_t out[CR_SHA1_LEN])
{
	cr_digest_oneshot(CR_HASH_SHA1, p, n, out);
}

void
cr_sha256(const void *p, size_t n, uint8_t out[CR_SHA256_LEN])
{
	cr_digest_oneshot(CR_HASH_SHA256, p, n, out);
}

void
cr_hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
               uint8_t out[CR_SHA256_LEN])
{
	/* Writable because OSSL_PARAM takes char *; OpenSSL only reads it. */
	static char digest_name[] = "SHA256";
	/* A NULL key tells EVP_MAC_init "keep the previous key"; an empty key must be a
	 * real pointer with length 0 (RFC 2104 allows it, SigV4 never uses it). */
	static const unsigned char empty[1];
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	size_t outl = 0;

	pthread_once(&cr_fetch_once, cr_fetch);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!cr_hmac || !(ctx = EVP_MAC_CTX_new(cr_hmac)) ||
	    !EVP_MAC_init(ctx, klen ? key : empty, klen, params) ||
	    (n && !EVP_MAC_update(ctx, p, n)) ||
	    !EVP_MAC_final(ctx, out, &outl, CR_SHA256_LEN) || outl != CR_SHA256_LEN)
		abort();
	EVP_MAC_CTX_free(ctx);
}
