/* SPDX-License-Identifier: Apache-2.0 */
/* Escaping writer for S3 response XML. */
#include "xml.h"

#include <string.h>

int
xml_escape(struct buf *b, const char *p, size_t n)
{
	size_t i, run = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		const char *rep = NULL;
		char num[8];

		switch (c) {
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '&': rep = "&amp;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\r': rep = "&#13;"; break;
		default:
			/* XML 1.0 forbids C0 controls other than tab/LF/CR even as references */
			if (c < 0x20 && c != '\t' && c != '\n') {
				num[0] = '\0';
				rep = num;
			}
		}
		if (!rep) {
			run++;
			continue;
		}
		if (run && (rc = buf_append(b, p + i - run, run)))
			return rc;
		run = 0;
		if (*rep && (rc = buf_puts(b, rep)))
			return rc;
	}
	if (run)
		rc = buf_append(b, p + n - run, run);
	return rc;
}

int
xml_elem(struct buf *b, const char *name, const char *p, size_t n)
{
	int rc;

	if ((rc = buf_printf(b, "<%s>", name)) || (rc = xml_escape(b, p, n)))
		return rc;
	return buf_printf(b, "</%s>", name);
}

int
xml_elem_str(struct buf *b, const char *name, const char *s)
{
	return xml_elem(b, name, s, strlen(s));
}
