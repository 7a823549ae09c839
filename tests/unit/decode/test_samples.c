/* SPDX-License-Identifier: MIT */
/*
 * Decode every event of real traces in ../shared/etl-samples and compare with
 * the facts in its CATALOG.md: per-kind record counts, no decode failures on
 * Process/Thread/Image/StackWalk/ImageID records, plausible values (image
 * names, PIDs shared between Image and Process events, stack frames).
 * Skips (exit 77) when the samples folder is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpcscope/decode.h"
#include "alpcscope/reader.h"
#include "check.h"

#define SAMPLES_DIR "../shared/etl-samples"
#define MAX_PIDS    4096

struct tally {
	uint64_t records;
	uint64_t failures;
	uint64_t by_kind[ALPCSCOPE_DECODED_KIND_COUNT];
	uint64_t named;               /* decoded->name set */
	uint64_t images_named_module; /* FileName ending .dll/.exe/.sys/... */
	uint64_t images_with_pid;
	uint64_t images_pid_known; /* its pid seen in a Process event */
	uint64_t process_with_name;
	uint64_t process_with_sid;
	uint64_t threads_with_known_pid;
	uint64_t stack_frames;
	uint64_t stack_empty;
	uint64_t image_ids_named;
	uint64_t dbg_ids_pdb;
	uint64_t services_named;
	uint64_t services_pid_known;
	uint64_t set_names;            /* Thread SetName (72) records with a name */
	uint64_t thread_names;         /* Thread records carrying a non-empty ThreadName */
	uint64_t exit_times;           /* Defunct ExitTime present */
	uint64_t exit_times_plausible; /* ... and a FILETIME between 2000 and 2100 */
	uint64_t services_running;     /* ServiceState 4 */
	uint64_t services_running_with_pid;
	uint64_t generic;
	bool saw_system_process; /* ProcessId 4, ImageFileName "System" */
	bool saw_ntdll;
	uint32_t pids[MAX_PIDS];
	size_t pid_count;
	uint32_t service_pids[MAX_PIDS];
	size_t service_pid_count;
	struct alpcscope_service_map *services;
	uint32_t thread_tags[MAX_PIDS][2]; /* (pid, SubProcessTag) of svchost threads */
	size_t thread_tag_count;
	uint64_t thread_tags_resolved; /* ... whose tag names a service of that process */
	uint32_t image_id_pids[MAX_PIDS];
	size_t image_id_pid_count;
	uint64_t image_id_pids_known;
	uint32_t image_pids[MAX_PIDS * 4];
	size_t image_pid_count;
};

static void
pid_add(uint32_t *set, size_t *n, size_t cap, uint32_t pid)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (set[i] == pid)
			return;
	if (*n < cap)
		set[(*n)++] = pid;
}

