/* SPDX-License-Identifier: MIT */
/* Safe output files: see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
fail(const char *cmd, const char *what, const char *path, int e)
{
	fprintf(stderr, "alpcscope %s: %s %s: %s\n", cmd, what, path, strerror(e));
}

/*
 * Write in place into an existing non-regular file. It is opened without
 * O_CREAT and checked again once open, so a swap for a regular file (or a
 * symlink to one) between stat() and open() is noticed: then the caller
 * uses a temporary instead and the file is replaced, never overwritten.
 */
static int
open_in_place(struct outfile *o)
{
	struct stat st;
	int fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		return 0;
	}
	o->f = fdopen(fd, "wb");
	if (!o->f) {
		int e = errno;

		close(fd);
		return -e;
	}
	return 1;
}

/* Mode of a new file, as fopen() would create it: 0666 less the umask. */
static mode_t
new_file_mode(void)
{
	mode_t mask = umask(022);

	umask(mask);
	return 0666 & ~mask;
}

static int
open_temporary(struct outfile *o, mode_t mode)
{
	const char *slash = strrchr(o->path, '/');
	size_t dirlen = slash ? (size_t)(slash - o->path) + 1 : 0;
	const char *base = slash ? slash + 1 : o->path;
	size_t n = dirlen + strlen(base) + sizeof(".tmp.XXXXXX") + 1;
	int fd;

	o->tmp = malloc(n);
	if (!o->tmp)
		return -ENOMEM;
	/* ".NAME.tmp.XXXXXX" beside the target: same file system, so rename() is atomic. */
	snprintf(o->tmp, n, "%.*s.%s.tmp.XXXXXX", (int)dirlen, o->path, base);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		return -e;
	}
	if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "wb"))) {
		int e = errno;

		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -e;
	}
	return 1;
}

bool
outfile_open(struct outfile *o, const char *cmd, const char *path)
{
	struct stat st;
	mode_t mode;
	int r;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return true;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fail(cmd, "cannot create", path, EISDIR);
			return false;
		}
		if (!S_ISREG(st.st_mode)) {
			r = open_in_place(o);
			if (r < 0) {
				fail(cmd, "cannot open", path, -r);
				return false;
			}
			if (r > 0)
				return true;
			mode = new_file_mode();
		} else {
			mode = st.st_mode & 0777;
		}
	} else if (errno == ENOENT) {
		mode = new_file_mode();
	} else {
		fail(cmd, "cannot create", path, errno);
		return false;
	}
	r = open_temporary(o, mode);
	if (r < 0) {
		fail(cmd, "cannot create a temporary file beside", path, -r);
		return false;
	}
	return true;
}

bool
outfile_close(struct outfile *o, const char *cmd, bool ok)
{
	bool was_ok = ok;
	int e = 0;

	if (!o->f)
		return false;
	if (fflush(o->f) != 0 || ferror(o->f)) {
		e = errno ? errno : EIO;
		ok = false;
	}
	if (o->f == stdout) {
		o->f = NULL;
	} else {
		if (fclose(o->f) != 0 && ok) {
			e = errno;
			ok = false;
		}
		o->f = NULL;
	}
	if (o->tmp) {
		if (ok && rename(o->tmp, o->path) != 0) {
			e = errno;
			ok = false;
		}
		if (!ok)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	if (!ok && was_ok)
		fail(cmd, "cannot write", strcmp(o->path, "-") == 0 ? "standard output" : o->path,
		     e ? e : EIO);
	return ok;
}
