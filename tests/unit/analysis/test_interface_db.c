/* SPDX-License-Identifier: MIT */
/*
 * Interface databases: the alpcscope, RPCMon and Akamai shapes (small files
 * written here in those shapes), version keying, later files replacing
 * earlier ones, disagreement -> no name, unknown -> no name ("opnum N"),
 * malformed input -> a clear error and nothing kept, the built-in database
 * and the shipped file.
 */
#include <alpcscope/interfaces.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *const wbem = "9556dc99-828c-11cf-a37e-00aa003240c7";

static struct alpcscope_guid
guid(const char *s)
{
	struct alpcscope_guid g;

	memset(&g, 0, sizeof(g));
	CHECK(alpcscope_guid_parse(&g, s));
	return g;
}

static enum alpcscope_status
load(struct alpcscope_interface_db *db, const char *json, const char *source,
     enum alpcscope_interface_db_format fmt, struct alpcscope_error *err)
{
	memset(err, 0, sizeof(*err));
	return alpcscope_interface_db_load_memory(db, json, strlen(json), source, fmt, err);
}

static const char own_v1[] =
    "{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, \"interfaces\": ["
    " {\"uuid\": \"9556dc99-828c-11cf-a37e-00aa003240c7\", \"version\": \"0.0\","
    "  \"name\": \"IWbemServices\", \"reference\": \"[MS-WMI] 3.1.4.3\","
    "  \"procedures\": [{\"opnum\": 24, \"name\": \"ExecMethod\"},"
    "                  {\"opnum\": 3, \"name\": \"OpenNamespace\"}]},"
    " {\"uuid\": \"11111111-2222-3333-4444-555555555555\", \"version\": \"1.0\","
    "  \"name\": \"ITest\", \"procedures\": [{\"opnum\": 0, \"name\": \"One\"},"
    "                                       {\"opnum\": 1, \"name\": \"Same\"}]},"
    " {\"uuid\": \"11111111-2222-3333-4444-555555555555\", \"version\": \"2.0\","
    "  \"name\": \"ITest2\", \"procedures\": [{\"opnum\": 0, \"name\": \"Two\"},"
    "                                        {\"opnum\": 1, \"name\": \"Same\"}]}]}";

static void
test_own_format(void)
{
	struct alpcscope_interface_db *db = NULL;
	struct alpcscope_error err;
	struct alpcscope_rpc_names r;
	struct alpcscope_guid w = guid(wbem), t = guid("11111111-2222-3333-4444-555555555555");

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(load(db, own_v1, "own.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 3);

	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 24, &r));
	CHECK_STR(r.interface_name, "IWbemServices");
	CHECK_STR(r.procedure_name, "ExecMethod");
	CHECK_STR(r.procedure_source, "own.json");
	CHECK_STR(r.interface_source, "own.json");
	CHECK_STR(r.reference, "[MS-WMI] 3.1.4.3");
	CHECK_EQ_U64(r.version, ALPCSCOPE_IFACE_VERSION(0, 0));
	CHECK(!r.ambiguous);
	/* An opnum nobody names: no name, never a neighbour's. */
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 25, &r));
	CHECK(r.procedure_name == NULL);
	CHECK(r.procedure_source == NULL);
	CHECK_STR(r.interface_name, "IWbemServices");
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 4, &r));
	CHECK(r.procedure_name == NULL);

	/* Version keying: exact versions give their own names. */
	CHECK(alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION(1, 0), 0, &r));
	CHECK_STR(r.interface_name, "ITest");
	CHECK_STR(r.procedure_name, "One");
	CHECK(alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION(2, 0), 0, &r));
	CHECK_STR(r.interface_name, "ITest2");
	CHECK_STR(r.procedure_name, "Two");
	CHECK_EQ_U64(r.version, ALPCSCOPE_IFACE_VERSION(2, 0));
	/* No version (RPC events carry none): the versions disagree -> no name. */
	CHECK(alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION_ANY, 0, &r));
	CHECK(r.procedure_name == NULL);
	CHECK(r.interface_name == NULL);
	CHECK(r.ambiguous);
	CHECK_EQ_U64(r.matches, 2);
	CHECK_EQ_U64(r.version, ALPCSCOPE_IFACE_VERSION_ANY);
	/* ... but where they agree the name is certain. */
	CHECK(alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION_ANY, 1, &r));
	CHECK_STR(r.procedure_name, "Same");
	/* A version nobody lists and no unversioned entry: nothing. */
	CHECK(!alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION(3, 0), 0, &r));
	CHECK(r.procedure_name == NULL);
	/* Unknown interface. */
	struct alpcscope_guid u = guid("00000000-0000-0000-0000-000000000001");

	CHECK(!alpcscope_interface_db_lookup(db, &u, ALPCSCOPE_IFACE_VERSION_ANY, 0, &r));
	CHECK(r.interface_name == NULL && r.procedure_name == NULL && r.matches == 0);

	/* A later file with the same UUID and version replaces the entry. */
	CHECK(load(db,
		   "{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, \"interfaces\": "
		   "[{\"uuid\": \"11111111-2222-3333-4444-555555555555\", \"version\": \"1.0\","
		   "\"name\": \"ITestRenamed\", \"procedures\": [{\"opnum\": 0, \"name\": "
		   "\"Uno\"}]}]}",
		   "later.json", ALPCSCOPE_IFDB_ALPCSCOPE, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 3);
	CHECK(alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION(1, 0), 0, &r));
	CHECK_STR(r.interface_name, "ITestRenamed");
	CHECK_STR(r.procedure_name, "Uno");
	CHECK_STR(r.procedure_source, "later.json");
	CHECK(alpcscope_interface_db_lookup(db, &t, ALPCSCOPE_IFACE_VERSION(1, 0), 1, &r));
	CHECK(r.procedure_name == NULL); /* "Same" went with the replaced entry */
	alpcscope_interface_db_free(db);
}

