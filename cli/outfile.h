/* SPDX-License-Identifier: MIT */
/*
 * Output files of the commands that write one (`graph -o`, `profile -o`).
 *
 * A regular file (or a name that does not exist yet) is written to a fresh
 * temporary created with mkstemp() in the same directory (O_EXCL: a planted
 * symlink or file is never followed or reused) and renamed over the target
 * only when everything was written, so a failure leaves the old file and no
 * temporary behind. A target that exists and is not a regular file (FIFO,
 * terminal, /dev/stdout, a device) is written in place, never replaced.
 * "-" is standard output. Every error names the path the user gave.
 */
#ifndef ALPCSCOPE_CLI_OUTFILE_H
#define ALPCSCOPE_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
	const char *path; /* as the user gave it */
	char *tmp;        /* temporary to rename over path, or NULL (in place / stdout) */
	FILE *f;
};

/* Open @p path for writing; false after printing "alpcscope CMD: cannot create PATH: why". */
bool outfile_open(struct outfile *o, const char *cmd, const char *path);

/*
 * Finish: flush and close, then rename the temporary over the target when
 * @p ok, or remove it. False (after printing the reason, naming the path)
 * when anything failed; nothing is printed when @p ok was already false.
 */
bool outfile_close(struct outfile *o, const char *cmd, bool ok);

#endif
