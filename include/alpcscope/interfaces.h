/* SPDX-License-Identifier: MIT */
/*
 * RPC interface databases: names of RPC interfaces and their procedures
 * (opnums), loaded from JSON files users already keep. Three shapes are read
 * (docs/interface-db.md): alpcscope's own format (interfaces keyed by UUID
 * and version, with a reference per name), RPCMon's database (an object
 * keyed by interface UUID with a "Procedures" list) and Akamai's
 * rpc_toolkit interface lists (an object keyed by module, then by interface
 * UUID, with "function_names"). Every name records the file it came from.
 * Lookups never guess: when no loaded source names an opnum, or sources
 * disagree, the procedure has no name and callers print "opnum N".
 */
#ifndef ALPCSCOPE_INTERFACES_H
#define ALPCSCOPE_INTERFACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** A set of interface descriptions. Not thread-safe while loading; read-only afterwards. */
struct alpcscope_interface_db;

/** Shape of an interface database file. */
enum alpcscope_interface_db_format {
	ALPCSCOPE_IFDB_AUTO = 0,      /**< detect from the content */
	ALPCSCOPE_IFDB_ALPCSCOPE = 1, /**< {"format": "alpcscope-interfaces", ...} */
	ALPCSCOPE_IFDB_RPCMON = 2,    /**< RPCMon rpcdb.json: {UUID: {"Procedures": [...]}} */
	ALPCSCOPE_IFDB_AKAMAI = 3,    /**< Akamai: {MODULE: {UUID: {"function_names": [...]}}} */
};

/** Interface version as major << 16 | minor; this value means "not known". */
#define ALPCSCOPE_IFACE_VERSION_ANY UINT32_MAX
/** Build an interface version value. */
#define ALPCSCOPE_IFACE_VERSION(major, minor) ((uint32_t)(major) << 16 | (uint32_t)(minor))

/**
 * Create an empty database.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG (NULL @p out) or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_interface_db_new(struct alpcscope_interface_db **out, struct alpcscope_error *err);

/** Release @p db. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_interface_db_free(struct alpcscope_interface_db *db);

/**
 * Load one JSON file. An interface with the same UUID and version as one
 * loaded from an earlier file replaces it (later files win); entries of one
 * file never replace each other.
 *
 * @param path    The file; recorded as the source of every name it gives.
 * @param format  ALPCSCOPE_IFDB_AUTO or the expected shape.
 * @param err     Optional; the message names the file and what is wrong.
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_IO (cannot read); ALPCSCOPE_E_CORRUPT
 *         (not JSON, or not one of the shapes); ALPCSCOPE_E_NOMEM;
 *         ALPCSCOPE_E_INVALID_ARG. On failure nothing of the file is kept.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_interface_db_load_file(struct alpcscope_interface_db *db, const char *path,
				 enum alpcscope_interface_db_format format,
				 struct alpcscope_error *err);

/** Same as alpcscope_interface_db_load_file() over @p size bytes; @p source names them. */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_interface_db_load_memory(struct alpcscope_interface_db *db, const void *data, size_t size,
				   const char *source, enum alpcscope_interface_db_format format,
				   struct alpcscope_error *err);

/**
 * Load the small database built into the library (a copy of
 * fixtures/interfaces/alpcscope-interfaces.json: names stated by Microsoft's
 * open specifications, each with its reference). Its source reads
 * "built-in alpcscope-interfaces.json".
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_interface_db_load_builtin(struct alpcscope_interface_db *db, struct alpcscope_error *err);

/** Number of interface entries (one per UUID, version and source). */
ALPCSCOPE_EXPORT size_t alpcscope_interface_db_count(const struct alpcscope_interface_db *db);

/** Lower-case name of a format: "auto", "alpcscope", "rpcmon", "akamai". */
ALPCSCOPE_EXPORT const char *
alpcscope_interface_db_format_name(enum alpcscope_interface_db_format format);

/** What the database says about one (interface, opnum). Strings borrow from the database. */
struct alpcscope_rpc_names {
	const char *interface_name;   /**< NULL when no source names it, or sources disagree */
	const char *interface_source; /**< file that named the interface, or NULL */
	const char *procedure_name;   /**< NULL when unknown or ambiguous: print "opnum N" */
	const char *procedure_source; /**< file that named the procedure, or NULL */
	const char *reference; /**< document the procedure name cites (own format), or NULL */
	const char *module;    /**< server module (RPCMon, Akamai), or NULL */
	uint32_t version;      /**< the one version all matches share, or _ANY */
	uint32_t matches;      /**< interface entries considered */
	bool ambiguous;        /**< sources disagree about a name; no name is given */
};

/**
 * Look up @p opnum of interface @p uuid. With a @p version, entries of that
 * version are used (entries without a version when none has it); with
 * ALPCSCOPE_IFACE_VERSION_ANY (RPC events carry no version) all entries of
 * the UUID are, and a name is given only when every entry that names it
 * agrees. @p out is always filled.
 *
 * @return true when at least one entry has the UUID.
 */
ALPCSCOPE_EXPORT bool alpcscope_interface_db_lookup(const struct alpcscope_interface_db *db,
						    const struct alpcscope_guid *uuid,
						    uint32_t version, uint32_t opnum,
						    struct alpcscope_rpc_names *out);

ALPCSCOPE_END_DECLS

#endif