static bool
pid_has(const uint32_t *set, size_t n, uint32_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

static bool
ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix), i;

	if (n < m)
		return false;
	for (i = 0; i < m; i++) {
		char a = s[n - m + i], b = suffix[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static bool
is_module_name(const char *s)
{
	static const char *const exts[] = {".dll", ".exe",   ".sys",    ".drv", ".mui", ".cpl",
					   ".ocx", ".winmd", ".ni.dll", ".tlb", ".ax",  ".efi"};
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with_ci(s, exts[i]))
			return true;
	return false;
}

static void
on_decoded(struct tally *t, const struct alpcscope_decoded *d)
{
	t->by_kind[d->kind]++;
	if (d->name)
		t->named++;
	switch (d->kind) {
	case ALPCSCOPE_DECODED_PROCESS: {
		const struct alpcscope_process *p = &d->as.process;

		pid_add(t->pids, &t->pid_count, MAX_PIDS, p->process_id);
		if (p->image_file_name && p->image_file_name[0])
			t->process_with_name++;
		if (p->user_sid && strncmp(p->user_sid, "S-1-", 4) == 0)
			t->process_with_sid++;
		if (p->has_exit_time) {
			t->exit_times++;
			/* 2000-01-01 .. 2100-01-01 as FILETIME */
			if (p->exit_time_filetime > 0x01BF53EB256D4000u &&
			    p->exit_time_filetime < 0x02305E94A1B64000u)
				t->exit_times_plausible++;
		}
		if (p->process_id == 4 && p->image_file_name &&
		    strcmp(p->image_file_name, "System") == 0)
			t->saw_system_process = true;
		break;
	}
	case ALPCSCOPE_DECODED_IMAGE: {
		const struct alpcscope_image *im = &d->as.image;

		if (im->file_name && is_module_name(im->file_name))
			t->images_named_module++;
		if (im->file_name && ends_with_ci(im->file_name, "\\ntdll.dll"))
			t->saw_ntdll = true;
		if (im->process_id != 0)
			pid_add(t->image_pids, &t->image_pid_count, MAX_PIDS * 4, im->process_id);
		break;
	}
	case ALPCSCOPE_DECODED_STACK_WALK:
		t->stack_frames += d->as.stack_walk.frame_count;
		if (d->as.stack_walk.frame_count == 0)
			t->stack_empty++;
		break;
	case ALPCSCOPE_DECODED_IMAGE_ID:
		if (d->as.image_id.process_id != 0)
			pid_add(t->image_id_pids, &t->image_id_pid_count, MAX_PIDS,
				d->as.image_id.process_id);
		if (d->as.image_id.original_file_name && d->as.image_id.original_file_name[0])
			t->image_ids_named++;
		break;
	case ALPCSCOPE_DECODED_DBG_ID:
		if (d->as.dbg_id.pdb_file_name && ends_with_ci(d->as.dbg_id.pdb_file_name, ".pdb"))
			t->dbg_ids_pdb++;
		break;
	case ALPCSCOPE_DECODED_SERVICE:
		if (d->as.service.service_name && d->as.service.service_name[0])
			t->services_named++;
		CHECK(alpcscope_service_map_add(t->services, d, NULL) == ALPCSCOPE_OK);
		if (d->as.service.service_state == 4) {
			t->services_running++;
			if (d->as.service.process_id != 0)
				t->services_running_with_pid++;
		}
		if (d->as.service.process_id != 0)
			pid_add(t->service_pids, &t->service_pid_count, MAX_PIDS,
				d->as.service.process_id);
		break;
	case ALPCSCOPE_DECODED_THREAD:
		if (d->as.thread.thread_name && d->as.thread.thread_name[0])
			t->thread_names++;
		if (d->as.thread.sub_process_tag != 0 && t->thread_tag_count < MAX_PIDS) {
			t->thread_tags[t->thread_tag_count][0] = d->as.thread.process_id;
			t->thread_tags[t->thread_tag_count][1] = d->as.thread.sub_process_tag;
			t->thread_tag_count++;
		}
		break;
	case ALPCSCOPE_DECODED_THREAD_NAME:
		if (d->as.thread_name.thread_name && d->as.thread_name.thread_name[0])
			t->set_names++;
		break;
	case ALPCSCOPE_DECODED_GENERIC: t->generic++; break;
	default: break;
	}
}

/* Decode the whole file into *t; returns false when it cannot be read. */
static bool
run_file(const char *name, struct tally *t)
{
	char path[512];
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_event *ev;
	const struct alpcscope_decoded *d;
	struct alpcscope_error err;
	enum alpcscope_status st;
	size_t i;

	alpcscope_service_map_free(t->services);
	memset(t, 0, sizeof(*t));
	if (alpcscope_service_map_new(&t->services, NULL) != ALPCSCOPE_OK)
		return false;
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, name);
	st = alpcscope_reader_open_file(&reader, path, NULL, &err);
	if (st != ALPCSCOPE_OK) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		return false;
	}
	if (alpcscope_decoder_new(&dec, NULL) != ALPCSCOPE_OK) {
		alpcscope_reader_free(reader);
		return false;
	}
	while ((st = alpcscope_reader_next(reader, &ev, &err)) == ALPCSCOPE_OK) {
		t->records++;
		st = alpcscope_decode(dec, ev, &d, &err);
		if (st == ALPCSCOPE_E_CORRUPT) {
			if (t->failures++ < 5)
				fprintf(stderr, "%s: decode failure at 0x%llx: %s\n", name,
					(unsigned long long)err.offset, err.message);
		} else if (st != ALPCSCOPE_OK) {
			t->failures++;
			continue;
		}
		on_decoded(t, d);
	}
	if (st != ALPCSCOPE_END)
		fprintf(stderr, "%s: reader stopped: %s\n", name, err.message);
	/* Second pass over the collected sets: which image/service PIDs have a Process event. */
	for (i = 0; i < t->image_pid_count; i++)
		if (pid_has(t->pids, t->pid_count, t->image_pids[i]))
			t->images_pid_known++;
	t->images_with_pid = t->image_pid_count;
	for (i = 0; i < t->thread_tag_count; i++)
		if (alpcscope_service_map_find_tag(t->services, t->thread_tags[i][0],
						   t->thread_tags[i][1]))
			t->thread_tags_resolved++;
	for (i = 0; i < t->image_id_pid_count; i++)
		if (pid_has(t->pids, t->pid_count, t->image_id_pids[i]))
			t->image_id_pids_known++;
	for (i = 0; i < t->service_pid_count; i++)
		if (pid_has(t->pids, t->pid_count, t->service_pids[i]))
			t->services_pid_known++;
	fprintf(stderr,
		"%s: %llu records, %llu failures; process %llu thread %llu image %llu "
		"stack %llu keys %llu refs %llu image_id %llu dbg_id %llu service %llu "
		"ext %llu; image pids %llu/%llu known; service pids %llu/%zu known\n",
		name, (unsigned long long)t->records, (unsigned long long)t->failures,
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_PROCESS],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_THREAD],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_IMAGE],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_STACK_WALK],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_STACK_KEY],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_STACK_KEY_REF],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_IMAGE_ID],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_DBG_ID],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_SERVICE],
		(unsigned long long)t->by_kind[ALPCSCOPE_DECODED_TRACE_EXTENSION],
		(unsigned long long)t->images_pid_known, (unsigned long long)t->images_with_pid,
		(unsigned long long)t->services_pid_known, t->service_pid_count);
	fprintf(stderr,
		"  module-named images %llu, named processes %llu, with SID %llu, System %d, "
		"ntdll %d, frames %llu (empty %llu), named image ids %llu, pdbs %llu, "
		"named services %llu, thread names %llu, named events %llu\n",
		(unsigned long long)t->images_named_module,
		(unsigned long long)t->process_with_name, (unsigned long long)t->process_with_sid,
		t->saw_system_process, t->saw_ntdll, (unsigned long long)t->stack_frames,
		(unsigned long long)t->stack_empty, (unsigned long long)t->image_ids_named,
		(unsigned long long)t->dbg_ids_pdb, (unsigned long long)t->services_named,
		(unsigned long long)t->thread_names, (unsigned long long)t->named);
	fprintf(stderr, "  thread tags %zu, resolved to a service of the same process %llu\n",
		t->thread_tag_count, (unsigned long long)t->thread_tags_resolved);
	alpcscope_decoder_free(dec);
	alpcscope_reader_free(reader);
	return true;
}

