/* SPDX-License-Identifier: MIT */
/*
 * TraceLogging schemas (EVENT_SCHEMA_TL + PROV_TRAITS items) against the real
 * samples that carry them, with the values worked out from the payload bytes
 * and the samples' own projects (PerfView's primitive-types test trace:
 * planets with int16 = -k, int32 = -2k, uint16 = k, uint32 = 2k; airbus
 * etl-parser's AMSI test: event AmsiScript with Engine/Script fields), plus
 * malformed metadata that must fail cleanly.
 */
#include "schema_test_util.h"

struct prim {
	int n;
	const char *names[8];
	bool bools[8];
	int64_t i16[8];
	uint64_t u32[8];
};

static void
on_prim(void *vctx, const struct alpcscope_event *ev, const struct alpcscope_decoded *d,
	enum alpcscope_status st)
{
	struct prim *c = vctx;
	const struct alpcscope_field *f;

	if (ev->kind != ALPCSCOPE_RECORD_EVENT_HEADER64)
		return;
	CHECK(st == ALPCSCOPE_OK);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_SCHEMA);
	if (!d || d->kind != ALPCSCOPE_DECODED_SCHEMA || c->n >= 8)
		return;
	CHECK_STR(d->name, "solar_system/PrimitiveTypesTest");
	CHECK_EQ_U64(d->field_count, 12);
	c->names[c->n] = fstr(d, "string_type") ? strdup(fstr(d, "string_type")) : NULL;
	f = alpcscope_decoded_field(d, "boolean_type");
	CHECK(f && f->type == ALPCSCOPE_FIELD_BOOL);
	c->bools[c->n] = f && f->value.b;
	f = alpcscope_decoded_field(d, "int16_type");
	CHECK(f && f->type == ALPCSCOPE_FIELD_INT);
	c->i16[c->n] = f ? f->value.i : 0;
	f = alpcscope_decoded_field(d, "uint32_type");
	CHECK(f && f->type == ALPCSCOPE_FIELD_UINT);
	c->u32[c->n] = f ? f->value.u : 0;
	if (c->n == 0) {
		char g[ALPCSCOPE_GUID_STR_SIZE];

		CHECK_STR(fstr(d, "char_type"), "M");
		f = alpcscope_decoded_field(d, "int32_type");
		CHECK(f && f->type == ALPCSCOPE_FIELD_INT && f->value.i == -102);
		f = alpcscope_decoded_field(d, "uint16_type");
		CHECK(f && f->type == ALPCSCOPE_FIELD_UINT && f->value.u == 51);
		/* The metadata types int64_type as UInt64 (InType 10): -204 as unsigned. */
		f = alpcscope_decoded_field(d, "int64_type");
		CHECK(f && f->type == ALPCSCOPE_FIELD_UINT && f->value.u == (uint64_t)-204);
		f = alpcscope_decoded_field(d, "uint64_type");
		CHECK(f && f->value.u == 204);
		f = alpcscope_decoded_field(d, "guid_type");
		CHECK(f && f->type == ALPCSCOPE_FIELD_GUID);
		if (f) {
			alpcscope_guid_format(g, &f->value.guid);
			CHECK_STR(g, "0ad614c4-0ef4-4225-8013-f44f37cb0397");
		}
		CHECK_STR(fstr(d, "file_time_type"), "2021-09-09T14:59:35.7990000Z");
		CHECK_STR(fstr(d, "system_time_type"), "2021-09-09T14:59:35.799");
	}
	c->n++;
}

static void
test_primitive_types(void)
{
	static const char *planets[] = {"Mercury", "Venus", "Earth", "Mars", "Jupiter"};
	static const bool bools[] = {false, true, false, false, true};
	struct prim c;

	memset(&c, 0, sizeof(c));
	if (!for_each_decoded("perfview__primitive-types.etl", NULL, on_prim, &c)) {
		fprintf(stderr, "primitive-types sample absent: skipped\n");
		return;
	}
	CHECK_EQ_U64(c.n, 5);
	for (int i = 0; i < c.n && i < 5; i++) {
		CHECK_STR(c.names[i], planets[i]);
		CHECK(c.bools[i] == bools[i]);
		/* int16 = -k, uint32 = 2k for each planet. */
		CHECK(c.i16[i] < 0 && c.u32[i] == (uint64_t)(-2 * c.i16[i]));
		free((void *)(uintptr_t)c.names[i]);
	}
}

