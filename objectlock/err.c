/* SPDX-License-Identifier: Apache-2.0 */
/* Error context helpers: codes stay in enum ol_rc, errno only travels in sys_errno. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* GNU strerror_r: thread-safe and returns the text */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

const char *
ol_rc_name(int rc)
{
	switch (rc) {
	case OL_OK: return "OL_OK";
	case OL_ERR: return "OL_ERR";
	case OL_ENOTFOUND: return "OL_ENOTFOUND";
	case OL_EEXIST: return "OL_EEXIST";
	case OL_EINVAL: return "OL_EINVAL";
	case OL_ECORRUPT: return "OL_ECORRUPT";
	case OL_ENOTEMPTY: return "OL_ENOTEMPTY";
	case OL_E2BIG: return "OL_E2BIG";
	case OL_ENOMEM: return "OL_ENOMEM";
	case OL_EIO: return "OL_EIO";
	case OL_ENOSPC: return "OL_ENOSPC";
	case OL_EBADPART: return "OL_EBADPART";
	case OL_EPARTORDER: return "OL_EPARTORDER";
	case OL_ELOCKED: return "OL_ELOCKED";
	case OL_EDELMARKER: return "OL_EDELMARKER";
	default: return "OL_?";
	}
}

int
ol_err_quiet(struct ol_err *err, int rc)
{
	if (err) {
		err->rc = rc;
		err->sys_errno = 0;
		err->msg[0] = '\0';
	}
	return rc;
}

int
ol_err_set(struct ol_err *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return rc;
	err->rc = rc;
	err->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

static int
rc_of_errno(int e)
{
	switch (e) {
	case EIO: return OL_EIO;
	case ENOSPC: return OL_ENOSPC;
	case EDQUOT: return OL_ENOSPC;
	case ENOMEM: return OL_ENOMEM;
	case ENOENT: return OL_ENOTFOUND;
	case EEXIST: return OL_EEXIST;
	default: return OL_ERR;
	}
}

int
ol_err_sys(struct ol_err *err, int sys_errno, const char *fmt, ...)
{
	int rc = rc_of_errno(sys_errno);
	char ebuf[96];
	const char *etext;
	va_list ap;
	size_t used;

	if (!err)
		return rc;
	err->rc = rc;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	etext = strerror_r(sys_errno, ebuf, sizeof(ebuf));
	used = strlen(err->msg);
	if (used < sizeof(err->msg))
		snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", etext);
	return rc;
}

void
ol_quote(char *out, size_t cap, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = p;
	size_t o = 0, i;

	if (cap == 0)
		return;
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];
		size_t need = (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') ? 4 : 1;

		/* keep room for "..." and the NUL */
		if (o + need + 4 > cap) {
			if (o + 4 <= cap) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 4) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
}
