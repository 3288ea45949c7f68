/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal assertion helpers shared by the C unit tests: a failed CHECK prints where and
 * what, counts, and lets the test go on so one run shows every broken case. */
#ifndef HOLDFAST_TESTS_CHECK_H
#define HOLDFAST_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
			        #cond);                                              \
			check_failures++;                                            \
		}                                                                    \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                           \
	do {                                                                         \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);      \
		if (check_a_ != check_b_) {                                          \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",    \
			        __FILE__, __LINE__, #a, #b, check_a_, check_b_);     \
			check_failures++;                                            \
		}                                                                    \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                           \
	do {                                                                         \
		const char *check_a_ = (a), *check_b_ = (b);                         \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {    \
			fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
			        __FILE__, __LINE__, #a, #b,                          \
			        check_a_ ? check_a_ : "(null)",                      \
			        check_b_ ? check_b_ : "(null)");                     \
			check_failures++;                                            \
		}                                                                    \
	} while (0)

#define CHECK_MEM_EQ(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* End of main(): meson counts exit 0 as pass, 1 as fail. */
static inline int
check_done(const char *name)
{
	if (check_failures)
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
	return check_failures ? 1 : 0;
}

#endif