struct amsi {
	unsigned tl, same_raw, vbscript, powershell;
};

static void
on_amsi(void *vctx, const struct alpcscope_event *ev, const struct alpcscope_decoded *d,
	enum alpcscope_status st)
{
	struct amsi *c = vctx;
	const char *engine, *script, *raw;

	if (ev->kind != ALPCSCOPE_RECORD_EVENT_HEADER64)
		return;
	CHECK(st == ALPCSCOPE_OK && d && d->kind == ALPCSCOPE_DECODED_SCHEMA);
	if (!d || d->kind != ALPCSCOPE_DECODED_SCHEMA)
		return;
	c->tl++;
	CHECK_STR(d->name, "AmsiTrace/AmsiScript");
	engine = fstr(d, "Engine");
	script = fstr(d, "Script");
	raw = fstr(d, "Raw Script"); /* UInt16 array with out type String */
	CHECK(engine && script && raw);
	if (script && raw && strcmp(script, raw) == 0)
		c->same_raw++;
	if (engine && strcmp(engine, "VBScript") == 0)
		c->vbscript++;
	if (engine &&
	    strncmp(engine, "PowerShell_C:\\Windows\\System32\\WindowsPowerShell", 48) == 0)
		c->powershell++;
	if (c->tl == 1)
		CHECK(script && strncmp(script, "IWshShell3.Run(\"powershell.exe -nop", 34) == 0);
}

static void
test_amsi(void)
{
	struct amsi c = {0};

	if (!for_each_decoded("airbus__AMSITrace.etl", NULL, on_amsi, &c)) {
		fprintf(stderr, "AMSITrace sample absent: skipped\n");
		return;
	}
	CHECK_EQ_U64(c.tl, 19); /* CATALOG: 19 EVENT_SCHEMA_TL items */
	CHECK_EQ_U64(c.same_raw, c.tl);
	CHECK_EQ_U64(c.vbscript, 4);
	CHECK_EQ_U64(c.powershell + c.vbscript, c.tl);
}

struct one {
	unsigned n;
	char name[64];
	char a[64], b[64], extra[200];
};

static void
on_selfdesc(void *vctx, const struct alpcscope_event *ev, const struct alpcscope_decoded *d,
	    enum alpcscope_status st)
{
	struct one *c = vctx;

	if (!d || d->kind != ALPCSCOPE_DECODED_SCHEMA || ev->kind < ALPCSCOPE_RECORD_EVENT_HEADER32)
		return;
	CHECK(st == ALPCSCOPE_OK);
	c->n++;
	snprintf(c->name, sizeof(c->name), "%s", d->name);
	snprintf(c->a, sizeof(c->a), "%s", fstr(d, "a.b") ? fstr(d, "a.b") : "");
	snprintf(c->b, sizeof(c->b), "%s", fstr(d, "a.c") ? fstr(d, "a.c") : "");
	snprintf(c->extra, sizeof(c->extra), "%s", fstr(d, "Function") ? fstr(d, "Function") : "");
}

static void
test_struct_and_counted(void)
{
	struct one c;

	memset(&c, 0, sizeof(c));
	if (for_each_decoded("perfview__SelfDescribingSingleEvent.etl", NULL, on_selfdesc, &c)) {
		CHECK_EQ_U64(c.n, 1);
		CHECK_STR(c.name, "MySource/TestEvent");
		CHECK_STR(c.a, "Hello"); /* struct a { b, c } flattened to a.b, a.c */
		CHECK_STR(c.b, "World!");
	}
	memset(&c, 0, sizeof(c));
	if (for_each_decoded("airbus__lxcore_kernel.etl", NULL, on_selfdesc, &c)) {
		CHECK_EQ_U64(c.n, 2);
		CHECK_STR(c.name, "Microsoft.Windows.Subsystem.LxCore/BreakPoint");
		CHECK_STR(c.extra, "LxpInstanceStart");
	}
}

/* Decode @p payload with TraceLogging metadata @p meta; returns the status. */
static enum alpcscope_status
decode_tl(const uint8_t *meta, size_t meta_size, const uint8_t *payload, size_t size,
	  const struct alpcscope_decoded **out, struct alpcscope_decoder *dec,
	  struct alpcscope_error *err)
{
	static struct alpcscope_event ev;

