/* SPDX-License-Identifier: MIT */
/*
 * XML trace source: tracerpt-shaped input (local-time offsets, padded
 * numbers, Stack1..N, kernel events named by EventGuid), clear errors for
 * malformed or hostile documents, and the round trip: every fixture dumped to
 * XML and analysed again gives the same messages and chains as its .etl.
 */
#include <alpcscope/alpcscope.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define KERNEL                                                                                     \
	"<Provider Name=\"MSNT_SystemTrace\" Guid=\"{9e814aad-3204-11d2-9a82-006008a86939}\"/>"
#define ALPC_GUID    "{45d8cccd-539f-4b72-a8b7-5c683142609a}"
#define PROCESS_GUID "{3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c}"
#define IMAGE_GUID   "{2cb15d1d-5fc1-11d2-abe1-00a0c911f518}"
#define STACK_GUID   "{def2fe46-7bd6-4b80-bd94-f57fe20d0ce3}"

#define EV(op, ver, time, pid, tid, data, guid)                                                    \
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>" KERNEL   \
	"<EventID>0</EventID><Version>" ver "</Version><Level>0</Level><Task>0</Task><Opcode>" op  \
	"</Opcode><Keywords>0x0</Keywords><TimeCreated SystemTime=\"" time "\"/>"                  \
	"<Correlation ActivityID=\"{00000000-0000-0000-0000-000000000000}\"/>"                     \
	"<Execution ProcessID=\"" pid "\" ThreadID=\"" tid                                         \
	"\" ProcessorID=\"1\" KernelTime=\"0\" "                                                   \
	"UserTime=\"0\"/><Channel/><Computer/></System><EventData>" data "</EventData>"            \
	"<RenderingInfo Culture=\"en-US\"><Opcode>x</Opcode><Provider>MSNT_SystemTrace</Provider>" \
	"</RenderingInfo><ExtendedTracingInfo "                                                    \
	"xmlns=\"http://schemas.microsoft.com/win/2004/08/events/trace\"><EventGuid>" guid         \
	"</EventGuid></ExtendedTracingInfo></Event>\n"

