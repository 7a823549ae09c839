/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the reader: open the input with
 * alpcscope_reader_open_memory() (the CLI's path), iterate every event in
 * merged time order, decode each with alpcscope_decode() and touch every
 * decoded field, feed the summary and write it as JSON. Small inputs are read
 * a second time in file order. Built as fuzz-reader with -Dfuzzing=true, and
 * as replay-reader (with replay_main.c) otherwise.
 */
#include <alpcscope/alpcscope.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void
touch_decoded(const struct alpcscope_decoded *d)
{
	uint64_t acc = (uint64_t)d->kind + d->pointer_size;

	if (d->name)
		acc += strlen(d->name);
	for (size_t i = 0; i < d->field_count; i++) {
		const struct alpcscope_field *f = &d->fields[i];

		acc += strlen(f->name);
		switch (f->type) {
		case ALPCSCOPE_FIELD_STRING:
		case ALPCSCOPE_FIELD_SID:
			if (f->value.str)
				acc += strlen(f->value.str);
			break;
		case ALPCSCOPE_FIELD_BYTES:
			for (size_t j = 0; j < f->value.bytes.size; j++)
				acc += f->value.bytes.data[j];
			break;
		case ALPCSCOPE_FIELD_ADDRESSES:
			for (size_t j = 0; j < f->value.addresses.count; j++)
				acc += f->value.addresses.items[j];
			break;
		case ALPCSCOPE_FIELD_GUID: acc += f->value.guid.data1; break;
		default: acc += f->value.u; break;
		}
	}
	sink += acc;
}

static void
touch_event(const struct alpcscope_event *ev)
{
	uint64_t acc = ev->raw_size + ev->payload_size;

	/* Every span the reader lends must be readable. */
	if (ev->payload_size)
		acc += ev->payload[0] + ev->payload[ev->payload_size - 1];
	if (ev->raw_size)
		acc += ev->raw[0] + ev->raw[ev->raw_size - 1];
	for (uint16_t i = 0; i < ev->ext_count && i < ALPCSCOPE_MAX_EXT_ITEMS; i++)
		if (ev->ext[i].size)
			acc += ev->ext[i].data[0] + ev->ext[i].data[ev->ext[i].size - 1];
	sink += acc;
}

static void
read_all(const uint8_t *data, size_t size, bool file_order, FILE *out)
{
	struct alpcscope_reader_options opt = ALPCSCOPE_READER_OPTIONS_INIT;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_decoder *decoder = NULL;
	struct alpcscope_summary *summary = NULL;
	const struct alpcscope_event *ev;
	const struct alpcscope_decoded *dec;
	struct alpcscope_error err;

	memset(&err, 0, sizeof(err));
	opt.file_order = file_order;
	if (alpcscope_reader_open_memory(&reader, data, size, &opt, &err) != ALPCSCOPE_OK)
		return;
	if (alpcscope_decoder_new(&decoder, &err) != ALPCSCOPE_OK ||
	    alpcscope_summary_new(&summary, &err) != ALPCSCOPE_OK)
		goto out;
	while (alpcscope_reader_next(reader, &ev, &err) == ALPCSCOPE_OK) {
		touch_event(ev);
		enum alpcscope_status st = alpcscope_decode(decoder, ev, &dec, &err);

		if ((st == ALPCSCOPE_OK || st == ALPCSCOPE_E_CORRUPT) && dec)
			touch_decoded(dec);
		if (alpcscope_summary_add_event(summary, ev, &err) != ALPCSCOPE_OK)
			break;
	}
	if (out)
		(void)alpcscope_summary_write(summary, reader, "fuzz.etl", ALPCSCOPE_SUMMARY_JSON,
					      out, &err);
out:
	alpcscope_summary_free(summary);
	alpcscope_decoder_free(decoder);
	alpcscope_reader_free(reader);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	read_all(data, size, false, devnull);
	if (size <= 16384)
		read_all(data, size, true, NULL);
	return 0;
}
