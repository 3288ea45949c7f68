/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ol_policy_check over every cell: mode (none / GOVERNANCE / COMPLIANCE) x retention
 * (active / expired; none has neither) x legal hold (off / on) x action (delete the version,
 * keep, extend, shorten, change mode to COMPLIANCE / to GOVERNANCE, remove the retention,
 * hold on, hold off) x bypass (absent / requested without the permission / requested and
 * permitted). The expected verdicts are written out row by row from S3.md 8.2, 8.4 (the
 * PutObjectRetention matrix, with check 8 — date not in the future — before check 9),
 * 8.6 and 8.7, not from objectlock/policy.c. Then delete markers, the boundary instants,
 * operations that are never blocked, malformed changes, and the names.
 */
#include <stdlib.h>

#include "check.h"
#include "objectlock.h"

#define SEC 1000000000LL
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)
#define NOW (1800000000LL * SEC) /* 2027-01-15T08:00:00Z */

enum mode { M_NONE, M_GOV, M_COMP };
enum ret { R_NONE, R_ACTIVE, R_EXPIRED }; /* R_NONE: mode none has no retention */
enum hold { H_OFF, H_ON };
enum action {
	A_DELETE,           /* DeleteObject?versionId, a DeleteObjects entry */
	A_KEEP,             /* PutObjectRetention: same mode, same date */
	A_EXTEND,           /* same mode, date + 1 day */
	A_SHORTEN,          /* same mode, date - 1 day */
	A_TO_COMPLIANCE,    /* COMPLIANCE, date + 1 day */
	A_TO_GOVERNANCE,    /* GOVERNANCE, date + 1 day */
	A_REMOVE_RETENTION, /* empty <Retention/> */
	A_HOLD_ON,          /* PutObjectLegalHold ON */
	A_HOLD_OFF,         /* PutObjectLegalHold OFF */
	A_COUNT
};
enum byp { B_ABSENT, B_NOT_PERMITTED, B_PERMITTED };

/* The version's date: active = now + 10 days, expired = now - 1 hour. For mode none the
 * requests use now + 10 days as their reference date (all in the future). With an expired
 * retention, "keep" and "shorten" name dates in the past. */
