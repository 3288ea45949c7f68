/* SPDX-License-Identifier: Apache-2.0 */
/* GetObjectAttributes (spec §5.8): ETag, Checksum, ObjectParts, StorageClass, ObjectSize of
 * a version, without its body. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "httpdate.h"
#include "s3req.h"
#include "xml.h"

enum {
	ATTR_ETAG = 1 << 0,
	ATTR_CHECKSUM = 1 << 1,
	ATTR_PARTS = 1 << 2,
	ATTR_CLASS = 1 << 3,
	ATTR_SIZE = 1 << 4,
};

/* x-amz-object-attributes: a comma list of names; 0 (answered) when empty or unknown. */
static unsigned
attributes_param(struct s3_req *r)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "ETag", ATTR_ETAG }, { "Checksum", ATTR_CHECKSUM }, { "ObjectParts", ATTR_PARTS },
		{ "StorageClass", ATTR_CLASS }, { "ObjectSize", ATTR_SIZE },
	};
	const char *h = s3_hdr(r, "x-amz-object-attributes");
	unsigned want = 0;

	if (!h || !*h) {
		s3_reply_error(r, S3E_InvalidRequest,
		               "The x-amz-object-attributes header specifying the attributes to be "
		               "retrieved is either missing or empty");
		return 0;
	}
	for (const char *p = h; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		size_t n = (size_t)(p - s);
		while (n && s[n - 1] == ' ')
			n--;
		if (!n)
			continue;
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && strncmp(names[i].name, s, n) == 0)
				bit = names[i].bit;
		if (!bit) {
			struct s3_error_extra ex[] = { { "ArgumentName", "x-amz-object-attributes" } };
			s3_reply_error_x(r, S3E_InvalidArgument, "Invalid attribute name specified.", ex,
			                 1);
			return 0;
		}
		want |= bit;
	}
	if (!want)
		s3_reply_error(r, S3E_InvalidRequest, "The x-amz-object-attributes header specifying "
		               "the attributes to be retrieved is either missing or empty");
	return want;
}

