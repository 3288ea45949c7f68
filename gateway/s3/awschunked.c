/* SPDX-License-Identifier: Apache-2.0 */
/* aws-chunked body decoding (spec/S3.md §2.5): a byte-driven state machine whose every
 * decision is taken at a fixed byte of the stream, so any split of the input gives the same
 * output and the same verdict. */
#include "awschunked.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
	ST_HEADER = 1, /* chunk-size line */
	ST_DATA,       /* chunk payload */
	ST_DATA_CR,    /* CRLF after the payload */
	ST_DATA_LF,
	ST_TRAILER,    /* trailer lines up to the closing blank line */
	ST_DONE,
};

#define MSG_TRUNCATED "The request body terminated unexpectedly."
#define MSG_TRAILER_UNSUPPORTED "The value specified in the x-amz-trailer header is not supported"

static enum s3_code
set_err(struct s3_chunked *d, enum s3_code c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum s3_code
set_err(struct s3_chunked *d, enum s3_code c, const char *fmt, ...)
{
	va_list ap;

	d->err = c;
	d->nextra = 0;
	d->msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return c;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
case_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- setup -------------------------------------------------------------------------------- */

/* x-amz-trailer: exactly one x-amz-checksum-<alg> (§2.5), surrounding spaces allowed. */
static enum s3_code
parse_trailer_decl(struct s3_chunked *d, struct slice t)
{
	static const char pfx[] = "x-amz-checksum-";
	const size_t pl = sizeof(pfx) - 1;

	while (t.n && is_ows(t.p[0])) {
		t.p++;
		t.n--;
	}
	while (t.n && is_ows(t.p[t.n - 1]))
		t.n--;
	if (t.n == 0)
		return S3E_NONE;
	if (d->mode == S3_CHUNKED_SIGNED || t.n >= sizeof(d->trailer_name) || t.n <= pl ||
	    !case_eq(t.p, pl, pfx, pl) || memchr(t.p, ',', t.n))
		return set_err(d, S3E_InvalidRequest, MSG_TRAILER_UNSUPPORTED);
	d->trailer_alg = cr_cksum_from_name(t.p + pl, t.n - pl);
	if (d->trailer_alg == CR_CKSUM_NONE)
		return set_err(d, S3E_InvalidRequest,
		               "Checksum algorithm provided is unsupported. Please try again with any "
		               "of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
	for (size_t i = 0; i < t.n; i++)
		d->trailer_name[i] = lower(t.p[i]);
	d->trailer_name[t.n] = '\0';
	d->trailer_name_len = t.n;
	return S3E_NONE;
}

/* Decimal, digit by digit with an overflow check (STYLE: parsers). */
static bool
parse_u64(struct slice s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		unsigned dgt;
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		dgt = (unsigned)(s.p[i] - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			return false;
		v = v * 10 + dgt;
	}
	*out = v;
	return true;
}

enum s3_code
s3_chunked_init(struct s3_chunked *d, const struct s3_chunked_params *p)
{
	bool is_signed = p->mode == S3_CHUNKED_SIGNED || p->mode == S3_CHUNKED_SIGNED_TRAILER;
	struct slice dl = p->decoded_length;
	enum s3_code c;
	size_t sl;

	memset(d, 0, sizeof(*d));
	d->mode = p->mode;
	d->sink = p->sink;
	d->sink_ctx = p->sink_ctx;
	d->state = ST_HEADER;
	if (p->mode != S3_CHUNKED_SIGNED && p->mode != S3_CHUNKED_SIGNED_TRAILER &&
	    p->mode != S3_CHUNKED_UNSIGNED_TRAILER)
		return set_err(d, S3E_InternalError, NULL);
	while (dl.p && dl.n && is_ows(dl.p[0])) {
		dl.p++;
		dl.n--;
	}
	while (dl.p && dl.n && is_ows(dl.p[dl.n - 1]))
		dl.n--;
	if (dl.p) {
		if (!parse_u64(dl, &d->declared_length))
			return set_err(d, S3E_MissingContentLength, NULL);
		d->have_length = true;
	} else if (is_signed) {
		return set_err(d, S3E_MissingContentLength, NULL);
	}
	if (p->trailer.p && (c = parse_trailer_decl(d, p->trailer)) != S3E_NONE)
		return c;
	if (is_signed) {
		if (!p->signing_key || !p->seed_signature || !p->amz_date || !p->scope ||
		    strlen(p->amz_date) != CR_SIGV4_AMZ_DATE_LEN ||
		    strlen(p->seed_signature) != CR_SIGV4_SIG_HEX_LEN ||
		    (sl = strlen(p->scope)) > CR_SIGV4_SCOPE_MAX)
			return set_err(d, S3E_InternalError, NULL);
		memcpy(d->key, p->signing_key, CR_SIGV4_KEY_LEN);
		memcpy(d->prev_sig, p->seed_signature, CR_SIGV4_SIG_HEX_LEN + 1);
		memcpy(d->amz_date, p->amz_date, CR_SIGV4_AMZ_DATE_LEN + 1);
		memcpy(d->scope, p->scope, sl + 1);
		d->scope_len = sl;
		if (cr_hash_init(&d->hash, CR_HASH_SHA256) != CR_OK) {
			cr_wipe(d->key, sizeof(d->key));
			return set_err(d, S3E_InternalError, NULL);
		}
		d->hash_ready = true;
	}
	return S3E_NONE;
}

void
s3_chunked_release(struct s3_chunked *d)
{
	if (!d)
		return;
	if (d->hash_ready)
		cr_hash_release(&d->hash);
	d->hash_ready = false;
	cr_wipe(d->key, sizeof(d->key));
}

/* ---- signatures ----------------------------------------------------------------------------- */

static enum s3_code
sig_mismatch(struct s3_chunked *d, const char *sts, size_t sts_len, const char *provided)
{
	set_err(d, S3E_SignatureDoesNotMatch, NULL);
	memcpy(d->err_sts, sts, sts_len + 1);
	memcpy(d->err_sig, provided, CR_SIGV4_SIG_HEX_LEN + 1);
	d->extra[0] = (struct s3_error_extra){ "StringToSign", d->err_sts };
	d->extra[1] = (struct s3_error_extra){ "SignatureProvided", d->err_sig };
	d->nextra = 2;
	return S3E_SignatureDoesNotMatch;
}

/* The current chunk's data is complete (or it is the final empty chunk): check its
 * signature and make it the previous one for the next chunk. */
static enum s3_code
verify_chunk(struct s3_chunked *d)
{
	uint8_t h[CR_SHA256_LEN];
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];
	int n;

	if (cr_hash_final(&d->hash, h) != CR_OK || cr_hash_reset(&d->hash) != CR_OK)
		return set_err(d, S3E_InternalError, NULL);
	n = cr_sigv4_chunk_string_to_sign(d->amz_date, CR_SIGV4_AMZ_DATE_LEN, d->scope,
	                                  d->scope_len, d->prev_sig, h, sts, sizeof(sts));
	if (n < 0)
		return set_err(d, S3E_InternalError, NULL);
	cr_sigv4_sign(d->key, sts, (size_t)n, sig);
	if (!cr_ct_equal(sig, d->chunk_sig, CR_SIGV4_SIG_HEX_LEN))
		return sig_mismatch(d, sts, (size_t)n, d->chunk_sig);
	memcpy(d->prev_sig, sig, sizeof(sig));
	return S3E_NONE;
}

static enum s3_code
verify_trailer_sig(struct s3_chunked *d, const char *provided)
{
	uint8_t h[CR_SHA256_LEN];
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];
	int n;

	memcpy(d->chunk_sig, provided, CR_SIGV4_SIG_HEX_LEN);
	d->chunk_sig[CR_SIGV4_SIG_HEX_LEN] = '\0';
	if (cr_hash_final(&d->hash, h) != CR_OK || cr_hash_reset(&d->hash) != CR_OK)
		return set_err(d, S3E_InternalError, NULL);
	n = cr_sigv4_trailer_string_to_sign(d->amz_date, CR_SIGV4_AMZ_DATE_LEN, d->scope,
	                                    d->scope_len, d->prev_sig, h, sts, sizeof(sts));
	if (n < 0)
		return set_err(d, S3E_InternalError, NULL);
	cr_sigv4_sign(d->key, sts, (size_t)n, sig);
	if (!cr_ct_equal(sig, d->chunk_sig, CR_SIGV4_SIG_HEX_LEN))
		return sig_mismatch(d, sts, (size_t)n, d->chunk_sig);
	return S3E_NONE;
}

/* ---- lines ---------------------------------------------------------------------------------- */

/* A complete chunk-size line (CR stripped): "hex" [";chunk-signature=" 64hex] */
static enum s3_code
on_header(struct s3_chunked *d, const char *l, size_t n)
{
	static const char ext[] = ";chunk-signature=";
	const size_t el = sizeof(ext) - 1;
	bool is_signed = d->mode != S3_CHUNKED_UNSIGNED_TRAILER;
	uint64_t size = 0;
	size_t i;
	int v;

	for (i = 0; i < n && (v = hexval((unsigned char)l[i])) >= 0; i++) {
		if (size > (UINT64_MAX >> 4))
			return set_err(d, S3E_IncompleteBody, "The aws-chunked chunk size is too large.");
		size = size << 4 | (uint64_t)v;
	}
	if (i == 0)
		return set_err(d, S3E_IncompleteBody, "The aws-chunked chunk header is malformed.");
	if (is_signed) {
		if (n - i != el + CR_SIGV4_SIG_HEX_LEN || memcmp(l + i, ext, el) != 0)
			return set_err(d, S3E_IncompleteBody,
			               "The aws-chunked chunk header is malformed.");
		memcpy(d->chunk_sig, l + i + el, CR_SIGV4_SIG_HEX_LEN);
		d->chunk_sig[CR_SIGV4_SIG_HEX_LEN] = '\0';
	} else if (i < n && l[i] != ';') {
		/* unsigned: chunk extensions are tolerated and ignored */
		return set_err(d, S3E_IncompleteBody, "The aws-chunked chunk header is malformed.");
	}
	if (size > UINT64_MAX - d->declared_total ||
	    (d->have_length && size > d->declared_length - d->declared_total))
		return set_err(d, S3E_IncompleteBody,
		               "The decoded body is longer than x-amz-decoded-content-length.");
	d->declared_total += size;
	if (size) {
		d->chunk_left = size;
		d->state = ST_DATA;
		return S3E_NONE;
	}
	/* the final, empty chunk */
	if (d->have_length && d->declared_total != d->declared_length)
		return set_err(d, S3E_IncompleteBody,
		               "The decoded body is shorter than x-amz-decoded-content-length.");
	if (is_signed) {
		enum s3_code c = verify_chunk(d);
		if (c != S3E_NONE)
			return c;
	}
	d->state = ST_TRAILER;
	return S3E_NONE;
}

/* A complete trailer line (CR stripped). The empty line ends the trailer section. */
static enum s3_code
on_trailer(struct s3_chunked *d, const char *l, size_t n)
{
	static const char sig_name[] = "x-amz-trailer-signature";
	const char *colon, *val;
	size_t nn, vn;
	int r;

	if (n == 0) {
		if ((d->trailer_alg != CR_CKSUM_NONE && !d->got_checksum) ||
		    (d->mode == S3_CHUNKED_SIGNED_TRAILER && !d->got_trailer_sig))
			return set_err(d, S3E_MalformedTrailerError, NULL);
		d->state = ST_DONE;
		return S3E_NONE;
	}
	if (d->mode == S3_CHUNKED_SIGNED || !(colon = memchr(l, ':', n)))
		return set_err(d, S3E_MalformedTrailerError, NULL);
	nn = (size_t)(colon - l);
	val = colon + 1;
	vn = n - nn - 1;
	while (vn && is_ows(val[0])) {
		val++;
		vn--;
	}
	while (vn && is_ows(val[vn - 1]))
		vn--;
	if (case_eq(l, nn, sig_name, sizeof(sig_name) - 1)) {
		/* The unsigned variant has none; tolerate one rather than fail a client. */
		if (d->mode == S3_CHUNKED_UNSIGNED_TRAILER)
			return S3E_NONE;
		if (d->got_trailer_sig || vn != CR_SIGV4_SIG_HEX_LEN)
			return set_err(d, S3E_MalformedTrailerError, NULL);
		d->got_trailer_sig = true;
		return verify_trailer_sig(d, val);
	}
	if (d->trailer_alg == CR_CKSUM_NONE || d->got_checksum || d->got_trailer_sig ||
	    !case_eq(l, nn, d->trailer_name, d->trailer_name_len))
		return set_err(d, S3E_MalformedTrailerError, NULL);
	d->got_checksum = true;
	r = vn < sizeof(d->cksum_b64) ? cr_base64_decode(val, vn, d->cksum, sizeof(d->cksum))
	                              : CR_EINVAL;
	if (r < 0 || (size_t)r != cr_cksum_len(d->trailer_alg))
		return set_err(d, S3E_InvalidRequest,
		               "Value for %s trailing header is invalid.", d->trailer_name);
	d->cksum_len = (size_t)r;
	memcpy(d->cksum_b64, val, vn);
	d->cksum_b64[vn] = '\0';
	if (d->mode == S3_CHUNKED_SIGNED_TRAILER &&
	    (cr_hash_update(&d->hash, d->trailer_name, d->trailer_name_len) != CR_OK ||
	     cr_hash_update(&d->hash, ":", 1) != CR_OK || cr_hash_update(&d->hash, val, vn) != CR_OK ||
	     cr_hash_update(&d->hash, "\n", 1) != CR_OK))
		return set_err(d, S3E_InternalError, NULL);
	return S3E_NONE;
}

/* Accumulate a line; on its LF dispatch it. Returns bytes consumed. */
static size_t
take_line(struct s3_chunked *d, const char *p, size_t n)
{
	const char *lf = memchr(p, '\n', n);
	size_t run = lf ? (size_t)(lf - p) : n;
	bool trailer = d->state == ST_TRAILER;

	/* The check sits at a fixed byte (the one that would overflow), whatever the split. */
	if (run > S3_CHUNKED_LINE_MAX - d->line_len) {
		if (trailer)
			set_err(d, S3E_MalformedTrailerError, NULL);
		else
			set_err(d, S3E_IncompleteBody, "The aws-chunked chunk header is too long.");
		return n;
	}
	memcpy(d->line + d->line_len, p, run);
	d->line_len += run;
	if (!lf)
		return n;
	if (d->line_len == 0 || d->line[d->line_len - 1] != '\r') {
		if (trailer)
			set_err(d, S3E_MalformedTrailerError, NULL);
		else
			set_err(d, S3E_IncompleteBody, "The aws-chunked chunk header is malformed.");
		return run + 1;
	}
	d->line_len--;
	if (trailer)
		on_trailer(d, d->line, d->line_len);
	else
		on_header(d, d->line, d->line_len);
	d->line_len = 0;
	return run + 1;
}

/* ---- feeding -------------------------------------------------------------------------------- */

enum s3_code
s3_chunked_feed(struct s3_chunked *d, const void *ptr, size_t n)
{
	const char *p = ptr;
	enum s3_code c;
	size_t m;

	while (n && d->err == S3E_NONE) {
		switch (d->state) {
		case ST_HEADER:
		case ST_TRAILER:
			m = take_line(d, p, n);
			break;
		case ST_DATA:
			m = n < d->chunk_left ? n : (size_t)d->chunk_left;
			if (d->hash_ready && cr_hash_update(&d->hash, p, m) != CR_OK) {
				set_err(d, S3E_InternalError, NULL);
				break;
			}
			if (d->sink && (c = d->sink(d->sink_ctx, p, m)) != S3E_NONE) {
				set_err(d, c, NULL);
				break;
			}
			d->emitted += m;
			d->chunk_left -= m;
			if (d->chunk_left == 0) {
				d->state = ST_DATA_CR;
				if (d->mode != S3_CHUNKED_UNSIGNED_TRAILER)
					verify_chunk(d);
			}
			break;
		case ST_DATA_CR:
		case ST_DATA_LF:
			m = 1;
			if (p[0] != (d->state == ST_DATA_CR ? '\r' : '\n')) {
				set_err(d, S3E_IncompleteBody,
				        "The aws-chunked chunk data is not followed by CRLF.");
				break;
			}
			d->state = d->state == ST_DATA_CR ? ST_DATA_LF : ST_HEADER;
			break;
		case ST_DONE:
		default:
			m = n;
			set_err(d, S3E_IncompleteBody, "There is data after the end of the aws-chunked body.");
			break;
		}
		p += m;
		n -= m;
	}
	return d->err;
}

enum s3_code
s3_chunked_finish(struct s3_chunked *d)
{
	if (d->err == S3E_NONE && d->state != ST_DONE)
		set_err(d, S3E_IncompleteBody, MSG_TRUNCATED);
	return d->err;
}

/* ---- results -------------------------------------------------------------------------------- */

enum cr_cksum_alg
s3_chunked_trailer_alg(const struct s3_chunked *d)
{
	return d->trailer_alg;
}

const uint8_t *
s3_chunked_trailer_value(const struct s3_chunked *d, size_t *len)
{
	*len = d->got_checksum ? d->cksum_len : 0;
	return d->got_checksum ? d->cksum : NULL;
}

const char *
s3_chunked_trailer_b64(const struct s3_chunked *d)
{
	return d->got_checksum ? d->cksum_b64 : NULL;
}

enum s3_code
s3_chunked_check_trailer(struct s3_chunked *d, const uint8_t *computed, size_t n)
{
	if (d->err != S3E_NONE)
		return d->err;
	if (d->trailer_alg == CR_CKSUM_NONE)
		return S3E_NONE;
	if (!d->got_checksum || n != d->cksum_len || !cr_ct_equal(computed, d->cksum, n))
		return set_err(d, S3E_BadDigest,
		               "The %s you specified did not match the calculated checksum.",
		               cr_cksum_name(d->trailer_alg));
	return S3E_NONE;
}

uint64_t
s3_chunked_decoded_bytes(const struct s3_chunked *d)
{
	return d->emitted;
}

const char *
s3_chunked_message(const struct s3_chunked *d)
{
	return d->msg[0] ? d->msg : NULL;
}

size_t
s3_chunked_extras(const struct s3_chunked *d, const struct s3_error_extra **out)
{
	*out = d->extra;
	return d->nextra;
}
