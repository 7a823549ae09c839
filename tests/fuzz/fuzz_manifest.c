/* SPDX-License-Identifier: MIT */
/*
 * Manifest parser: the input is a manifest; every event it defines for the
 * test provider 11111111-2222-3333-4444-555555555555 (ids 0-3, version 0)
 * is then decoded over the input bytes as payload.
 */
#include <stdint.h>
#include <string.h>

#include "alpcscope/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alpcscope_schema_set *set = NULL;
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;

	if (alpcscope_schema_set_new(&set, NULL) != ALPCSCOPE_OK)
		return 0;
	if (alpcscope_schema_set_load_manifest_memory(set, data, size, NULL) == ALPCSCOPE_OK &&
	    alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK &&
	    alpcscope_decoder_set_schemas(dec, set, NULL) == ALPCSCOPE_OK) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
		ev.pointer_size = 8;
		ev.has_provider = true;
		alpcscope_guid_parse(&ev.provider, "11111111-2222-3333-4444-555555555555");
		ev.payload = data;
		ev.payload_size = size;
		for (uint16_t id = 0; id < 4; id++) {
			ev.event_id = id;
			(void)alpcscope_decode(dec, &ev, &d, NULL);
		}
	}
	alpcscope_decoder_free(dec);
	alpcscope_schema_set_free(set);
	return 0;
}
