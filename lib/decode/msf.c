/* SPDX-License-Identifier: MIT */
/*
 * MSF 7.0 container (docs/symbols.md §MSF). Superblock at offset 0:
 *   +0  magic "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS" and three NULs (32 bytes)
 *   +32 BlockSize   +36 FreeBlockMapBlock   +40 NumBlocks
 *   +44 NumDirectoryBytes   +48 unknown   +52 BlockMapAddr
 * BlockMapAddr is the block holding the block numbers of the stream
 * directory; the directory is NumStreams, NumStreams sizes (0xFFFFFFFF = nil
 * stream), then each stream's block numbers in stream order.
 */
#include "decode/msf.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/error.h"

static const uint8_t msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a"
				     "DS\0\0";

#define MSF_NIL_SIZE 0xFFFFFFFFu

static uint32_t
blocks_for(uint32_t bytes, uint32_t block_size)
{
	return (uint32_t)(((uint64_t)bytes + block_size - 1) / block_size);
}

static bool
block_ok(const struct msf *m, uint32_t block)
{
	return block < m->block_count && ((uint64_t)block + 1) * m->block_size <= m->size;
}

static const uint8_t *
block_at(const struct msf *m, uint32_t block)
{
	return m->data + (size_t)block * m->block_size;
}

/* File offset of byte @p pos of the stream directory. */
static uint64_t
directory_file_offset(const struct msf *m, uint64_t pos)
{
	uint32_t b = le32_load(block_at(m, m->map_block) + 4 * (size_t)(pos / m->block_size));

	return (uint64_t)b * m->block_size + pos % m->block_size;
}

enum alpcscope_status
msf_open(struct msf *out, const uint8_t *data, size_t size, const char *name,
	 struct alpcscope_error *err)
{
	memset(out, 0, sizeof(*out));
	out->data = data;
	out->size = size;
	out->name = name;
	if (size < 56 || memcmp(data, msf_magic, sizeof(msf_magic)) != 0)
		return error_set(err, ALPCSCOPE_E_UNSUPPORTED, 0,
				 "%s: not an MSF 7.0 program database (no superblock magic)", name);
	uint32_t bs = le32_load(data + 32);
	uint32_t dir_bytes = le32_load(data + 44);
	uint32_t map_block = le32_load(data + 52);

	if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096 && bs != 8192 && bs != 16384 &&
	    bs != 32768)
		return error_set(err, ALPCSCOPE_E_CORRUPT, 32, "%s: block size %u is not valid",
				 name, bs);
	out->block_size = bs;
	out->block_count = le32_load(data + 40);
	if ((uint64_t)out->block_count * bs > size) {
		/* A truncated file: only whole blocks inside it are readable. */
		out->block_count = (uint32_t)(size / bs);
	}
	if (dir_bytes < 4 || dir_bytes > size)
		return error_set(err, ALPCSCOPE_E_CORRUPT, 44,
				 "%s: stream directory size %u does not fit the file", name,
				 dir_bytes);
	uint32_t ndir = blocks_for(dir_bytes, bs);

	if (!block_ok(out, map_block) || (uint64_t)ndir * 4 > bs)
		return error_set(err, ALPCSCOPE_E_CORRUPT, 52,
				 "%s: directory block map (block %u) outside the file", name,
				 map_block);
	out->directory = malloc((size_t)ndir * bs);
	if (!out->directory)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < ndir; i++) {
		uint32_t b = le32_load(block_at(out, map_block) + 4 * (size_t)i);

		if (!block_ok(out, b)) {
			msf_close(out);
			return error_set(err, ALPCSCOPE_E_CORRUPT,
					 (uint64_t)map_block * bs + 4 * (uint64_t)i,
					 "%s: directory block %u outside the file", name, b);
		}
		memcpy(out->directory + (size_t)i * bs, block_at(out, b), bs);
	}
	out->directory_size = dir_bytes;
	out->map_block = map_block;
	uint32_t nstreams = le32_load(out->directory);
	uint64_t dir_off = directory_file_offset(out, 0);

	if (nstreams > (dir_bytes - 4) / 4) {
		msf_close(out);
		return error_set(err, ALPCSCOPE_E_CORRUPT, dir_off,
				 "%s: %u streams do not fit a %u-byte directory", name, nstreams,
				 dir_bytes);
	}
	out->stream_count = nstreams;
	out->stream_block_list = malloc(((size_t)nstreams + 1) * sizeof(uint32_t));
	if (!out->stream_block_list) {
		msf_close(out);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	uint64_t pos = 4 + 4 * (uint64_t)nstreams;

	for (uint32_t i = 0; i < nstreams; i++) {
		uint32_t sz = le32_load(out->directory + 4 + 4 * (size_t)i);
		uint32_t nb = sz == MSF_NIL_SIZE ? 0 : blocks_for(sz, bs);

		out->stream_block_list[i] = (uint32_t)pos;
		pos += 4 * (uint64_t)nb;
		if (pos > dir_bytes) {
			msf_close(out);
			return error_set(err, ALPCSCOPE_E_CORRUPT, dir_off,
					 "%s: stream %u (%u bytes) overruns the stream directory",
					 name, i, sz);
		}
	}
	return ALPCSCOPE_OK;
}