/* A client (pid 100) sends a request to a server (pid 200) which replies; stacks on the sends. */
static const char *const tracerpt_parts[] = {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Events>\n",
    EV("3", "4", "2017-03-15T10:35:27.5000000-07:00", "4", "8",
       "<Data Name=\"UniqueProcessKey\">0xFFFF800000001000</Data><Data Name=\"ProcessId\">  "
       "100</Data><Data Name=\"ParentId\">4</Data><Data Name=\"SessionId\">1</Data><Data "
       "Name=\"ExitStatus\">259</Data><Data Name=\"DirectoryTableBase\">0x1000</Data><Data "
       "Name=\"Flags\">0</Data><Data Name=\"UserSID\">S-1-5-18</Data><Data "
       "Name=\"ImageFileName\">client.exe</Data><Data Name=\"CommandLine\">client.exe "
       "/x</Data><Data Name=\"PackageFullName\"></Data><Data Name=\"ApplicationId\"></Data>",
       PROCESS_GUID),
    EV("3", "4", "2017-03-15T10:35:27.5000001-07:00", "4", "8",
       "<Data Name=\"UniqueProcessKey\">0xFFFF800000002000</Data><Data "
       "Name=\"ProcessId\">200</Data><Data Name=\"ParentId\">4</Data><Data "
       "Name=\"SessionId\">0</Data><Data Name=\"ExitStatus\">259</Data><Data "
       "Name=\"DirectoryTableBase\">0x2000</Data><Data Name=\"Flags\">0</Data><Data "
       "Name=\"UserSID\"></Data><Data Name=\"ImageFileName\">server.exe</Data><Data "
       "Name=\"CommandLine\">server.exe</Data>",
       PROCESS_GUID),
    EV("10", "3", "2017-03-15T10:35:27.5000002-07:00", "100", "101",
       "<Data Name=\"ImageBase\">0x7FF600000000</Data><Data Name=\"ImageSize\">0x10000</Data><Data "
       "Name=\"ProcessId\">100</Data><Data Name=\"ImageCheckSum\">0</Data><Data "
       "Name=\"TimeDateStamp\">0</Data><Data Name=\"SignatureLevel\">0</Data><Data "
       "Name=\"SignatureType\">0</Data><Data Name=\"DefaultBase\">0x7FF600000000</Data><Data "
       "Name=\"FileName\">\\Device\\HarddiskVolume3\\client.exe</Data>",
       IMAGE_GUID),
    EV("33", "2", "2017-03-15T10:35:27.6000000-07:00", "100", "101",
       "<Data Name=\"MessageID\">77</Data>", ALPC_GUID),
    EV("32", "2", "2017-03-15T10:35:27.6000000-07:00", "4294967295", "4294967295",
       "<Data Name=\"EventTimeStamp\">123456789</Data><Data "
       "Name=\"StackProcess\">100</Data><Data Name=\"StackThread\">101</Data><Data "
       "Name=\"Stack1\">0xFFFFF80000001000</Data><Data "
       "Name=\"Stack2\">0x7FF600001234</Data>",
       STACK_GUID),
    EV("35", "2", "2017-03-15T10:35:27.6000001-07:00", "100", "101",
       "<Data Name=\"MessageID\">77</Data>", ALPC_GUID),
    EV("34", "2", "2017-03-15T10:35:27.6000002-07:00", "200", "201",
       "<Data Name=\"MessageID\">77</Data>", ALPC_GUID),
    EV("33", "2", "2017-03-15T10:35:27.6100000-07:00", "200", "201",
       "<Data Name=\"MessageID\">77</Data>", ALPC_GUID),
    EV("34", "2", "2017-03-15T10:35:27.6100001-07:00", "100", "101",
       "<Data Name=\"MessageID\">77</Data>", ALPC_GUID),
    "</Events>\n"};

static char tracerpt_doc[16384];

