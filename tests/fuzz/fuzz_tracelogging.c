/* SPDX-License-Identifier: MIT */
/*
 * TraceLogging schema parser and schema decoder: input = u16 metadata length,
 * the EVENT_SCHEMA_TL metadata, then the payload; decoded as a 64-bit and a
 * 32-bit EVENT_HEADER event (twice, the second time from the cache).
 */
#include <stdint.h>
#include <string.h>

#include "alpcscope/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	size_t meta;

	if (size < 2)
		return 0;
	meta = (size_t)(data[0] | data[1] << 8);
	if (meta > size - 2)
		meta = size - 2;
	if (alpcscope_decoder_new(&dec, NULL) != ALPCSCOPE_OK)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev.pointer_size = 8;
	ev.has_provider = true;
	ev.provider.data1 = 0x11223344;
	ev.ext_count = 1;
	ev.ext[0].type = ALPCSCOPE_EXT_EVENT_SCHEMA_TL;
	ev.ext[0].size = (uint16_t)meta;
	ev.ext[0].data = data + 2;
	ev.payload = data + 2 + meta;
	ev.payload_size = size - 2 - meta;
	for (int i = 0; i < 2; i++) {
		(void)alpcscope_decode(dec, &ev, &d, NULL);
		ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER32;
		ev.pointer_size = 4;
	}
	alpcscope_decoder_free(dec);
	return 0;
}
