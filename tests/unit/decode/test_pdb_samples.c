/* SPDX-License-Identifier: MIT */
/*
 * The PDB, PE and undecoration readers against ../shared/pdb-samples: every
 * row of each NAME.expected.tsv (procedure covering the RVA; with procedures
 * ignored, the nearest function public and its offset), the RSDS identity
 * of each PE against its PDB, the age-mismatched PDB, and basic64.dll's
 * exports against basic64.exports.tsv. Skips (exit 77) when absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "decode/msvc_undecorate.h"
#include "decode/pdb.h"
#include "decode/pe_image.h"

#define SAMPLES "../shared/pdb-samples"

static bool
shares(const struct pdb_file *p, const struct pdb_match *m, const char *want)
{
	for (uint32_t i = 0; i <= m->shared_count; i++) {
		const char *n = pdb_shared_name(p, m, i);

		if (n && strcmp(n, want) == 0)
			return true;
	}
	return false;
}

/* Split a TSV line in place into at most @p max fields. */
static int
split(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		char *t = strchr(line, '\t');

		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n;
}

static void
check_pair(const char *base)
{
	char path[512], pdb_path[512];
	struct alpcscope_error err;
	struct pdb_file *pdb = NULL;
	struct pe_image pe;

	snprintf(pdb_path, sizeof(pdb_path), SAMPLES "/%s.pdb", base);
	snprintf(path, sizeof(path), SAMPLES "/%s.exe", base);
	CHECK(pdb_open(&pdb, pdb_path, &err) == ALPCSCOPE_OK);
	CHECK(pe_image_open(&pe, path, &err) == ALPCSCOPE_OK);
	if (!pdb)
		return;
	const struct pdb_identity *id = pdb_identity(pdb);

	CHECK(pe.has_rsds);
	CHECK(alpcscope_guid_equal(&pe.pdb_guid, &id->guid));
	CHECK_EQ_U64(pe.pdb_age, id->age);
	CHECK_EQ_U64(pe.machine, id->machine);
	CHECK(pdb_load_symbols(pdb, &err) == ALPCSCOPE_OK);
	bool x86 = pe.machine == 0x14c;

	snprintf(path, sizeof(path), SAMPLES "/%s.expected.tsv", base);
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned rows = 0, proc_ok = 0, pub_ok = 0, und_tried = 0, und_ok = 0, und_declined = 0;

	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char *c[6];

		if (line[0] == '#' || split(line, c, 6) < 5)
			continue;
		rows++;
		uint32_t rva = (uint32_t)strtoul(c[0], NULL, 16);
		uint32_t start = (uint32_t)strtoul(c[2], NULL, 16);
		struct pdb_match m;

		if (pdb_lookup(pdb, rva, PDB_USE_PROCEDURES, &m) && m.procedure &&
		    m.start_rva == start && shares(pdb, &m, c[1]))
			proc_ok++;
		else
			fprintf(stderr, "%s 0x%x: procedure %s expected\n", base, rva, c[1]);
		bool found = pdb_lookup(pdb, rva, PDB_USE_PUBLICS, &m);

		if (strcmp(c[3], "-") == 0
			? !found
			: found && shares(pdb, &m, c[3]) && m.offset == strtoul(c[4], NULL, 16))
			pub_ok++;
		else
			fprintf(stderr, "%s 0x%x: public %s+%s expected, got %s+0x%x\n", base, rva,
				c[3], c[4], found ? m.name : "-", found ? m.offset : 0);
		/* Undecoration: a public at a procedure's start names that procedure. */
		if (found && m.offset == 0 && rva == start && c[3][0] == '?') {
			char out[2048];
			struct pdb_match pm;

			und_tried++;
			if (!msvc_undecorate(c[3], x86, out, sizeof(out))) {
				und_declined++;
				fprintf(stderr, "%s: declined %s\n", base, c[3]);
			} else if (pdb_lookup(pdb, rva, PDB_USE_PROCEDURES, &pm) &&
				   shares(pdb, &pm, out)) {
				und_ok++;
			} else {
				fprintf(stderr, "%s: %s undecorated to %s, procedure %s\n", base,
					c[3], out, c[1]);
			}
		}
	}
	if (f)
		fclose(f);
	printf("%s: %u rows, %u procedures, %u publics ok; %zu procedures, %zu function "
	       "publics loaded; undecorated %u/%u (%u declined)\n",
	       base, rows, proc_ok, pub_ok, pdb_procedure_count(pdb), pdb_public_count(pdb), und_ok,
	       und_tried, und_declined);
	CHECK(rows > 0);
	CHECK_EQ_U64(proc_ok, rows);
	CHECK_EQ_U64(pub_ok, rows);
	/* Every undecoration printed is right; unknown forms are declined, not garbled. */
	CHECK_EQ_U64(und_ok + und_declined, und_tried);
	CHECK(und_ok * 10 >= und_tried * 9);
	pe_image_free(&pe);
	pdb_close(pdb);
}