/* Facts from ../shared/etl-samples/CATALOG.md ("Kernel groups" opcode counts per file). */
struct expect {
	const char *file;
	uint64_t records;
	uint64_t process;    /* Process opcodes 1, 2, 3, 4, 39 */
	uint64_t thread;     /* Thread opcodes 1-4 */
	uint64_t image;      /* Image 2, 3, 4 + Process opcode 10 (hook 0x030A) */
	uint64_t stack;      /* StackWalk 32 */
	uint64_t keys;       /* StackWalk 35 + 36 */
	uint64_t key_refs;   /* StackWalk 37 + 38 */
	uint64_t services;   /* SystemConfig 15 */
	uint64_t extensions; /* EventTrace 5 + 32 */
};

static const struct expect expects[] = {
    {"airbus__ShutdownPerfDiagLogger.etl", 17078, 60 + 94 + 37 + 5, 350 + 1032 + 1175 + 501,
     4791 + 6745 + 2145 + 72, 0, 0, 0, 0, 3 + 2},
    {"perfview__net.4.5.2.x64.etl", 179474, 1 + 1 + 32 + 32 + 2, 9 + 15 + 670 + 664,
     32 + 1763 + 1766 + 35, 252, 1909 + 1012, 2061 + 7046, 157, 3 + 2},
    {"perfview__net.4.5.2.x86.etl", 168298, 1 + 1 + 35 + 35 + 2, 16 + 29 + 705 + 692,
     47 + 1810 + 1820 + 57, 229, 3049 + 1024, 3640 + 8532, 157, 3 + 2},
    {"perfview__net.4.5.x86__PerfViewData.etl", 185961, 2 + 2 + 46 + 46, 16 + 14 + 639 + 641,
     109 + 2688 + 2696 + 111, 18532, 0, 0, 164, 3},
    {"perfview__diaghub.kernel.1.etl", 16335, 18 + 3 + 223 + 223 + 9, 0, 143 + 187 + 15017 + 87, 0,
     0, 0, 269, 4 + 4},
};

