/* SPDX-License-Identifier: MIT */
/*
 * TRACE_EVENT_INFO / EVENT_MAP_INFO parsers: input = u16 length of the first
 * blob, a TRACE_EVENT_INFO blob, then an EventMetadata opcode 33 payload;
 * both are added to a set, and the whole input is then decoded as the
 * payload of the event the first blob describes.
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
	size_t first;

	if (size < 2)
		return 0;
	first = (size_t)(data[0] | data[1] << 8);
	if (first > size - 2)
		first = size - 2;
	if (alpcscope_schema_set_new(&set, NULL) != ALPCSCOPE_OK)
		return 0;
	(void)alpcscope_schema_set_add_event_info(set, data + 2, first, NULL);
	(void)alpcscope_schema_set_add_event_map_info(set, data + 2 + first, size - 2 - first,
						      NULL);
	if (alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK &&
	    alpcscope_decoder_set_schemas(dec, set, NULL) == ALPCSCOPE_OK && first >= 48) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
		ev.pointer_size = 8;
		ev.has_provider = true;
		memcpy(&ev.provider.data1, data + 2, 4); /* little-endian host (Debian amd64) */
		memcpy(&ev.provider.data2, data + 6, 2);
		memcpy(&ev.provider.data3, data + 8, 2);
		memcpy(ev.provider.data4, data + 10, 8);
		ev.event_id = (uint16_t)(data[34] | data[35] << 8);
		ev.version = data[36];
		ev.payload = data;
		ev.payload_size = size;
		(void)alpcscope_decode(dec, &ev, &d, NULL);
	}
	alpcscope_decoder_free(dec);
	alpcscope_schema_set_free(set);
	return 0;
}
