/* SPDX-License-Identifier: MIT */
/*
 * PDB reader (lib/decode/msf.c, pdb.c): open the input as a program
 * database, build its symbol tables, and look up addresses around every
 * symbol and at the edges, with procedures and publics-only, walking the
 * names that share an address.
 */
#include <stdint.h>
#include <string.h>

#include "decode/pdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
probe(const struct pdb_file *p, uint32_t rva)
{
	struct pdb_match m;

	for (unsigned flags = 1; flags <= 3; flags++) {
		if (!pdb_lookup(p, rva, flags, &m))
			continue;
		volatile size_t n = strlen(m.name) + strlen(m.display);

		(void)n;
		for (uint32_t i = 0; i <= m.shared_count && i < 64; i++)
			(void)pdb_shared_name(p, &m, i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdb_file *p = NULL;
	struct alpcscope_error err;

	if (pdb_open_memory(&p, data, size, "fuzz.pdb", &err) != ALPCSCOPE_OK)
		return 0;
	(void)pdb_identity(p);
	if (pdb_load_symbols(p, &err) == ALPCSCOPE_OK) {
		static const uint32_t rvas[] = {0,      1,      0x1000, 0x1010,     0x1110,
						0x1200, 0x1FFF, 0x3010, 0x7FFFFFFF, 0xFFFFFFFF};

		for (size_t i = 0; i < sizeof(rvas) / sizeof(rvas[0]); i++)
			probe(p, rvas[i]);
		(void)pdb_memory_size(p);
	}
	pdb_close(p);
	return 0;
}
