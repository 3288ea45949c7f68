/* SPDX-License-Identifier: Apache-2.0 */
/* S3 error table (spec/S3.md §10) and <Error> rendering. Messages follow AWS's wording where
 * clients match on them (Kopia matches "content-md5", SDKs only the Code). */
#include "errors.h"

#include <string.h>

#include "xml.h"

static const struct s3_error_def defs[S3E_COUNT_] = {
	[S3E_NONE] = { "", 200, "" },
	[S3E_AccessDenied] = { "AccessDenied", 403, "Access Denied" },
	[S3E_AccessControlListNotSupported] = { "AccessControlListNotSupported", 400, "The bucket does not allow ACLs" },
	[S3E_AuthorizationHeaderMalformed] = { "AuthorizationHeaderMalformed", 400, "The authorization header is malformed." },
	[S3E_AuthorizationQueryParametersError] = { "AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter." },
	[S3E_BadDigest] = { "BadDigest", 400, "The Content-MD5 you specified did not match what we received." },
	[S3E_BucketAlreadyExists] = { "BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again." },
	[S3E_BucketAlreadyOwnedByYou] = { "BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it." },
	[S3E_BucketNotEmpty] = { "BucketNotEmpty", 409, "The bucket you tried to delete is not empty" },
	[S3E_ConditionalRequestConflict] = { "ConditionalRequestConflict", 409, "A conflicting conditional operation is currently in progress against this resource. Please try again." },
	[S3E_EntityTooLarge] = { "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size." },
	[S3E_EntityTooSmall] = { "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size." },
	[S3E_IncompleteBody] = { "IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header." },
	[S3E_InternalError] = { "InternalError", 500, "We encountered an internal error. Please try again." },
	[S3E_InvalidAccessKeyId] = { "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records." },
	[S3E_InvalidArgument] = { "InvalidArgument", 400, "Invalid Argument" },
	[S3E_InvalidBucketName] = { "InvalidBucketName", 400, "The specified bucket is not valid." },
	[S3E_InvalidBucketState] = { "InvalidBucketState", 409, "The request is not valid with the current state of the bucket." },
	[S3E_InvalidChunkSizeError] = { "InvalidChunkSizeError", 400, "Only the last chunk is allowed to have a size less than 8192 bytes" },
	[S3E_InvalidDigest] = { "InvalidDigest", 400, "The Content-MD5 you specified is not valid." },
	[S3E_InvalidEncryptionAlgorithmError] = { "InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid. The valid value is AES256." },
	[S3E_InvalidLocationConstraint] = { "InvalidLocationConstraint", 400, "The specified location-constraint is not valid" },
	[S3E_InvalidObjectState] = { "InvalidObjectState", 403, "The operation is not valid for the object's storage class" },
	[S3E_InvalidPart] = { "InvalidPart", 400, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag." },
	[S3E_InvalidPartOrder] = { "InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number." },
	[S3E_InvalidPartNumber] = { "InvalidPartNumber", 416, "The requested partnumber is not satisfiable" },
	[S3E_InvalidRange] = { "InvalidRange", 416, "The requested range is not satisfiable" },
	[S3E_InvalidRequest] = { "InvalidRequest", 400, "Invalid Request" },
	[S3E_InvalidStorageClass] = { "InvalidStorageClass", 400, "The storage class you specified is not valid" },
	[S3E_InvalidTag] = { "InvalidTag", 400, "The TagValue you have provided is invalid" },
	[S3E_InvalidURI] = { "InvalidURI", 400, "Couldn't parse the specified URI." },
	[S3E_KeyTooLongError] = { "KeyTooLongError", 400, "Your key is too long" },
	[S3E_MalformedTrailerError] = { "MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema." },
	[S3E_MalformedXML] = { "MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema." },
	[S3E_MetadataTooLarge] = { "MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size." },
	[S3E_MethodNotAllowed] = { "MethodNotAllowed", 405, "The specified method is not allowed against this resource." },
	[S3E_MissingContentLength] = { "MissingContentLength", 411, "You must provide the Content-Length HTTP header." },
	[S3E_MissingRequestBodyError] = { "MissingRequestBodyError", 400, "Request Body is empty" },
	[S3E_NoSuchBucket] = { "NoSuchBucket", 404, "The specified bucket does not exist" },
	[S3E_NoSuchKey] = { "NoSuchKey", 404, "The specified key does not exist." },
	[S3E_NoSuchUpload] = { "NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed." },
	[S3E_NoSuchVersion] = { "NoSuchVersion", 404, "The specified version does not exist." },
	[S3E_NoSuchBucketPolicy] = { "NoSuchBucketPolicy", 404, "The bucket policy does not exist" },
	[S3E_NoSuchTagSet] = { "NoSuchTagSet", 404, "The TagSet does not exist" },
	[S3E_NoSuchLifecycleConfiguration] = { "NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist" },
	[S3E_NoSuchCORSConfiguration] = { "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist" },
	[S3E_NoSuchWebsiteConfiguration] = { "NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration" },
	[S3E_ServerSideEncryptionConfigurationNotFoundError] = { "ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption configuration was not found" },
	[S3E_ReplicationConfigurationNotFoundError] = { "ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found" },
	[S3E_OwnershipControlsNotFoundError] = { "OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found" },
	[S3E_ObjectLockConfigurationNotFoundError] = { "ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket" },
	[S3E_NoSuchObjectLockConfiguration] = { "NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration" },
	[S3E_NotImplemented] = { "NotImplemented", 501, "A header you provided implies functionality that is not implemented." },
	[S3E_NotModified] = { "NotModified", 304, "Not Modified" },
	[S3E_PreconditionFailed] = { "PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold" },
	[S3E_RequestHeaderSectionTooLarge] = { "RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size." },
	[S3E_RequestTimeout] = { "RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period." },
	[S3E_RequestTimeTooSkewed] = { "RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large." },
	[S3E_SignatureDoesNotMatch] = { "SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method." },
	[S3E_SlowDown] = { "SlowDown", 503, "Please reduce your request rate." },
	[S3E_ServiceUnavailable] = { "ServiceUnavailable", 503, "Service is unable to handle request." },
	[S3E_XAmzContentSHA256Mismatch] = { "XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed." },
	[S3E_MalformedPOSTRequest] = { "MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data." },
	[S3E_MalformedACLError] = { "MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema." },
	[S3E_UnexpectedContent] = { "UnexpectedContent", 400, "This request does not support content" },
	[S3E_IllegalVersioningConfigurationException] = { "IllegalVersioningConfigurationException", 400, "The versioning configuration specified in the request is invalid." },
	[S3E_TooManyBuckets] = { "TooManyBuckets", 400, "You have attempted to create more buckets than allowed" },
	[S3E_InvalidToken] = { "InvalidToken", 400, "The provided token is malformed or otherwise invalid." },
	[S3E_ExpiredToken] = { "ExpiredToken", 400, "The provided token has expired." },
	[S3E_MissingSecurityHeader] = { "MissingSecurityHeader", 400, "Your request is missing a required header." },
	[S3E_InvalidPolicyDocument] = { "InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document." },
};

const struct s3_error_def *
s3_error_def(enum s3_code c)
{
	if ((int)c <= 0 || c >= S3E_COUNT_)
		return &defs[S3E_InternalError];
	return &defs[c];
}

enum s3_code
s3_error_by_name(const char *name)
{
	for (int i = 1; i < S3E_COUNT_; i++)
		if (strcmp(defs[i].code, name) == 0)
			return (enum s3_code)i;
	return S3E_NONE;
}

int
s3_error_xml(struct buf *out, enum s3_code c, const char *message, const char *resource,
             const struct s3_error_extra *extras, size_t nextras, const char *request_id,
             const char *host_id)
{
	const struct s3_error_def *d = s3_error_def(c);
	int rc;

	/* <Error> carries no namespace (spec §10.1) */
	if ((rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>")) ||
	    (rc = xml_elem_str(out, "Code", d->code)) ||
	    (rc = xml_elem_str(out, "Message", message ? message : d->message)))
		return rc;
	for (size_t i = 0; i < nextras; i++)
		if ((rc = xml_elem_str(out, extras[i].name, extras[i].value ? extras[i].value : "")))
			return rc;
	if (resource && (rc = xml_elem_str(out, "Resource", resource)))
		return rc;
	if ((rc = xml_elem_str(out, "RequestId", request_id)) ||
	    (rc = xml_elem_str(out, "HostId", host_id)))
		return rc;
	return buf_puts(out, "</Error>");
}
