/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Object Lock enforcement point: one pure function over (version, operation, requested
 * change, caller, compliance time). Every store path that removes or alters a version asks
 * it, on the record it just read under the key's lock. objectlock.h states the rules; the
 * comments here give the clause of S3.md each branch comes from.
 */
#include "objectlock.h"

bool
ol_retained(const struct ol_version *v, int64_t now_ns)
{
	/* S3.md 8.1: an expired retention stops protecting by itself; markers carry no lock */
	return v && !v->is_delete_marker && v->lock_mode != OL_LOCK_NONE &&
	       now_ns < v->retain_until_ns;
}

bool
ol_locked(const struct ol_version *v, int64_t now_ns)
{
	return v && !v->is_delete_marker && (ol_retained(v, now_ns) || v->legal_hold);
}

/* Acting against an active GOVERNANCE retention (S3.md 8.2): the header alone is not enough,
 * the permission alone is not asked for. */
static enum ol_verdict
governance_bypass(const struct ol_caller *who)
{
	if (!who || !who->bypass_requested)
		return OL_DENY_GOVERNANCE;
	if (!who->bypass_permitted)
		return OL_DENY_BYPASS_NOT_PERMITTED;
	return OL_ALLOW;
}

static enum ol_verdict
check_remove(const struct ol_version *v, const struct ol_caller *who, int64_t now_ns)
{
	/* S3.md 6 / 8.1: "Delete markers are not WORM-protected" */
	if (v->is_delete_marker)
		return OL_ALLOW;
	/* 8.7: a legal hold refuses removal whatever the retention; bypass never lifts it
	 * (cloudserver#5086 was exactly this bug) */
	if (v->legal_hold)
		return OL_DENY_LEGAL_HOLD;
	if (!ol_retained(v, now_ns))
		return OL_ALLOW;
	if (v->lock_mode == OL_LOCK_COMPLIANCE)
		return OL_DENY_COMPLIANCE;
	return governance_bypass(who);
}

static enum ol_verdict
check_retention(const struct ol_version *v, const struct ol_lock_change *c,
                const struct ol_caller *who, int64_t now_ns)
{
	bool keep_or_extend;

	/* 8.4 check 4 comes before the body is even judged */
	if (v->is_delete_marker)
		return OL_DENY_DELETE_MARKER;
	if (!c || (unsigned)c->lock_mode > OL_LOCK_COMPLIANCE ||
	    (c->lock_mode == OL_LOCK_NONE && c->retain_until_ns != 0))
		return OL_DENY_BAD_CHANGE;
	/* 8.4 check 8 (a date not after now) before check 9 (the matrix) */
	if (c->lock_mode != OL_LOCK_NONE && c->retain_until_ns <= now_ns)
		return OL_DENY_PAST_DATE;
	/* matrix rows "none / expired": anything, removal included */
	if (!ol_retained(v, now_ns))
		return OL_ALLOW;
	/* rows "GOVERNANCE/COMPLIANCE, same mode, d' >= d": extend or keep, always allowed
	 * (Veeam extends COMPLIANCE like this on every run); the legal hold plays no part */
	keep_or_extend = c->lock_mode == v->lock_mode && c->retain_until_ns >= v->retain_until_ns;
	if (keep_or_extend)
		return OL_ALLOW;
	/* shorten, change mode either way, remove: never under COMPLIANCE ... */
	if (v->lock_mode == OL_LOCK_COMPLIANCE)
		return OL_DENY_COMPLIANCE;
	/* ... and under GOVERNANCE only with bypass + permission, GOVERNANCE -> COMPLIANCE
	 * included (S3T changing_mode_from_governance_without_bypass) */
	return governance_bypass(who);
}

enum ol_verdict
ol_policy_check(const struct ol_version *v, enum ol_op op, const struct ol_lock_change *change,
                const struct ol_caller *who, int64_t now_ns)
{
	if (!v)
		return OL_DENY_BAD_CHANGE;
	switch (op) {
	case OL_OP_REMOVE_VERSION:
		return check_remove(v, who, now_ns);
	case OL_OP_SET_RETENTION:
		return check_retention(v, change, who, now_ns);
	case OL_OP_SET_LEGAL_HOLD:
		/* 8.6: allowed at any time, in any retention state, without bypass */
		if (v->is_delete_marker)
			return OL_DENY_DELETE_MARKER;
		return change ? OL_ALLOW : OL_DENY_BAD_CHANGE;
	case OL_OP_NEW_VERSION:
	case OL_OP_UPDATE_METADATA:
		/* 8.7: never block overwrites (minio#8796/#10425) nor metadata */
		return OL_ALLOW;
	}
	return OL_DENY_BAD_CHANGE; /* an op this code does not know: fail closed */
}

const char *
ol_verdict_name(enum ol_verdict v)
{
	switch (v) {
	case OL_ALLOW: return "OL_ALLOW";
	case OL_DENY_LEGAL_HOLD: return "OL_DENY_LEGAL_HOLD";
	case OL_DENY_COMPLIANCE: return "OL_DENY_COMPLIANCE";
	case OL_DENY_GOVERNANCE: return "OL_DENY_GOVERNANCE";
	case OL_DENY_BYPASS_NOT_PERMITTED: return "OL_DENY_BYPASS_NOT_PERMITTED";
	case OL_DENY_PAST_DATE: return "OL_DENY_PAST_DATE";
	case OL_DENY_DELETE_MARKER: return "OL_DENY_DELETE_MARKER";
	case OL_DENY_BAD_CHANGE: return "OL_DENY_BAD_CHANGE";
	}
	return "OL_?";
}

const char *
ol_verdict_reason(enum ol_verdict v)
{
	switch (v) {
	case OL_ALLOW: return "allowed";
	case OL_DENY_LEGAL_HOLD: return "legal hold on";
	case OL_DENY_COMPLIANCE: return "active compliance retention";
	case OL_DENY_GOVERNANCE: return "active governance retention";
	case OL_DENY_BYPASS_NOT_PERMITTED: return "governance bypass not permitted";
	case OL_DENY_PAST_DATE: return "retain-until date not in the future";
	case OL_DENY_DELETE_MARKER: return "delete marker";
	case OL_DENY_BAD_CHANGE: return "malformed lock change";
	}
	return "unknown";
}
