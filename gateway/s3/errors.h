/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one table that maps a failure to its HTTP status, S3 error code and default message
 * (spec/S3.md §10.2), and the renderer of <Error> documents. Handlers never write error XML
 * by hand: they return an enum s3_code (and optionally a message and extra elements).
 */
#ifndef HOLDFAST_S3_ERRORS_H
#define HOLDFAST_S3_ERRORS_H

#include <stddef.h>

#include "../base/buf.h"

enum s3_code {
	S3E_NONE = 0,
	S3E_AccessDenied,
	S3E_AccessControlListNotSupported,
	S3E_AuthorizationHeaderMalformed,
	S3E_AuthorizationQueryParametersError,
	S3E_BadDigest,
	S3E_BucketAlreadyExists,
	S3E_BucketAlreadyOwnedByYou,
	S3E_BucketNotEmpty,
	S3E_ConditionalRequestConflict,
	S3E_EntityTooLarge,
	S3E_EntityTooSmall,
	S3E_IncompleteBody,
	S3E_InternalError,
	S3E_InvalidAccessKeyId,
	S3E_InvalidArgument,
	S3E_InvalidBucketName,
	S3E_InvalidBucketState,
	S3E_InvalidChunkSizeError,
	S3E_InvalidDigest,
	S3E_InvalidEncryptionAlgorithmError,
	S3E_InvalidLocationConstraint,
	S3E_InvalidObjectState,
	S3E_InvalidPart,
	S3E_InvalidPartOrder,
	S3E_InvalidPartNumber,
	S3E_InvalidRange,
	S3E_InvalidRequest,
	S3E_InvalidStorageClass,
	S3E_InvalidTag,
	S3E_InvalidURI,
	S3E_KeyTooLongError,
	S3E_MalformedTrailerError,
	S3E_MalformedXML,
	S3E_MetadataTooLarge,
	S3E_MethodNotAllowed,
	S3E_MissingContentLength,
	S3E_MissingRequestBodyError,
	S3E_NoSuchBucket,
	S3E_NoSuchKey,
	S3E_NoSuchUpload,
	S3E_NoSuchVersion,
	S3E_NoSuchBucketPolicy,
	S3E_NoSuchTagSet,
	S3E_NoSuchLifecycleConfiguration,
	S3E_NoSuchCORSConfiguration,
	S3E_NoSuchWebsiteConfiguration,
	S3E_ServerSideEncryptionConfigurationNotFoundError,
	S3E_ReplicationConfigurationNotFoundError,
	S3E_OwnershipControlsNotFoundError,
	S3E_ObjectLockConfigurationNotFoundError,
	S3E_NoSuchObjectLockConfiguration,
	S3E_NotImplemented,
	S3E_NotModified,
	S3E_PreconditionFailed,
	S3E_RequestHeaderSectionTooLarge,
	S3E_RequestTimeout,
	S3E_RequestTimeTooSkewed,
	S3E_SignatureDoesNotMatch,
	S3E_SlowDown,
	S3E_ServiceUnavailable,
	S3E_XAmzContentSHA256Mismatch,
	S3E_MalformedPOSTRequest,
	S3E_MalformedACLError,
	S3E_UnexpectedContent,
	S3E_IllegalVersioningConfigurationException,
	S3E_TooManyBuckets,
	S3E_InvalidToken,
	S3E_ExpiredToken,
	S3E_MissingSecurityHeader,
	S3E_InvalidPolicyDocument,
	S3E_COUNT_
};

struct s3_error_def {
	const char *code;
	int status;
	const char *message;
};

/* Definition of @c (S3E_InternalError for an out-of-range value). */
const struct s3_error_def *s3_error_def(enum s3_code c);
/* Look a code up by its S3 name; S3E_NONE if unknown. */
enum s3_code s3_error_by_name(const char *name);

/* An extra child element of <Error> (BucketName, Key, ArgumentName, ...). */
struct s3_error_extra {
	const char *name;
	const char *value;
};

/* Render <?xml ...?><Error><Code/><Message/>[extras]<Resource/><RequestId/><HostId/></Error>
 * into @out. @message NULL = the table's default; @resource may be NULL. */
int s3_error_xml(struct buf *out, enum s3_code c, const char *message, const char *resource,
                 const struct s3_error_extra *extras, size_t nextras, const char *request_id,
                 const char *host_id);

#endif
