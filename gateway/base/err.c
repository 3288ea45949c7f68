/* SPDX-License-Identifier: Apache-2.0 */
/* Error context helpers: the message lives here, never in errno (STYLE "Errors"). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
gw_err_set(struct gw_err *err, int rc, const char *fmt, ...)
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

int
gw_err_sys(struct gw_err *err, int rc, int sys_errno, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return rc;
	err->rc = rc;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(sys_errno));
	return rc;
}

void
gw_err_clear(struct gw_err *err)
{
	if (!err)
		return;
	err->rc = GW_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}
