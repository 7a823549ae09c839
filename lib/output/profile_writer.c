/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope profile`: the WPR recording profile (.wprp) that records
 * everything the analysis can use. Element order follows the WPR profile
 * rules (collectors, system providers, event providers, profiles); keyword
 * and stack names are those of the WPR profile schema (SystemKeyword and
 * SystemStack enumerations). See docs/xml.md.
 */
#include <alpcscope/xml.h>

#include "output/xml_util.h"
#include "util/error.h"

#define SYSTEM_COLLECTOR "SystemCollector_alpcscope"
#define EVENT_COLLECTOR  "EventCollector_alpcscope"
#define SYSTEM_PROVIDER  "SystemProvider_alpcscope"

/*
 * Buffer sizing (docs/xml.md "Buffers"). The kernel collector takes 1 MB
 * buffers (the largest the kernel logger accepts): an ALPC event with its
 * stack walk is about 260 bytes, so a buffer holds ~4,000 of them and a CPU
 * switches buffers rarely. File mode loses events only when every buffer is
 * full before the logger writes them out: 256 buffers (256 MB of nonpaged
 * pool while recording; WPR allocates the number given) absorb about 3 s of
 * a 300,000 events/s burst with the disk stalled. Memory mode writes nothing
 * until `wpr -stop`, so its buffers are the history kept: 10% of RAM, at
 * most 1 GB. The RPC and WMI-Activity events are rarer: 64 × 256 KB.
 */
#define KERNEL_BUFFER_KB      "1024"
#define KERNEL_BUFFERS_FILE   "256"
#define KERNEL_MEMORY_PERCENT "10"
#define KERNEL_MEMORY_MAX_MB  "1024"
#define EVENT_BUFFER_KB       "256"
#define EVENT_BUFFERS         "64"

/* Kernel keywords: process/thread lifetimes and rundown, image loads, ALPC. */
static const char *const keywords[] = {"ProcessThread", "Loader", "Alpc"};

/* Stacks on every ALPC event, and on the process/thread/image events. */
static const char *const stacks[] = {
    "AlpcSendMessage", "AlpcReceiveMessage", "AlpcWaitForReply",   "AlpcWaitForNewMessage",
    "AlpcUnwait",      "AlpcConnectRequest", "AlpcConnectSuccess", "AlpcConnectFail",
    "AlpcClosePort",   "ProcessCreate",      "ThreadCreate",       "ImageLoad",
};

/* User-mode providers: RPC call start/stop (interface, procnum), WMI operations. */
static const struct {
	const char *id, *name, *what;
} providers[] = {
    {"EventProvider_Microsoft-Windows-RPC", "Microsoft-Windows-RPC",
     "RPC client/server call start and stop: interface UUID, procedure number, endpoint"},
    {"EventProvider_Microsoft-Windows-WMI-Activity", "Microsoft-Windows-WMI-Activity",
     "WMI operations: client process, operation text, provider host, created process"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void
value_elem(struct xml_out *x, const char *name, const char *value)
{
	xml_start(x, name);
	xml_attr(x, "Value", value);
	xml_end(x);
}

/*
 * One profile per logging mode (WPR requires both in every .wprp, with
 * Id = Name.DetailLevel.LoggingMode): the same collectors and providers;
 * the Memory one sizes the kernel buffers by RAM.
 */
static void
write_profile(struct xml_out *x, bool memory)
{
	xml_start(x, "Profile");
	xml_attr(x, "Id", memory ? ALPCSCOPE_WPR_PROFILE_ID_MEMORY : ALPCSCOPE_WPR_PROFILE_ID);
	xml_attr(x, "Name", ALPCSCOPE_WPR_PROFILE_NAME);
	xml_attr(x, "Description",
		 memory ? "alpcscope: kernel ALPC with stacks, processes, threads, images, RPC and "
			  "WMI-Activity (circular memory buffers: the last minutes)"
			: "alpcscope: kernel ALPC with stacks, processes, threads, images, RPC and "
			  "WMI-Activity");
	xml_attr(x, "LoggingMode", memory ? "Memory" : "File");
	xml_attr(x, "DetailLevel", "Verbose");
	xml_start(x, "Collectors");
	xml_start(x, "SystemCollectorId");
	xml_attr(x, "Value", SYSTEM_COLLECTOR);
	if (memory) {
		xml_start(x, "Buffers");
		xml_attr(x, "Value", KERNEL_MEMORY_PERCENT);
		xml_attr(x, "PercentageOfTotalMemory", "true");
		xml_attr(x, "MaximumBufferSpace", KERNEL_MEMORY_MAX_MB);
		xml_end(x);
	}
	value_elem(x, "SystemProviderId", SYSTEM_PROVIDER);
	xml_end(x);
	xml_start(x, "EventCollectorId");
	xml_attr(x, "Value", EVENT_COLLECTOR);
	xml_start(x, "EventProviders");
	for (size_t i = 0; i < COUNT(providers); i++)
		value_elem(x, "EventProviderId", providers[i].id);
	xml_end(x);
	xml_end(x);
	xml_end(x); /* Collectors */
	xml_end(x); /* Profile */
}

enum alpcscope_status
alpcscope_profile_write(FILE *out, struct alpcscope_error *err)
{
	struct xml_out x;

	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (!xml_out_open(&x, out, true)) {
		xml_out_free(&x);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	xml_start(&x, "WindowsPerformanceRecorder");
	xml_attr(&x, "Version", "1.0");
	xml_attr(&x, "Author", "alpcscope");
	xml_attr(&x, "Comments",
		 "Records what alpcscope needs to pair ALPC messages and build call chains. "
		 "Start (file, unbounded): wpr -start alpcscope.wprp!" ALPCSCOPE_WPR_PROFILE_NAME
		 " -filemode; start (memory, the last minutes): wpr -start "
		 "alpcscope.wprp!" ALPCSCOPE_WPR_PROFILE_NAME "; stop: wpr -stop trace.etl");
	xml_start(&x, "Profiles");

	xml_start(&x, "SystemCollector");
	xml_attr(&x, "Id", SYSTEM_COLLECTOR);
	xml_attr(&x, "Name", "NT Kernel Logger");
	xml_comment(&x, "1 MB buffers; 256 of them (256 MB nonpaged pool) absorb ALPC bursts "
			"in file mode; the Memory profile keeps 10% of RAM (at most 1 GB)");
	value_elem(&x, "BufferSize", KERNEL_BUFFER_KB);
	value_elem(&x, "Buffers", KERNEL_BUFFERS_FILE);
	xml_end(&x);

	xml_start(&x, "EventCollector");
	xml_attr(&x, "Id", EVENT_COLLECTOR);
	xml_attr(&x, "Name", "alpcscope Event Collector");
	value_elem(&x, "BufferSize", EVENT_BUFFER_KB);
	value_elem(&x, "Buffers", EVENT_BUFFERS);
	xml_end(&x);

	xml_start(&x, "SystemProvider");
	xml_attr(&x, "Id", SYSTEM_PROVIDER);
	xml_start(&x, "Keywords");
	for (size_t i = 0; i < COUNT(keywords); i++)
		value_elem(&x, "Keyword", keywords[i]);
	xml_end(&x);
	xml_start(&x, "Stacks");
	for (size_t i = 0; i < COUNT(stacks); i++)
		value_elem(&x, "Stack", stacks[i]);
	xml_end(&x);
	xml_end(&x);

	for (size_t i = 0; i < COUNT(providers); i++) {
		xml_comment(&x, providers[i].what);
		xml_start(&x, "EventProvider");
		xml_attr(&x, "Id", providers[i].id);
		xml_attr(&x, "Name", providers[i].name);
		xml_attr(&x, "Level", "5");
		xml_attr(&x, "NonPagedMemory", "true");
		xml_end(&x);
	}

	write_profile(&x, false);
	write_profile(&x, true);

	if (!xml_out_close(&x))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write failed");
	return ALPCSCOPE_OK;
}
