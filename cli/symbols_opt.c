/* SPDX-License-Identifier: MIT */
/* --symbols / --symbols-verbose (see symbols_opt.h). */
#include "symbols_opt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cli_opt cli_symbols_opts[] = {
    {.name = "symbols",
     .kind = CLI_OPT_STRING,
     CLI_DEST(struct cli_symbols, path),
     .value_name = "PATH",
     .complete = CLI_COMPLETE_DIR,
     .help = "name stack frames from the PDBs and binaries on PATH\n(';'-separated: symbol "
	     "stores, srv*CACHE*URL and\ncache*DIR (their local folder only), flat "
	     "folders);\ndefault $_NT_SYMBOL_PATH; never uses the network"},
    {.name = "symbols-verbose",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct cli_symbols, verbose),
     .help = "report every module's symbol file on stderr"},
    {0},
};

static void symbols_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
symbols_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

struct alpcscope_symbolizer *
cli_symbols_open(const struct cli_symbols *cs, const char *cmd)
{
	struct alpcscope_symbolizer_options o = ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT;
	struct alpcscope_symbolizer *s = NULL;
	struct alpcscope_error err;

	o.symbol_path = cs->path ? cs->path : getenv("_NT_SYMBOL_PATH");
	if (!o.symbol_path || !o.symbol_path[0])
		return NULL;
	if (alpcscope_symbolizer_new(&s, &o, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope %s: symbols: %s\n", cmd, err.message);
		return NULL;
	}
	return s;
}

void
cli_symbols_report(const struct cli_symbols *cs, const struct alpcscope_symbolizer *s,
		   const char *cmd)
{
	size_t n = alpcscope_symbolizer_module_count(s), anonymous = 0;
	uint64_t anonymous_frames = 0;

	for (size_t i = 0; i < n; i++) {
		struct alpcscope_module_symbol_info mi;

		if (alpcscope_symbolizer_module_at(s, i, &mi) != ALPCSCOPE_OK)
			continue;
		if (!cs->verbose && (mi.status == ALPCSCOPE_MODSYM_FOUND || mi.frames == 0))
			continue;
		if (!cs->verbose && mi.status == ALPCSCOPE_MODSYM_NO_IDENTITY) {
			/* The common case for system DLLs: one line for all of them. */
			anonymous++;
			anonymous_frames += mi.frames;
			continue;
		}
		char wanted[600] = "", file[600] = "", detail[600] = "", module[300], t[520];

		if (mi.store_path && mi.status != ALPCSCOPE_MODSYM_FOUND)
			snprintf(wanted, sizeof(wanted), " (wanted %s)",
				 alpcscope_safe_text(t, sizeof(t), mi.store_path));
		if (mi.file)
			snprintf(file, sizeof(file), " %s",
				 alpcscope_safe_text(t, sizeof(t), mi.file));
		if (mi.detail)
			snprintf(detail, sizeof(detail), ": %s",
				 alpcscope_safe_text(t, sizeof(t), mi.detail));
		/* Unnamed frames are a warning (--quiet hides it); -verbose asked for all. */
		(cs->verbose ? symbols_print : cli_warn)(
		    "alpcscope %s: symbols: %s: %s%s%s%s; %llu of %llu frames named\n", cmd,
		    alpcscope_safe_text(module, sizeof(module), mi.module),
		    alpcscope_module_symbols_name(mi.status), wanted, file, detail,
		    (unsigned long long)mi.frames_named, (unsigned long long)mi.frames);
	}
	if (anonymous)
		cli_warn("alpcscope %s: symbols: %zu modules (%llu frames) have no PDB identity in "
			 "the trace and no binary on the path (--symbols-verbose lists them)\n",
			 cmd, anonymous, (unsigned long long)anonymous_frames);
}