static void
test_tracerpt_shape(void)
{
	struct alpcscope_xml_source *src = NULL;
	struct alpcscope_decoder *dec = NULL;
	struct alpcscope_model *m = NULL;
	struct alpcscope_error err;
	const struct alpcscope_event *ev;
	const struct alpcscope_decoded *d;
	unsigned n = 0;

	tracerpt_doc[0] = '\0';
	for (size_t i = 0; i < sizeof(tracerpt_parts) / sizeof(tracerpt_parts[0]); i++)
		strcat(tracerpt_doc, tracerpt_parts[i]);
	CHECK(alpcscope_xml_sniff(tracerpt_doc, strlen(tracerpt_doc)));
	CHECK(alpcscope_xml_source_open_memory(&src, tracerpt_doc, strlen(tracerpt_doc), NULL,
					       &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_decoder_new(&dec, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_new(&m, NULL, &err) == ALPCSCOPE_OK);
	if (!src || !dec || !m)
		return;
	while (alpcscope_xml_source_next(src, &ev, &err) == ALPCSCOPE_OK) {
		CHECK(alpcscope_decode(dec, ev, &d, &err) == ALPCSCOPE_OK);
		if (n == 0) {
			const struct alpcscope_field *f;

			CHECK(ev->is_kernel);
			CHECK_EQ_U64(ev->group, 0x03);
			CHECK_EQ_U64(ev->opcode, 3);
			CHECK_EQ_U64(ev->version, 4);
			CHECK_EQ_U64(ev->thread_id, 8);
			/* 10:35:27.5 at -07:00 is 17:35:27.5 UTC */
			char t[40];

			alpcscope_filetime_format(t, sizeof(t), ev->filetime_100ns);
			CHECK_STR(t, "2017-03-15T17:35:27.5000000Z");
			CHECK_EQ_U64(d->kind, ALPCSCOPE_DECODED_PROCESS);
			CHECK_EQ_U64(d->as.process.process_id, 100);
			CHECK_STR(d->as.process.image_file_name, "client.exe");
			CHECK_STR(d->as.process.command_line, "client.exe /x");
			CHECK_STR(d->as.process.user_sid, "S-1-5-18");
			CHECK(alpcscope_xml_source_fields(src, &f) == 12);
			CHECK_STR(f[1].name, "ProcessId");
			CHECK_STR(f[1].value.str, "  100");
		}
		if (n == 2) {
			CHECK_EQ_U64(ev->hook_id, 0x030A); /* image load under the Image GUID */
			CHECK_EQ_U64(d->kind, ALPCSCOPE_DECODED_IMAGE);
			CHECK_STR(d->as.image.file_name, "\\Device\\HarddiskVolume3\\client.exe");
		}
		if (n == 4) {
			CHECK_EQ_U64(d->kind, ALPCSCOPE_DECODED_STACK_WALK);
			CHECK_EQ_U64(d->as.stack_walk.frame_count, 2);
		}
		CHECK(alpcscope_model_add_event(m, ev, &err) == ALPCSCOPE_OK);
		n++;
	}
	CHECK_EQ_U64(n, 9);
	CHECK(alpcscope_model_finish(m, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_model_message_count(m), 2);
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, 0);

	CHECK(msg && msg->kind == ALPCSCOPE_MESSAGE_REQUEST);
	CHECK(msg && msg->send.stack != ALPCSCOPE_NONE); /* the stack found its Send */
	CHECK(msg && msg->related == 1);
	alpcscope_model_free(m);
	alpcscope_decoder_free(dec);
	alpcscope_xml_source_free(src);
}

static enum alpcscope_status
read_all(const char *doc, struct alpcscope_error *err, unsigned *count)
{
	struct alpcscope_xml_source *src = NULL;
	const struct alpcscope_event *ev;
	enum alpcscope_status st;

	*count = 0;
	st = alpcscope_xml_source_open_memory(&src, doc, strlen(doc), NULL, err);
	if (st != ALPCSCOPE_OK)
		return st;
	while ((st = alpcscope_xml_source_next(src, &ev, err)) == ALPCSCOPE_OK)
		(*count)++;
	/* after an error or the end, it stays there */
	CHECK(alpcscope_xml_source_next(src, &ev, err) == st);
	alpcscope_xml_source_free(src);
	return st;
}

static void
test_errors(void)
{
	struct alpcscope_error err;
	unsigned n;

	CHECK(read_all("<Events></Events>", &err, &n) == ALPCSCOPE_END && n == 0);
	CHECK(read_all("  \n<Events><Event><System/></Event></Events>", &err, &n) == ALPCSCOPE_END);
	CHECK_EQ_U64(n, 1);
	CHECK(read_all("<Events><Event><System><EventID>1", &err, &n) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "line 1") != NULL);
	CHECK(read_all("<Events><Event></Evnt></Events>", &err, &n) == ALPCSCOPE_E_CORRUPT);
	CHECK(read_all("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><Events/>", &err,
		       &n) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "DTD") != NULL);
	CHECK(read_all("<html><body/></html>", &err, &n) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "not a Windows event XML document") != NULL);
	CHECK(read_all("\x01\x02 binary", &err, &n) == ALPCSCOPE_E_NOT_ETL);
	CHECK(read_all("<Events><Event><System><Opcode>\xff\xfe</Opcode></System></Event></Events>",
		       &err, &n) == ALPCSCOPE_E_CORRUPT); /* not UTF-8 */
	/* a bad number, a bad time and bad hex are tolerated (fields default to 0) */
	CHECK(read_all("<Events><Event><System><Opcode>zz</Opcode><TimeCreated "
		       "SystemTime=\"yesterday\"/></System><BinaryEventData>0g</BinaryEventData>"
		       "</Event></Events>",
		       &err, &n) == ALPCSCOPE_END);
	CHECK_EQ_U64(n, 1);
}

/* ---- round trip: .etl -> dump --format xml -> XML source, same analysis ---- */