	make_event(&ev, "11111111-2222-3333-4444-555555555555", 0, 0, payload, size);
	ev.ext_count = 1;
	ev.ext[0].type = ALPCSCOPE_EXT_EVENT_SCHEMA_TL;
	ev.ext[0].size = (uint16_t)meta_size;
	ev.ext[0].data = meta;
	return alpcscope_decode(dec, &ev, out, err);
}

static void
test_synthetic(void)
{
	/* E { u8 array[VCOUNT] x; struct s { i32 y; hex u32 z } ; binary w } */
	static const uint8_t meta[] = {28,   0,    0,   'E', 0,    'x', 0, 0x44, 's', 0,
				       0x98, 2,    'y', 0,   0x07, 'z', 0, 0x88, 4,   'w',
				       0,    0x0e, 0,   0,   0,    0,   0, 0};
	static const uint8_t payload[] = {3,    0, 1, 2, 3, 0xfe, 0xff, 0xff, 0xff,
					  0x10, 0, 0, 0, 2, 0,    0xab, 0xcd};
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_decoded *d;
	const struct alpcscope_field *f;
	struct alpcscope_error err;
	uint8_t bad[sizeof(meta)];

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	/* The declared size is 22: the item is padded like real ones. */
	memcpy(bad, meta, sizeof(meta));
	bad[0] = 22;
	CHECK(decode_tl(bad, sizeof(bad), payload, sizeof(payload), &d, dec, &err) == ALPCSCOPE_OK);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_SCHEMA);
	CHECK_STR(fstr(d, "x"), "[1,2,3]");
	f = alpcscope_decoded_field(d, "s.y");
	CHECK(f && f->type == ALPCSCOPE_FIELD_INT && f->value.i == -2);
	f = alpcscope_decoded_field(d, "s.z");
	CHECK(f && f->type == ALPCSCOPE_FIELD_HEX && f->value.u == 0x10);
	f = alpcscope_decoded_field(d, "w");
	CHECK(f && f->type == ALPCSCOPE_FIELD_BYTES && f->value.bytes.size == 2);
	/* Cached second decode gives the same result. */
	CHECK(decode_tl(bad, sizeof(bad), payload, sizeof(payload), &d, dec, &err) == ALPCSCOPE_OK);
	CHECK_STR(fstr(d, "x"), "[1,2,3]");

	/* Payload one byte short: corrupt, shown as a generic record. */
	CHECK(decode_tl(bad, sizeof(bad), payload, sizeof(payload) - 1, &d, dec, &err) ==
	      ALPCSCOPE_E_CORRUPT);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK(strstr(err.message, "E") != NULL);

	/* Declared size past the item. */
	bad[0] = 200;
	CHECK(decode_tl(bad, sizeof(bad), payload, sizeof(payload), &d, dec, &err) ==
	      ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "size") != NULL);
	/* Struct claiming more members than follow. */
	memcpy(bad, meta, sizeof(meta));
	bad[0] = 22;
	bad[11] = 9;
	CHECK(decode_tl(bad, sizeof(bad), payload, sizeof(payload), &d, dec, &err) ==
	      ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "struct") != NULL);
	/* Unknown in type. */
	memcpy(bad, meta, sizeof(meta));
	bad[0] = 22;
	bad[21] = 0x1f;
	CHECK(decode_tl(bad, sizeof(bad), payload, sizeof(payload), &d, dec, &err) ==
	      ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "in type") != NULL);
	/* Event name without terminator. */
	{
		static const uint8_t m2[] = {5, 0, 0, 'E', 'F'};

		CHECK(decode_tl(m2, sizeof(m2), payload, sizeof(payload), &d, dec, &err) ==
		      ALPCSCOPE_E_CORRUPT);
		CHECK(strstr(err.message, "not terminated") != NULL);
	}
	/* Every truncation of the metadata fails cleanly or decodes; never crashes. */
	for (size_t n = 0; n <= 22; n++) {
		memcpy(bad, meta, sizeof(meta));
		bad[0] = (uint8_t)n;
		(void)decode_tl(bad, n, payload, sizeof(payload), &d, dec, NULL);
		CHECK(d != NULL);
	}
	alpcscope_decoder_free(dec);
}

int
main(void)
{
	test_primitive_types();
	test_amsi();
	test_struct_and_counted();
	test_synthetic();
	return check_summary();
}
