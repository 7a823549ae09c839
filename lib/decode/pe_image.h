/* SPDX-License-Identifier: MIT */
/*
 * A PE image read for symbolization (docs/symbols.md §PE): the headers
 * (machine, image base and size, time stamp), the CodeView RSDS record of
 * the debug directory (the PDB it was linked with) and the export table as
 * an RVA-sorted list. Nothing else of the file is kept.
 */
#ifndef ALPCSCOPE_DECODE_PE_IMAGE_H
#define ALPCSCOPE_DECODE_PE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alpcscope/event.h>
#include <alpcscope/status.h>

struct pe_export {
	uint32_t rva;
	uint32_t ordinal;
	const char *name;    /* "" for an export by ordinal only */
	const char *display; /* undecorated name (== name when not decorated or declined) */
};

struct pe_image {
	uint16_t machine;
	bool pe32_plus;
	uint64_t image_base;
	uint32_t size_of_image;
	uint32_t time_date_stamp;
	bool has_rsds;
	struct alpcscope_guid pdb_guid;
	uint32_t pdb_age;
	char *pdb_name;            /* as linked, often a full build path; NULL without RSDS */
	struct pe_export *exports; /* sorted by RVA; forwarders left out */
	size_t export_count;
	char *names;         /* storage of the export names */
	char *display_names; /* storage of the undecorated ones */
};

/* Parse the PE in @p data; @p name appears in error messages. */
enum alpcscope_status pe_image_parse(struct pe_image *out, const uint8_t *data, size_t size,
				     const char *name, struct alpcscope_error *err);
/* Map @p path, parse it, unmap it. */
enum alpcscope_status pe_image_open(struct pe_image *out, const char *path,
				    struct alpcscope_error *err);
void pe_image_free(struct pe_image *pe);

/* The nearest export at or below @p rva (NULL when none or @p rva is outside the image). */
const struct pe_export *pe_image_export_at(const struct pe_image *pe, uint32_t rva);

#endif
