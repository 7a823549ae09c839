/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the schema tests: decode every event of a real sample with a
 * callback, find a field, and build synthetic EVENT_HEADER events.
 */
#ifndef ALPCSCOPE_TEST_SCHEMA_UTIL_H
#define ALPCSCOPE_TEST_SCHEMA_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpcscope/decode.h"
#include "alpcscope/reader.h"
#include "alpcscope/schema.h"
#include "check.h"

#define SAMPLES_DIR "../shared/etl-samples"

typedef void (*sample_fn)(void *ctx, const struct alpcscope_event *ev,
			  const struct alpcscope_decoded *d, enum alpcscope_status st);

/* Decode @p name from the samples folder; false when the sample is absent. */
static inline bool
for_each_decoded(const char *name, const struct alpcscope_schema_set *set, sample_fn fn, void *ctx)
{
	char path[512];
	struct alpcscope_reader *r = NULL;
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_event *ev;

	snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, name);
	if (alpcscope_reader_open_file(&r, path, NULL, NULL) != ALPCSCOPE_OK)
		return false;
	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	if (set)
		CHECK(alpcscope_decoder_set_schemas(dec, set, NULL) == ALPCSCOPE_OK);
	while (alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK) {
		const struct alpcscope_decoded *d = NULL;
		enum alpcscope_status st = alpcscope_decode(dec, ev, &d, NULL);

		fn(ctx, ev, d, st);
	}
	alpcscope_decoder_free(dec);
	alpcscope_reader_free(r);
	return true;
}

static inline const char *
fstr(const struct alpcscope_decoded *d, const char *name)
{
	const struct alpcscope_field *f = alpcscope_decoded_field(d, name);

	return f && (f->type == ALPCSCOPE_FIELD_STRING || f->type == ALPCSCOPE_FIELD_SID)
		   ? f->value.str
		   : NULL;
}

static inline int
ftype(const struct alpcscope_decoded *d, const char *name)
{
	const struct alpcscope_field *f = alpcscope_decoded_field(d, name);

	return f ? (int)f->type : -1;
}

/* A synthetic 64-bit EVENT_HEADER event over @p payload. */
static inline void
make_event(struct alpcscope_event *ev, const char *guid, uint16_t id, uint8_t version,
	   const uint8_t *payload, size_t size)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev->pointer_size = 8;
	ev->has_provider = true;
	alpcscope_guid_parse(&ev->provider, guid);
	ev->event_id = id;
	ev->version = version;
	ev->payload = payload;
	ev->payload_size = size;
}

#endif
