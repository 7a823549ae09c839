/* SPDX-License-Identifier: MIT */
/*
 * Instrumentation manifests: the project's Microsoft-Windows-RPC and
 * WMI-Activity manifests load, decode synthetic events with the layouts of
 * docs/event-layouts.md#rpc / #wmi-activity (maps resolved through the string table), decode
 * the RPC sample's events like the metadata it embeds, and malformed
 * manifests fail with the file and line in the message.
 */
#include "schema_test_util.h"
#include "util/bytes.h"

#define RPC_MAN  "fixtures/manifests/Microsoft-Windows-RPC.man"
#define WMI_MAN  "fixtures/manifests/Microsoft-Windows-WMI-Activity.man"
#define RPC_GUID "6ad52b32-d609-4be9-ae07-ce8dae937e39"
#define WMI_GUID "1418ef04-b0b4-4623-bf7e-d74ab47bbdaa"

static size_t
put_wstr(uint8_t *b, size_t off, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		le16_store(b + off + 2 * i, (uint8_t)s[i]);
	le16_store(b + off + 2 * i, 0);
	return off + 2 * i + 2;
}

static void
test_rpc_call_start(struct alpcscope_schema_set *set)
{
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_decoded *d;
	const struct alpcscope_field *f;
	struct alpcscope_event ev;
	uint8_t p[256] = {0};
	size_t o;

	/* IWbemServices 9556dc99-828c-11cf-a37e-00aa003240c7, opnum 24, LRPC. */
	le32_store(p, 0x9556dc99);
	le16_store(p + 4, 0x828c);
	le16_store(p + 6, 0x11cf);
	memcpy(p + 8, "\xa3\x7e\x00\xaa\x00\x32\x40\xc7", 8);
	le32_store(p + 16, 24);
	le32_store(p + 20, 3);
	o = put_wstr(p, 24, "");
	o = put_wstr(p, o, "OLE1234");
	o = put_wstr(p, o, "");
	le32_store(p + o, 6);
	le32_store(p + o + 4, 20);
	le32_store(p + o + 8, 3);
	o += 12;
	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_decoder_set_schemas(dec, set, NULL) == ALPCSCOPE_OK);
	make_event(&ev, RPC_GUID, 5, 1, p, o);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_SCHEMA);
	CHECK_STR(d->name, "Microsoft-Windows-RPC/RpcClientCallStart");
	f = alpcscope_decoded_field(d, "ProcNum");
	CHECK(f && f->type == ALPCSCOPE_FIELD_UINT && f->value.u == 24);
	CHECK_STR(fstr(d, "Protocol"), "LRPC"); /* $(string.Protocol.LRPC) */
	CHECK_STR(fstr(d, "Endpoint"), "OLE1234");
	CHECK_STR(fstr(d, "AuthenticationService"), "Kernel");
	CHECK_STR(fstr(d, "ImpersonationLevel"), "Impersonate");
	f = alpcscope_decoded_field(d, "AuthenticationLevel");
	CHECK(f && f->value.u == 6);
	/* Unknown map value stays a number. */
	le32_store(p + 20, 77);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	f = alpcscope_decoded_field(d, "Protocol");
	CHECK(f && f->type == ALPCSCOPE_FIELD_UINT && f->value.u == 77);
	/* Truncated: corrupt. */
	make_event(&ev, RPC_GUID, 5, 1, p, o - 1);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_E_CORRUPT);
	alpcscope_decoder_free(dec);
}

static void
test_wmi_process_created(struct alpcscope_schema_set *set)
{
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_decoded *d;
	const struct alpcscope_field *f;
	struct alpcscope_event ev;
	uint8_t p[512] = {0};
	size_t o;

	o = put_wstr(p, 0, "{00000000-0000-0000-0000-000000000000}");
	le32_store(p + o, 1);
	le32_store(p + o + 4, 2);
	o = put_wstr(p, o + 8, "notepad.exe");
	le32_store(p + o, 4242);
	le64_store(p + o + 4, 133143771271647488u);
	o = put_wstr(p, o + 12, "HOST");
	o = put_wstr(p, o, "host.example");
	o = put_wstr(p, o, "DOMAIN\\user");
	le32_store(p + o, 1000);
	le64_store(p + o + 4, 133143771271647000u);
	le32_store(p + o + 12, 1);
	o += 16;
	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_decoder_set_schemas(dec, set, NULL) == ALPCSCOPE_OK);
	make_event(&ev, WMI_GUID, 23, 0, p, o);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_SCHEMA);
	CHECK_STR(d->name, "Microsoft-Windows-WMI-Activity/ProcessCreated");
	CHECK_STR(fstr(d, "Commandline"), "notepad.exe");
	f = alpcscope_decoded_field(d, "CreatedProcessId");
	CHECK(f && f->value.u == 4242);
	f = alpcscope_decoded_field(d, "ClientProcessId");
	CHECK(f && f->value.u == 1000);
	f = alpcscope_decoded_field(d, "IsLocal");
	CHECK(f && f->type == ALPCSCOPE_FIELD_BOOL && f->value.b);
	CHECK_STR(fstr(d, "User"), "DOMAIN\\user");
	alpcscope_decoder_free(dec);
}