static bool
uint_header(struct s3_req *r, const char *name, uint32_t dflt, uint32_t *out)
{
	const char *h = s3_hdr(r, name);
	uint64_t n = 0;

	*out = dflt;
	if (!h)
		return true;
	for (const char *p = h; *p; p++) {
		if (!isdigit((unsigned char)*p) || p - h >= 10) {
			struct s3_error_extra ex[] = { { "ArgumentName", name } };
			s3_reply_error_x(r, S3E_InvalidArgument, "Invalid value", ex, 1);
			return false;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return true;
}

void
s3_op_get_object_attributes(struct s3_req *r)
{
	const struct slice *vq = s3_query_get(&r->route, "versionId");
	char vid[OL_VERSION_ID_LEN + 1] = "", date[S3_HTTPDATE_LEN + 1];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 16], name[32] = "";
	struct ol_bucket b;
	struct ol_version v;
	struct ol_err err;
	struct buf doc;
	struct gw_header h[3];
	size_t nh = 0;
	uint32_t max_parts, marker;
	unsigned want;
	bool multipart;
	int rc;

	ol_version_init(&v);
	buf_init(&doc, 4u << 20);
	if (!s3_bucket_load(r, &b) || !(want = attributes_param(r)) ||
	    !uint_header(r, "x-amz-max-parts", 1000, &max_parts) ||
	    !uint_header(r, "x-amz-part-number-marker", 0, &marker))
		goto out;
	if (vq) {
		if (!ol_version_id_valid(vq->p, vq->n)) {
			s3_reply_error(r, S3E_InvalidArgument, "Invalid version id specified");
			goto out;
		}
		memcpy(vid, vq->p, vq->n);
		vid[vq->n] = '\0';
	}
	rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                    vid[0] ? vid : NULL, &v, &err);
	if (rc == OL_OK && v.is_delete_marker) {
		struct s3_error_extra ex = { "Key", r->route.key };
		s3_reply_error_x(r, vid[0] ? S3E_MethodNotAllowed : S3E_NoSuchKey, NULL, &ex, 1);
		goto out;
	}
	if (rc == OL_ENOTFOUND) {
		struct s3_error_extra ex[] = { { "Key", r->route.key }, { "VersionId", vid } };
		s3_reply_error_x(r, vid[0] ? S3E_NoSuchVersion : S3E_NoSuchKey, NULL, ex,
		                 vid[0] ? 2 : 1);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	multipart = v.etag && strchr(v.etag, '-') && v.loc.kind == OL_LOC_PARTS;
	if (v.cksum_alg != OL_CKSUM_NONE) /* part values are in the object's algorithm */
		snprintf(name, sizeof(name), "Checksum%s", cr_cksum_name(s3_cr_alg(v.cksum_alg)));
	buf_puts(&doc, "<GetObjectAttributesResponse xmlns=\"" S3_XMLNS "\">");
	if (want & ATTR_ETAG)
		xml_elem_str(&doc, "ETag", v.etag ? v.etag : ""); /* unquoted here (spec §5.8) */
	if ((want & ATTR_CHECKSUM) && v.cksum_alg != OL_CKSUM_NONE) {
		cr_base64_encode(v.cksum, v.cksum_len, b64, sizeof(b64));
		if (v.cksum_type == OL_CKSUM_COMPOSITE) {
			char num[16];
			snprintf(num, sizeof(num), "-%u", (unsigned)ol_version_parts_count(&v));
			strcat(b64, num);
		}
		buf_puts(&doc, "<Checksum>");
		xml_elem_str(&doc, name, b64);
		xml_elem_str(&doc, "ChecksumType",
		             v.cksum_type == OL_CKSUM_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
		buf_puts(&doc, "</Checksum>");
	}
	if ((want & ATTR_PARTS) && multipart) {
		uint32_t shown = 0, last = 0;
		bool truncated = false;
		buf_printf(&doc, "<ObjectParts><PartsCount>%u</PartsCount>"
		                 "<PartNumberMarker>%u</PartNumberMarker>",
		           (unsigned)v.loc.n_parts, (unsigned)marker);
		struct buf parts;
		buf_init(&parts, 4u << 20);
		for (uint32_t i = 0; i < v.loc.n_parts; i++) {
			const struct ol_loc_part *p = &v.loc.parts[i];
			if (p->part_number <= marker)
				continue;
			if (shown == max_parts) {
				truncated = true;
				break;
			}
			buf_printf(&parts, "<Part><PartNumber>%u</PartNumber><Size>%" PRIu64 "</Size>",
			           (unsigned)p->part_number, p->size_bytes);
			/* a COMPOSITE object lists its parts' checksums, as ListParts did (AWS);
			 * a FULL_OBJECT one has one value for the whole object only */
			if (v.cksum_type == OL_CKSUM_COMPOSITE && p->cksum_len) {
				cr_base64_encode(p->cksum, p->cksum_len, b64, sizeof(b64));
				xml_elem_str(&parts, name, b64);
			}
			buf_puts(&parts, "</Part>");
			last = p->part_number;
			shown++;
		}
		if (truncated)
			buf_printf(&doc, "<NextPartNumberMarker>%u</NextPartNumberMarker>", (unsigned)last);
		buf_printf(&doc, "<MaxParts>%u</MaxParts><IsTruncated>%s</IsTruncated>",
		           (unsigned)max_parts, truncated ? "true" : "false");
		if (parts.len)
			buf_append(&doc, parts.ptr, parts.len);
		buf_release(&parts);
		buf_puts(&doc, "</ObjectParts>");
	}
	if (want & ATTR_CLASS)
		buf_puts(&doc, "<StorageClass>STANDARD</StorageClass>");
	if (want & ATTR_SIZE)
		buf_printf(&doc, "<ObjectSize>%" PRIu64 "</ObjectSize>", v.size_bytes);
	buf_puts(&doc, "</GetObjectAttributesResponse>");
	s3_httpdate_format(v.created_ns, date);
	h[nh++] = (struct gw_header){ "Last-Modified", date };
	if (b.versioning != OL_VERSIONING_UNVERSIONED)
		h[nh++] = (struct gw_header){ "x-amz-version-id", v.version_id };
	s3_reply_xml_h(r, 200, &doc, h, nh);
out:
	buf_release(&doc);
	ol_version_release(&v);
}
