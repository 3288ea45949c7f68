/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing S3 XML documents into a bounded buf. Text is escaped for element content;
 * characters XML 1.0 cannot carry are written as character references where legal and
 * dropped where not (a key with a control byte must still give a parseable document).
 * Parsing request XML lives in xmlparse.h (libxml2).
 */
#ifndef HOLDFAST_S3_XML_H
#define HOLDFAST_S3_XML_H

#include <stddef.h>

#include "../base/buf.h"

#define S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

int xml_escape(struct buf *b, const char *p, size_t n);
/* <name>escaped text</name> */
int xml_elem(struct buf *b, const char *name, const char *p, size_t n);
int xml_elem_str(struct buf *b, const char *name, const char *s);

#endif
