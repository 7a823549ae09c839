/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer (lib/analysis/symbolizer.c, symbol_path.c): symbol path
 * parsing, and the public API on fixtures/symbols-64.etl with a symbol
 * store built in a temporary directory from ../shared/pdb-samples
 * (symbolic links; skipped with a message when absent): procedures, publics
 * (procedures ignored), the export fallback, DbgID identities on images,
 * and a memory budget so small that every lookup evicts the other tables.
 */
#include <alpcscope/alpcscope.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/symbol_path.h"
#include "check.h"

#define SAMPLES "../shared/pdb-samples"

static void
check_path_parsing(void)
{
	struct symbol_path sp;

	CHECK(symbol_path_parse(&sp, "srv*C:\\sym*https://msdl.microsoft.com/download/symbols;"
				     "cache*/tmp/cache; /plain ;;SYMSRV*symsrv.dll*/st*http://x;"
				     "srv*https://only.example"));
	CHECK_EQ_U64(sp.count, 4);
	if (sp.count == 4) {
		CHECK_STR(sp.dirs[0], "C:\\sym");
		CHECK_STR(sp.dirs[1], "/tmp/cache");
		CHECK_STR(sp.dirs[2], "/plain");
		CHECK_STR(sp.dirs[3], "/st");
	}
	symbol_path_free(&sp);
	CHECK(symbol_path_parse(&sp, NULL));
	CHECK_EQ_U64(sp.count, 0);
	symbol_path_free(&sp);
}

static int visits;

static bool
count_visit(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	visits++;
	return true;
}

static struct alpcscope_model *
load_model(const char *path)
{
	struct alpcscope_reader *r = NULL;
	struct alpcscope_model *m = NULL;
	const struct alpcscope_event *ev;

	CHECK(alpcscope_reader_open_file(&r, path, NULL, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_new(&m, NULL, NULL) == ALPCSCOPE_OK);
	bool added = true;

	while (r && m && alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK)
		added = alpcscope_model_add_event(m, ev, NULL) == ALPCSCOPE_OK && added;
	CHECK(added);
	CHECK(alpcscope_model_finish(m, NULL) == ALPCSCOPE_OK);
	alpcscope_reader_free(r);
	return m;
}

static uint32_t
process_of(const struct alpcscope_model *m, uint32_t pid)
{
	for (uint32_t i = 0; i < alpcscope_model_process_count(m); i++)
		if (alpcscope_model_process_at(m, i)->pid == pid)
			return i;
	return ALPCSCOPE_NONE;
}

struct want {
	uint32_t pid;
	uint64_t address;
	const char *function, *decorated;
	uint64_t offset;
	enum alpcscope_symbol_source source;
};

static void
check_frames(const struct alpcscope_model *m, const char *dir, bool publics_only, size_t limit,
	     const struct want *w, size_t n, int rounds)
{
	struct alpcscope_symbolizer_options o = ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT;
	struct alpcscope_symbolizer *s = NULL;

	o.symbol_path = dir;
	o.publics_only = publics_only;
	o.memory_limit = limit;
	CHECK(alpcscope_symbolizer_new(&s, &o, NULL) == ALPCSCOPE_OK);
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			struct alpcscope_frame_symbol fs;

			CHECK(alpcscope_symbolize(s, m, process_of(m, w[i].pid), w[i].address, 0,
						  &fs, NULL) == ALPCSCOPE_OK);
			CHECK_STR(fs.function, w[i].function);
			CHECK_STR(fs.decorated, w[i].decorated);
			CHECK_EQ_U64(fs.function_offset, w[i].offset);
			CHECK_EQ_U64(fs.source, w[i].source);
		}
	}
	alpcscope_symbolizer_free(s);
}

/*
 * A real merged trace (../shared/etl-samples, perfview__net.4.5.2.x64: 1,798
 * images, DbgID_RSDS records for most): images take their PDB identity from
 * DbgID; a 32-bit ntdll in a WoW64 process names wntdll.pdb.
 */
static void
check_real_trace(void)
{
	const char *path = "../shared/etl-samples/perfview__net.4.5.2.x64.etl";
	uint32_t with = 0, wntdll = 0, n;

	if (access(path, R_OK) != 0) {
		printf("SKIP (real trace part): %s absent\n", path);
		return;
	}
	struct alpcscope_model *m = load_model(path);

	n = m ? alpcscope_model_image_count(m) : 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct alpcscope_image_entry *im = alpcscope_model_image_at(m, i);

		with += im->has_pdb_id;
		if (im->has_pdb_id && strcmp(im->module, "ntdll.dll") == 0 &&
		    im->base < 0x100000000ull)
			wntdll += strcmp(im->pdb_name, "wntdll.pdb") == 0;
	}
	printf("%s: %u images, %u with a PDB identity, %u WoW64 ntdll -> wntdll.pdb\n", path, n,
	       with, wntdll);
	CHECK_EQ_U64(n, 1798);
	CHECK(with * 100 >= n * 95);
	CHECK(wntdll > 0);
	alpcscope_model_free(m);
}

