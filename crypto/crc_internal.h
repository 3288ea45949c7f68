/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to crypto/ and its unit tests: the portable and the CPU-specific implementation
 * behind each public CRC, exposed so a test can prove they agree byte for byte. Not part
 * of the library's contract; nothing outside crypto/ and tests/unit/crypto/ includes this.
 * Same streaming convention as the public functions: start from 0, pass the previous
 * return value. All are thread-safe.
 */
#ifndef HOLDFAST_CRYPTO_CRC_INTERNAL_H
#define HOLDFAST_CRYPTO_CRC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cr_crc_kind { CR_CRC_KIND_CRC32, CR_CRC_KIND_CRC32C, CR_CRC_KIND_CRC64NVME };

/* True when this build has the fast path for @kind and the CPU can run it: PCLMULQDQ for
 * CRC-32 and CRC-64/NVME, SSE4.2 for CRC-32C. */
bool cr_crc_hw_available(enum cr_crc_kind kind);

/* Portable paths: zlib for CRC-32, slicing-by-8 tables for the other two. */
uint32_t cr_crc32_sw(uint32_t crc, const void *p, size_t n);
uint32_t cr_crc32c_sw(uint32_t crc, const void *p, size_t n);
uint64_t cr_crc64nvme_sw(uint64_t crc, const void *p, size_t n);

/* Fast paths. Where the build target or the CPU lacks the instructions, or the input is
 * too short to gain from them, they quietly run the portable path. */
uint32_t cr_crc32_hw(uint32_t crc, const void *p, size_t n);
uint32_t cr_crc32c_hw(uint32_t crc, const void *p, size_t n);
uint64_t cr_crc64nvme_hw(uint64_t crc, const void *p, size_t n);

#endif
