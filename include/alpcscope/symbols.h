/* SPDX-License-Identifier: MIT */
/*
 * Offline symbols (docs/symbols.md): stack frames named
 * module!function+0xoff from PDB files and PE exports found on a symbol
 * path, without network access. A symbolizer holds the parsed path and a
 * cache of the symbol files it opened (lazily, one module at a time, within
 * a memory budget); it is not thread-safe. Function names it returns stay
 * valid until the next call on the same symbolizer (a later lookup may
 * evict the table they live in); other strings until alpcscope_symbolizer_free().
 */
#ifndef ALPCSCOPE_SYMBOLS_H
#define ALPCSCOPE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

struct alpcscope_model;
struct alpcscope_stack;
struct alpcscope_symbolizer;

/** Where a frame's function name came from. */
enum alpcscope_symbol_source {
	ALPCSCOPE_SYMBOL_NONE = 0,      /**< unnamed: module!+0xoff, or a bare address */
	ALPCSCOPE_SYMBOL_PDB_PROCEDURE, /**< the S_GPROC32/S_LPROC32 extent covering it */
	ALPCSCOPE_SYMBOL_PDB_PUBLIC,    /**< the nearest function public (S_PUB32) at or below */
	ALPCSCOPE_SYMBOL_EXPORT,        /**< the nearest export at or below: a guess */
};

/** "none", "pdb-procedure", "pdb-public" or "export". */
ALPCSCOPE_EXPORT const char *alpcscope_symbol_source_name(enum alpcscope_symbol_source source);

/** What the symbol path holds for one module. */
enum alpcscope_module_symbols {
	ALPCSCOPE_MODSYM_FOUND = 0,   /**< a PDB with the image's GUID and age */
	ALPCSCOPE_MODSYM_EXPORTS,     /**< no PDB; the binary (exports) was found */
	ALPCSCOPE_MODSYM_MISSING,     /**< nothing with that name on the path */
	ALPCSCOPE_MODSYM_MISMATCH,    /**< a PDB of that name, but another GUID or age */
	ALPCSCOPE_MODSYM_DAMAGED,     /**< a candidate file could not be read */
	ALPCSCOPE_MODSYM_NO_IDENTITY, /**< the trace names no PDB and no binary was found */
	ALPCSCOPE_MODSYM_COUNT
};

/** "found", "exports", "missing", "mismatch", "damaged" or "no-identity". */
ALPCSCOPE_EXPORT const char *alpcscope_module_symbols_name(enum alpcscope_module_symbols status);

/** One frame, symbolized. Strings are borrowed from the symbolizer. */
struct alpcscope_frame_symbol {
	uint64_t address;
	uint32_t image;         /**< image index in the model, or ALPCSCOPE_NONE */
	const char *module;     /**< "rpcrt4.dll"; NULL when no image covers the address */
	uint64_t module_offset; /**< address - image base */
	const char *function;   /**< undecorated name; NULL when unnamed */
	const char *decorated;  /**< the name as stored (equals @c function for procedures) */
	uint64_t function_offset;
	enum alpcscope_symbol_source source;
	uint32_t shared_names; /**< other functions folded at the same address */
};

/** What the symbolizer found for one module (alpcscope_symbolizer_module()). */
struct alpcscope_module_symbol_info {
	const char *module; /**< "rpcrt4.dll" */
	bool has_pdb_id;    /**< the trace (or the binary) names its PDB */
	struct alpcscope_guid pdb_guid;
	uint32_t pdb_age;
	const char *pdb_name;   /**< base name, "rpcrt4.pdb"; NULL without identity */
	const char *store_path; /**< "rpcrt4.pdb/GUIDAGE/rpcrt4.pdb"; NULL without identity */
	enum alpcscope_module_symbols status;
	const char *file;   /**< the PDB or binary used; NULL when none */
	const char *detail; /**< why not found: mismatch, error naming file and offset; or NULL */
	uint64_t frames;    /**< frames looked up in this module so far */
	uint64_t frames_named; /**< ... of which got a function name */
};