int
main(void)
{
	check_path_parsing();
	check_real_trace();
	if (access(SAMPLES "/CATALOG.md", R_OK) != 0) {
		printf("SKIP (samples part): %s absent\n", SAMPLES);
		return check_summary();
	}
	char dir[] = "/tmp/alpcscope-symtest-XXXXXX", p[1200], q[1200];
	char cwd[512];

	CHECK(mkdtemp(dir) != NULL);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	/* one-tier store for the PDBs, the DLL flat */
	static const char *const pdbs[][2] = {
	    {"CrashWithException.pdb", "F535C5FB2AE84BB8AA206C30BE566C5A1"},
	    {"dump_syms_regtest64.pdb", "72E103A85CB249078B76B2E7C06257B13"}};
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, pdbs[i][0]);
		CHECK(mkdir(p, 0700) == 0);
		snprintf(p, sizeof(p), "%s/%s/%s", dir, pdbs[i][0], pdbs[i][1]);
		CHECK(mkdir(p, 0700) == 0);
		snprintf(p, sizeof(p), "%s/%s/%s/%s", dir, pdbs[i][0], pdbs[i][1], pdbs[i][0]);
		snprintf(q, sizeof(q), "%s/" SAMPLES "/%s", cwd, pdbs[i][0]);
		CHECK(symlink(q, p) == 0);
	}
	snprintf(p, sizeof(p), "%s/basic64.dll", dir);
	snprintf(q, sizeof(q), "%s/" SAMPLES "/basic64.dll", cwd);
	CHECK(symlink(q, p) == 0);

	/* Names from a trace never escape the directories of the path. */
	struct symbol_path sp;

	CHECK(symbol_path_parse(&sp, dir));
	visits = 0;
	symbol_path_find(&sp, "../basic64.dll", NULL, count_visit, NULL);
	symbol_path_find(&sp, "..", "x", count_visit, NULL);
	CHECK_EQ_U64(visits, 0);
	symbol_path_find(&sp, "BASIC64.DLL", NULL, count_visit, NULL); /* case-insensitive */
	CHECK_EQ_U64(visits, 1);
	symbol_path_free(&sp);

	struct alpcscope_model *m = load_model("fixtures/symbols-64.etl");
	bool found = false;

	for (uint32_t i = 0; m && i < alpcscope_model_image_count(m); i++) {
		const struct alpcscope_image_entry *im = alpcscope_model_image_at(m, i);

		if (strcmp(im->module, "CrashWithException.exe") == 0) {
			found = true;
			CHECK(im->has_pdb_id);
			CHECK_EQ_U64(im->pdb_age, 1);
			CHECK_EQ_U64(im->pdb_guid.data1, 0xF535C5FB);
			CHECK_EQ_U64(im->time_date_stamp, 0x5c9e0959);
			CHECK(strstr(im->pdb_name, "\\CrashWithException.pdb") != NULL);
		}
	}
	CHECK(found);
	const struct want procs[] = {
	    {2400, 0x140001175, "main", "main", 0x5, ALPCSCOPE_SYMBOL_PDB_PROCEDURE},
	    {1340, 0x140001135, "google_breakpad::C::f", "google_breakpad::C::f", 0x25,
	     ALPCSCOPE_SYMBOL_PDB_PROCEDURE},
	    {2400, 0x180002e30, "A::meth1", "?meth1@A@@QEAAXFC@Z", 0x8, ALPCSCOPE_SYMBOL_EXPORT},
	};
	const struct want pubs[] = {
	    {1340, 0x140001135, "google_breakpad::C::f", "?f@C@google_breakpad@@QEAAXXZ", 0x25,
	     ALPCSCOPE_SYMBOL_PDB_PUBLIC},
	    {1340, 0x140001093, "google_breakpad::C::C", "??0C@google_breakpad@@QEAA@XZ", 0x13,
	     ALPCSCOPE_SYMBOL_PDB_PUBLIC},
	};
	if (m) {
		check_frames(m, dir, false, 0, procs, 3, 1);
		check_frames(m, dir, true, 0, pubs, 2, 1);
		/* A one-byte budget: every table load evicts the other module's. */
		check_frames(m, dir, false, 1, procs, 3, 5);
	}
	alpcscope_model_free(m);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	CHECK(system(p) == 0);
	return check_summary();
}
