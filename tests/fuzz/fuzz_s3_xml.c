/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the request-body XML parsers: byte 0 picks the parser, the rest is the body. Any
 * input is parsed or refused, never crashes; a parsed result satisfies its documented
 * bounds and its release frees everything (ASan's leak check); no libxml2 output. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "s3/xmlparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(struct slice s)
{
	assert(s.p);
	assert(strlen(s.p) == s.n); /* NUL-terminated, no NUL inside */
}

static void
check_opt(struct slice s)
{
	if (s.p)
		check_str(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t max = 1u << 20;
	struct s3_xml_err err;
	const char *p;
	size_t n;
	enum s3_code rc;

	if (size < 1)
		return 0;
	p = (const char *)data + 1;
	n = size - 1;
	switch (data[0] % 9) {
	case 0: {
		struct s3_create_bucket_conf c;
		if ((rc = s3_xml_parse_create_bucket(p, n, max, &c, &err)) == S3E_NONE) {
			check_str(c.location);
			s3_create_bucket_conf_release(&c);
		}
		break;
	}
	case 1: {
		struct s3_delete_req d;
		if ((rc = s3_xml_parse_delete(p, n, max, &d, &err)) == S3E_NONE) {
			assert(d.n >= 1 && d.n <= S3_DELETE_MAX_OBJECTS);
			for (size_t i = 0; i < d.n; i++) {
				check_str(d.objects[i].key);
				if (d.objects[i].has_version_id)
					check_str(d.objects[i].version_id);
			}
			s3_delete_req_release(&d);
		}
		break;
	}
	case 2: {
		struct s3_versioning_conf v;
		if ((rc = s3_xml_parse_versioning(p, n, max, &v, &err)) == S3E_NONE)
			assert(v.mfa_delete != S3_MFA_DELETE_ENABLED);
		break;
	}
	case 3: {
		struct s3_object_lock_conf c;
		if ((rc = s3_xml_parse_object_lock(p, n, max, &c, &err)) == S3E_NONE && c.has_rule) {
			assert(c.mode == S3_LOCK_GOVERNANCE || c.mode == S3_LOCK_COMPLIANCE);
			assert((c.days >= 1 && c.days <= 36500 && c.years == 0) ||
			       (c.years >= 1 && c.years <= 100 && c.days == 0));
		}
		if (rc == S3E_InvalidArgument)
			assert(err.message && err.arg_name);
		break;
	}
	case 4: {
		struct s3_retention r;
		if ((rc = s3_xml_parse_retention(p, n, max, &r, &err)) == S3E_NONE && r.mode == S3_LOCK_NONE)
			assert(r.retain_until_ns == 0);
		break;
	}
	case 5: {
		struct s3_legal_hold h;
		rc = s3_xml_parse_legal_hold(p, n, max, &h, &err);
		break;
	}
	case 6: {
		struct s3_complete_req c;
		if ((rc = s3_xml_parse_complete(p, n, max, &c, &err)) == S3E_NONE) {
			assert(c.n >= 1 && c.n <= S3_COMPLETE_MAX_PARTS);
			for (size_t i = 0; i < c.n; i++) {
				assert(c.parts[i].part_number >= 1);
				assert(i == 0 || c.parts[i].part_number > c.parts[i - 1].part_number);
				check_str(c.parts[i].etag);
				check_opt(c.parts[i].crc32);
				check_opt(c.parts[i].crc32c);
				check_opt(c.parts[i].crc64nvme);
				check_opt(c.parts[i].sha1);
				check_opt(c.parts[i].sha256);
			}
			s3_complete_req_release(&c);
		}
		break;
	}
	default: {
		struct s3_tagging t;
		size_t lim = data[0] % 9 == 7 ? S3_OBJECT_TAGS_MAX : S3_BUCKET_TAGS_MAX;
		if ((rc = s3_xml_parse_tagging(p, n, max, lim, &t, &err)) == S3E_NONE) {
			assert(t.n <= lim);
			for (size_t i = 0; i < t.n; i++) {
				check_str(t.tags[i].key);
				check_str(t.tags[i].value);
				assert(t.tags[i].key.n >= 1);
			}
			s3_tagging_release(&t);
		}
		break;
	}
	}
	/* only the documented codes */
	assert(rc == S3E_NONE || rc == S3E_MalformedXML || rc == S3E_InvalidArgument ||
	       rc == S3E_InvalidPartOrder || rc == S3E_InvalidTag || rc == S3E_NotImplemented ||
	       rc == S3E_InternalError);
	return 0;
}
