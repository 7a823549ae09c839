/* SPDX-License-Identifier: MIT */
/*
 * PE/COFF image headers, debug directory and exports (docs/symbols.md §PE):
 *   DOS header: "MZ", e_lfanew at +0x3C
 *   e_lfanew: "PE\0\0", COFF header (20 bytes: Machine, NumberOfSections,
 *     TimeDateStamp, ..., SizeOfOptionalHeader at +16)
 *   optional header: Magic 0x10B (PE32) or 0x20B (PE32+); ImageBase at +28
 *     (u32) / +24 (u64); SizeOfImage at +56; NumberOfRvaAndSizes at
 *     +92 / +108, data directories after it (0 export, 6 debug)
 *   section table (40 bytes each) maps RVAs to file offsets
 *   debug directory entries (28 bytes): Type +12 (2 = CodeView),
 *     SizeOfData +16, PointerToRawData +24 -> "RSDS", GUID, Age, PDB path
 *   export directory (40 bytes): Base +16, NumberOfFunctions +20,
 *     NumberOfNames +24, AddressOfFunctions +28, AddressOfNames +32,
 *     AddressOfNameOrdinals +36
 */
#include "decode/pe_image.h"

#include <stdlib.h>
#include <string.h>

#include "decode/msvc_undecorate.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/file_map.h"
#include "util/scrub.h"

enum {
	PE_MAX_SECTIONS = 96,
	PE_MAX_EXPORTS = 1u << 20,
	PE_MAX_NAME = 4096,
	DEBUG_TYPE_CODEVIEW = 2,
};

struct pe_parse {
	const uint8_t *data;
	size_t size;
	const char *name;
	const uint8_t *sections;
	uint32_t nsections;
};

/* File offset of @p rva spanning @p len bytes, or SIZE_MAX when not in the file. */
static size_t
rva_to_offset(const struct pe_parse *pp, uint32_t rva, uint32_t len)
{
	for (uint32_t i = 0; i < pp->nsections; i++) {
		const uint8_t *s = pp->sections + 40 * (size_t)i;
		uint32_t va = le32_load(s + 12), vsize = le32_load(s + 8);
		uint32_t raw_size = le32_load(s + 16), raw = le32_load(s + 20);
		uint32_t span = vsize > raw_size ? vsize : raw_size;

		if (rva < va || rva - va >= span)
			continue;
		uint64_t off = (uint64_t)raw + (rva - va);

		if (rva - va > raw_size || (uint64_t)len > raw_size - (rva - va) ||
		    off + len > pp->size)
			return SIZE_MAX;
		return (size_t)off;
	}
	return SIZE_MAX;
}

/* Length of the NUL-terminated string at @p off (bounded), or SIZE_MAX. */
static size_t
cstr_len(const struct pe_parse *pp, size_t off)
{
	for (size_t n = 0; off + n < pp->size && n < PE_MAX_NAME; n++)
		if (!pp->data[off + n])
			return n;
	return SIZE_MAX;
}

static char *
copy_clean(const uint8_t *s, size_t n)
{
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	scrub_copy(out, s, n);
	out[n] = '\0';
	return out;
}

static enum alpcscope_status
read_rsds(struct pe_image *pe, const struct pe_parse *pp, uint32_t dir_rva, uint32_t dir_size,
	  struct alpcscope_error *err)
{
	uint32_t n = dir_size / 28;

	for (uint32_t i = 0; i < n && i < 64; i++) {
		size_t e = rva_to_offset(pp, dir_rva + 28 * i, 28);

		if (e == SIZE_MAX)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "%s: debug directory entry %u (RVA 0x%x) is outside the "
					 "file",
					 pp->name, i, dir_rva + 28 * i);
		const uint8_t *d = pp->data + e;
		uint32_t len = le32_load(d + 16), ptr = le32_load(d + 24);

