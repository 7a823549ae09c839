/* SPDX-License-Identifier: MIT */
/*
 * The PDB and PE readers on the synthetic seeds of fixtures/corpus/pdb and
 * fixtures/corpus/pe (written by tests/fuzz/make_symbol_seeds.py from the
 * layouts in docs/symbols.md), so they are checked without ../shared:
 * procedures, folded names, publics and their undecoration, RSDS and
 * exports; then damaged copies: every truncation, a directory that repeats
 * one block for a huge stream, bad sizes. Errors name the file; none crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode/pdb.h"
#include "decode/pe_image.h"
#include "util/bytes.h"

static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);

		rewind(f);
		buf = n > 0 ? malloc((size_t)n) : NULL;
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
			*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void
check_seed_pdb(const uint8_t *data, size_t size)
{
	struct pdb_file *p = NULL;
	struct alpcscope_error err;
	struct pdb_match m;

	CHECK(pdb_open_memory(&p, data, size, "seed-x64.pdb", &err) == ALPCSCOPE_OK);
	if (!p)
		return;
	CHECK_EQ_U64(pdb_identity(p)->age, 3);
	CHECK_EQ_U64(pdb_identity(p)->machine, 0x8664);
	CHECK(pdb_load_symbols(p, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(pdb_procedure_count(p), 4);
	CHECK_EQ_U64(pdb_public_count(p), 3); /* the data public is not a function */
	CHECK(pdb_lookup(p, 0x1120, PDB_USE_PROCEDURES, &m));
	CHECK_STR(m.name, "google_breakpad::C::f");
	CHECK_EQ_U64(m.offset, 0x10);
	CHECK(m.procedure);
	CHECK(pdb_lookup(p, 0x1204, PDB_USE_PROCEDURES, &m));
	CHECK_EQ_U64(m.shared_count, 1);
	CHECK_STR(pdb_shared_name(p, &m, 0), "folded_a");
	CHECK_STR(pdb_shared_name(p, &m, 1), "folded_b");
	CHECK(pdb_shared_name(p, &m, 2) == NULL);
	CHECK(!pdb_lookup(p, 0x1300, PDB_USE_PROCEDURES, &m)); /* between procedures */
	CHECK(pdb_lookup(p, 0x1310, PDB_USE_PROCEDURES | PDB_USE_PUBLICS, &m));
	CHECK(!m.procedure);
	CHECK_EQ_U64(m.offset, 0x10);
	CHECK_STR(m.display, "std::basic_string<wchar_t,std::char_traits<wchar_t>,std::allocator<"
			     "wchar_t> >::~basic_string<wchar_t,std::char_traits<wchar_t>,std::"
			     "allocator<wchar_t> >");
	CHECK(pdb_lookup(p, 0x1115, PDB_USE_PUBLICS, &m));
	CHECK_STR(m.name, "?f@C@google_breakpad@@QEAAXXZ");
	CHECK_STR(m.display, "google_breakpad::C::f");
	/* The nearest public never crosses into another section. */
	CHECK(!pdb_lookup(p, 0x3500, PDB_USE_PUBLICS, &m));
	CHECK(!pdb_lookup(p, 0x500, PDB_USE_PUBLICS, &m));
	pdb_close(p);
}

/* Open, load and look up; the error, if any, names the file. */
static void
try_damaged(const uint8_t *data, size_t size, unsigned *errors)
{
	struct pdb_file *p = NULL;
	struct alpcscope_error err;
	struct pdb_match m;
	enum alpcscope_status st = pdb_open_memory(&p, data, size, "damaged.pdb", &err);

	if (st == ALPCSCOPE_OK) {
		st = pdb_load_symbols(p, &err);
		(void)pdb_lookup(p, 0x1120, PDB_USE_PROCEDURES | PDB_USE_PUBLICS, &m);
		pdb_close(p);
	}
	if (st != ALPCSCOPE_OK) {
		(*errors)++;
		CHECK(strstr(err.message, "damaged.pdb") != NULL);
	}
}