void
msf_close(struct msf *m)
{
	free(m->directory);
	free(m->stream_block_list);
	m->directory = NULL;
	m->stream_block_list = NULL;
	m->stream_count = 0;
}

bool
msf_stream_size(const struct msf *m, uint32_t index, uint32_t *size)
{
	if (index >= m->stream_count)
		return false;
	uint32_t sz = le32_load(m->directory + 4 + 4 * (size_t)index);

	if (sz == MSF_NIL_SIZE)
		return false;
	*size = sz;
	return true;
}

static uint32_t
stream_block(const struct msf *m, uint32_t index, uint32_t i)
{
	return le32_load(m->directory + m->stream_block_list[index] + 4 * (size_t)i);
}

uint64_t
msf_file_offset(const struct msf *m, uint32_t index, uint32_t offset)
{
	uint32_t size;

	if (!msf_stream_size(m, index, &size) || offset >= size)
		return ALPCSCOPE_NO_OFFSET;
	uint32_t b = stream_block(m, index, offset / m->block_size);

	return (uint64_t)b * m->block_size + offset % m->block_size;
}

enum alpcscope_status
msf_stream_read(const struct msf *m, uint32_t index, struct msf_stream *out,
		struct alpcscope_error *err)
{
	uint32_t size;

	memset(out, 0, sizeof(*out));
	out->index = index;
	if (!msf_stream_size(m, index, &size))
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: stream %u does not exist", m->name, index);
	uint32_t nb = blocks_for(size, m->block_size);
	bool consecutive = true;

	for (uint32_t i = 0; i < nb; i++) {
		uint32_t b = stream_block(m, index, i);

		if (!block_ok(m, b))
			return error_set(
			    err, ALPCSCOPE_E_CORRUPT,
			    directory_file_offset(m, m->stream_block_list[index] + 4 * (uint64_t)i),
			    "%s: stream %u block %u (number %u) is outside the file", m->name,
			    index, i, b);
		if (i && b != stream_block(m, index, 0) + i)
			consecutive = false;
	}
	out->size = size;
	if (nb == 0) {
		out->data = (const uint8_t *)"";
		return ALPCSCOPE_OK;
	}
	if (consecutive) {
		out->data = block_at(m, stream_block(m, index, 0));
		return ALPCSCOPE_OK;
	}
	/*
	 * Distinct blocks of a real stream never hold more than the file; a
	 * directory that repeats a block could claim gigabytes.
	 */
	if (size > m->size)
		return error_set(err, ALPCSCOPE_E_CORRUPT,
				 directory_file_offset(m, m->stream_block_list[index]),
				 "%s: stream %u claims %u bytes, more than the %zu-byte file",
				 m->name, index, size, m->size);
	out->owned = malloc(size);
	if (!out->owned)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < nb; i++) {
		uint32_t n = i + 1 < nb ? m->block_size : size - i * m->block_size;

		memcpy(out->owned + (size_t)i * m->block_size,
		       block_at(m, stream_block(m, index, i)), n);
	}
	out->data = out->owned;
	return ALPCSCOPE_OK;
}

void
msf_stream_release(struct msf_stream *s)
{
	free(s->owned);
	s->owned = NULL;
	s->data = NULL;
	s->size = 0;
}
