/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the Range and x-amz-copy-source-range parsers: byte 0 is a shift and bytes 1..8 a
 * little-endian object size (shifted right, so small sizes are common); the rest is the
 * header. Whatever the input, a returned span lies inside the object and its
 * Content-Range formats; a refused input leaves the output untouched. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "s3/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(const struct s3_range *r, uint64_t osize)
{
	char cr[S3_CONTENT_RANGE_MAX];

	assert(r->length >= 1);
	assert(r->start < osize);
	assert(r->length <= osize - r->start);
	assert(s3_content_range(cr, sizeof(cr), r, osize) > 0);
	assert(strncmp(cr, "bytes ", 6) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct s3_range poison = { 0xdeadbeef, 0xfeedface };
	struct s3_range r = poison;
	char cr[S3_CONTENT_RANGE_MAX];
	uint64_t osize = 0;
	const char *hdr;
	size_t n;

	if (size < 9)
		return 0;
	for (int i = 8; i >= 1; i--)
		osize = osize << 8 | data[i];
	osize >>= data[0] & 63;
	hdr = (const char *)data + 9;
	n = size - 9;

	switch (s3_range_parse(hdr, n, osize, &r)) {
	case S3_RANGE_PARTIAL:
		check_span(&r, osize);
		break;
	case S3_RANGE_UNSATISFIABLE:
		assert(memcmp(&r, &poison, sizeof(r)) == 0);
		assert(s3_content_range(cr, sizeof(cr), NULL, osize) > 0);
		break;
	case S3_RANGE_WHOLE:
		assert(memcmp(&r, &poison, sizeof(r)) == 0);
		break;
	default:
		assert(0);
	}

	r = poison;
	if (s3_copy_range_parse(hdr, n, osize, &r) == S3_COPY_RANGE_OK)
		check_span(&r, osize);
	else
		assert(memcmp(&r, &poison, sizeof(r)) == 0);
	return 0;
}
