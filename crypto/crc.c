/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three CRCs S3 accepts in x-amz-checksum-*, and their O(log n) combination, which
 * multipart FULL_OBJECT checksums need. Each has a portable path and an x86-64 one picked
 * at run time from what the CPU reports:
 *   CRC-32       zlib            | PCLMULQDQ folding
 *   CRC-32C      slicing-by-8    | SSE4.2 crc32 instruction, three streams
 *   CRC-64/NVME  slicing-by-8    | PCLMULQDQ folding
 * S3 computes CRC-64/NVME for every object it stores, so these run on every byte uploaded.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_HAVE_X86 1
#include <nmmintrin.h>
#include <wmmintrin.h>
#else
#define CR_HAVE_X86 0
#endif

#include "crc_internal.h"
#include "crypto.h"

/*
 * Polynomials in reflected (LSB-first) form, as all three CRCs are defined: bit i of a
 * w-bit register holds the coefficient of x^(w-1-i), so the top bit is x^0.
 * CRC-64/NVME is 0xad93d23594c93659 bit-reversed.
 */
#define CR_POLY_CRC32 UINT64_C(0xedb88320)
#define CR_POLY_CRC32C UINT64_C(0x82f63b78)
#define CR_POLY_CRC64 UINT64_C(0x9a6c9329ac4bc9b5)
#define CR_TOP32 (UINT64_C(1) << 31)
#define CR_TOP64 (UINT64_C(1) << 63)

/* x^(2^k) mod P for k = 0..66: a length in bytes is < 2^64, so 8 * len needs k <= 66. */
#define CR_X2N_LEN 67

/*
 * Block sizes of the three-stream SSE4.2 loop. The crc32 instruction has a latency of 3
 * cycles and a throughput of 1, so one dependent chain runs at a third of the unit's
 * speed; three independent chains keep it busy. Streams are merged by multiplying by
 * x^(8 * block) through a table, which costs the same for any block size, so LONG is large
 * to amortise it and SHORT catches what is left (the layout of Mark Adler's crc32c.c).
 */
#define CR_C32C_LONG 8192
#define CR_C32C_SHORT 256

/* Below this the folding set-up and its 16-byte table tail cost more than they save. */
#define CR_CLMUL_MIN 64

/*
 * Folding constants for one polynomial: x^(8d+63) and x^(8d-1) mod P for fold distances
 * d = 16 and d = 64 bytes, as 64-bit reflected operands (see cr_clmul_fold).
 */
struct cr_clmul_k {
	uint64_t k16_lo, k16_hi, k64_lo, k64_hi;
};

static pthread_once_t cr_crc_once = PTHREAD_ONCE_INIT;
static uint32_t cr_c32c_tab[8][256];
static uint64_t cr_c64_tab[8][256];
static uint64_t cr_x2n_crc32[CR_X2N_LEN];
static uint64_t cr_x2n_crc32c[CR_X2N_LEN];
static uint64_t cr_x2n_crc64[CR_X2N_LEN];
static uint32_t cr_c32c_long_shift[4][256];
static uint32_t cr_c32c_short_shift[4][256];
static struct cr_clmul_k cr_k_crc32, cr_k_crc64;
static bool cr_sse42_ok, cr_clmul_ok;

/*
 * a * b mod P, both reflected (@top is x^0 of the register width). @a comes from the x^n
 * tables and so is never 0 in practice; the loop still ends if it is.
 */
static uint64_t
cr_gf2_mulmod(uint64_t a, uint64_t b, uint64_t poly, uint64_t top)
{
	uint64_t m, p = 0;

	for (m = top; m; m >>= 1) {
		if (a & m) {
			p ^= b;
			if (!(a & (m - 1)))
				break;
		}
		b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
	}
	return p;
}

static void
cr_x2n_fill(uint64_t *x2n, uint64_t poly, uint64_t top)
{
	int k;

	x2n[0] = top >> 1; /* x^1 */
	for (k = 1; k < CR_X2N_LEN; k++)
		x2n[k] = cr_gf2_mulmod(x2n[k - 1], x2n[k - 1], poly, top);
}

/* x^(e * 2^k) mod P by binary powers: at most 64 multiplications, whatever @e. Taking the
 * shift apart lets a byte count (e = len, k = 3) reach 2^64 - 1 without overflowing. */
