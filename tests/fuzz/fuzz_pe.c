/* SPDX-License-Identifier: MIT */
/*
 * PE reader (lib/decode/pe_image.c): parse the input as an image (headers,
 * RSDS debug record, export table) and look up addresses at every export
 * and the image edges.
 */
#include <stdint.h>
#include <string.h>

#include "decode/pe_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_image pe;
	struct alpcscope_error err;

	if (pe_image_parse(&pe, data, size, "fuzz.dll", &err) != ALPCSCOPE_OK)
		return 0;
	volatile size_t n = pe.pdb_name ? strlen(pe.pdb_name) : 0;

	for (size_t i = 0; i < pe.export_count && i < 4096; i++) {
		const struct pe_export *x = pe_image_export_at(&pe, pe.exports[i].rva + 1);

		n += x ? strlen(x->name) + strlen(x->display) : 0;
	}
	(void)pe_image_export_at(&pe, 0);
	(void)pe_image_export_at(&pe, UINT32_MAX);
	(void)n;
	pe_image_free(&pe);
	return 0;
}