static char *
analyse(struct alpcscope_model *m, bool chains)
{
	struct alpcscope_write_options wo = ALPCSCOPE_WRITE_OPTIONS_INIT;
	struct alpcscope_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	wo.format = ALPCSCOPE_OUTPUT_JSON;
	wo.stacks = true;
	if (!f)
		return NULL;
	if (chains)
		CHECK(alpcscope_chains_write(m, &wo, f, &err) == ALPCSCOPE_OK);
	else
		CHECK(alpcscope_messages_write(m, &wo, f, &err) == ALPCSCOPE_OK);
	fclose(f);
	return buf;
}

static void
round_trip(const char *path)
{
	struct alpcscope_reader *r = NULL;
	struct alpcscope_decoder *dec = NULL;
	struct alpcscope_dump_writer *w = NULL;
	struct alpcscope_model *a = NULL, *b = NULL;
	struct alpcscope_xml_source *src = NULL;
	struct alpcscope_error err;
	const struct alpcscope_event *ev;
	const struct alpcscope_decoded *d;
	char *xml = NULL;
	size_t xml_len = 0;
	FILE *f = open_memstream(&xml, &xml_len);
	uint64_t n_etl = 0, n_xml = 0;

	CHECK(alpcscope_reader_open_file(&r, path, NULL, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_decoder_new(&dec, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_new(&a, NULL, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_new(&b, NULL, &err) == ALPCSCOPE_OK);
	CHECK(f && alpcscope_dump_writer_new(&w, ALPCSCOPE_DUMP_XML, f, &err) == ALPCSCOPE_OK);
	if (!r || !dec || !a || !b || !w)
		return;
	while (alpcscope_reader_next(r, &ev, &err) == ALPCSCOPE_OK) {
		enum alpcscope_status st = alpcscope_decode(dec, ev, &d, &err);

		CHECK(st == ALPCSCOPE_OK || st == ALPCSCOPE_E_CORRUPT);
		CHECK(alpcscope_dump_writer_event(w, ev, d, &err) == ALPCSCOPE_OK);
		CHECK(alpcscope_model_add_event(a, ev, &err) == ALPCSCOPE_OK);
		n_etl++;
	}
	alpcscope_dump_writer_free(w);
	fclose(f);
	CHECK(alpcscope_xml_source_open_memory(&src, xml, xml_len, NULL, &err) == ALPCSCOPE_OK);
	while (src && alpcscope_xml_source_next(src, &ev, &err) == ALPCSCOPE_OK) {
		CHECK(alpcscope_model_add_event(b, ev, &err) == ALPCSCOPE_OK);
		n_xml++;
	}
	CHECK_EQ_U64(n_xml, n_etl);
	CHECK(alpcscope_model_finish(a, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_finish(b, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_message_count(a) > 0);
	for (int chains = 0; chains < 2; chains++) {
		char *ja = analyse(a, chains), *jb = analyse(b, chains);
		bool same = ja && jb && strcmp(ja, jb) == 0;

		if (!same)
			fprintf(stderr, "%s: %s differ after the XML round trip\n", path,
				chains ? "chains" : "messages");
		CHECK(same);
		free(ja);
		free(jb);
	}
	CHECK(memcmp(alpcscope_model_stats(a), alpcscope_model_stats(b),
		     sizeof(struct alpcscope_model_stats)) == 0);
	alpcscope_xml_source_free(src);
	alpcscope_model_free(a);
	alpcscope_model_free(b);
	alpcscope_decoder_free(dec);
	alpcscope_reader_free(r);
	free(xml);
}

int
main(void)
{
	static const char *const fixtures[] = {
	    "fixtures/wmi-notepad.etl",  "fixtures/wmi-rpc.etl",
	    "fixtures/pid-reuse.etl",    "fixtures/orphans.etl",
	    "fixtures/deep-nesting.etl", "fixtures/basic-compressed.etl",
	    "fixtures/basic-32bit.etl",
	};

	test_tracerpt_shape();
	test_errors();
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		round_trip(fixtures[i]);
	return check_summary();
}
