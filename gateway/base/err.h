/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Gateway result codes and the error context that carries the message. A function that can
 * fail returns GW_OK or a negative enum gw_rc and, when it has something to say, fills a
 * struct gw_err; the S3 error table (gateway/s3/errors.h) turns a result into status + code.
 * errno values never enter this code space: they ride along in sys_errno.
 */
#ifndef HOLDFAST_GW_ERR_H
#define HOLDFAST_GW_ERR_H

enum gw_rc {
	GW_OK = 0,
	GW_ERR = -1,       /* unexpected: msg says why */
	GW_ENOTFOUND = -2, /* expected absence; msg may be empty */
	GW_EEXIST = -3,
	GW_EINVAL = -4,    /* bad input from outside; msg names the culprit */
	GW_EAUTH = -5,
	GW_ELOCKED = -6,
	GW_E2BIG = -7,
	GW_ENOMEM = -8,
	GW_EIO = -9,
	GW_ENOSPC = -10,
};

struct gw_err {
	int rc;
	int sys_errno;
	char msg[192];
};

/* Record @rc with a printf-style message; returns @rc so callers can `return gw_err_set(..)`.
 * A NULL @err is allowed (the message is dropped). */
int gw_err_set(struct gw_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, appending ": strerror(sys_errno)" and keeping sys_errno. */
int gw_err_sys(struct gw_err *err, int rc, int sys_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void gw_err_clear(struct gw_err *err);

#endif
