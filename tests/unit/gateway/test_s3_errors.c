/* SPDX-License-Identifier: Apache-2.0 */
/* S3 error table and <Error> rendering; XML escaping of hostile text; bounded buffers. */
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "check.h"
#include "s3/errors.h"
#include "s3/xml.h"

int
main(void)
{
	struct buf b;
	struct s3_error_extra ex[] = { { "Key", "a<b>&\"'\x01z" } };

	/* table: status and code for the codes clients branch on */
	CHECK_INT_EQ(s3_error_def(S3E_NoSuchKey)->status, 404);
	CHECK_STR_EQ(s3_error_def(S3E_NoSuchKey)->code, "NoSuchKey");
	CHECK_INT_EQ(s3_error_def(S3E_AccessDenied)->status, 403);
	CHECK_INT_EQ(s3_error_def(S3E_MissingContentLength)->status, 411);
	CHECK_INT_EQ(s3_error_def(S3E_InvalidRange)->status, 416);
	CHECK_INT_EQ(s3_error_def(S3E_PreconditionFailed)->status, 412);
	CHECK_INT_EQ(s3_error_def(S3E_NotModified)->status, 304);
	CHECK_INT_EQ(s3_error_def(S3E_SlowDown)->status, 503);
	CHECK_INT_EQ(s3_error_def(S3E_BucketNotEmpty)->status, 409);
	CHECK_INT_EQ(s3_error_def(S3E_NotImplemented)->status, 501);
	CHECK_STR_EQ(s3_error_def((enum s3_code)9999)->code, "InternalError");
	CHECK_INT_EQ(s3_error_by_name("InvalidBucketState"), S3E_InvalidBucketState);
	CHECK_INT_EQ(s3_error_by_name("NoSuchThing"), S3E_NONE);
	/* every entry is filled: a missing row would give a NULL code */
	for (int i = 1; i < S3E_COUNT_; i++) {
		const struct s3_error_def *d = s3_error_def((enum s3_code)i);
		CHECK(d->code && d->code[0] && d->message && d->status >= 300 && d->status < 600);
		CHECK_INT_EQ(s3_error_by_name(d->code), i);
	}

	buf_init(&b, 4096);
	CHECK_INT_EQ(s3_error_xml(&b, S3E_NoSuchKey, NULL, "/b/k", ex, 1, "0123456789ABCDEF",
	                          "aG9zdA=="), GW_OK);
	CHECK_STR_EQ(b.ptr, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
	                    "<Code>NoSuchKey</Code>"
	                    "<Message>The specified key does not exist.</Message>"
	                    "<Key>a&lt;b&gt;&amp;&quot;&apos;z</Key>"
	                    "<Resource>/b/k</Resource><RequestId>0123456789ABCDEF</RequestId>"
	                    "<HostId>aG9zdA==</HostId></Error>");
	buf_reset(&b);
	CHECK_INT_EQ(s3_error_xml(&b, S3E_InvalidArgument, "custom", NULL, NULL, 0, "R", "H"),
	             GW_OK);
	CHECK(strstr(b.ptr, "<Message>custom</Message>") != NULL);
	CHECK(strstr(b.ptr, "<Resource>") == NULL);
	buf_release(&b);

	/* bounded buffer: a failed append leaves it unchanged */
	buf_init(&b, 8);
	CHECK_INT_EQ(buf_puts(&b, "12345678"), GW_OK);
	CHECK_INT_EQ(buf_puts(&b, "9"), GW_E2BIG);
	CHECK_INT_EQ(b.len, 8);
	CHECK_STR_EQ(b.ptr, "12345678");
	CHECK_INT_EQ(buf_printf(&b, "%d", 1), GW_E2BIG);
	CHECK_STR_EQ(b.ptr, "12345678");
	buf_reset(&b);
	CHECK_INT_EQ(buf_printf(&b, "%s-%d", "ab", 42), GW_OK);
	CHECK_STR_EQ(b.ptr, "ab-42");
	CHECK(slice_eq_cstr((struct slice){ b.ptr, 2 }, "ab"));
	CHECK(slice_case_eq_cstr((struct slice){ b.ptr, 2 }, "AB"));
	CHECK(!slice_eq_cstr((struct slice){ b.ptr, 2 }, "abc"));
	buf_release(&b);
	buf_release(NULL);

	/* xml_escape keeps tab/LF, references CR, drops other C0 controls */
	buf_init(&b, 64);
	CHECK_INT_EQ(xml_escape(&b, "a\tb\nc\rd\x02" "e", 9), GW_OK);
	CHECK_STR_EQ(b.ptr, "a\tb\nc&#13;de");
	buf_release(&b);
	return check_done("test_s3_errors");
}
