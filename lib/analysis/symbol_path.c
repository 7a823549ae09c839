/* SPDX-License-Identifier: MIT */
/*
 * Symbol path entries (docs/symbols.md §Symbol path), separated by ';':
 *   srv*DIR*...*URL, symsrv*DLL*DIR*...*URL  every local DIR is a store
 *   cache*DIR                                a store (downstream cache)
 *   DIR                                      a store or a flat directory
 * URLs (anything with "://") are never contacted; they are dropped.
 */
#include "analysis/symbol_path.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool
has_url_scheme(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
			return true;
	return false;
}

static bool
add_dir(struct symbol_path *sp, const char *s, size_t n)
{
	while (n && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || has_url_scheme(s, n))
		return true;
	char **d = realloc(sp->dirs, (sp->count + 1) * sizeof(*d));

	if (!d)
		return false;
	sp->dirs = d;
	signed char *t = realloc(sp->two_tier, sp->count + 1);

	if (!t)
		return false;
	sp->two_tier = t;
	d[sp->count] = strndup(s, n);
	if (!d[sp->count])
		return false;
	t[sp->count++] = -1;
	return true;
}

static bool
add_entry(struct symbol_path *sp, const char *s, size_t n)
{
	const char *star = memchr(s, '*', n);

	if (!star)
		return add_dir(sp, s, n);
	size_t head = (size_t)(star - s);
	bool symsrv = head == 6 && strncasecmp(s, "symsrv", 6) == 0;

	if (!(head == 3 && strncasecmp(s, "srv", 3) == 0) && !symsrv &&
	    !(head == 5 && strncasecmp(s, "cache", 5) == 0))
		return add_dir(sp, s, n); /* a directory name with a '*' in it */
	const char *p = star + 1, *end = s + n;

	if (symsrv) { /* symsrv*symsrv.dll*...: skip the DLL name */
		const char *q = memchr(p, '*', (size_t)(end - p));

		p = q ? q + 1 : end;
	}
	while (p < end) {
		const char *q = memchr(p, '*', (size_t)(end - p));
		size_t len = q ? (size_t)(q - p) : (size_t)(end - p);

		if (!add_dir(sp, p, len))
			return false;
		p += len + 1;
	}
	return true;
}

bool
symbol_path_parse(struct symbol_path *sp, const char *text)
{
	memset(sp, 0, sizeof(*sp));
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, ";");

		if (!add_entry(sp, p, n)) {
			symbol_path_free(sp);
			return false;
		}
		p += n + (p[n] == ';');
	}
	return true;
}

void
symbol_path_free(struct symbol_path *sp)
{
	for (size_t i = 0; i < sp->count; i++)
		free(sp->dirs[i]);
	free(sp->dirs);
	free(sp->two_tier);
	memset(sp, 0, sizeof(*sp));
}

/*
 * Append @p name to @p path (which holds a directory) as it exists there:
 * the exact name, else the first entry equal without regard to case.
 */
static bool
join_ci(char *path, size_t size, const char *name, bool want_dir)
{
	size_t len = strlen(path);
	struct stat st;

	if (snprintf(path + len, size - len, "/%s", name) >= (int)(size - len))
		return false;
	if (stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)))
		return true;
	path[len] = '\0';
	DIR *d = opendir(path);
	bool found = false;

	if (!d)
		return false;
	for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
		if (strcasecmp(e->d_name, name) != 0)
			continue;
		if (snprintf(path + len, size - len, "/%s", e->d_name) >= (int)(size - len))
			break;
		found =
		    stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
		if (!found)
			path[len] = '\0';
	}
	closedir(d);
	if (!found)
		path[len] = '\0';
	return found;
}

/* @p dir / parts[0] / parts[1] ... (the last one a file), matched without case. */
static bool
resolve(const char *dir, const char *const *parts, size_t n, char *out, size_t size)
{
	if (snprintf(out, size, "%s", dir) >= (int)size)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!join_ci(out, size, parts[i], i + 1 < n))
			return false;
	return true;
}

static bool
is_two_tier(struct symbol_path *sp, size_t i)
{
	if (sp->two_tier[i] < 0) {
		char p[4096];
		const char *idx[] = {"index2.txt"};

		sp->two_tier[i] = resolve(sp->dirs[i], idx, 1, p, sizeof(p)) ? 1 : 0;
	}
	return sp->two_tier[i] == 1;
}

void
symbol_path_find(struct symbol_path *sp, const char *name, const char *key,
		 symbol_path_visit_fn visit, void *ctx)
{
	char path[4096];

	if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return;
	for (size_t i = 0; key && i < sp->count; i++) {
		const char *one[] = {name, key, name};

		if (resolve(sp->dirs[i], one, 3, path, sizeof(path)) && !visit(ctx, path))
			return;
		if (is_two_tier(sp, i) && strlen(name) >= 2) {
			char prefix[3] = {name[0], name[1], '\0'};
			const char *two[] = {prefix, name, key, name};

			if (resolve(sp->dirs[i], two, 4, path, sizeof(path)) && !visit(ctx, path))
				return;
		}
	}
	for (size_t i = 0; i < sp->count; i++) {
		const char *flat[] = {name};

		if (resolve(sp->dirs[i], flat, 1, path, sizeof(path)) && !visit(ctx, path))
			return;
	}
}
