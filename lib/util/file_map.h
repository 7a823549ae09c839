/* SPDX-License-Identifier: MIT */
/*
 * A read-only mapping of a whole file (symbol files, PE images): mapped, not
 * copied, so opening a large PDB costs address space, not memory.
 */
#ifndef ALPCSCOPE_UTIL_FILE_MAP_H
#define ALPCSCOPE_UTIL_FILE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include <alpcscope/status.h>

struct file_map {
	const uint8_t *data;
	size_t size;
	void *map; /* NULL for an empty file */
};

/* Map @p path read-only; the error message names the file. */
enum alpcscope_status file_map_open(struct file_map *out, const char *path,
				    struct alpcscope_error *err);
void file_map_close(struct file_map *fm);

#endif