static uint64_t
cr_xpow_modp(uint64_t e, int k, const uint64_t *x2n, uint64_t poly, uint64_t top)
{
	uint64_t p = top; /* x^0 */

	for (; e; e >>= 1, k++)
		if (e & 1)
			p = cr_gf2_mulmod(x2n[k], p, poly, top);
	return p;
}

static void
cr_shift_fill(uint32_t tab[4][256], uint64_t bytes)
{
	uint64_t xn = cr_xpow_modp(bytes, 3, cr_x2n_crc32c, CR_POLY_CRC32C, CR_TOP32);
	unsigned k, b;

	for (k = 0; k < 4; k++)
		for (b = 0; b < 256; b++)
			tab[k][b] = (uint32_t)cr_gf2_mulmod(xn, (uint64_t)b << (8 * k),
			                                    CR_POLY_CRC32C, CR_TOP32);
}

/* @width-bit register values become 64-bit operands by moving x^0 to bit 63. */
static void
cr_clmul_k_fill(struct cr_clmul_k *k, const uint64_t *x2n, uint64_t poly, uint64_t top,
                int width)
{
	int s = 64 - width;

	k->k16_lo = cr_xpow_modp(8 * 16 + 63, 0, x2n, poly, top) << s;
	k->k16_hi = cr_xpow_modp(8 * 16 - 1, 0, x2n, poly, top) << s;
	k->k64_lo = cr_xpow_modp(8 * 64 + 63, 0, x2n, poly, top) << s;
	k->k64_hi = cr_xpow_modp(8 * 64 - 1, 0, x2n, poly, top) << s;
}

static void
cr_crc_init(void)
{
	unsigned i, j, k;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;
		uint64_t d = i;

		for (j = 0; j < 8; j++) {
			c = (c & 1) ? (c >> 1) ^ (uint32_t)CR_POLY_CRC32C : c >> 1;
			d = (d & 1) ? (d >> 1) ^ CR_POLY_CRC64 : d >> 1;
		}
		cr_c32c_tab[0][i] = c;
		cr_c64_tab[0][i] = d;
	}
	/* tab[k][b]: byte b followed by k zero bytes, so eight bytes fold in one step. */
	for (k = 1; k < 8; k++) {
		for (i = 0; i < 256; i++) {
			uint32_t c = cr_c32c_tab[k - 1][i];
			uint64_t d = cr_c64_tab[k - 1][i];

			cr_c32c_tab[k][i] = (c >> 8) ^ cr_c32c_tab[0][c & 0xff];
			cr_c64_tab[k][i] = (d >> 8) ^ cr_c64_tab[0][d & 0xff];
		}
	}
	cr_x2n_fill(cr_x2n_crc32, CR_POLY_CRC32, CR_TOP32);
	cr_x2n_fill(cr_x2n_crc32c, CR_POLY_CRC32C, CR_TOP32);
	cr_x2n_fill(cr_x2n_crc64, CR_POLY_CRC64, CR_TOP64);
	cr_shift_fill(cr_c32c_long_shift, CR_C32C_LONG);
	cr_shift_fill(cr_c32c_short_shift, CR_C32C_SHORT);
	cr_clmul_k_fill(&cr_k_crc32, cr_x2n_crc32, CR_POLY_CRC32, CR_TOP32, 32);
	cr_clmul_k_fill(&cr_k_crc64, cr_x2n_crc64, CR_POLY_CRC64, CR_TOP64, 64);
#if CR_HAVE_X86
	__builtin_cpu_init();
	cr_sse42_ok = __builtin_cpu_supports("sse4.2");
	cr_clmul_ok = __builtin_cpu_supports("pclmul");
#endif
}

static inline void
cr_crc_ready(void)
{
	pthread_once(&cr_crc_once, cr_crc_init);
}

/* Eight input bytes as the little-endian word slicing-by-8 and crc32q expect. */
static inline uint64_t
cr_load_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

bool
cr_crc_hw_available(enum cr_crc_kind kind)
{
	cr_crc_ready();
	return kind == CR_CRC_KIND_CRC32C ? cr_sse42_ok : cr_clmul_ok;
}