static void
check_age_mismatch(void)
{
	struct alpcscope_error err;
	struct pdb_file *good = NULL, *other = NULL;
	struct pe_image pe;

	CHECK(pe_image_open(&pe, SAMPLES "/crash.exe", &err) == ALPCSCOPE_OK);
	CHECK(pdb_open(&good, SAMPLES "/crash.pdb", &err) == ALPCSCOPE_OK);
	CHECK(pdb_open(&other, SAMPLES "/crash_with_srcsrv.pdb", &err) == ALPCSCOPE_OK);
	if (good && other) {
		CHECK(alpcscope_guid_equal(&pdb_identity(other)->guid, &pe.pdb_guid));
		CHECK_EQ_U64(pdb_identity(good)->age, pe.pdb_age);
		CHECK_EQ_U64(pdb_identity(other)->age, 4);
		CHECK(pdb_identity(other)->age != pe.pdb_age);
	}
	pdb_close(good);
	pdb_close(other);
	pe_image_free(&pe);
}

static void
check_exports(void)
{
	struct alpcscope_error err;
	struct pe_image pe;
	char line[1024];
	unsigned rows = 0, ok = 0;

	CHECK(pe_image_open(&pe, SAMPLES "/basic64.dll", &err) == ALPCSCOPE_OK);
	CHECK(!pe.has_rsds || pe.pdb_age == 2);
	CHECK_EQ_U64(pe.image_base, 0x180000000ull);
	CHECK_EQ_U64(pe.size_of_image, 573440);
	FILE *f = fopen(SAMPLES "/basic64.exports.tsv", "r");

	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char *c[3];

		if (line[0] == '#' || split(line, c, 3) < 3)
			continue;
		rows++;
		uint32_t rva = (uint32_t)strtoul(c[2], NULL, 16);
		const struct pe_export *x = pe_image_export_at(&pe, rva);
		const struct pe_export *y = pe_image_export_at(&pe, rva + 1);

		if (x && x->rva == rva && strcmp(x->name, c[1]) == 0 &&
		    x->ordinal == strtoul(c[0], NULL, 10) && y == x)
			ok++;
		else
			fprintf(stderr, "export %s %s at %s not found\n", c[0], c[1], c[2]);
	}
	if (f)
		fclose(f);
	CHECK_EQ_U64(rows, 10);
	CHECK_EQ_U64(ok, rows);
	CHECK_EQ_U64(pe.export_count, rows);
	pe_image_free(&pe);
}

int
main(void)
{
	if (access(SAMPLES "/CATALOG.md", R_OK) != 0) {
		printf("SKIP: %s absent (PDB samples live beside the checkout)\n", SAMPLES);
		return 77;
	}
	check_pair("dump_syms_regtest64");
	check_pair("CrashWithException");
	check_pair("crash");
	check_age_mismatch();
	check_exports();
	return check_summary();
}
