/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA "Plain LZ77" (COMPRESSION_FORMAT_XPRESS, format 3) compressor, the
 * format of compressed ETL buffers (docs/etl-layout.md#plain-lz77). Greedy hash-chain
 * matcher; output decodes with any MS-XCA §2.4 decoder (libfwnt's
 * libfwnt_lzxpress_decompress, dissect's lzxpress). Deterministic.
 */
#ifndef ALPCSCOPE_TEST_XPRESS_COMPRESS_H
#define ALPCSCOPE_TEST_XPRESS_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Worst-case output size for @in_len input bytes (all literals plus flag words). */
size_t xpress_compress_bound(size_t in_len);

/*
 * Compress @in_len bytes into @out (capacity @out_cap, at least
 * xpress_compress_bound(in_len)). Returns the compressed length, or 0 when
 * @out_cap is too small or memory for the match finder is unavailable.
 */
size_t xpress_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

/*
 * Reference decoder (MS-XCA §2.4) used by the tests to check the compressor
 * without a third-party library. Returns the produced length or
 * (size_t)-1 on malformed input or when the output would exceed @out_cap.
 */
size_t xpress_ref_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

#endif
