/* SPDX-License-Identifier: Apache-2.0 */
/* Request routing (spec/S3.md §1): every row of the §1.2 dispatch tables and every rule,
 * path and virtual-host addressing, key and query decoding, limits, bucket names. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "s3/router.h"

/* malloc or die: a test without memory cannot say anything useful */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

#define CP S3_ROUTE_COPY_SOURCE
#define FORM S3_ROUTE_FORM_POST
#define BASE "s3.example.lan"

struct rcase {
	const char *method;
	const char *target;
	const char *host;
	unsigned flags;
	enum s3_code rc;
	enum s3_op op;
	const char *bucket; /* NULL = do not check */
	const char *key;    /* NULL = do not check */
};

static const struct rcase cases[] = {
	/* ---- service ---- */
	{ "GET", "/", NULL, 0, S3E_NONE, S3OP_ListBuckets, "", "" },
	{ "GET", "/?x-id=ListBuckets", NULL, 0, S3E_NONE, S3OP_ListBuckets, "", "" },
	{ "GET", "/?versioning", NULL, 0, S3E_NONE, S3OP_ListBuckets, "", "" },
	{ "PUT", "/", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "", "" },
	{ "POST", "/", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "", "" },
	{ "HEAD", "/", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "", "" },
	{ "DELETE", "/", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "", "" },
	{ "GET", "/", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "", "" },

	/* ---- bucket PUT ---- */
	{ "PUT", "/b", NULL, 0, S3E_NONE, S3OP_CreateBucket, "b", "" },
	{ "PUT", "/b/", NULL, 0, S3E_NONE, S3OP_CreateBucket, "b", "" },
	{ "PUT", "/b?versioning", NULL, 0, S3E_NONE, S3OP_PutBucketVersioning, "b", "" },
	{ "PUT", "/b/?versioning=", NULL, 0, S3E_NONE, S3OP_PutBucketVersioning, "b", "" },
	{ "PUT", "/b?object-lock", NULL, 0, S3E_NONE, S3OP_PutObjectLockConfiguration, "b", "" },
	{ "PUT", "/b?tagging", NULL, 0, S3E_NONE, S3OP_PutBucketTagging, "b", "" },
	{ "PUT", "/b?policy", NULL, 0, S3E_NONE, S3OP_PutBucketPolicy, "b", "" },
	{ "PUT", "/b?acl", NULL, 0, S3E_NONE, S3OP_PutBucketAcl, "b", "" },
	{ "PUT", "/b?lifecycle", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?cors", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?encryption", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?replication", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?ownershipControls", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?publicAccessBlock", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?website", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?logging", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?notification", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?accelerate", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?requestPayment", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?analytics&id=x", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?inventory&id=x", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?metrics&id=x", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?intelligent-tiering&id=x", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "PUT", "/b?x-id=CreateBucket", NULL, 0, S3E_NONE, S3OP_CreateBucket, "b", "" },
	{ "PUT", "/b", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "" },

	/* ---- bucket GET ---- */
	{ "GET", "/b", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b/", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?prefix=a&delimiter=%2F&max-keys=10&marker=m", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?list-type=2", NULL, 0, S3E_NONE, S3OP_ListObjectsV2, "b", "" },
	{ "GET", "/b/?list-type=2&prefix=&delimiter=&fetch-owner=true&encoding-type=url", NULL, 0, S3E_NONE, S3OP_ListObjectsV2, "b", "" },
	{ "GET", "/b?list-type=1", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?versions", NULL, 0, S3E_NONE, S3OP_ListObjectVersions, "b", "" },
	{ "GET", "/b?versions&key-marker=k&version-id-marker=v", NULL, 0, S3E_NONE, S3OP_ListObjectVersions, "b", "" },
	{ "GET", "/b?uploads", NULL, 0, S3E_NONE, S3OP_ListMultipartUploads, "b", "" },
	{ "GET", "/b/?uploads=", NULL, 0, S3E_NONE, S3OP_ListMultipartUploads, "b", "" },
	{ "GET", "/b?location", NULL, 0, S3E_NONE, S3OP_GetBucketLocation, "b", "" },
	{ "GET", "/b/?location=", NULL, 0, S3E_NONE, S3OP_GetBucketLocation, "b", "" },
	{ "GET", "/b?versioning", NULL, 0, S3E_NONE, S3OP_GetBucketVersioning, "b", "" },
	{ "GET", "/b?object-lock", NULL, 0, S3E_NONE, S3OP_GetObjectLockConfiguration, "b", "" },
	{ "GET", "/b?object-lock=", NULL, 0, S3E_NONE, S3OP_GetObjectLockConfiguration, "b", "" },
	{ "GET", "/b?tagging", NULL, 0, S3E_NONE, S3OP_GetBucketTagging, "b", "" },
	{ "GET", "/b?policy", NULL, 0, S3E_NONE, S3OP_GetBucketPolicy, "b", "" },
	{ "GET", "/b?acl", NULL, 0, S3E_NONE, S3OP_GetBucketAcl, "b", "" },
	{ "GET", "/b?policyStatus", NULL, 0, S3E_NONE, S3OP_GetBucketPolicyStatus, "b", "" },
	{ "GET", "/b?lifecycle", NULL, 0, S3E_NONE, S3OP_GetBucketLifecycle, "b", "" },
	{ "GET", "/b?cors", NULL, 0, S3E_NONE, S3OP_GetBucketCors, "b", "" },
	{ "GET", "/b?encryption", NULL, 0, S3E_NONE, S3OP_GetBucketEncryption, "b", "" },
	{ "GET", "/b?website", NULL, 0, S3E_NONE, S3OP_GetBucketWebsite, "b", "" },
	{ "GET", "/b?replication", NULL, 0, S3E_NONE, S3OP_GetBucketReplication, "b", "" },
	{ "GET", "/b?requestPayment", NULL, 0, S3E_NONE, S3OP_GetBucketRequestPayment, "b", "" },
	/* any other subresource: 501, never ListObjects (kopia#913) */
	{ "GET", "/b?logging", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?notification", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?accelerate", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?analytics", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?inventory", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?metrics", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?intelligent-tiering", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?ownershipControls", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?publicAccessBlock", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?torrent", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?metadataTable", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?retention", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "GET", "/b?list-type=2&logging", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	/* ordinary parameters never change dispatch */
	{ "GET", "/b?foo=bar", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?x-id=ListObjects", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?Versioning", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?versionId=v", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/b?versioning", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "" },
	{ "GET", "/b?logging", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "" },

	/* ---- bucket HEAD / DELETE / POST ---- */
	{ "HEAD", "/b", NULL, 0, S3E_NONE, S3OP_HeadBucket, "b", "" },
	{ "HEAD", "/b/", NULL, 0, S3E_NONE, S3OP_HeadBucket, "b", "" },
	{ "HEAD", "/b", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "" },
	{ "DELETE", "/b", NULL, 0, S3E_NONE, S3OP_DeleteBucket, "b", "" },
	{ "DELETE", "/b/", NULL, 0, S3E_NONE, S3OP_DeleteBucket, "b", "" },
	{ "DELETE", "/b?tagging", NULL, 0, S3E_NONE, S3OP_DeleteBucketTagging, "b", "" },
	{ "DELETE", "/b?policy", NULL, 0, S3E_NONE, S3OP_DeleteBucketPolicy, "b", "" },
	{ "DELETE", "/b?lifecycle", NULL, 0, S3E_NONE, S3OP_DeleteBucketLifecycle, "b", "" },
	{ "DELETE", "/b?cors", NULL, 0, S3E_NONE, S3OP_DeleteBucketCors, "b", "" },
	{ "DELETE", "/b?encryption", NULL, 0, S3E_NONE, S3OP_DeleteBucketEncryption, "b", "" },
	{ "DELETE", "/b?website", NULL, 0, S3E_NONE, S3OP_DeleteBucketWebsite, "b", "" },
	{ "DELETE", "/b?replication", NULL, 0, S3E_NONE, S3OP_DeleteBucketReplication, "b", "" },
	/* a subresource DELETE we do not serve must never delete the bucket */
	{ "DELETE", "/b?ownershipControls", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "DELETE", "/b?publicAccessBlock", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "DELETE", "/b?object-lock", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "DELETE", "/b?versioning", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "DELETE", "/b", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "" },
	{ "POST", "/b?delete", NULL, 0, S3E_NONE, S3OP_DeleteObjects, "b", "" },
	{ "POST", "/b/?delete=", NULL, 0, S3E_NONE, S3OP_DeleteObjects, "b", "" },
	{ "POST", "/b?delete", NULL, FORM, S3E_NONE, S3OP_DeleteObjects, "b", "" },
	{ "POST", "/b", NULL, FORM, S3E_NONE, S3OP_PostObject, "b", "" },
	{ "POST", "/b/", NULL, FORM, S3E_NONE, S3OP_PostObject, "b", "" },
	{ "POST", "/b", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "" },
	{ "POST", "/b?uploads", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "" },
	{ "POST", "/b?delete", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "" },
	{ "OPTIONS", "/b", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "" },
	{ "PATCH", "/b?versioning", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "" },
	{ "get", "/b", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "" },
	{ NULL, "/b", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "" },

	/* ---- object PUT ---- */
	{ "PUT", "/b/k", NULL, 0, S3E_NONE, S3OP_PutObject, "b", "k" },
	{ "PUT", "/b/k?x-id=PutObject", NULL, 0, S3E_NONE, S3OP_PutObject, "b", "k" },
	{ "PUT", "/b/k", NULL, CP, S3E_NONE, S3OP_CopyObject, "b", "k" },
	{ "PUT", "/b/k?partNumber=1&uploadId=u", NULL, 0, S3E_NONE, S3OP_UploadPart, "b", "k" },
	{ "PUT", "/b/k?uploadId=u&partNumber=1", NULL, CP, S3E_NONE, S3OP_UploadPartCopy, "b", "k" },
	{ "PUT", "/b/k?partNumber=1", NULL, 0, S3E_NONE, S3OP_InvalidArgument, "b", "k" },
	{ "PUT", "/b/k?uploadId=u", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "k" },
	{ "PUT", "/b/k?retention", NULL, 0, S3E_NONE, S3OP_PutObjectRetention, "b", "k" },
	{ "PUT", "/b/k?retention&versionId=v", NULL, 0, S3E_NONE, S3OP_PutObjectRetention, "b", "k" },
	{ "PUT", "/b/k?legal-hold", NULL, 0, S3E_NONE, S3OP_PutObjectLegalHold, "b", "k" },
	{ "PUT", "/b/k?tagging", NULL, 0, S3E_NONE, S3OP_PutObjectTagging, "b", "k" },
	{ "PUT", "/b/k?acl", NULL, 0, S3E_NONE, S3OP_PutObjectAcl, "b", "k" },
	{ "PUT", "/b/k?retention", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "k" },
	{ "PUT", "/b/k?versioning", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "k" },
	{ "PUT", "/b/k?versions", NULL, 0, S3E_NONE, S3OP_InvalidRequest, "b", "k" },

	/* ---- object GET / HEAD ---- */
	{ "GET", "/b/k", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k?versionId=null", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k?partNumber=2", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k?response-content-type=text%2Fplain", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k?uploadId=u", NULL, 0, S3E_NONE, S3OP_ListParts, "b", "k" },
	{ "GET", "/b/k?uploadId=u&max-parts=5&part-number-marker=2", NULL, 0, S3E_NONE, S3OP_ListParts, "b", "k" },
	{ "GET", "/b/k?retention", NULL, 0, S3E_NONE, S3OP_GetObjectRetention, "b", "k" },
	{ "GET", "/b/k?legal-hold", NULL, 0, S3E_NONE, S3OP_GetObjectLegalHold, "b", "k" },
	{ "GET", "/b/k?tagging", NULL, 0, S3E_NONE, S3OP_GetObjectTagging, "b", "k" },
	{ "GET", "/b/k?acl", NULL, 0, S3E_NONE, S3OP_GetObjectAcl, "b", "k" },
	{ "GET", "/b/k?attributes", NULL, 0, S3E_NONE, S3OP_GetObjectAttributes, "b", "k" },
	{ "GET", "/b/k?torrent", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "k" },
	{ "GET", "/b/k?uploads", NULL, 0, S3E_NONE, S3OP_InvalidRequest, "b", "k" },
	{ "GET", "/b/k?versions", NULL, 0, S3E_NONE, S3OP_InvalidRequest, "b", "k" },
	{ "GET", "/b/k?versions", NULL, CP, S3E_NONE, S3OP_InvalidRequest, "b", "k" },
	{ "GET", "/b/k", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "k" },
	{ "HEAD", "/b/k", NULL, 0, S3E_NONE, S3OP_HeadObject, "b", "k" },
	{ "HEAD", "/b/k?versionId=v&partNumber=1", NULL, 0, S3E_NONE, S3OP_HeadObject, "b", "k" },
	{ "HEAD", "/b/k?versions", NULL, 0, S3E_NONE, S3OP_InvalidRequest, "b", "k" },
	{ "HEAD", "/b/k", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "k" },

	/* ---- object DELETE / POST ---- */
	{ "DELETE", "/b/k", NULL, 0, S3E_NONE, S3OP_DeleteObject, "b", "k" },
	{ "DELETE", "/b/k?versionId=v", NULL, 0, S3E_NONE, S3OP_DeleteObject, "b", "k" },
	{ "DELETE", "/b/k?uploadId=u", NULL, 0, S3E_NONE, S3OP_AbortMultipartUpload, "b", "k" },
	{ "DELETE", "/b/k?tagging", NULL, 0, S3E_NONE, S3OP_DeleteObjectTagging, "b", "k" },
	{ "DELETE", "/b/k?retention", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "k" },
	{ "DELETE", "/b/k?legal-hold", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "k" },
	{ "DELETE", "/b/k?versions", NULL, 0, S3E_NONE, S3OP_InvalidRequest, "b", "k" },
	{ "DELETE", "/b/k", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "k" },
	{ "POST", "/b/k?uploads", NULL, 0, S3E_NONE, S3OP_CreateMultipartUpload, "b", "k" },
	{ "POST", "/b/k?uploads=", NULL, 0, S3E_NONE, S3OP_CreateMultipartUpload, "b", "k" },
	{ "POST", "/b/k?uploadId=u", NULL, 0, S3E_NONE, S3OP_CompleteMultipartUpload, "b", "k" },
	{ "POST", "/b/k?restore", NULL, 0, S3E_NONE, S3OP_RestoreObject, "b", "k" },
	{ "POST", "/b/k?select&select-type=2", NULL, 0, S3E_NONE, S3OP_SelectObjectContent, "b", "k" },
	{ "POST", "/b/k", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "k" },
	{ "POST", "/b/k?tagging", NULL, 0, S3E_NONE, S3OP_NotImplemented, "b", "k" },
	{ "POST", "/b/k?uploadId=u", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "k" },
	{ "POST", "/b/k?uploads", NULL, CP, S3E_NONE, S3OP_InvalidArgument, "b", "k" },
	{ "PATCH", "/b/k", NULL, 0, S3E_NONE, S3OP_MethodNotAllowed, "b", "k" },
	{ "PATCH", "/b/k", NULL, CP, S3E_NONE, S3OP_MethodNotAllowed, "b", "k" },

	/* ---- key decoding (§1.1): once, '+' literal, nothing collapsed ---- */
	{ "GET", "/b/a%20b", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a b" },
	{ "GET", "/b/a+b", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a+b" },
	{ "GET", "/b/a%2Bb", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a+b" },
	{ "GET", "/b/a%2bb", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a+b" },
	{ "GET", "/b/100%25.csv", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "100%.csv" },
	{ "GET", "/b/%2541", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "%41" },
	{ "GET", "/b/%E2%82%AC%20euro", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "\xE2\x82\xAC euro" },
	{ "GET", "/b/\xE6\x97\xA5\xE6\x9C\xAC", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "\xE6\x97\xA5\xE6\x9C\xAC" },
	{ "GET", "/b/%F0%9F%98%80", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "\xF0\x9F\x98\x80" },
	{ "GET", "/b/../x", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "../x" },
	{ "GET", "/b/./x/../y", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "./x/../y" },
	{ "GET", "/b/..", NULL, 0, S3E_NONE, S3OP_GetObject, "b", ".." },
	{ "GET", "/b/a//b", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a//b" },
	{ "GET", "/b//", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "/" },
	{ "GET", "/b//x", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "/x" },
	{ "GET", "/b/dir/", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "dir/" },
	{ "PUT", "/b/dir/sub/", NULL, 0, S3E_NONE, S3OP_PutObject, "b", "dir/sub/" },
	{ "GET", "/b/a%2Fb", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a/b" },
	{ "GET", "/b/a%3Fb?tagging", NULL, 0, S3E_NONE, S3OP_GetObjectTagging, "b", "a?b" },
	{ "GET", "/b/a#b", NULL, 0, S3E_NONE, S3OP_GetObject, "b", "a#b" },
	{ "GET", "/%62ucket/k", NULL, 0, S3E_NONE, S3OP_GetObject, "bucket", "k" },
	/* invalid escapes and invalid UTF-8 -> InvalidURI [S3T test_object_read_unreadable] */
	{ "GET", "/b/a%", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/a%2", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/a%ZZ", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/a%G0", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/%C3%28", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/%C0%AF", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },   /* overlong '/' */
	{ "GET", "/b/%E0%80%AF", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },/* overlong */
	{ "GET", "/b/%ED%A0%80", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },/* surrogate */
	{ "GET", "/b/%F4%90%80%80", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL }, /* > U+10FFFF */
	{ "GET", "/b/%F5%80%80%80", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/%E2%82", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },   /* truncated */
	{ "GET", "/b/%80", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },      /* lone continuation */
	{ "GET", "/b/\xFF", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/\xC3", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "PUT", "/b/ok?prefix=%Z1", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "PUT", "/b/ok?a%=1", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/%ZZ/k", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	/* request-target shapes */
	{ "GET", "", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "b/k", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "OPTIONS", "*", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/a b", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/a\tb", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/b/a\x7f", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "//k", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "//", NULL, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "/?", NULL, 0, S3E_NONE, S3OP_ListBuckets, "", "" },
	{ "GET", "/b?", NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "http://example.com/b/k?acl", NULL, 0, S3E_NONE, S3OP_GetObjectAcl, "b", "k" },
	{ "GET", "HTTPS://example.com", NULL, 0, S3E_NONE, S3OP_ListBuckets, "", "" },
	{ "GET", "http://example.com?x", NULL, 0, S3E_NONE, S3OP_ListBuckets, "", "" },

	/* ---- virtual-host style (§1.1) ---- */
	{ "GET", "/", "b." BASE, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	{ "GET", "/?list-type=2", "b." BASE ":9000", 0, S3E_NONE, S3OP_ListObjectsV2, "b", "" },
	{ "GET", "/k", "b." BASE ":9000", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "b." BASE, 0, S3E_NONE, S3OP_GetObject, "b", "b/k" },
	{ "GET", "/k", "MyBucket.S3.Example.LAN", 0, S3E_NONE, S3OP_GetObject, "mybucket", "k" },
	{ "GET", "/k", "my.dotted.bucket." BASE, 0, S3E_NONE, S3OP_GetObject, "my.dotted.bucket", "k" },
	{ "GET", "/k", "b." BASE ".", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "//a", "b." BASE, 0, S3E_NONE, S3OP_GetObject, "b", "/a" },
	{ "GET", "/a/", "b." BASE, 0, S3E_NONE, S3OP_GetObject, "b", "a/" },
	{ "GET", "/?versioning", "b." BASE, 0, S3E_NONE, S3OP_GetBucketVersioning, "b", "" },
	{ "PUT", "/", "b." BASE, 0, S3E_NONE, S3OP_CreateBucket, "b", "" },
	{ "POST", "/?delete", "b." BASE, 0, S3E_NONE, S3OP_DeleteObjects, "b", "" },
	{ "GET", "/a%20b", "b." BASE, 0, S3E_NONE, S3OP_GetObject, "b", "a b" },
	{ "GET", "/a%zz", "b." BASE, 0, S3E_InvalidURI, S3OP_NONE, NULL, NULL },
	{ "GET", "http://b." BASE "/k", "ignored.example", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "http://b." BASE, NULL, 0, S3E_NONE, S3OP_ListObjects, "b", "" },
	/* the base itself, IP literals, other hosts: path style */
	{ "GET", "/", BASE, 0, S3E_NONE, S3OP_ListBuckets, "", "" },
	{ "GET", "/b/k", BASE ":9000", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "10.0.0.1:9000", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "127.0.0.1", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "[::1]:9000", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "other.example.com", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "xs3.example.lan", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "." BASE, 0, S3E_NONE, S3OP_GetObject, "b", "k" },
	{ "GET", "/b/k", "", 0, S3E_NONE, S3OP_GetObject, "b", "k" },
};

static const char *
op_str(enum s3_op op)
{
	return s3_op_name(op);
}

static void
run_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct s3_route r;
		enum s3_code rc;

		memset(&r, 0xA5, sizeof(r)); /* untouched on failure: check below */
		rc = s3_route(c->method, c->target, strlen(c->target), c->host, BASE, c->flags, &r);
		if (rc != c->rc || (rc == S3E_NONE && r.op != c->op)) {
			fprintf(stderr, "case %zu: %s %s host=%s flags=%u: rc %d op %s, want rc %d op %s\n",
			        i, c->method ? c->method : "(null)", c->target,
			        c->host ? c->host : "(null)", c->flags, rc,
			        rc == S3E_NONE ? op_str(r.op) : "-", c->rc, op_str(c->op));
			check_failures++;
		}
		if (rc != S3E_NONE) {
			CHECK(((unsigned char *)&r)[0] == 0xA5); /* out not clobbered */
			continue;
		}
		if (c->bucket && strcmp(r.bucket, c->bucket) != 0) {
			fprintf(stderr, "case %zu: %s: bucket '%s', want '%s'\n", i, c->target, r.bucket,
			        c->bucket);
			check_failures++;
		}
		CHECK_INT_EQ(r.bucket_len, strlen(r.bucket));
		if (c->key && (r.key_len != strlen(c->key) || memcmp(r.key, c->key, r.key_len) != 0)) {
			fprintf(stderr, "case %zu: %s: key '%.*s', want '%s'\n", i, c->target,
			        (int)r.key_len, r.key, c->key);
			check_failures++;
		}
		CHECK(r.key[r.key_len] == '\0');
		CHECK(r.res == S3_RES_SERVICE ? r.bucket_len == 0 : r.bucket_len > 0);
		CHECK((r.res == S3_RES_OBJECT || r.res == S3_RES_UPLOAD) == (r.key_len > 0));
		s3_route_release(&r);
		CHECK(r.mem_ == NULL && r.key == NULL);
	}
}

static void
route_ok(const char *method, const char *target, size_t n, const char *host, unsigned flags,
         struct s3_route *r)
{
	enum s3_code rc = s3_route(method, target, n, host, BASE, flags, r);
	CHECK_INT_EQ(rc, S3E_NONE);
	if (rc != S3E_NONE)
		memset(r, 0, sizeof(*r));
}

static void
test_refusal_details(void)
{
	struct s3_route r;

	route_ok("GET", "/b", 2, NULL, CP, &r);
	CHECK_INT_EQ(r.op, S3OP_InvalidArgument);
	CHECK_INT_EQ(s3_op_refusal(r.op), S3E_InvalidArgument);
	CHECK_STR_EQ(r.refusal_msg, "You can only specify a copy source header for copy requests.");
	CHECK_STR_EQ(r.refusal_arg, "x-amz-copy-source");
	s3_route_release(&r);

	route_ok("PUT", "/b/k?partNumber=3", 17, NULL, 0, &r);
	CHECK_STR_EQ(r.refusal_msg, "This operation does not accept partNumber without uploadId");
	CHECK_STR_EQ(r.refusal_arg, "partNumber");
	s3_route_release(&r);

	route_ok("PUT", "/b/k?uploadId=x", 15, NULL, 0, &r);
	CHECK_INT_EQ(r.op, S3OP_MethodNotAllowed);
	CHECK_INT_EQ(r.res, S3_RES_UPLOAD);
	CHECK_STR_EQ(s3_resource_name(r.res), "UPLOAD");
	CHECK(r.refusal_msg == NULL);
	s3_route_release(&r);

	route_ok("GET", "/b/k?versions", 13, NULL, 0, &r);
	CHECK_INT_EQ(s3_op_refusal(r.op), S3E_InvalidRequest);
	CHECK_STR_EQ(r.refusal_msg, "There is no such thing as the ?versions sub-resource for a key");
	s3_route_release(&r);

	route_ok("GET", "/b/k?uploads", 12, NULL, 0, &r);
	CHECK_STR_EQ(r.refusal_msg, "Key is not expected for the GET method ?uploads subresource");
	s3_route_release(&r);

	route_ok("GET", "/b?logging", 10, NULL, 0, &r);
	CHECK_INT_EQ(s3_op_refusal(r.op), S3E_NotImplemented);
	CHECK(r.refusal_msg == NULL && r.refusal_arg == NULL);
	s3_route_release(&r);

	route_ok("DELETE", "/", 1, NULL, 0, &r);
	CHECK_INT_EQ(s3_op_refusal(r.op), S3E_MethodNotAllowed);
	CHECK_STR_EQ(s3_resource_name(r.res), "SERVICE");
	s3_route_release(&r);

	route_ok("POST", "/b/k", 4, NULL, 0, &r);
	CHECK_STR_EQ(s3_resource_name(r.res), "OBJECT");
	s3_route_release(&r);
	route_ok("POST", "/b", 2, NULL, 0, &r);
	CHECK_STR_EQ(s3_resource_name(r.res), "BUCKET");
	s3_route_release(&r);

	route_ok("GET", "/b/k", 4, NULL, 0, &r);
	CHECK_INT_EQ(s3_op_refusal(r.op), S3E_NONE);
	CHECK(r.refusal_msg == NULL && r.refusal_arg == NULL);
	CHECK(!r.vhost);
	s3_route_release(&r);
	route_ok("GET", "/k", 2, "b." BASE, 0, &r);
	CHECK(r.vhost);
	s3_route_release(&r);
}

static void
test_query(void)
{
	struct s3_route r;
	const struct slice *v;
	const char *t = "/b?prefix=a+b%2Bc&delimiter=%2F&uploads&&empty=&x=1=2&=novalue&"
	                "prefix=second&sp%20ace=%E2%82%AC&n=%00z";

	route_ok("GET", t, strlen(t), NULL, 0, &r);
	CHECK_INT_EQ(r.nquery, 9);
	v = s3_query_get(&r, "prefix");
	CHECK(v && v->n == 5 && memcmp(v->p, "a b+c", 5) == 0); /* first wins, '+' = space */
	v = s3_query_get(&r, "delimiter");
	CHECK(v && v->n == 1 && v->p[0] == '/');
	v = s3_query_get(&r, "uploads");
	CHECK(v && v->n == 0 && v->p[0] == '\0');
	v = s3_query_get(&r, "empty");
	CHECK(v && v->n == 0);
	v = s3_query_get(&r, "x");
	CHECK(v && v->n == 3 && memcmp(v->p, "1=2", 3) == 0); /* split on the first '=' */
	v = s3_query_get(&r, "");
	CHECK(v && v->n == 7 && memcmp(v->p, "novalue", 7) == 0);
	v = s3_query_get(&r, "sp ace");
	CHECK(v && v->n == 3 && memcmp(v->p, "\xE2\x82\xAC", 3) == 0);
	v = s3_query_get(&r, "n");
	CHECK(v && v->n == 2 && v->p[0] == '\0' && v->p[1] == 'z');
	CHECK(s3_query_get(&r, "missing") == NULL);
	CHECK(s3_query_get(&r, "Prefix") == NULL);
	CHECK_INT_EQ(r.op, S3OP_ListMultipartUploads);
	s3_route_release(&r);
	s3_route_release(&r); /* idempotent */
	s3_route_release(NULL);
}

static void
test_limits(void)
{
	char *t = xmalloc(64 * 1024);
	struct s3_route r;
	size_t n;

	/* exactly 1024 bytes of key, then 1025 */
	memcpy(t, "/b/", 3);
	memset(t + 3, 'a', 1024);
	route_ok("PUT", t, 3 + 1024, NULL, 0, &r);
	CHECK_INT_EQ(r.key_len, 1024);
	CHECK_INT_EQ(r.op, S3OP_PutObject);
	s3_route_release(&r);
	memset(t + 3, 'a', 1025);
	CHECK_INT_EQ(s3_route("PUT", t, 3 + 1025, NULL, BASE, 0, &r), S3E_KeyTooLongError);

	/* the limit is on decoded bytes: 1024 "%61" (3072 raw bytes) is fine */
	for (n = 0; n < 1024; n++)
		memcpy(t + 3 + 3 * n, "%61", 3);
	route_ok("PUT", t, 3 + 3 * 1024, NULL, 0, &r);
	CHECK_INT_EQ(r.key_len, 1024);
	CHECK(r.key[0] == 'a' && r.key[1023] == 'a');
	s3_route_release(&r);
	memcpy(t + 3 + 3 * 1024, "%61", 3);
	CHECK_INT_EQ(s3_route("PUT", t, 3 + 3 * 1025, NULL, BASE, 0, &r), S3E_KeyTooLongError);

	/* UTF-8 counts in bytes: 1022 + a 3-byte char = 1025 */
	memset(t + 3, 'a', 1022);
	memcpy(t + 3 + 1022, "%E2%82%AC", 9);
	CHECK_INT_EQ(s3_route("PUT", t, 3 + 1022 + 9, NULL, BASE, 0, &r), S3E_KeyTooLongError);
	memcpy(t + 3 + 1021, "%E2%82%AC", 9);
	route_ok("PUT", t, 3 + 1021 + 9, NULL, 0, &r);
	CHECK_INT_EQ(r.key_len, 1024);
	s3_route_release(&r);

	/* a bad escape past the 1024th byte is still InvalidURI */
	memset(t + 3, 'a', 2000);
	memcpy(t + 3 + 2000, "%G", 2);
	CHECK_INT_EQ(s3_route("PUT", t, 3 + 2002, NULL, BASE, 0, &r), S3E_InvalidURI);
	memcpy(t + 3 + 2000, "%C3", 3);
	CHECK_INT_EQ(s3_route("PUT", t, 3 + 2003, NULL, BASE, 0, &r), S3E_InvalidURI);

	/* key with U+0000 is valid UTF-8: kept, length says so */
	route_ok("PUT", "/b/a%00b", 8, NULL, 0, &r);
	CHECK_INT_EQ(r.key_len, 3);
	CHECK(r.key[1] == '\0' && r.key[2] == 'b');
	s3_route_release(&r);

	/* the target length is what counts, not a NUL */
	route_ok("GET", "/b/kXXXX", 4, NULL, 0, &r);
	CHECK_INT_EQ(r.key_len, 1);
	s3_route_release(&r);
	CHECK_INT_EQ(s3_route("GET", "/b/k\0x", 6, NULL, BASE, 0, &r), S3E_InvalidURI);

	/* bucket segment: 255 routes (so CreateBucket can say InvalidBucketName), 256 not */
	t[0] = '/';
	memset(t + 1, 'b', 255);
	route_ok("PUT", t, 256, NULL, 0, &r);
	CHECK_INT_EQ(r.bucket_len, 255);
	CHECK_INT_EQ(r.op, S3OP_CreateBucket);
	s3_route_release(&r);
	memset(t + 1, 'b', 256);
	CHECK_INT_EQ(s3_route("PUT", t, 257, NULL, BASE, 0, &r), S3E_InvalidBucketName);
	memset(t, 'b', 256);
	memcpy(t + 256, "." BASE, strlen(BASE) + 2);
	CHECK_INT_EQ(s3_route("GET", "/", 1, t, BASE, 0, &r), S3E_InvalidBucketName);

	/* 64 parameters route, 65 do not */
	n = 0;
	n += (size_t)sprintf(t, "/b?a0");
	for (int i = 1; i < 64; i++)
		n += (size_t)sprintf(t + n, "&a%d", i);
	route_ok("GET", t, n, NULL, 0, &r);
	CHECK_INT_EQ(r.nquery, 64);
	CHECK(s3_query_get(&r, "a63") != NULL);
	s3_route_release(&r);
	n += (size_t)sprintf(t + n, "&a64");
	CHECK_INT_EQ(s3_route("GET", t, n, NULL, BASE, 0, &r), S3E_InvalidArgument);
	/* empty items do not count */
	n = (size_t)sprintf(t, "/b?a=1");
	for (int i = 0; i < 200; i++)
		t[n++] = '&';
	route_ok("GET", t, n, NULL, 0, &r);
	CHECK_INT_EQ(r.nquery, 1);
	s3_route_release(&r);

	/* raw query size cap */
	n = (size_t)sprintf(t, "/b?prefix=");
	memset(t + n, 'p', S3_QUERY_MAX_BYTES - 7);
	n += S3_QUERY_MAX_BYTES - 7;
	route_ok("GET", t, n, NULL, 0, &r);
	CHECK_INT_EQ(s3_query_get(&r, "prefix")->n, S3_QUERY_MAX_BYTES - 7);
	s3_route_release(&r);
	t[n++] = 'p';
	CHECK_INT_EQ(s3_route("GET", t, n, NULL, BASE, 0, &r), S3E_InvalidArgument);

	/* no base domain: never virtual-host */
	CHECK_INT_EQ(s3_route("GET", "/k", 2, "b." BASE, "", 0, &r), S3E_NONE);
	CHECK_STR_EQ(r.bucket, "k");
	CHECK_INT_EQ(r.op, S3OP_ListObjects);
	s3_route_release(&r);
	CHECK_INT_EQ(s3_route("GET", "/k", 2, "b." BASE, NULL, 0, &r), S3E_NONE);
	CHECK_STR_EQ(r.bucket, "k");
	s3_route_release(&r);
	/* base domain configured with a trailing dot or in capitals */
	CHECK_INT_EQ(s3_route("GET", "/k", 2, "b." BASE, "S3.Example.LAN.", 0, &r), S3E_NONE);
	CHECK_STR_EQ(r.bucket, "b");
	CHECK(r.vhost);
	s3_route_release(&r);
	free(t);
}

static void
test_names(void)
{
	/* every op has a distinct, non-empty name */
	for (int i = 1; i < S3OP_COUNT_; i++) {
		const char *a = s3_op_name((enum s3_op)i);
		CHECK(a && a[0] && strcmp(a, "Unknown") != 0);
		for (int j = 1; j < i; j++)
			CHECK(strcmp(a, s3_op_name((enum s3_op)j)) != 0);
		if (i < S3OP_NotImplemented)
			CHECK_INT_EQ(s3_op_refusal((enum s3_op)i), S3E_NONE);
	}
	CHECK_STR_EQ(s3_op_name(S3OP_PutObject), "PutObject");
	CHECK_STR_EQ(s3_op_name(S3OP_GetBucketLifecycle), "GetBucketLifecycleConfiguration");
	CHECK_STR_EQ(s3_op_name((enum s3_op)S3OP_COUNT_), "Unknown");
	CHECK_STR_EQ(s3_op_name((enum s3_op)-1), "Unknown");
	CHECK_INT_EQ(s3_op_refusal(S3OP_MethodNotAllowed), S3E_MethodNotAllowed);
	CHECK_INT_EQ(s3_op_refusal(S3OP_NotImplemented), S3E_NotImplemented);
	CHECK_INT_EQ(s3_op_refusal(S3OP_InvalidRequest), S3E_InvalidRequest);
	CHECK_STR_EQ(s3_resource_name(S3_RES_BUCKET), "BUCKET");
}

struct bcase {
	const char *name;
	bool ok;
};

static void
test_bucket_names(void)
{
	static const struct bcase b[] = {
		{ "abc", true },
		{ "a-b.c", true },
		{ "my.bucket.name", true },
		{ "123", true },
		{ "a1b2c3", true },
		{ "1.2.3", true },
		{ "1.2.3.4.5", true },
		{ "192.168.5.a", true },
		{ "a.b-c.d", true },
		{ "xn-abc", true },
		{ "abc-s3alia", true },
		{ "veeam-repo-01", true },
		{ "ab", false },
		{ "", false },
		{ "Abc", false },
		{ "abC", false },
		{ "a_b", false },
		{ "a b", false },
		{ "-abc", false },
		{ "abc-", false },
		{ ".abc", false },
		{ "abc.", false },
		{ "a..b", false },
		{ "a.-b", false }, /* DNS labels never start or end with a hyphen */
		{ "a-.b", false },
		{ "a-b.c-d", true },
		{ "192.168.5.4", false },
		{ "1.2.3.4", false },
		{ "999.999.999.999", false },
		{ "xn--abc", false },
		{ "sthree-abc", false },
		{ "abc-s3alias", false },
		{ "abc--ol-s3", false },
		{ "b\xC3\xA4r", false },
		{ "abc/def", false },
	};
	char name[80];

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (s3_bucket_name_valid(b[i].name, strlen(b[i].name)) != b[i].ok) {
			fprintf(stderr, "bucket name '%s': want %s\n", b[i].name,
			        b[i].ok ? "valid" : "invalid");
			check_failures++;
		}
	memset(name, 'a', sizeof(name));
	CHECK(s3_bucket_name_valid(name, 63));
	CHECK(!s3_bucket_name_valid(name, 64));
	CHECK(s3_bucket_name_valid(name, 3));
	CHECK(!s3_bucket_name_valid(NULL, 3));
	/* (ptr, len): no NUL needed, none looked at */
	CHECK(s3_bucket_name_valid("abcdef", 3));
}

int
main(void)
{
	run_cases();
	test_refusal_details();
	test_query();
	test_limits();
	test_names();
	test_bucket_names();
	return check_done("test_router");
}