/** Options of alpcscope_symbolizer_new(); start from ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT. */
struct alpcscope_symbolizer_options {
	uint32_t version; /**< ALPCSCOPE_SYMBOLIZER_OPTIONS_VERSION */
	/**
	 * Symbol path, `;`-separated: symbol-store directories (one- and
	 * two-tier), `srv*CACHE*URL` / `cache*DIR` (only local directories are
	 * used), flat directories of PDBs or of PE binaries. NULL = empty.
	 */
	const char *symbol_path;
	/** Budget for loaded symbol tables, bytes (0 = 1 GiB); least recently used go first. */
	size_t memory_limit;
	/** Ignore procedure records (publics and exports only); for tests and comparison. */
	bool publics_only;
};

#define ALPCSCOPE_SYMBOLIZER_OPTIONS_VERSION 1
#define ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT                                                          \
	{                                                                                          \
		ALPCSCOPE_SYMBOLIZER_OPTIONS_VERSION, NULL, 0, false                               \
	}

/**
 * Create a symbolizer. @p options NULL = no symbol path (frames stay
 * module!+0xoff). Returns ALPCSCOPE_OK, ALPCSCOPE_E_NOMEM or
 * ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_symbolizer_new(struct alpcscope_symbolizer **out,
			 const struct alpcscope_symbolizer_options *options,
			 struct alpcscope_error *err);

/** Release @p s and every string it lent. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_symbolizer_free(struct alpcscope_symbolizer *s);

/**
 * Symbolize @p address of @p process (process index; kernel addresses use
 * the kernel modules) at time @p filetime_100ns in the finished model
 * @p m. Symbol files are opened on first need and cached. A file that
 * cannot be used leaves the frame module!+0xoff and is reported by
 * alpcscope_symbolizer_module(), not as an error.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_symbolize(struct alpcscope_symbolizer *s, const struct alpcscope_model *m,
		    uint32_t process, uint64_t address, int64_t filetime_100ns,
		    struct alpcscope_frame_symbol *out, struct alpcscope_error *err);

/**
 * Symbolize frame @p frame of @p stack and format it: "module!function+0xoff",
 * "module!function" at offset 0, " [export]" appended for export guesses,
 * " [+N folded]" when N other functions share the address (linker folding),
 * "module!+0xoff" when unnamed, "0xADDRESS" outside every image. @p s may
 * be NULL (no symbols). Returns @p out.
 */
ALPCSCOPE_EXPORT const char *
alpcscope_symbolizer_format_frame(struct alpcscope_symbolizer *s, const struct alpcscope_model *m,
				  const struct alpcscope_stack *stack, uint32_t frame,
				  struct alpcscope_frame_symbol *sym, char *out, size_t size);

/**
 * Look up the symbols of image @p image of @p m on the path (opening the PDB
 * header to check its identity, not its tables) and describe the result.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_symbolizer_module(struct alpcscope_symbolizer *s, const struct alpcscope_model *m,
			    uint32_t image, struct alpcscope_module_symbol_info *out,
			    struct alpcscope_error *err);

/** Number of distinct modules the symbolizer has looked up so far. */
ALPCSCOPE_EXPORT size_t alpcscope_symbolizer_module_count(const struct alpcscope_symbolizer *s);

/**
 * Module @p index (in order of first use) as alpcscope_symbolizer_module()
 * describes it. @return ALPCSCOPE_OK or ALPCSCOPE_E_INVALID_ARG (out of range).
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_symbolizer_module_at(const struct alpcscope_symbolizer *s, size_t index,
			       struct alpcscope_module_symbol_info *out);

/** Formats of alpcscope_symbols_report_write(). */
enum alpcscope_symbols_report_format {
	ALPCSCOPE_SYMBOLS_REPORT_TEXT = 0,
	ALPCSCOPE_SYMBOLS_REPORT_JSON = 1,
};

/**
 * `alpcscope symbols`: symbolize every frame of every stack of the finished
 * model @p m, then list the modules that appear on stacks, each with its
 * PDB identity, the symbol-store path its PDB would have
 * (name.pdb/GUIDAGE/name.pdb), what was found on the path and how many
 * frames got names (docs/symbols.md §The symbols command).
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_symbols_report_write(const struct alpcscope_model *m, struct alpcscope_symbolizer *s,
			       enum alpcscope_symbols_report_format format, const char *trace_path,
			       FILE *out, struct alpcscope_error *err);

ALPCSCOPE_END_DECLS

#endif
