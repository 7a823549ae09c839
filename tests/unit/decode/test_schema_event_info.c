/* SPDX-License-Identifier: MIT */
/*
 * TRACE_EVENT_INFO / EVENT_MAP_INFO (KernelTraceControl EventMetadata) against
 * rpcinvestigator__ms-rpc-capture-arrays.etl, whose Microsoft-Windows-RPC
 * events decode only with the metadata the merge embedded, plus hand-made
 * blobs: a valid one, and malformed ones that must fail with clear errors.
 */
#include "schema_test_util.h"
#include "util/bytes.h"

struct rpc {
	unsigned rpc, rpc_schema, params_ok, perfview_schema, failures, svchost, serviceshell;
	char first_status[32];
	uint64_t first_location;
};

static unsigned
count_substr(const char *s, const char *needle)
{
	unsigned n = 0;

	while (s && (s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void
on_rpc(void *vctx, const struct alpcscope_event *ev, const struct alpcscope_decoded *d,
       enum alpcscope_status st)
{
	struct rpc *c = vctx;
	const struct alpcscope_field *f;

	if (st != ALPCSCOPE_OK)
		c->failures++;
	if (!ev->has_provider || ev->kind != ALPCSCOPE_RECORD_EVENT_HEADER64)
		return;
	if (ev->provider.data1 == 0xa8a71ac1 && d && d->kind == ALPCSCOPE_DECODED_SCHEMA)
		c->perfview_schema++;
	if (ev->provider.data1 != 0x6ad52b32)
		return;
	c->rpc++;
	if (!d || d->kind != ALPCSCOPE_DECODED_SCHEMA)
		return;
	c->rpc_schema++;
	if (fstr(d, "ImageName") && strcmp(fstr(d, "ImageName"), "svchost.exe") == 0)
		c->svchost++;
	else if (fstr(d, "ImageName") && strcmp(fstr(d, "ImageName"), "ServiceShell.exe") == 0)
		c->serviceshell++;
	f = alpcscope_decoded_field(d, "NumberOfParameters");
	CHECK(f && f->type == ALPCSCOPE_FIELD_UINT);
	/* Params: array of structs counted by NumberOfParameters. */
	if (f && count_substr(fstr(d, "Params"), "\"ParameterType\"") == f->value.u)
		c->params_ok++;
	if (c->rpc_schema == 1) {
		f = alpcscope_decoded_field(d, "Status");
		CHECK(f && f->type == ALPCSCOPE_FIELD_HEX && f->value.u == 0x6ba);
		f = alpcscope_decoded_field(d, "DetectionLocation");
		c->first_location = f ? f->value.u : 0;
		CHECK_STR(fstr(d, "TimeStamp"), "2022-12-01T14:05:00.013");
	}
}

static void
test_rpc_sample(void)
{
	struct rpc c;

	memset(&c, 0, sizeof(c));
	if (!for_each_decoded("rpcinvestigator__ms-rpc-capture-arrays.etl", NULL, on_rpc, &c)) {
		fprintf(stderr, "rpcinvestigator sample absent: skipped\n");
		return;
	}
	CHECK_EQ_U64(c.rpc, 32); /* CATALOG: 32 events, id 1 */
	CHECK_EQ_U64(c.rpc_schema, 32);
	CHECK_EQ_U64(c.params_ok, 32);
	CHECK_EQ_U64(c.first_location, 1050);
	CHECK_EQ_U64(c.svchost, 24);     /* pid 7928 */
	CHECK_EQ_U64(c.serviceshell, 8); /* pid 13192 */
	/* Every PerfViewLogger event but the two id 65534 manifest-dump events. */
	CHECK_EQ_U64(c.perfview_schema, 54);
	CHECK_EQ_U64(c.failures, 0);
}

static size_t
put_name(uint8_t *b, size_t off, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		le16_store(b + off + 2 * i, (uint16_t)s[i]);
	le16_store(b + off + 2 * i, 0);
	return off + 2 * i + 2;
}

/* A TRACE_EVENT_INFO for provider 1234..., id 7 v1: u32 N; u8 Data[N]. */
static size_t
build_tei(uint8_t *b)
{
	size_t off = 112 + 2 * 24;

	memset(b, 0, 512);
	le32_store(b + 0, 0x12345678);
	le16_store(b + 32, 7);
	b[34] = 1;
	le32_store(b + 100, 2);
	le32_store(b + 104, 2);
	le32_store(b + 52, (uint32_t)off);
	off = put_name(b, off, "Prov");
	le32_store(b + 112 + 4, (uint32_t)off);
	off = put_name(b, off, "N");
	le16_store(b + 112 + 8, 8);
	le16_store(b + 112 + 16, 1);
	le32_store(b + 136 + 0, 0x4); /* count from property 0 */
	le32_store(b + 136 + 4, (uint32_t)off);
	off = put_name(b, off, "Data");
	le16_store(b + 136 + 8, 4);
	le16_store(b + 136 + 16, 0);
	return off;
}

static void
test_synthetic(void)
{
	struct alpcscope_schema_set *set = NULL;
	struct alpcscope_decoder *dec = NULL;
	struct alpcscope_error err;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	static const uint8_t payload[] = {3, 0, 0, 0, 9, 8, 7};
	uint8_t b[512];
	size_t n = build_tei(b);

	CHECK(alpcscope_schema_set_new(&set, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_schema_set_add_event_info(set, b, n, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_schema_set_event_count(set), 1);
	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_decoder_set_schemas(dec, set, NULL) == ALPCSCOPE_OK);
	make_event(&ev, "12345678-0000-0000-0000-000000000000", 7, 1, payload, sizeof(payload));
	CHECK(alpcscope_decode(dec, &ev, &d, &err) == ALPCSCOPE_OK);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_SCHEMA);
	CHECK_STR(d->name, "Prov/id7");
	CHECK_STR(fstr(d, "Data"), "[9,8,7]");
	/* Count says 4 but 3 bytes follow. */
	{
		static const uint8_t short_payload[] = {4, 0, 0, 0, 9, 8, 7};

		make_event(&ev, "12345678-0000-0000-0000-000000000000", 7, 1, short_payload,
			   sizeof(short_payload));
		CHECK(alpcscope_decode(dec, &ev, &d, &err) == ALPCSCOPE_E_CORRUPT);
		CHECK(d && d->kind == ALPCSCOPE_DECODED_GENERIC);
	}

	/* Malformed blobs. */
	CHECK(alpcscope_schema_set_add_event_info(set, b, 100, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "shorter than") != NULL);
	n = build_tei(b);
	le32_store(b + 100, 1000);
	CHECK(alpcscope_schema_set_add_event_info(set, b, n, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "properties") != NULL);
	n = build_tei(b);
	le32_store(b + 112 + 4, 5000); /* name offset outside */
	CHECK(alpcscope_schema_set_add_event_info(set, b, n, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "name offset") != NULL);
	n = build_tei(b);
	le16_store(b + 112 + 16, 1);
	le32_store(b + 112 + 0, 0x4); /* property 0 counted by itself */
	CHECK(alpcscope_schema_set_add_event_info(set, b, n, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "count property") != NULL);
	n = build_tei(b);
	le32_store(b + 136, 0x1); /* struct pointing backwards */
	le16_store(b + 136 + 8, 0);
	le16_store(b + 136 + 10, 1);
	CHECK(alpcscope_schema_set_add_event_info(set, b, n, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "struct") != NULL);
	n = build_tei(b);
	b[n - 1] = 'x'; /* last name loses its terminator */
	b[n - 2] = 'x';
	CHECK(alpcscope_schema_set_add_event_info(set, b, n, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK_EQ_U64(alpcscope_schema_set_event_count(set), 1);

	/* EVENT_MAP_INFO: GUID, then map "M" with 1 -> "One". */
	{
		uint8_t m[128] = {0};
		size_t o;

		le32_store(m, 0x12345678);
		le32_store(m + 16 + 0, 24);
		le32_store(m + 16 + 4, 1);
		le32_store(m + 16 + 8, 1);
		o = put_name(m + 16, 24, "M");
		le32_store(m + 16 + 16, (uint32_t)o);
		le32_store(m + 16 + 20, 1);
		o = put_name(m + 16, o, "One");
		CHECK(alpcscope_schema_set_add_event_map_info(set, m, 16 + o, &err) ==
		      ALPCSCOPE_OK);
		le32_store(m + 16 + 8, 100000);
		CHECK(alpcscope_schema_set_add_event_map_info(set, m, 16 + o, &err) ==
		      ALPCSCOPE_E_CORRUPT);
		CHECK(alpcscope_schema_set_add_event_map_info(set, m, 20, &err) ==
		      ALPCSCOPE_E_CORRUPT);
	}
	alpcscope_decoder_free(dec);
	alpcscope_schema_set_free(set);
}

int
main(void)
{
	test_rpc_sample();
	test_synthetic();
	return check_summary();
}
