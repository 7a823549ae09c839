/* SPDX-License-Identifier: MIT */
/*
 * A program database read for symbolization (docs/symbols.md §PDB): its
 * identity (GUID and age from the PDB info stream, machine from DBI) on
 * open, and on first lookup the function extents of the module symbol
 * streams (S_GPROC32/S_LPROC32) and the function publics (S_PUB32) of the
 * symbol record stream, as two RVA-sorted tables. Nothing else of the file
 * is kept; the mapping is dropped once the tables are built.
 */
#ifndef ALPCSCOPE_DECODE_PDB_H
#define ALPCSCOPE_DECODE_PDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alpcscope/event.h>
#include <alpcscope/status.h>

struct pdb_file;

struct pdb_identity {
	struct alpcscope_guid guid;
	uint32_t age;     /* PDB info stream Age: the one a PE's RSDS record names */
	uint32_t dbi_age; /* DBI stream Age (the age the linker wrote) */
	uint16_t machine; /* IMAGE_FILE_MACHINE_* from DBI; 0 when absent */
};

/* Which tables a lookup may use. */
enum pdb_lookup_flags {
	PDB_USE_PROCEDURES = 1u << 0,
	PDB_USE_PUBLICS = 1u << 1,
};

struct pdb_match {
	const char *name;      /* procedure name (undecorated) or public (decorated) */
	const char *display;   /* undecorated (== name when undecoration declined) */
	uint32_t start_rva;    /* the symbol's RVA */
	uint32_t offset;       /* queried RVA - start_rva */
	bool procedure;        /* from S_*PROC32, else from S_PUB32 */
	uint32_t shared_count; /* other names at the same start (COMDAT folding) */
};

/* Open and map @p path; reads the superblock, directory and identity. */
enum alpcscope_status pdb_open(struct pdb_file **out, const char *path,
			       struct alpcscope_error *err);
/* The same over caller bytes (borrowed until pdb_close(); fuzzing, tests). */
enum alpcscope_status pdb_open_memory(struct pdb_file **out, const uint8_t *data, size_t size,
				      const char *name, struct alpcscope_error *err);
const struct pdb_identity *pdb_identity(const struct pdb_file *p);

/*
 * Build the symbol tables (done once; later calls return the first result).
 * Errors name the file and the file offset of the bad record.
 */
enum alpcscope_status pdb_load_symbols(struct pdb_file *p, struct alpcscope_error *err);

/* Number of procedures and function publics loaded. */
size_t pdb_procedure_count(const struct pdb_file *p);
size_t pdb_public_count(const struct pdb_file *p);

/*
 * Name @p rva: the procedure covering it, else the nearest function public
 * at or below it in the same section. False when neither applies.
 */
bool pdb_lookup(const struct pdb_file *p, uint32_t rva, unsigned flags, struct pdb_match *out);

/*
 * The names sharing @p m's start (COMDAT folding), for i < m->shared_count
 * + 1; NULL past the end.
 */
const char *pdb_shared_name(const struct pdb_file *p, const struct pdb_match *m, uint32_t i);

/* Bytes of memory held by the tables (for the cache budget). */
size_t pdb_memory_size(const struct pdb_file *p);

void pdb_close(struct pdb_file *p);

#endif