/* ---- carry-less multiplication folding (CRC-32, CRC-64/NVME) -------------------------- */

#if CR_HAVE_X86
/*
 * Reduce the first @n bytes of a message (n >= 64, a multiple of 16) to 16 bytes with the
 * same CRC, for a register @reg of either width.
 *
 * Why it holds: the raw CRC of a message M is M(x) * x^w mod P, so any stretch of M can be
 * swapped for another polynomial congruent to it mod P, at the same place. Take a 16-byte
 * block A that sits d bytes before block B. A * x^(8d) + B is what they weigh together;
 * split A = Ahi * x^64 + Alo (Ahi = its first 8 bytes) and this is congruent to
 * Ahi * (x^(8d+64) mod P) + Alo * (x^(8d) mod P) + B, at most 127 bits: 16 bytes again.
 * With reflected bit order a 16-byte load holds x^127 in bit 0, and a carry-less product
 * of two reflected 64-bit operands comes out one bit short of that layout, so the
 * constants carry one power of x less: x^(8d+63) and x^(8d-1) (cr_clmul_k_fill).
 *
 * The register enters as the first bytes of the message (a reflected CRC XORs its
 * register into the bytes it is about to read), so the caller then runs the portable code
 * from a zero register over the 16 bytes returned and whatever was left.
 *
 * Four accumulators, 64 bytes apart, hide the multiplier's latency; they are folded into
 * one at the end with the 16-byte constants.
 */
__attribute__((target("pclmul"))) static void
cr_clmul_fold(const struct cr_clmul_k *k, uint64_t reg, const unsigned char *p, size_t n,
              unsigned char out[16])
{
	const __m128i k16 = _mm_set_epi64x((long long)k->k16_hi, (long long)k->k16_lo);
	const __m128i k64 = _mm_set_epi64x((long long)k->k64_hi, (long long)k->k64_lo);
	__m128i x0, x1, x2, x3;

#define CR_FOLD(x, kk, next)                                                              \
	_mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128((x), (kk), 0x00),                 \
	                            _mm_clmulepi64_si128((x), (kk), 0x11)),                \
	              (next))
#define CR_LOAD(q) _mm_loadu_si128((const __m128i *)(const void *)(q))

	x0 = _mm_xor_si128(CR_LOAD(p), _mm_cvtsi64_si128((long long)reg));
	x1 = CR_LOAD(p + 16);
	x2 = CR_LOAD(p + 32);
	x3 = CR_LOAD(p + 48);
	p += 64;
	n -= 64;
	while (n >= 64) {
		x0 = CR_FOLD(x0, k64, CR_LOAD(p));
		x1 = CR_FOLD(x1, k64, CR_LOAD(p + 16));
		x2 = CR_FOLD(x2, k64, CR_LOAD(p + 32));
		x3 = CR_FOLD(x3, k64, CR_LOAD(p + 48));
		p += 64;
		n -= 64;
	}
	x0 = CR_FOLD(x0, k16, x1);
	x0 = CR_FOLD(x0, k16, x2);
	x0 = CR_FOLD(x0, k16, x3);
	while (n >= 16) {
		x0 = CR_FOLD(x0, k16, CR_LOAD(p));
		p += 16;
		n -= 16;
	}
	_mm_storeu_si128((__m128i *)(void *)out, x0);
#undef CR_FOLD
#undef CR_LOAD
}
#endif

/* ---- CRC-32 ---------------------------------------------------------------------------- */

uint32_t
cr_crc32_sw(uint32_t crc, const void *p, size_t n)
{
	/* crc32_z(crc, NULL, 0) returns 0, not crc (zlib's "initial value" idiom), so an
	 * empty update must not reach it. */
	if (n == 0)
		return crc;
	return (uint32_t)crc32_z(crc, p, n);
}

uint32_t
cr_crc32_hw(uint32_t crc, const void *p, size_t n)
{
#if CR_HAVE_X86
	const unsigned char *q = p;
	unsigned char head[16];
	size_t bulk = n & ~(size_t)15;

	cr_crc_ready();
	if (cr_clmul_ok && n >= CR_CLMUL_MIN) {
		/* zlib's convention is the inverted register; folding works on the raw one,
		 * and the 16 folded bytes continue from a zero raw register (~0 inverted). */
		cr_clmul_fold(&cr_k_crc32, (uint32_t)~crc, q, bulk, head);
		crc = (uint32_t)crc32_z(0xffffffffu, head, sizeof(head));
		return cr_crc32_sw(crc, q + bulk, n - bulk);
	}
#endif
	return cr_crc32_sw(crc, p, n);
}

