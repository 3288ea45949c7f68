/* SPDX-License-Identifier: Apache-2.0 */
/* Handling of secrets: constant-time compare, random bytes, wiping, AES-256-GCM sealing. */

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto.h"

#define CR_AEAD_NONCE_LEN 12
#define CR_AEAD_TAG_LEN 16

/* Fetched once for the process, like the digests in hash.c (no implicit fetch per call). */
static pthread_once_t cr_cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cr_gcm;

static void
cr_cipher_fetch(void)
{
	cr_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

bool
cr_ct_equal(const void *a, const void *b, size_t n)
{
	return n == 0 || CRYPTO_memcmp(a, b, n) == 0;
}

int
cr_random_bytes(void *out, size_t n)
{
	unsigned char *o = out;

	/* RAND_bytes counts in int. */
	while (n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(o, chunk) != 1)
			return CR_ERR;
		o += chunk;
		n -= (size_t)chunk;
	}
	return CR_OK;
}

void
cr_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

int
cr_aead_seal(const uint8_t key[CR_AEAD_KEY_LEN], const void *aad, size_t aadlen,
             const void *p, size_t n, uint8_t *out, size_t cap)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *ct = out + CR_AEAD_NONCE_LEN;
	int len = 0, fin = 0, rc;

	/* EVP counts in int, and the sealed length is our int return value. */
	if (n > (size_t)INT_MAX - CR_AEAD_OVERHEAD || aadlen > INT_MAX ||
	    cap < n + CR_AEAD_OVERHEAD) {
		rc = CR_EINVAL;
		goto out;
	}
	pthread_once(&cr_cipher_once, cr_cipher_fetch);
	/*
	 * A fresh random 96-bit nonce per message. GCM fails open on a repeated nonce under
	 * one key (the tag key leaks), and random nonces stay safe to 2^32 messages per key
	 * (NIST SP 800-38D 8.3): far beyond the few secrets this seals.
	 */
	if (!cr_gcm || cr_random_bytes(out, CR_AEAD_NONCE_LEN) != CR_OK ||
	    !(ctx = EVP_CIPHER_CTX_new()) ||
	    !EVP_EncryptInit_ex2(ctx, cr_gcm, key, out, NULL) ||
	    (aadlen && !EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen)) ||
	    (n && !EVP_EncryptUpdate(ctx, ct, &len, p, (int)n)) ||
	    !EVP_EncryptFinal_ex(ctx, ct + (n ? len : 0), &fin) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CR_AEAD_TAG_LEN, ct + n)) {
		rc = CR_ERR;
		goto out;
	}
	rc = (int)(n + CR_AEAD_OVERHEAD);
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
cr_aead_open(const uint8_t key[CR_AEAD_KEY_LEN], const void *aad, size_t aadlen,
             const void *p, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *in = p;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t tag[CR_AEAD_TAG_LEN];
	uint8_t *plain = NULL;
	size_t mlen = 0;
	int len = 0, fin = 0, rc;

	if (n < CR_AEAD_OVERHEAD || n - CR_AEAD_OVERHEAD > INT_MAX || aadlen > INT_MAX ||
	    cap < n - CR_AEAD_OVERHEAD) {
		rc = CR_EINVAL;
		goto out;
	}
	mlen = n - CR_AEAD_OVERHEAD;
	pthread_once(&cr_cipher_once, cr_cipher_fetch);
	/*
	 * Decrypt into scratch and copy out only after the tag verifies: GCM hands out
	 * plaintext before it has checked anything, and a caller must never see bytes an
	 * attacker chose. It also keeps @out untouched on failure, as crypto.h promises.
	 */
	plain = OPENSSL_malloc(mlen ? mlen : 1);
	/* EVP wants a writable tag buffer. */
	memcpy(tag, in + CR_AEAD_NONCE_LEN + mlen, CR_AEAD_TAG_LEN);
	if (!cr_gcm || !plain || !(ctx = EVP_CIPHER_CTX_new()) ||
	    !EVP_DecryptInit_ex2(ctx, cr_gcm, key, in, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CR_AEAD_TAG_LEN, tag) ||
	    (aadlen && !EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen)) ||
	    (mlen && !EVP_DecryptUpdate(ctx, plain, &len, in + CR_AEAD_NONCE_LEN, (int)mlen))) {
		rc = CR_ERR;
		goto out;
	}
	/* A bad tag is expected whenever data, key or aad is wrong: whatever OpenSSL queues
	 * for it must not linger for an unrelated caller on this thread to trip over, and
	 * errors queued before us are not ours to clear. */
	ERR_set_mark();
	if (EVP_DecryptFinal_ex(ctx, plain + (mlen ? len : 0), &fin) <= 0) {
		ERR_pop_to_mark();
		rc = CR_EINVAL;
		goto out;
	}
	ERR_clear_last_mark();
	if (mlen)
		memcpy(out, plain, mlen);
	rc = (int)mlen;
out:
	OPENSSL_clear_free(plain, mlen ? mlen : 1);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}