static struct tally tally;

static void
check_file(const struct expect *e)
{
	struct tally *t = &tally;
	uint64_t images, processes;

	if (!run_file(e->file, t)) {
		CHECK(!"sample readable");
		return;
	}
	images = t->by_kind[ALPCSCOPE_DECODED_IMAGE];
	processes = t->by_kind[ALPCSCOPE_DECODED_PROCESS];
	CHECK_EQ_U64(t->records, e->records);
	CHECK_EQ_U64(t->failures, 0);
	CHECK_EQ_U64(processes, e->process);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_THREAD], e->thread);
	CHECK_EQ_U64(images, e->image);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_STACK_WALK], e->stack);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_STACK_KEY], e->keys);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_STACK_KEY_REF], e->key_refs);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_SERVICE], e->services);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_TRACE_EXTENSION], e->extensions);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_TRACE_HEADER], 1);
	CHECK_EQ_U64(t->by_kind[ALPCSCOPE_DECODED_ALPC], 0); /* no sample has ALPC events */

	/* Plausible values. */
	CHECK(t->saw_system_process);
	CHECK(t->saw_ntdll);
	CHECK_EQ_U64(t->process_with_name, processes);
	CHECK_EQ_U64(t->process_with_sid, processes);
	CHECK(t->images_named_module * 100 >= images * 99); /* .dll/.exe/.sys/...: >= 99 % */
	CHECK(t->images_with_pid > 0);
	CHECK_EQ_U64(t->images_pid_known, t->images_with_pid); /* every image PID is a process */
	CHECK_EQ_U64(t->exit_times_plausible, t->exit_times);
	if (e->services) {
		CHECK_EQ_U64(t->services_named, e->services);
		CHECK(t->services_running > 0);
		CHECK_EQ_U64(t->services_running_with_pid, t->services_running);
		CHECK_EQ_U64(t->services_pid_known, t->service_pid_count);
	}
	if (e->services && e->thread) {
		/* Thread SubProcessTag names a service hosted by the thread's own process. */
		CHECK(t->thread_tag_count > 100);
		CHECK(t->thread_tags_resolved * 100 >= t->thread_tag_count * 95);
	}
	if (e->stack) {
		CHECK_EQ_U64(t->stack_empty, 0);
		CHECK(t->stack_frames > e->stack);
	}
	if (t->by_kind[ALPCSCOPE_DECODED_IMAGE_ID]) {
		CHECK_EQ_U64(t->image_ids_named, t->by_kind[ALPCSCOPE_DECODED_IMAGE_ID]);
		CHECK(t->dbg_ids_pdb * 100 >= t->by_kind[ALPCSCOPE_DECODED_DBG_ID] * 99);
		/* ImageID ProcessId is not always 0 (published descriptions say it is): it
		 * names real processes, the same ones Process events name. */
		CHECK(t->image_id_pid_count > 0);
		CHECK_EQ_U64(t->image_id_pids_known, t->image_id_pid_count);
	}
	/* Every record is either typed or generic, and nothing kernel-typed goes unnamed. */
	CHECK(t->named >= processes + images + t->by_kind[ALPCSCOPE_DECODED_THREAD]);
}