uint32_t
cr_crc32(uint32_t crc, const void *p, size_t n)
{
	return cr_crc32_hw(crc, p, n);
}

uint32_t
cr_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2)
{
	/* Not zlib's crc32_combine: it takes a signed z_off_t and never returns for a length
	 * past 2^63; ours takes the whole uint64_t range. */
	cr_crc_ready();
	return (uint32_t)(cr_gf2_mulmod(cr_xpow_modp(len2, 3, cr_x2n_crc32, CR_POLY_CRC32,
	                                             CR_TOP32),
	                                crc1, CR_POLY_CRC32, CR_TOP32) ^ crc2);
}

/* ---- CRC-32C --------------------------------------------------------------------------- */

/* Raw register in, raw register out (no pre/post inversion). */
static uint32_t
cr_crc32c_sw_raw(uint32_t crc, const unsigned char *p, size_t n)
{
	while (n && ((uintptr_t)p & 7)) {
		crc = cr_c32c_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		n--;
	}
	while (n >= 8) {
		uint64_t v = cr_load_le64(p) ^ crc;

		crc = cr_c32c_tab[7][v & 0xff] ^ cr_c32c_tab[6][(v >> 8) & 0xff] ^
		      cr_c32c_tab[5][(v >> 16) & 0xff] ^ cr_c32c_tab[4][(v >> 24) & 0xff] ^
		      cr_c32c_tab[3][(v >> 32) & 0xff] ^ cr_c32c_tab[2][(v >> 40) & 0xff] ^
		      cr_c32c_tab[1][(v >> 48) & 0xff] ^ cr_c32c_tab[0][v >> 56];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = cr_c32c_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if CR_HAVE_X86
/* Appending @len zero bytes to a raw register = multiplying by x^(8 len): by bytes. */
static inline uint32_t
cr_c32c_shift(uint32_t tab[4][256], uint32_t crc)
{
	return tab[0][crc & 0xff] ^ tab[1][(crc >> 8) & 0xff] ^ tab[2][(crc >> 16) & 0xff] ^
	       tab[3][crc >> 24];
}

__attribute__((target("sse4.2"))) static uint32_t
cr_crc32c_hw_raw(uint32_t crc, const unsigned char *p, size_t n)
{
	uint64_t c0 = crc, c1, c2;
	const unsigned char *end;

	/* Aligned 8-byte loads never straddle a cache line. */
	while (n && ((uintptr_t)p & 7)) {
		c0 = _mm_crc32_u8((uint32_t)c0, *p++);
		n--;
	}
	/*
	 * Three blocks at once; streams 1 and 2 start from a zero register, and since the
	 * CRC register is linear, crc(A||B) = crc(A) * x^(8|B|) + crc0(B).
	 */
	while (n >= 3 * CR_C32C_LONG) {
		c1 = c2 = 0;
		end = p + CR_C32C_LONG;
		do {
			c0 = _mm_crc32_u64(c0, cr_load_le64(p));
			c1 = _mm_crc32_u64(c1, cr_load_le64(p + CR_C32C_LONG));
			c2 = _mm_crc32_u64(c2, cr_load_le64(p + 2 * CR_C32C_LONG));
			p += 8;
		} while (p < end);
		c0 = cr_c32c_shift(cr_c32c_long_shift, (uint32_t)c0) ^ c1;
		c0 = cr_c32c_shift(cr_c32c_long_shift, (uint32_t)c0) ^ c2;
		p += 2 * CR_C32C_LONG;
		n -= 3 * CR_C32C_LONG;
	}
	while (n >= 3 * CR_C32C_SHORT) {
		c1 = c2 = 0;
		end = p + CR_C32C_SHORT;
		do {
			c0 = _mm_crc32_u64(c0, cr_load_le64(p));
			c1 = _mm_crc32_u64(c1, cr_load_le64(p + CR_C32C_SHORT));
			c2 = _mm_crc32_u64(c2, cr_load_le64(p + 2 * CR_C32C_SHORT));
			p += 8;
		} while (p < end);
		c0 = cr_c32c_shift(cr_c32c_short_shift, (uint32_t)c0) ^ c1;
		c0 = cr_c32c_shift(cr_c32c_short_shift, (uint32_t)c0) ^ c2;
		p += 2 * CR_C32C_SHORT;
		n -= 3 * CR_C32C_SHORT;
	}
	while (n >= 8) {
		c0 = _mm_crc32_u64(c0, cr_load_le64(p));
		p += 8;
		n -= 8;
	}
	while (n--)
		c0 = _mm_crc32_u8((uint32_t)c0, *p++);
	return (uint32_t)c0;
}
#endif

uint32_t
cr_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
	cr_crc_ready();
	return ~cr_crc32c_sw_raw(~crc, p, n);
}

uint32_t
cr_crc32c_hw(uint32_t crc, const void *p, size_t n)
{
	cr_crc_ready();
#if CR_HAVE_X86
	if (cr_sse42_ok)
		return ~cr_crc32c_hw_raw(~crc, p, n);
#endif
	return ~cr_crc32c_sw_raw(~crc, p, n);
}

uint32_t
cr_crc32c(uint32_t crc, const void *p, size_t n)
{
	return cr_crc32c_hw(crc, p, n);
}

uint32_t
cr_crc32c_combine(uint32_t crc1, uint32_t crc2, uint64_t len2)
{
	cr_crc_ready();
	return (uint32_t)(cr_gf2_mulmod(cr_xpow_modp(len2, 3, cr_x2n_crc32c, CR_POLY_CRC32C,
	                                             CR_TOP32),
	                                crc1, CR_POLY_CRC32C, CR_TOP32) ^ crc2);
}

/* ---- CRC-64/NVME ----------------------------------------------------------------------- */

static uint64_t
cr_crc64_sw_raw(uint64_t crc, const unsigned char *p, size_t n)
{
	while (n && ((uintptr_t)p & 7)) {
		crc = cr_c64_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		n--;
	}
	while (n >= 8) {
		uint64_t v = cr_load_le64(p) ^ crc;

		crc = cr_c64_tab[7][v & 0xff] ^ cr_c64_tab[6][(v >> 8) & 0xff] ^
		      cr_c64_tab[5][(v >> 16) & 0xff] ^ cr_c64_tab[4][(v >> 24) & 0xff] ^
		      cr_c64_tab[3][(v >> 32) & 0xff] ^ cr_c64_tab[2][(v >> 40) & 0xff] ^
		      cr_c64_tab[1][(v >> 48) & 0xff] ^ cr_c64_tab[0][v >> 56];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = cr_c64_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint64_t
cr_crc64nvme_sw(uint64_t crc, const void *p, size_t n)
{
	cr_crc_ready();
	return ~cr_crc64_sw_raw(~crc, p, n);
}

uint64_t
cr_crc64nvme_hw(uint64_t crc, const void *p, size_t n)
{
	const unsigned char *q = p;
	uint64_t raw = ~crc;

	cr_crc_ready();
#if CR_HAVE_X86
	if (cr_clmul_ok && n >= CR_CLMUL_MIN) {
		unsigned char head[16];
		size_t bulk = n & ~(size_t)15;

		cr_clmul_fold(&cr_k_crc64, raw, q, bulk, head);
		raw = cr_crc64_sw_raw(0, head, sizeof(head));
		q += bulk;
		n -= bulk;
	}
#endif
	return ~cr_crc64_sw_raw(raw, q, n);
}

uint64_t
cr_crc64nvme(uint64_t crc, const void *p, size_t n)
{
	return cr_crc64nvme_hw(crc, p, n);
}

uint64_t
cr_crc64nvme_combine(uint64_t crc1, uint64_t crc2, uint64_t len2)
{
	cr_crc_ready();
	return cr_gf2_mulmod(cr_xpow_modp(len2, 3, cr_x2n_crc64, CR_POLY_CRC64, CR_TOP64), crc1,
	                     CR_POLY_CRC64, CR_TOP64) ^
	       crc2;
}