static const struct row {
	enum mode m;
	enum ret r;
	enum hold h;
	enum action a;
	enum byp b;
	enum ol_verdict want;
} rows[] = {
	/* none, none, hold off */
	{ M_NONE, R_NONE, H_OFF, A_DELETE, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_DELETE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_DELETE, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_KEEP, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_KEEP, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_KEEP, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_SHORTEN, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_SHORTEN, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_SHORTEN, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_REMOVE_RETENTION, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_OFF, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* none, none, hold on */
	{ M_NONE, R_NONE, H_ON, A_DELETE, B_ABSENT, OL_DENY_LEGAL_HOLD },
	{ M_NONE, R_NONE, H_ON, A_DELETE, B_NOT_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_NONE, R_NONE, H_ON, A_DELETE, B_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_NONE, R_NONE, H_ON, A_KEEP, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_KEEP, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_KEEP, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_SHORTEN, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_SHORTEN, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_SHORTEN, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_REMOVE_RETENTION, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_NONE, R_NONE, H_ON, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* gov, active, hold off */
	{ M_GOV, R_ACTIVE, H_OFF, A_DELETE, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_OFF, A_DELETE, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_OFF, A_DELETE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_KEEP, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_KEEP, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_KEEP, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_SHORTEN, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_OFF, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_OFF, A_SHORTEN, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_TO_COMPLIANCE, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_OFF, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_OFF, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_REMOVE_RETENTION, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_OFF, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_OFF, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_OFF, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* gov, active, hold on */
	{ M_GOV, R_ACTIVE, H_ON, A_DELETE, B_ABSENT, OL_DENY_LEGAL_HOLD },
	{ M_GOV, R_ACTIVE, H_ON, A_DELETE, B_NOT_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_GOV, R_ACTIVE, H_ON, A_DELETE, B_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_GOV, R_ACTIVE, H_ON, A_KEEP, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_KEEP, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_KEEP, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_SHORTEN, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_ON, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_ON, A_SHORTEN, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_TO_COMPLIANCE, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_ON, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_ON, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_REMOVE_RETENTION, B_ABSENT, OL_DENY_GOVERNANCE },
	{ M_GOV, R_ACTIVE, H_ON, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_DENY_BYPASS_NOT_PERMITTED },
	{ M_GOV, R_ACTIVE, H_ON, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_ACTIVE, H_ON, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* gov, expired, hold off */
	{ M_GOV, R_EXPIRED, H_OFF, A_DELETE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_DELETE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_DELETE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_KEEP, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_OFF, A_KEEP, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_OFF, A_KEEP, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_OFF, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_SHORTEN, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_OFF, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_OFF, A_SHORTEN, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_OFF, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_REMOVE_RETENTION, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_OFF, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* gov, expired, hold on */
	{ M_GOV, R_EXPIRED, H_ON, A_DELETE, B_ABSENT, OL_DENY_LEGAL_HOLD },
	{ M_GOV, R_EXPIRED, H_ON, A_DELETE, B_NOT_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_GOV, R_EXPIRED, H_ON, A_DELETE, B_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_GOV, R_EXPIRED, H_ON, A_KEEP, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_ON, A_KEEP, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_ON, A_KEEP, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_ON, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_SHORTEN, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_ON, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_ON, A_SHORTEN, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_GOV, R_EXPIRED, H_ON, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_REMOVE_RETENTION, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_GOV, R_EXPIRED, H_ON, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* comp, active, hold off */
	{ M_COMP, R_ACTIVE, H_OFF, A_DELETE, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_DELETE, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_DELETE, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_KEEP, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_KEEP, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_KEEP, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_SHORTEN, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_SHORTEN, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_TO_GOVERNANCE, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_TO_GOVERNANCE, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_REMOVE_RETENTION, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_REMOVE_RETENTION, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_OFF, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_OFF, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* comp, active, hold on */
	{ M_COMP, R_ACTIVE, H_ON, A_DELETE, B_ABSENT, OL_DENY_LEGAL_HOLD },
	{ M_COMP, R_ACTIVE, H_ON, A_DELETE, B_NOT_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_COMP, R_ACTIVE, H_ON, A_DELETE, B_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_COMP, R_ACTIVE, H_ON, A_KEEP, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_KEEP, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_KEEP, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_SHORTEN, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_SHORTEN, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_TO_GOVERNANCE, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_TO_GOVERNANCE, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_REMOVE_RETENTION, B_ABSENT, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_REMOVE_RETENTION, B_PERMITTED, OL_DENY_COMPLIANCE },
	{ M_COMP, R_ACTIVE, H_ON, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_ACTIVE, H_ON, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* comp, expired, hold off */
	{ M_COMP, R_EXPIRED, H_OFF, A_DELETE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_DELETE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_DELETE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_KEEP, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_OFF, A_KEEP, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_OFF, A_KEEP, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_OFF, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_SHORTEN, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_OFF, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_OFF, A_SHORTEN, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_OFF, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_REMOVE_RETENTION, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_OFF, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
	/* comp, expired, hold on */
	{ M_COMP, R_EXPIRED, H_ON, A_DELETE, B_ABSENT, OL_DENY_LEGAL_HOLD },
	{ M_COMP, R_EXPIRED, H_ON, A_DELETE, B_NOT_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_COMP, R_EXPIRED, H_ON, A_DELETE, B_PERMITTED, OL_DENY_LEGAL_HOLD },
	{ M_COMP, R_EXPIRED, H_ON, A_KEEP, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_ON, A_KEEP, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_ON, A_KEEP, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_ON, A_EXTEND, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_EXTEND, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_EXTEND, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_SHORTEN, B_ABSENT, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_ON, A_SHORTEN, B_NOT_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_ON, A_SHORTEN, B_PERMITTED, OL_DENY_PAST_DATE },
	{ M_COMP, R_EXPIRED, H_ON, A_TO_COMPLIANCE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_TO_COMPLIANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_TO_COMPLIANCE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_TO_GOVERNANCE, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_TO_GOVERNANCE, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_TO_GOVERNANCE, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_REMOVE_RETENTION, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_REMOVE_RETENTION, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_REMOVE_RETENTION, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_HOLD_ON, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_HOLD_ON, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_HOLD_ON, B_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_HOLD_OFF, B_ABSENT, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_HOLD_OFF, B_NOT_PERMITTED, OL_ALLOW },
	{ M_COMP, R_EXPIRED, H_ON, A_HOLD_OFF, B_PERMITTED, OL_ALLOW },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *const mode_names[] = { "none", "GOVERNANCE", "COMPLIANCE" };
static const char *const ret_names[] = { "-", "active", "expired" };
static const char *const action_names[] = { "delete", "keep", "extend", "shorten",
	"to-compliance", "to-governance", "remove-retention", "hold-on", "hold-off" };
static const char *const byp_names[] = { "no bypass", "bypass not permitted", "bypass" };

static enum ol_lock_mode
lock_mode(enum mode m)
{
	return m == M_GOV ? OL_LOCK_GOVERNANCE : m == M_COMP ? OL_LOCK_COMPLIANCE : OL_LOCK_NONE;
}

static void
make_version(const struct row *r, struct ol_version *v)
{
	ol_version_init(v);
	v->lock_mode = lock_mode(r->m);
	v->retain_until_ns = r->r == R_ACTIVE ? NOW + 10 * DAY : r->r == R_EXPIRED ? NOW - HOUR : 0;
	v->legal_hold = r->h == H_ON;
}

static enum ol_verdict
judge(const struct ol_version *v, enum action a, enum byp b, int64_t now)
{
	struct ol_caller who = { b != B_ABSENT, b == B_PERMITTED };
	struct ol_lock_change c = { OL_LOCK_NONE, 0, false };
	enum ol_lock_mode same = v->lock_mode == OL_LOCK_NONE ? OL_LOCK_GOVERNANCE : v->lock_mode;
	int64_t d = v->lock_mode == OL_LOCK_NONE ? now + 10 * DAY : v->retain_until_ns;

	switch (a) {
	case A_DELETE:
		return ol_policy_check(v, OL_OP_REMOVE_VERSION, NULL, &who, now);
	case A_KEEP:
		c.lock_mode = same;
		c.retain_until_ns = d;
		break;
	case A_EXTEND:
		c.lock_mode = same;
		c.retain_until_ns = d + DAY;
		break;
	case A_SHORTEN:
		c.lock_mode = same;
		c.retain_until_ns = d - DAY;
		break;
	case A_TO_COMPLIANCE:
		c.lock_mode = OL_LOCK_COMPLIANCE;
		c.retain_until_ns = d + DAY;
		break;
	case A_TO_GOVERNANCE:
		c.lock_mode = OL_LOCK_GOVERNANCE;
		c.retain_until_ns = d + DAY;
		break;
	case A_REMOVE_RETENTION:
		break;
	case A_HOLD_ON:
	case A_HOLD_OFF:
		c.legal_hold = a == A_HOLD_ON;
		return ol_policy_check(v, OL_OP_SET_LEGAL_HOLD, &c, &who, now);
	case A_COUNT:
		break;
	}
	return ol_policy_check(v, OL_OP_SET_RETENTION, &c, &who, now);
}

static void
test_table(void)
{
	static unsigned char seen[3][3][2][A_COUNT][3];
	size_t i, cells = 0;
	int m, r, h, a, b;

	for (i = 0; i < NROWS; i++) {
		const struct row *row = &rows[i];
		struct ol_version v;
		enum ol_verdict got;

		make_version(row, &v);
		got = judge(&v, row->a, row->b, NOW);
		if (got != row->want) {
			fprintf(stderr, "row %zu: %s %s hold %s, %s, %s: got %s, want %s\n", i,
			        mode_names[row->m], ret_names[row->r], row->h ? "on" : "off",
			        action_names[row->a], byp_names[row->b], ol_verdict_name(got),
			        ol_verdict_name(row->want));
			check_failures++;
		}
		seen[row->m][row->r][row->h][row->a][row->b]++;
		ol_version_release(&v);
	}
	/* every cell exactly once: none x {-}, GOVERNANCE and COMPLIANCE x {active, expired} */
	for (m = 0; m < 3; m++)
		for (r = 0; r < 3; r++)
			for (h = 0; h < 2; h++)
				for (a = 0; a < A_COUNT; a++)
					for (b = 0; b < 3; b++) {
						bool valid = m == M_NONE ? r == R_NONE : r != R_NONE;

						CHECK_INT_EQ(seen[m][r][h][a][b], valid ? 1 : 0);
						cells += valid;
					}
	CHECK_INT_EQ(cells, 270);
	CHECK_INT_EQ(NROWS, 270);
}

/* "Delete markers are not WORM-protected": removal always allowed, retention and legal
 * hold refused with MethodNotAllowed — even a marker carrying lock fields. */
static void
test_delete_markers(void)
{
	struct ol_version v;
	int a, b, planted;

	for (planted = 0; planted < 2; planted++) {
		ol_version_init(&v);
		v.is_delete_marker = true;
		if (planted) {
			v.lock_mode = OL_LOCK_COMPLIANCE;
			v.retain_until_ns = NOW + 10 * DAY;
			v.legal_hold = true;
		}
		CHECK(!ol_retained(&v, NOW));
		CHECK(!ol_locked(&v, NOW));
		for (a = 0; a < A_COUNT; a++)
			for (b = 0; b < 3; b++)
				CHECK_INT_EQ(judge(&v, (enum action)a, (enum byp)b, NOW),
				             a == A_DELETE ? OL_ALLOW : OL_DENY_DELETE_MARKER);
	}
}

/* retained := now < retain_until: at the instant itself the retention has ended. */
static void
test_boundaries(void)
{
	struct ol_lock_change c = { OL_LOCK_COMPLIANCE, NOW, false };
	struct ol_version v;

	ol_version_init(&v);
	v.lock_mode = OL_LOCK_COMPLIANCE;
	v.retain_until_ns = NOW;
	CHECK(!ol_retained(&v, NOW));
	CHECK(ol_retained(&v, NOW - 1));
	CHECK(!ol_locked(&v, NOW));
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_REMOVE_VERSION, NULL, NULL, NOW), OL_ALLOW);
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_REMOVE_VERSION, NULL, NULL, NOW - 1),
	             OL_DENY_COMPLIANCE);
	/* a date equal to now is not in the future (8.4 check 8) */
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, NULL, NOW), OL_DENY_PAST_DATE);
	c.retain_until_ns = NOW + 1;
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, NULL, NOW), OL_ALLOW);
	/* still active one ns earlier: the same date is "keep", one ns less is "shorten" */
	c.retain_until_ns = NOW;
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, NULL, NOW - 2), OL_ALLOW);
	c.retain_until_ns = NOW - 1;
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, NULL, NOW - 2),
	             OL_DENY_COMPLIANCE);
	/* a legal hold alone locks, whatever the (expired) retention */
	v.legal_hold = true;
	CHECK(ol_locked(&v, NOW));
	CHECK(!ol_retained(&v, NOW));
	ol_version_release(&v);
	CHECK(!ol_retained(NULL, NOW));
	CHECK(!ol_locked(NULL, NOW));
}