/* RPCMon rpcdb.json shape: keyed by UUID, "Procedures" in opnum order. */
static const char rpcmon[] =
    "{\n"
    "  \"9556dc99-828c-11cf-a37e-00aa003240c7\": {\n"
    "    \"Module\": \"wbemcore.dll\", \"ModulePath\": \"C:\\\\Windows\\\\x.dll\",\n"
    "    \"InterfaceId\": \"9556dc99-828c-11cf-a37e-00aa003240c7\",\n"
    "    \"InterfaceStructOffset\": 1, \"ProceduresCount\": 3,\n"
    "    \"Procedures\": [\"P0\", \"P1\", \"P2\"], \"ProcStackSize\": 8,\n"
    "    \"DispatchFunction\": 1, \"Service\": null, \"IsServiceRunning\": false\n"
    "  },\n"
    "  \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\": {\n"
    "    \"Module\": \"svc.dll\", \"InterfaceId\": \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\",\n"
    "    \"ProceduresCount\": 2, \"Procedures\": [\"s_Open\", \"s_Close\"],\n"
    "    \"Service\": \"Svc\", \"IsServiceRunning\": true\n"
    "  }\n"
    "}\n";

static void
test_rpcmon(void)
{
	struct alpcscope_interface_db *db = NULL;
	struct alpcscope_error err;
	struct alpcscope_rpc_names r;
	struct alpcscope_guid a = guid("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"), w = guid(wbem);

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(load(db, rpcmon, "rpcmon.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 2);
	CHECK(alpcscope_interface_db_lookup(db, &a, ALPCSCOPE_IFACE_VERSION_ANY, 1, &r));
	CHECK_STR(r.procedure_name, "s_Close");
	CHECK_STR(r.procedure_source, "rpcmon.json");
	CHECK_STR(r.module, "svc.dll");
	CHECK(r.interface_name == NULL); /* RPCMon names modules, not interfaces */
	CHECK_EQ_U64(r.version, ALPCSCOPE_IFACE_VERSION_ANY);
	CHECK(alpcscope_interface_db_lookup(db, &a, ALPCSCOPE_IFACE_VERSION_ANY, 2, &r));
	CHECK(r.procedure_name == NULL);
	/* A version-less entry answers a versioned lookup when no exact one exists. */
	CHECK(alpcscope_interface_db_lookup(db, &a, ALPCSCOPE_IFACE_VERSION(1, 0), 0, &r));
	CHECK_STR(r.procedure_name, "s_Open");

	/* Mixed with the own format: agreeing sources name, disagreeing ones do not. */
	CHECK(load(db, own_v1, "own.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 24, &r));
	CHECK_STR(r.procedure_name, "ExecMethod"); /* RPCMon lists only 0..2 */
	CHECK_STR(r.interface_name, "IWbemServices");
	CHECK_EQ_U64(r.matches, 2);
	CHECK_EQ_U64(r.version, ALPCSCOPE_IFACE_VERSION_ANY); /* 0.0 and unknown */
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 3, &r));
	CHECK_STR(r.procedure_name, "OpenNamespace"); /* RPCMon has no opnum 3: no conflict */
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 2, &r));
	CHECK_STR(r.procedure_name, "P2"); /* only RPCMon names opnum 2 */
	CHECK_STR(r.procedure_source, "rpcmon.json");
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION(0, 0), 3, &r));
	CHECK_STR(r.procedure_name, "OpenNamespace"); /* exact version wins */
	alpcscope_interface_db_free(db);

	/* Disagreement between two files at the same opnum. */
	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(load(db, rpcmon, "rpcmon.json", ALPCSCOPE_IFDB_RPCMON, &err) == ALPCSCOPE_OK);
	CHECK(load(db,
		   "{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, \"interfaces\": "
		   "[{\"uuid\": \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\", \"version\": \"1.0\","
		   "\"procedures\": [{\"opnum\": 0, \"name\": \"Different\"}]}]}",
		   "other.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_lookup(db, &a, ALPCSCOPE_IFACE_VERSION_ANY, 0, &r));
	CHECK(r.procedure_name == NULL);
	CHECK(r.ambiguous);
	CHECK(alpcscope_interface_db_lookup(db, &a, ALPCSCOPE_IFACE_VERSION_ANY, 1, &r));
	CHECK_STR(r.procedure_name, "s_Close");
	alpcscope_interface_db_free(db);
}

/* Akamai rpc_toolkit shape: module -> UUID -> function_names; clients skipped. */
static const char akamai[] =
    "{\n"
    "  \"empty_module.dll\": {},\n"
    "  \"client.dll\": {\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\": {\"role\": \"client\","
    " \"flags\": \"0x2000000\", \"interface_address\": \"0x1\"}},\n"
    "  \"server.dll\": {\n"
    "    \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\": {\"number_of_functions\": 2,"
    " \"functions_pointers\": [\"0x1\", \"0x2\"], \"function_names\": [\"SrvOpen\","
    " \"SrvClose\"], \"role\": \"server\", \"flags\": \"0x6000000\","
    " \"interface_address\": \"0x3\"},\n"
    "    \"interface_registration_info\": {\"0x4\": {\"interface_address\": 0,"
    " \"flags\": \"argument_parsing_error\"}}\n"
    "  }\n"
    "}\n";

static void
test_akamai(void)
{
	struct alpcscope_interface_db *db = NULL;
	struct alpcscope_error err;
	struct alpcscope_rpc_names r;
	struct alpcscope_guid a = guid("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(load(db, akamai, "akamai.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 1);
	CHECK(alpcscope_interface_db_lookup(db, &a, ALPCSCOPE_IFACE_VERSION_ANY, 1, &r));
	CHECK_STR(r.procedure_name, "SrvClose");
	CHECK_STR(r.module, "server.dll");
	CHECK_STR(r.procedure_source, "akamai.json");
	alpcscope_interface_db_free(db);
}

static void
expect_error(const char *json, enum alpcscope_interface_db_format fmt, const char *needle)
{
	struct alpcscope_interface_db *db = NULL;
	struct alpcscope_error err;

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	enum alpcscope_status st = load(db, json, "bad.json", fmt, &err);

	CHECK(st == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "bad.json") != NULL);
	if (!strstr(err.message, needle))
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.message, needle);
	CHECK(strstr(err.message, needle) != NULL);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 0); /* nothing of the file kept */
	alpcscope_interface_db_free(db);
}