/*
 * The Windows 11 24H2 trace ships as a .7z: unpack it to a temporary
 * directory when 7zz is available (the only real Thread SetName record and
 * the newest event versions are in it); otherwise say so and go on.
 */
static void
check_packed_sample(void)
{
	static const struct expect e = {"TraceLoggingTester.etl",
					172714,
					1 + 1 + 360 + 126,
					23 + 8 + 6719,
					18 + 23367 + 31,
					0,
					0,
					0,
					340,
					3 + 3};
	char dir[] = "/tmp/alpcscope-decode-XXXXXX";
	char cmd[512], path[600];
	struct expect abs_e = e;

	if (!mkdtemp(dir)) {
		printf("SKIP part: no temporary directory\n");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "7zz x -y -o%s %s/etwanalyzer__TraceLoggingTester.7z >/dev/null 2>&1", dir,
		 SAMPLES_DIR);
	snprintf(path, sizeof(path), "%s/%s", dir, e.file);
	if (system(cmd) != 0) {
		printf("SKIP part: 7zz could not unpack etwanalyzer__TraceLoggingTester.7z\n");
	} else {
		abs_e.file = path;
		check_file(&abs_e);
		CHECK_EQ_U64(tally.set_names, 1); /* Thread SetName 72, PERFINFO-framed */
		CHECK_EQ_U64(tally.exit_times, 126);
		CHECK_EQ_U64(tally.by_kind[ALPCSCOPE_DECODED_IMAGE_ID], 23402);
		CHECK_EQ_U64(tally.by_kind[ALPCSCOPE_DECODED_DBG_ID], 23212 + 312);
	}
	remove(path);
	rmdir(dir);
}

int
main(void)
{
	FILE *probe = fopen(SAMPLES_DIR "/CATALOG.md", "r");
	size_t i;

	if (!probe) {
		printf("SKIP: ../shared/etl-samples not found\n");
		return 77;
	}
	fclose(probe);
	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
		check_file(&expects[i]);
	/* File-specific facts: the ShutdownPerfDiagLogger (build 18362) v3 Thread records carry
	 * names. */
	CHECK(run_file("airbus__ShutdownPerfDiagLogger.etl", &tally));
	CHECK(tally.thread_names > 0);
	CHECK(tally.exit_times == 5); /* the 5 Defunct v5 records carry ExitTime */
	CHECK(run_file("perfview__net.4.5.2.x64.etl", &tally));
	CHECK(tally.image_ids_named == 3590);
	/* DbgID_RSDS 36 + DbgID_ILRSDS 37, ILRSDS decoded with the RSDS layout. */
	CHECK_EQ_U64(tally.by_kind[ALPCSCOPE_DECODED_DBG_ID], 3534 + 44);
	CHECK_EQ_U64(tally.dbg_ids_pdb, 3534 + 44);
	/* Service map: svchost PID -> service, and thread SubProcessTag -> service. */
	{
		const struct alpcscope_service_entry *e =
		    alpcscope_service_map_find(tally.services, "Winmgmt");

		CHECK(e && e->process_id == 144 && e->service_state == 4);
		e = alpcscope_service_map_find(tally.services, "rpcss");
		CHECK(e && e->process_id == 880);
		e = alpcscope_service_map_find_tag(tally.services, 144, 0x90);
		CHECK(e && strcmp(e->service_name, "Winmgmt") == 0);
		CHECK_EQ_U64(alpcscope_service_map_count(tally.services), 157);
	}
	check_packed_sample();
	alpcscope_service_map_free(tally.services);
	return check_summary();
}