struct rpc {
	unsigned manifest_named;
};

static void
on_rpc(void *vctx, const struct alpcscope_event *ev, const struct alpcscope_decoded *d,
       enum alpcscope_status st)
{
	struct rpc *c = vctx;

	if (!ev->has_provider || ev->provider.data1 != 0x6ad52b32 ||
	    ev->kind != ALPCSCOPE_RECORD_EVENT_HEADER64)
		return;
	CHECK(st == ALPCSCOPE_OK);
	if (d && d->name && strcmp(d->name, "Microsoft-Windows-RPC/EEInfo") == 0 &&
	    alpcscope_decoded_field(d, "Params"))
		c->manifest_named++;
}

static enum alpcscope_status
load_text(const char *xml, struct alpcscope_error *err)
{
	struct alpcscope_schema_set *set = NULL;
	enum alpcscope_status st;

	CHECK(alpcscope_schema_set_new(&set, NULL) == ALPCSCOPE_OK);
	memset(err, 0, sizeof(*err));
	st = alpcscope_schema_set_load_manifest_memory(set, xml, strlen(xml), err);
	alpcscope_schema_set_free(set);
	return st;
}

#define MAN_HEAD                                                                                   \
	"<instrumentationManifest xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\n"    \
	"<instrumentation><events>\n"                                                              \
	"<provider name=\"P\" guid=\"{11111111-2222-3333-4444-555555555555}\">\n"
#define MAN_TAIL "</provider></events></instrumentation></instrumentationManifest>\n"

static void
test_malformed(void)
{
	struct alpcscope_error err;

	CHECK(load_text("<instrumentationManifest", &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "not well-formed") != NULL);
	CHECK(load_text("<other/>", &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "instrumentationManifest") != NULL);
	CHECK(load_text("<instrumentationManifest/>", &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "no <provider>") != NULL);
	CHECK(load_text(MAN_HEAD "<events><event value=\"1\" template=\"T\"/></events>" MAN_TAIL,
			&err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "unknown template") != NULL);
	CHECK(strstr(err.message, "(memory):4") != NULL); /* line of the <event> */
	CHECK(load_text(MAN_HEAD "<events><event value=\"70000\"/></events>" MAN_TAIL, &err) ==
	      ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "16-bit") != NULL);
	CHECK(load_text(MAN_HEAD "<events><event value=\"1\" template=\"T\"/></events>"
				 "<templates><template tid=\"T\"><data name=\"a\" "
				 "inType=\"win:Nope\"/></template></templates>" MAN_TAIL,
			&err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "inType") != NULL);
	CHECK(load_text(MAN_HEAD
			"<events><event value=\"1\" template=\"T\"/></events>"
			"<templates><template tid=\"T\"><data name=\"a\" "
			"inType=\"win:UInt8\" count=\"n\"/></template></templates>" MAN_TAIL,
			&err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "no earlier property") != NULL);
	CHECK(load_text("<instrumentationManifest><instrumentation><events><provider name=\"P\" "
			"guid=\"nope\"/></events></instrumentation></instrumentationManifest>",
			&err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "guid") != NULL);
	/* A well-formed minimal one loads. */
	CHECK(load_text(MAN_HEAD "<events><event value=\"1\" template=\"T\"/></events>"
				 "<templates><template tid=\"T\"><data name=\"n\" "
				 "inType=\"win:UInt8\"/><data name=\"a\" inType=\"win:UInt8\" "
				 "count=\"n\"/></template></templates>" MAN_TAIL,
			&err) == ALPCSCOPE_OK);
}

int
main(void)
{
	struct alpcscope_schema_set *set = NULL;
	struct alpcscope_guid g;
	struct alpcscope_error err;
	struct rpc c = {0};

	CHECK(alpcscope_schema_set_new(&set, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_schema_set_load_manifest(set, RPC_MAN, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_schema_set_event_count(set), 13);
	CHECK(alpcscope_schema_set_load_manifest(set, WMI_MAN, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_schema_set_event_count(set), 13 + 23);
	/* Loading the directory again replaces, not duplicates. */
	CHECK(alpcscope_schema_set_load_manifest_dir(set, "fixtures/manifests", &err) ==
	      ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_schema_set_event_count(set), 13 + 23);
	CHECK(alpcscope_schema_set_load_manifest(set, "fixtures/manifests/none.man", &err) ==
	      ALPCSCOPE_E_IO);
	alpcscope_guid_parse(&g, RPC_GUID);
	CHECK_STR(alpcscope_schema_set_event_name(set, &g, 6, 1),
		  "Microsoft-Windows-RPC/RpcServerCallStart");
	CHECK(alpcscope_schema_set_event_name(set, &g, 6, 0) == NULL);
	test_rpc_call_start(set);
	test_wmi_process_created(set);
	if (for_each_decoded("rpcinvestigator__ms-rpc-capture-arrays.etl", set, on_rpc, &c))
		CHECK_EQ_U64(c.manifest_named, 32); /* the manifest wins over embedded metadata */
	alpcscope_schema_set_free(set);
	test_malformed();
	return check_summary();
}