static void
test_malformed(void)
{
	expect_error("", ALPCSCOPE_IFDB_AUTO, "not valid JSON");
	expect_error("{\"a\": ", ALPCSCOPE_IFDB_AUTO, "unexpected end of input");
	expect_error("{} {}", ALPCSCOPE_IFDB_AUTO, "trailing data");
	expect_error("[1, 2]", ALPCSCOPE_IFDB_AUTO, "is a JSON object");
	expect_error("{\"x\": 1}", ALPCSCOPE_IFDB_AUTO, "not an interface database");
	expect_error("{\"format\": \"other\"}", ALPCSCOPE_IFDB_AUTO, "alpcscope-interfaces");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 2, "
		     "\"interfaces\": []}",
		     ALPCSCOPE_IFDB_AUTO, "format_version");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 1}",
		     ALPCSCOPE_IFDB_AUTO, "\"interfaces\" must be an array");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, "
		     "\"interfaces\": [{\"uuid\": \"not-a-uuid\", \"version\": \"1.0\"}]}",
		     ALPCSCOPE_IFDB_AUTO, "interfaces[0]: \"uuid\"");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, "
		     "\"interfaces\": [{\"uuid\": \"9556dc99-828c-11cf-a37e-00aa003240c7\", "
		     "\"version\": \"1\"}]}",
		     ALPCSCOPE_IFDB_AUTO, "\"version\"");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, "
		     "\"interfaces\": [{\"uuid\": \"9556dc99-828c-11cf-a37e-00aa003240c7\", "
		     "\"version\": \"1.0\", \"procedures\": [{\"opnum\": -1, \"name\": \"x\"}]}]}",
		     ALPCSCOPE_IFDB_AUTO, "opnum out of range");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, "
		     "\"interfaces\": [{\"uuid\": \"9556dc99-828c-11cf-a37e-00aa003240c7\", "
		     "\"version\": \"1.0\", \"procedures\": [{\"opnum\": 1, \"name\": \"x\"}, "
		     "{\"opnum\": 1, \"name\": \"y\"}]}]}",
		     ALPCSCOPE_IFDB_AUTO, "opnum listed twice");
	expect_error("{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, "
		     "\"interfaces\": [{\"uuid\": \"9556dc99-828c-11cf-a37e-00aa003240c7\", "
		     "\"version\": \"1.0\", \"procedures\": [{\"opnum\": 1}]}]}",
		     ALPCSCOPE_IFDB_AUTO, "non-empty \"name\"");
	expect_error("{\"9556dc99-828c-11cf-a37e-00aa003240c7\": {\"Procedures\": \"x\"}}",
		     ALPCSCOPE_IFDB_AUTO, "\"Procedures\" is not an array");
	expect_error("{\"9556dc99-828c-11cf-a37e-00aa003240c7\": {\"Procedures\": [1]}}",
		     ALPCSCOPE_IFDB_AUTO, "non-string");
	expect_error("{\"9556dc99-828c-11cf-a37e-00aa003240c7\": {}, \"zzz\": {}}",
		     ALPCSCOPE_IFDB_AUTO, "is not an interface UUID");
	expect_error("{\"m.dll\": {\"9556dc99-828c-11cf-a37e-00aa003240c7\": "
		     "{\"function_names\": {}}}}",
		     ALPCSCOPE_IFDB_AUTO, "\"function_names\" is not an array");
	expect_error("{\"m.dll\": 5}", ALPCSCOPE_IFDB_AKAMAI, "is not an object");
	/* Forcing the wrong shape is an error too, not a silent empty load. */
	expect_error(rpcmon, ALPCSCOPE_IFDB_ALPCSCOPE, "alpcscope-interfaces");
	expect_error(akamai, ALPCSCOPE_IFDB_RPCMON, "is not an interface UUID");

	/* A failed load keeps what earlier files gave. */
	struct alpcscope_interface_db *db = NULL;
	struct alpcscope_error err;

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(load(db, own_v1, "own.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK(load(db, "{\"9556dc99-828c-11cf-a37e-00aa003240c7\": {\"Procedures\": [1]}}",
		   "bad.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 3);
	CHECK(alpcscope_interface_db_load_file(db, "/nonexistent/x.json", ALPCSCOPE_IFDB_AUTO,
					       &err) == ALPCSCOPE_E_IO);
	CHECK(strstr(err.message, "/nonexistent/x.json") != NULL);
	CHECK(alpcscope_interface_db_load_memory(NULL, "{}", 2, "x", ALPCSCOPE_IFDB_AUTO, &err) ==
	      ALPCSCOPE_E_INVALID_ARG);
	alpcscope_interface_db_free(db);
}

static void
test_builtin_and_shipped(void)
{
	struct alpcscope_interface_db *db = NULL, *file = NULL;
	struct alpcscope_error err;
	struct alpcscope_rpc_names r, rf;
	struct alpcscope_guid w = guid(wbem), login = guid("f309ad18-d86a-11d0-a075-00c04fb68820");

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_load_builtin(db, &err) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_count(db) >= 5);
	CHECK(alpcscope_interface_db_lookup(db, &w, ALPCSCOPE_IFACE_VERSION_ANY, 24, &r));
	CHECK_STR(r.interface_name, "IWbemServices");
	CHECK_STR(r.procedure_name, "ExecMethod");
	CHECK_STR(r.procedure_source, "built-in alpcscope-interfaces.json");
	CHECK(r.reference && strstr(r.reference, "MS-WMI") != NULL);
	CHECK(alpcscope_interface_db_lookup(db, &login, ALPCSCOPE_IFACE_VERSION(0, 0), 6, &r));
	CHECK_STR(r.procedure_name, "NTLMLogin");
	/* The shipped file is the same database. */
	CHECK(alpcscope_interface_db_new(&file, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_load_file(file,
					       "fixtures/interfaces/alpcscope-interfaces.json",
					       ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_interface_db_count(file), alpcscope_interface_db_count(db));
	CHECK(alpcscope_interface_db_lookup(file, &w, ALPCSCOPE_IFACE_VERSION_ANY, 24, &rf));
	CHECK_STR(rf.procedure_source, "fixtures/interfaces/alpcscope-interfaces.json");
	CHECK_STR(rf.procedure_name, r.procedure_name ? "ExecMethod" : "?");
	alpcscope_interface_db_free(file);
	alpcscope_interface_db_free(db);
	CHECK_STR(alpcscope_interface_db_format_name(ALPCSCOPE_IFDB_AKAMAI), "akamai");
}

/* Dense procedure tables cost 8 bytes per opnum up to the highest one named: a file
 * naming opnum 65535 in thousands of interfaces is refused, not allocated. */
static void
test_sparse_opnum_budget(void)
{
	struct alpcscope_interface_db *db = NULL;
	struct alpcscope_error err;
	char *json = malloc(4000 * 120 + 200);
	size_t n = 0;

	CHECK(json != NULL);
	if (!json)
		return;
	n += (size_t)sprintf(json + n, "{\"format\": \"alpcscope-interfaces\", "
				       "\"format_version\": 1, \"interfaces\": [");
	for (unsigned i = 0; i < 4000; i++)
		n += (size_t)sprintf(
		    json + n,
		    "%s{\"uuid\":\"%08x-0000-0000-0000-000000000000\",\"version\":\"1.0\","
		    "\"procedures\":[{\"opnum\":65535,\"name\":\"x\"}]}",
		    i ? "," : "", i);
	sprintf(json + n, "]}");
	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(load(db, json, "sparse.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "too large") != NULL);
	CHECK_EQ_U64(alpcscope_interface_db_count(db), 0);
	/* One interface with a high opnum is fine. */
	CHECK(load(db,
		   "{\"format\": \"alpcscope-interfaces\", \"format_version\": 1, "
		   "\"interfaces\": "
		   "[{\"uuid\":\"00000001-0000-0000-0000-000000000000\",\"version\":\"1.0\","
		   "\"procedures\":[{\"opnum\":65535,\"name\":\"x\"}]}]}",
		   "one.json", ALPCSCOPE_IFDB_AUTO, &err) == ALPCSCOPE_OK);
	alpcscope_interface_db_free(db);
	free(json);
}

int
main(void)
{
	test_sparse_opnum_budget();
	test_own_format();
	test_rpcmon();
	test_akamai();
	test_malformed();
	test_builtin_and_shipped();
	return check_summary();
}
