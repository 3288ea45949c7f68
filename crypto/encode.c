/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (RFC 4648 section 4, strict) and lower-case hex, for checksum headers and SigV4. */

#include <limits.h>
#include <stdint.h>

#include "crypto.h"

static const char cr_b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char cr_hex_digits[] = "0123456789abcdef";

/* Explicit ranges rather than a 256-entry table: inputs are short (a checksum, a key)
 * and this is plainly right by inspection. */
static int
cr_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
cr_base64_encode(const void *p, size_t n, char *out, size_t cap)
{
	const unsigned char *s = p;
	size_t i, o = 0;
	uint32_t v;

	/* The length we return is an int; refuse what it cannot count rather than wrap. */
	if (n > (size_t)(INT_MAX - 1) / 4 * 3 || cap < CR_BASE64_LEN(n))
		return CR_EINVAL;
	for (i = 0; n - i >= 3; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		out[o++] = cr_b64_alphabet[v >> 18];
		out[o++] = cr_b64_alphabet[(v >> 12) & 63];
		out[o++] = cr_b64_alphabet[(v >> 6) & 63];
		out[o++] = cr_b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)s[i] << 16;
		out[o++] = cr_b64_alphabet[v >> 18];
		out[o++] = cr_b64_alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		out[o++] = cr_b64_alphabet[v >> 18];
		out[o++] = cr_b64_alphabet[(v >> 12) & 63];
		out[o++] = cr_b64_alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return (int)o;
}

int
cr_base64_decode(const char *p, size_t n, uint8_t *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i, len, body, o = 0;
	unsigned pad = 0;
	uint32_t v;

	if (n % 4)
		return CR_EINVAL;
	if (n == 0)
		return 0;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	len = n / 4 * 3 - pad;
	if (len > INT_MAX || cap < len)
		return CR_EINVAL;
	/* Check every character before writing one byte: @out stays untouched on failure.
	 * A '=' anywhere but the last one or two places fails here. */
	body = n - pad;
	for (i = 0; i < body; i++)
		if (cr_b64_value(s[i]) < 0)
			return CR_EINVAL;
	/*
	 * The bits under the padding must be zero (RFC 4648 section 3.5). Otherwise four
	 * different strings decode to the same digest, and a checksum header could be
	 * spelled in ways that every SDK would reject when it reads the value back.
	 */
	if ((pad == 1 && (cr_b64_value(s[n - 2]) & 3)) ||
	    (pad == 2 && (cr_b64_value(s[n - 3]) & 15)))
		return CR_EINVAL;

	for (i = 0; body - i >= 4; i += 4) {
		v = (uint32_t)cr_b64_value(s[i]) << 18 | (uint32_t)cr_b64_value(s[i + 1]) << 12 |
		    (uint32_t)cr_b64_value(s[i + 2]) << 6 | (uint32_t)cr_b64_value(s[i + 3]);
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	if (pad == 2) {
		v = (uint32_t)cr_b64_value(s[i]) << 18 | (uint32_t)cr_b64_value(s[i + 1]) << 12;
		out[o++] = (uint8_t)(v >> 16);
	} else if (pad == 1) {
		v = (uint32_t)cr_b64_value(s[i]) << 18 | (uint32_t)cr_b64_value(s[i + 1]) << 12 |
		    (uint32_t)cr_b64_value(s[i + 2]) << 6;
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
	}
	return (int)o;
}

void
cr_hex_encode(const void *p, size_t n, char *out)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = cr_hex_digits[s[i] >> 4];
		out[2 * i + 1] = cr_hex_digits[s[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
cr_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cr_hex_decode(const char *p, size_t n, uint8_t *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i;

	if (n % 2 || cap < n / 2)
		return CR_EINVAL;
	/* Validate first so @out is untouched on failure. */
	for (i = 0; i < n; i++)
		if (cr_hex_value(s[i]) < 0)
			return CR_EINVAL;
	for (i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(cr_hex_value(s[2 * i]) << 4 | cr_hex_value(s[2 * i + 1]));
	return CR_OK;
}