/* 8.7: new versions on the key (PUT, Copy, Complete, a marker on top) and metadata are
 * never blocked, whatever the lock and the caller. */
static void
test_never_blocked(void)
{
	static const enum ol_op ops[] = { OL_OP_NEW_VERSION, OL_OP_UPDATE_METADATA };
	struct ol_caller who[3] = { { false, false }, { true, false }, { true, true } };
	size_t i, k, b;

	for (i = 0; i < NROWS; i += A_COUNT * 3) {
		struct ol_version v;

		make_version(&rows[i], &v);
		for (k = 0; k < 2; k++)
			for (b = 0; b < 3; b++) {
				CHECK_INT_EQ(ol_policy_check(&v, ops[k], NULL, &who[b], NOW), OL_ALLOW);
				CHECK_INT_EQ(ol_policy_check(&v, ops[k], NULL, NULL, NOW), OL_ALLOW);
			}
		ol_version_release(&v);
	}
}

static void
test_bad_changes(void)
{
	struct ol_lock_change c = { OL_LOCK_NONE, NOW + DAY, false };
	struct ol_version v;

	ol_version_init(&v);
	v.lock_mode = OL_LOCK_GOVERNANCE;
	v.retain_until_ns = NOW + DAY;
	/* "remove" with a date, a mode out of range, no change at all, no version, an op this
	 * build does not know: all refused */
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, NULL, NOW), OL_DENY_BAD_CHANGE);
	c.lock_mode = (enum ol_lock_mode)7;
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, NULL, NOW), OL_DENY_BAD_CHANGE);
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, NULL, NULL, NOW), OL_DENY_BAD_CHANGE);
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_LEGAL_HOLD, NULL, NULL, NOW), OL_DENY_BAD_CHANGE);
	CHECK_INT_EQ(ol_policy_check(NULL, OL_OP_REMOVE_VERSION, NULL, NULL, NOW),
	             OL_DENY_BAD_CHANGE);
	CHECK_INT_EQ(ol_policy_check(&v, (enum ol_op)99, NULL, NULL, NOW), OL_DENY_BAD_CHANGE);
	/* a past date is refused before the matrix is consulted, also for a bypassing caller */
	{
		struct ol_caller who = { true, true };

		c.lock_mode = OL_LOCK_GOVERNANCE;
		c.retain_until_ns = NOW - 1;
		CHECK_INT_EQ(ol_policy_check(&v, OL_OP_SET_RETENTION, &c, &who, NOW),
		             OL_DENY_PAST_DATE);
	}
	/* who NULL = no bypass */
	CHECK_INT_EQ(ol_policy_check(&v, OL_OP_REMOVE_VERSION, NULL, NULL, NOW),
	             OL_DENY_GOVERNANCE);
	ol_version_release(&v);
}

static void
test_names(void)
{
	CHECK_STR_EQ(ol_verdict_name(OL_ALLOW), "OL_ALLOW");
	CHECK_STR_EQ(ol_verdict_name(OL_DENY_BYPASS_NOT_PERMITTED), "OL_DENY_BYPASS_NOT_PERMITTED");
	CHECK_STR_EQ(ol_verdict_name((enum ol_verdict)99), "OL_?");
	CHECK_STR_EQ(ol_verdict_reason(OL_DENY_COMPLIANCE), "active compliance retention");
	CHECK_STR_EQ(ol_verdict_reason(OL_DENY_LEGAL_HOLD), "legal hold on");
	CHECK_STR_EQ(ol_verdict_reason((enum ol_verdict)99), "unknown");
	CHECK_STR_EQ(ol_rc_name(OL_ELOCKED), "OL_ELOCKED");
	CHECK_STR_EQ(ol_rc_name(OL_EDELMARKER), "OL_EDELMARKER");
}

int
main(void)
{
	test_table();
	test_delete_markers();
	test_boundaries();
	test_never_blocked();
	test_bad_changes();
	test_names();
	fprintf(stderr, "objectlock-policy: %zu table rows\n", (size_t)NROWS);
	return check_done("objectlock-policy");
}