static void
check_damaged_pdb(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size);
	unsigned errors = 0;

	if (!copy)
		return;
	for (size_t n = 0; n < size; n += 37)
		try_damaged(data, n, &errors);
	CHECK(errors >= size / 37 / 2);
	/* A stream whose block list repeats one block: its size must not be believed. */
	uint32_t bs = le32_load(data + 32), map = le32_load(data + 52);
	uint32_t dir = le32_load(data + (size_t)map * bs);
	uint32_t nstreams = le32_load(data + (size_t)dir * bs);

	memcpy(copy, data, size);
	le32_store(copy + (size_t)dir * bs + 4 + 4 * 3, 0x7FFFFF00); /* DBI: 2 GB */
	errors = 0;
	try_damaged(copy, size, &errors);
	CHECK_EQ_U64(errors, 1);
	/* Every stream size field set to huge, small and zero in turn. */
	static const uint32_t sizes[] = {0xFFFFFFF0u, 3, 0, 0xFFFFFFFFu};

	for (uint32_t s = 0; s < nstreams && s < 16; s++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			memcpy(copy, data, size);
			le32_store(copy + (size_t)dir * bs + 4 + 4 * s, sizes[k]);
			try_damaged(copy, size, &errors);
		}
	}
	free(copy);
}

/*
 * seed-omap.pdb: symbols address the original layout (.text at 0x1000); the
 * image was reordered (.text at 0x5000) and OMAP-from-source maps
 * 0x1000 -> 0x5000, 0x1100 -> 0x6000, 0x1200 -> removed, 0x1300 -> 0x5100.
 */
static void
check_seed_omap(void)
{
	size_t size;
	uint8_t *data = slurp("fixtures/corpus/pdb/seed-omap.pdb", &size);
	struct pdb_file *p = NULL;
	struct alpcscope_error err;
	struct pdb_match m;

	CHECK(data != NULL);
	if (!data || pdb_open_memory(&p, data, size, "seed-omap.pdb", &err) != ALPCSCOPE_OK) {
		CHECK(false);
		free(data);
		return;
	}
	CHECK(pdb_load_symbols(p, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(pdb_procedure_count(p), 2); /* the folded pair was removed */
	CHECK(pdb_lookup(p, 0x5020, PDB_USE_PROCEDURES, &m));
	CHECK_STR(m.name, "main");
	CHECK_EQ_U64(m.start_rva, 0x5010);
	CHECK(pdb_lookup(p, 0x6015, PDB_USE_PROCEDURES, &m));
	CHECK_STR(m.name, "google_breakpad::C::f");
	CHECK_EQ_U64(m.offset, 5);
	CHECK(!pdb_lookup(p, 0x1010, PDB_USE_PROCEDURES, &m)); /* original addresses are gone */
	CHECK(pdb_lookup(p, 0x5104, PDB_USE_PUBLICS, &m));
	CHECK_EQ_U64(m.start_rva, 0x5100);
	CHECK(strncmp(m.display, "std::basic_string<", 18) == 0);
	pdb_close(p);
	free(data);
}

static void
check_seed_pe(const char *path)
{
	size_t size;
	uint8_t *data = slurp(path, &size);
	struct pe_image pe;
	struct alpcscope_error err;

	CHECK(data != NULL);
	if (!data)
		return;
	CHECK(pe_image_parse(&pe, data, size, path, &err) == ALPCSCOPE_OK);
	CHECK(pe.has_rsds);
	CHECK_STR(pe.pdb_name, "C:\\build\\seed.pdb");
	CHECK_EQ_U64(pe.pdb_age, 3);
	CHECK_EQ_U64(pe.export_count, 3);
	const struct pe_export *x = pe_image_export_at(&pe, 0x1108);

	CHECK(x && strcmp(x->name, "?meth1@A@@QEAAXFC@Z") == 0);
	CHECK(x && strcmp(x->display, "A::meth1") == 0);
	CHECK(pe_image_export_at(&pe, 0x1000) == NULL);
	pe_image_free(&pe);
	/* Truncations: errors name the file, nothing crashes. */
	for (size_t n = 0; n < size; n += 13) {
		if (pe_image_parse(&pe, data, n, path, &err) == ALPCSCOPE_OK)
			pe_image_free(&pe);
		else
			CHECK(strstr(err.message, path) != NULL);
	}
	free(data);
}

int
main(void)
{
	size_t size;
	uint8_t *pdb = slurp("fixtures/corpus/pdb/seed-x64.pdb", &size);

	CHECK(pdb != NULL);
	if (pdb) {
		check_seed_pdb(pdb, size);
		check_damaged_pdb(pdb, size);
	}
	free(pdb);
	check_seed_omap();
	check_seed_pe("fixtures/corpus/pe/seed-pe32plus.dll");
	check_seed_pe("fixtures/corpus/pe/seed-pe32.exe");
	return check_summary();
}
