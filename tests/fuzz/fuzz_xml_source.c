/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the XML trace source: read the input as an event XML
 * dump with alpcscope_xml_source_open_memory(), decode every event, touch
 * its <Data> fields, feed the model, and write the event (dump --format xml)
 * and the messages/chains XML to /dev/null, so the rebuilt payloads, the
 * decoder, the model and the XML writers all see hostile input. Built as
 * fuzz-xml_source with -Dfuzzing=true, and as replay-xml_source otherwise.
 */
#include <alpcscope/alpcscope.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct alpcscope_xml_source *src = NULL;
	struct alpcscope_decoder *dec = NULL;
	struct alpcscope_model *m = NULL;
	struct alpcscope_dump_writer *w = NULL;
	struct alpcscope_write_options wo = ALPCSCOPE_WRITE_OPTIONS_INIT;
	struct alpcscope_error err;
	const struct alpcscope_event *ev;
	const struct alpcscope_decoded *d;
	const struct alpcscope_field *f;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	memset(&err, 0, sizeof(err));
	if (alpcscope_xml_source_open_memory(&src, data, size, NULL, &err) != ALPCSCOPE_OK)
		return 0;
	if (alpcscope_decoder_new(&dec, &err) != ALPCSCOPE_OK ||
	    alpcscope_model_new(&m, NULL, &err) != ALPCSCOPE_OK ||
	    alpcscope_dump_writer_new(&w, ALPCSCOPE_DUMP_XML, devnull, &err) != ALPCSCOPE_OK)
		goto out;
	while (alpcscope_xml_source_next(src, &ev, &err) == ALPCSCOPE_OK) {
		size_t n = alpcscope_xml_source_fields(src, &f);
		uint64_t acc = ev->payload_size;

		for (size_t i = 0; i < n; i++)
			acc += strlen(f[i].name) + strlen(f[i].value.str);
		if (ev->payload_size)
			acc += ev->payload[0] + ev->payload[ev->payload_size - 1];
		sink += acc;
		enum alpcscope_status st = alpcscope_decode(dec, ev, &d, &err);

		if ((st == ALPCSCOPE_OK || st == ALPCSCOPE_E_CORRUPT) && d)
			(void)alpcscope_dump_writer_event(w, ev, d, &err);
		if (alpcscope_model_add_event(m, ev, &err) != ALPCSCOPE_OK)
			break;
	}
	sink += alpcscope_xml_source_info(src)->start_filetime;
	if (alpcscope_model_finish(m, &err) == ALPCSCOPE_OK) {
		wo.format = ALPCSCOPE_OUTPUT_XML;
		wo.stacks = true;
		(void)alpcscope_messages_write(m, &wo, devnull, &err);
		(void)alpcscope_chains_write(m, &wo, devnull, &err);
	}
out:
	alpcscope_dump_writer_free(w);
	alpcscope_model_free(m);
	alpcscope_decoder_free(dec);
	alpcscope_xml_source_free(src);
	return 0;
}
