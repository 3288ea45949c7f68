/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Range request header of GetObject/HeadObject (spec/S3.md §5.2, RFC 9110 §14) and
 * x-amz-copy-source-range of UploadPartCopy (§7.3), evaluated against an object size, and
 * the Content-Range value of the answer. Pure and thread-safe; inputs are (ptr, len).
 */
#ifndef HOLDFAST_S3_RANGE_H
#define HOLDFAST_S3_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* An inclusive byte span [start, start + length - 1]; length >= 1 when set. */
struct s3_range {
	uint64_t start;
	uint64_t length;
};

enum s3_range_rc {
	S3_RANGE_WHOLE = 0,          /* no Range, or one to ignore: 200 with the whole object */
	S3_RANGE_PARTIAL = 1,        /* 206 with @out's bytes and Content-Range */
	S3_RANGE_UNSATISFIABLE = -1, /* 416 InvalidRange; Content-Range "bytes *" "/size" */
};

/**
 * Evaluate the Range header (p, n) against an object of @size bytes, as AWS does:
 *  - "bytes=a-b" (leading zeros fine), "bytes=a-" and "bytes=-n" are the only forms; the
 *    unit is matched case-insensitively (RFC 9110 §14.1); no whitespace anywhere;
 *  - a last-byte beyond the end is clamped; a suffix longer than the object is the whole
 *    object (still 206);
 *  - first-byte >= size, or "bytes=-0", or any valid range of a 0-byte object ->
 *    S3_RANGE_UNSATISFIABLE;
 *  - anything else — a multi-range set ("bytes=0-0,1-2"), last < first, another unit,
 *    junk, p == NULL — is ignored: S3_RANGE_WHOLE.
 * Numbers of any length are accepted: digits are accumulated with an overflow check and
 * a value past UINT64_MAX means "larger than any object" (clamped last, unsatisfiable
 * first, whole-object suffix). @out is written only for S3_RANGE_PARTIAL, and then
 * start + length <= size.
 */
enum s3_range_rc s3_range_parse(const char *p, size_t n, uint64_t size, struct s3_range *out);

/* Longest Content-Range value plus its NUL: "bytes " + 3 * 20 digits + "-/" + NUL. */
#define S3_CONTENT_RANGE_MAX 69

/**
 * Write the Content-Range value into @dst (@cap bytes): "bytes a-b/size" for @r, or, when
 * @r is NULL (the 416 answer), "bytes *" followed by "/size". Returns the length
 * written (NUL not counted), or -1 if @cap is too small or @r is empty or outside @size.
 */
int s3_content_range(char *dst, size_t cap, const struct s3_range *r, uint64_t size);

enum s3_copy_range_rc {
	S3_COPY_RANGE_OK = 0,
	S3_COPY_RANGE_MALFORMED = -1, /* not "bytes=first-last" with first <= last */
	S3_COPY_RANGE_OUTSIDE = -2,   /* last >= size: "Range specified is not valid for
	                               * source object of size: S" */
};

/**
 * x-amz-copy-source-range (spec §7.3): exactly "bytes=first-last", inclusive, both
 * present, first <= last, last < @size. Both failures are 400 InvalidArgument with
 * different messages. @out is written only on S3_COPY_RANGE_OK.
 */
enum s3_copy_range_rc s3_copy_range_parse(const char *p, size_t n, uint64_t size,
                                          struct s3_range *out);

#endif