		if (le32_load(d + 12) != DEBUG_TYPE_CODEVIEW)
			continue;
		if (len < 25 || ptr > pp->size || len > pp->size - ptr)
			return error_set(err, ALPCSCOPE_E_CORRUPT, e,
					 "%s: CodeView record (%u bytes at 0x%x) is outside the "
					 "file",
					 pp->name, len, ptr);
		const uint8_t *cv = pp->data + ptr;

		if (memcmp(cv, "RSDS", 4) != 0)
			continue; /* NB10 and others: no GUID identity */
		pe->pdb_guid.data1 = le32_load(cv + 4);
		pe->pdb_guid.data2 = le16_load(cv + 8);
		pe->pdb_guid.data3 = le16_load(cv + 10);
		memcpy(pe->pdb_guid.data4, cv + 12, 8);
		pe->pdb_age = le32_load(cv + 20);
		size_t nlen = 0;

		while (nlen < len - 24 && cv[24 + nlen])
			nlen++;
		pe->pdb_name = copy_clean(cv + 24, nlen);
		if (!pe->pdb_name)
			return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "out of memory");
		pe->has_rsds = true;
		return ALPCSCOPE_OK;
	}
	return ALPCSCOPE_OK;
}

static int
export_cmp(const void *a, const void *b)
{
	const struct pe_export *x = a, *y = b;

	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

/* Undecorated names, in one buffer: offsets first, pointers once it stops growing. */
static enum alpcscope_status
undecorate_exports(struct pe_image *pe)
{
	char out[4096];
	size_t len = 0, cap = 0;
	size_t *at = calloc(pe->export_count ? pe->export_count : 1, sizeof(size_t));

	if (!at)
		return ALPCSCOPE_E_NOMEM;
	for (size_t i = 0; i < pe->export_count; i++) {
		at[i] = SIZE_MAX;
		if (!msvc_undecorate(pe->exports[i].name, pe->machine == 0x14c, out, sizeof(out)) ||
		    strcmp(out, pe->exports[i].name) == 0)
			continue;
		size_t n = strlen(out) + 1;

		if (len + n > cap) {
			size_t ncap = cap ? cap * 2 : 4096;

			while (ncap < len + n)
				ncap *= 2;
			char *g = realloc(pe->display_names, ncap);

			if (!g) {
				free(at);
				return ALPCSCOPE_E_NOMEM;
			}
			pe->display_names = g;
			cap = ncap;
		}
		memcpy(pe->display_names + len, out, n);
		at[i] = len;
		len += n;
	}
	for (size_t i = 0; i < pe->export_count; i++)
		pe->exports[i].display =
		    at[i] == SIZE_MAX ? pe->exports[i].name : pe->display_names + at[i];
	free(at);
	return ALPCSCOPE_OK;
}

static enum alpcscope_status
read_exports(struct pe_image *pe, const struct pe_parse *pp, uint32_t dir_rva, uint32_t dir_size,
	     struct alpcscope_error *err)
{
	size_t d = rva_to_offset(pp, dir_rva, 40);

	if (d == SIZE_MAX)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: export directory (RVA 0x%x) is outside the file", pp->name,
				 dir_rva);
	const uint8_t *ed = pp->data + d;
	uint32_t base = le32_load(ed + 16), nfunc = le32_load(ed + 20), nnames = le32_load(ed + 24);
	uint32_t funcs_rva = le32_load(ed + 28), names_rva = le32_load(ed + 32);
	uint32_t ords_rva = le32_load(ed + 36);

	if (nfunc > PE_MAX_EXPORTS || nnames > PE_MAX_EXPORTS)
		return error_set(err, ALPCSCOPE_E_CORRUPT, d + 20,
				 "%s: export directory claims %u functions and %u names", pp->name,
				 nfunc, nnames);
	size_t funcs = rva_to_offset(pp, funcs_rva, 4 * nfunc);
	size_t names = nnames ? rva_to_offset(pp, names_rva, 4 * nnames) : 0;
	size_t ords = nnames ? rva_to_offset(pp, ords_rva, 2 * nnames) : 0;

	if (funcs == SIZE_MAX || names == SIZE_MAX || ords == SIZE_MAX)
		return error_set(err, ALPCSCOPE_E_CORRUPT, d + 28,
				 "%s: export address, name or ordinal table is outside the file",
				 pp->name);
	/* One name per function: the first name table entry that points at it. */
	uint32_t *name_of = malloc((nfunc ? nfunc : 1) * sizeof(uint32_t));
	size_t total = nfunc; /* every export's NUL */

	if (!name_of)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < nfunc; i++)
		name_of[i] = UINT32_MAX;
	for (uint32_t i = 0; i < nnames; i++) {
		uint16_t o = le16_load(pp->data + ords + 2 * (size_t)i);

		if (o < nfunc && name_of[o] == UINT32_MAX)
			name_of[o] = i;
	}
	pe->exports = calloc(nfunc ? nfunc : 1, sizeof(*pe->exports));
	if (!pe->exports) {
		free(name_of);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	/* Two passes: sizes first, so names live in one allocation. */
	size_t *name_off = calloc(nfunc ? nfunc : 1, sizeof(size_t));
	size_t *name_len = calloc(nfunc ? nfunc : 1, sizeof(size_t));

	if (!name_off || !name_len) {
		free(name_of);
		free(name_off);
		free(name_len);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	for (uint32_t i = 0; i < nfunc; i++) {
		name_off[i] = SIZE_MAX;
		if (name_of[i] == UINT32_MAX)
			continue;
		uint32_t nrva = le32_load(pp->data + names + 4 * (size_t)name_of[i]);
		size_t off = rva_to_offset(pp, nrva, 1);
		size_t len = off == SIZE_MAX ? SIZE_MAX : cstr_len(pp, off);

		if (len == SIZE_MAX)
			continue; /* a damaged name: keep the export, by ordinal */
		name_off[i] = off;
		name_len[i] = len;
		total += len;
	}
	pe->names = malloc(total ? total : 1);
	if (!pe->names) {
		free(name_of);
		free(name_off);
		free(name_len);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	size_t at = 0, n = 0;

	for (uint32_t i = 0; i < nfunc; i++) {
		uint32_t rva = le32_load(pp->data + funcs + 4 * (size_t)i);

		/* Unused slots are 0; an RVA inside the export directory is a forwarder. */
		if (rva == 0 || (rva >= dir_rva && rva - dir_rva < dir_size))
			continue;
		struct pe_export *x = &pe->exports[n++];

		x->rva = rva;
		x->ordinal = base + i;
		x->name = pe->names + at;
		if (name_off[i] != SIZE_MAX) {
			scrub_copy(pe->names + at, pp->data + name_off[i], name_len[i]);
			at += name_len[i];
		}
		pe->names[at++] = '\0';
	}
	free(name_of);
	free(name_off);
	free(name_len);
	pe->export_count = n;
	qsort(pe->exports, n, sizeof(*pe->exports), export_cmp);
	return undecorate_exports(pe);
}

enum alpcscope_status
pe_image_parse(struct pe_image *pe, const uint8_t *data, size_t size, const char *name,
	       struct alpcscope_error *err)
{
	struct pe_parse pp = {data, size, name, NULL, 0};

	memset(pe, 0, sizeof(*pe));
	if (size < 0x40 || data[0] != 'M' || data[1] != 'Z')
		return error_set(err, ALPCSCOPE_E_UNSUPPORTED, 0,
				 "%s: not a PE image (no MZ header)", name);
	uint32_t pe_off = le32_load(data + 0x3C);

	if (pe_off > size || size - pe_off < 24 || memcmp(data + pe_off, "PE\0\0", 4) != 0)
		return error_set(err, ALPCSCOPE_E_UNSUPPORTED, 0x3C,
				 "%s: not a PE image (no PE signature at 0x%x)", name, pe_off);
	const uint8_t *coff = data + pe_off + 4;
	uint16_t nsections = le16_load(coff + 2);
	uint16_t opt_size = le16_load(coff + 16);
	size_t opt = (size_t)pe_off + 24;

	pe->machine = le16_load(coff);
	pe->time_date_stamp = le32_load(coff + 4);
	if (opt_size < 2 || opt_size > size - opt)
		return error_set(err, ALPCSCOPE_E_CORRUPT, pe_off + 20,
				 "%s: optional header (%u bytes) overruns the file", name,
				 opt_size);
	const uint8_t *oh = data + opt;
	uint16_t magic = le16_load(oh);
	uint32_t dirs_at, ndirs_at;

	if (magic == 0x20B) {
		pe->pe32_plus = true;
		dirs_at = 112;
		ndirs_at = 108;
	} else if (magic == 0x10B) {
		dirs_at = 96;
		ndirs_at = 92;
	} else {
		return error_set(err, ALPCSCOPE_E_UNSUPPORTED, opt,
				 "%s: optional header magic 0x%x is neither PE32 nor PE32+", name,
				 magic);
	}
	if (opt_size < dirs_at)
		return error_set(err, ALPCSCOPE_E_CORRUPT, pe_off + 20,
				 "%s: optional header of %u bytes is too short", name, opt_size);
	pe->image_base = pe->pe32_plus ? le64_load(oh + 24) : le32_load(oh + 28);
	pe->size_of_image = le32_load(oh + 56);
	uint32_t ndirs = le32_load(oh + ndirs_at);

	if (ndirs > (opt_size - dirs_at) / 8)
		ndirs = (opt_size - dirs_at) / 8;
	size_t sec = opt + opt_size;

	if (nsections > PE_MAX_SECTIONS || (uint64_t)nsections * 40 > size - sec)
		return error_set(err, ALPCSCOPE_E_CORRUPT, pe_off + 6,
				 "%s: %u section headers do not fit the file", name, nsections);
	pp.sections = data + sec;
	pp.nsections = nsections;
	enum alpcscope_status st = ALPCSCOPE_OK;

	if (ndirs > 6 && le32_load(oh + dirs_at + 48) && le32_load(oh + dirs_at + 52))
		st = read_rsds(pe, &pp, le32_load(oh + dirs_at + 48), le32_load(oh + dirs_at + 52),
			       err);
	if (st == ALPCSCOPE_OK && ndirs > 0 && le32_load(oh + dirs_at) &&
	    le32_load(oh + dirs_at + 4))
		st = read_exports(pe, &pp, le32_load(oh + dirs_at), le32_load(oh + dirs_at + 4),
				  err);
	if (st == ALPCSCOPE_E_NOMEM)
		error_set(err, st, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (st != ALPCSCOPE_OK)
		pe_image_free(pe);
	return st;
}

enum alpcscope_status
pe_image_open(struct pe_image *out, const char *path, struct alpcscope_error *err)
{
	struct file_map fm;
	enum alpcscope_status st = file_map_open(&fm, path, err);

	memset(out, 0, sizeof(*out));
	if (st != ALPCSCOPE_OK)
		return st;
	st = pe_image_parse(out, fm.data, fm.size, path, err);
	file_map_close(&fm);
	return st;
}

void
pe_image_free(struct pe_image *pe)
{
	free(pe->pdb_name);
	free(pe->exports);
	free(pe->names);
	free(pe->display_names);
	memset(pe, 0, sizeof(*pe));
}

const struct pe_export *
pe_image_export_at(const struct pe_image *pe, uint32_t rva)
{
	size_t lo = 0, hi = pe->export_count;

	if (pe->size_of_image && rva >= pe->size_of_image)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pe->exports[mid].rva <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &pe->exports[lo - 1] : NULL;
}
