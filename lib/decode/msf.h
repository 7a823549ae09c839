/* SPDX-License-Identifier: MIT */
/*
 * MSF 7.0, the multi-stream container of a PDB (docs/symbols.md §MSF): a
 * file of fixed-size blocks holding numbered streams, each a list of blocks
 * named by the stream directory. Reads borrow from the caller's bytes
 * (normally a file mapping); a stream whose blocks are not consecutive is
 * gathered into one allocation of at most its own (checked) size.
 */
#ifndef ALPCSCOPE_DECODE_MSF_H
#define ALPCSCOPE_DECODE_MSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alpcscope/status.h>

/* A stream index meaning "no stream" (DBI and module records use 0xFFFF). */
#define MSF_NO_STREAM 0xFFFFu

struct msf {
	const uint8_t *data;
	size_t size;
	const char *name; /* file name for error messages (borrowed) */
	uint32_t block_size;
	uint32_t block_count;
	uint32_t stream_count;
	uint8_t *directory;          /* gathered stream directory */
	size_t directory_size;       /* bytes of it that were validated */
	uint32_t map_block;          /* block holding the directory's block numbers */
	uint32_t *stream_block_list; /* per stream: byte offset of its block list in directory */
};

/* One stream's bytes: borrowed from the file or owned (gathered). */
struct msf_stream {
	const uint8_t *data;
	uint32_t size;
	uint32_t index;
	uint8_t *owned;
};

/*
 * Parse the superblock and the stream directory of @p data (@p size bytes).
 * @p name appears in error messages; it must outlive @p out.
 * Errors: ALPCSCOPE_E_UNSUPPORTED (not an MSF 7.0 file), ALPCSCOPE_E_CORRUPT
 * (a field points outside the file), ALPCSCOPE_E_NOMEM.
 */
enum alpcscope_status msf_open(struct msf *out, const uint8_t *data, size_t size, const char *name,
			       struct alpcscope_error *err);
void msf_close(struct msf *m);

/* Size of stream @p index; false when it does not exist or is nil. */
bool msf_stream_size(const struct msf *m, uint32_t index, uint32_t *size);

/* Read stream @p index whole. Release with msf_stream_release(). */
enum alpcscope_status msf_stream_read(const struct msf *m, uint32_t index, struct msf_stream *out,
				      struct alpcscope_error *err);
void msf_stream_release(struct msf_stream *s);

/* File offset of byte @p offset of stream @p index (for error messages). */
uint64_t msf_file_offset(const struct msf *m, uint32_t index, uint32_t offset);

#endif
