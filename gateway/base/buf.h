/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Owning byte buffer with a hard maximum, and borrowed (pointer, length) views.
 * A buf is always NUL-terminated after a successful append (the NUL is not counted in len
 * and does not count against max), so its text can be handed to C APIs; a failed append
 * leaves it unchanged. A slice is borrowed and never assumed NUL-terminated.
 */
#ifndef HOLDFAST_GW_BUF_H
#define HOLDFAST_GW_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len, cap, max;
};

struct slice {
	const char *p;
	size_t n;
};

#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b); /* NULL-safe; leaves an empty buf that can be reused */
void buf_reset(struct buf *b);   /* len = 0, keeps the memory */
/* GW_OK, GW_E2BIG past max, GW_ENOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct slice slice_from_cstr(const char *s);
bool slice_eq_cstr(struct slice s, const char *c);
bool slice_case_eq_cstr(struct slice s, const char *c);

#endif
