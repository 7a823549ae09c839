/* SPDX-License-Identifier: MIT */
/* Whole-file read-only mappings (see file_map.h). */
#include "util/file_map.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

enum alpcscope_status
file_map_open(struct file_map *out, const char *path, struct alpcscope_error *err)
{
	struct stat sb;
	int fd;

	out->data = NULL;
	out->size = 0;
	out->map = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: cannot open: %s",
				 path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: not a regular file",
				 path);
	}
	if (sb.st_size == 0) {
		close(fd);
		out->data = (const uint8_t *)"";
		return ALPCSCOPE_OK;
	}
	if ((uint64_t)sb.st_size > SIZE_MAX) {
		close(fd);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: too large", path);
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;

	close(fd);
	if (map == MAP_FAILED)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: cannot map: %s",
				 path, strerror(e));
	out->map = map;
	out->data = map;
	out->size = (size_t)sb.st_size;
	return ALPCSCOPE_OK;
}

void
file_map_close(struct file_map *fm)
{
	if (fm->map)
		munmap(fm->map, fm->size);
	fm->map = NULL;
	fm->data = NULL;
	fm->size = 0;
}
