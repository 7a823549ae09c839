/* SPDX-License-Identifier: MIT */
/*
 * Names of providers that matter to alpcscope or are common in the samples.
 * The GUIDs come from the providers' manifests and from KernelTraceControl.h
 * (merge-injected classic events); see docs/etl-layout.md#merged-traces.
 */
#include <alpcscope/event.h>

#include <stddef.h>

struct provider_entry {
	const char *guid; /* text form, lower case */
	const char *name;
};

static const struct provider_entry providers[] = {
    {"b3e675d7-2554-4f18-830b-2762732560de", "KernelTraceControl.ImageID/DbgID"},
    {"9b79ee91-b5fd-41c0-a243-4248e266e9d0", "KernelTraceControl.SysConfigEx"},
    {"bbccf6c1-6cd1-48c4-80ff-839482e37671", "KernelTraceControl.MetaData"},
    {"ed54dff8-c409-4cf6-bf83-05e1e61a09c4", "KernelTraceControl.WinSATAssessment"},
    {"6ad52b32-d609-4be9-ae07-ce8dae937e39", "Microsoft-Windows-RPC"},
    {"1418ef04-b0b4-4623-bf7e-d74ab47bbdaa", "Microsoft-Windows-WMI-Activity"},
    {"22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", "Microsoft-Windows-Kernel-Process"},
    {"edd08927-9cc4-4e65-b970-c2560fb5c289", "Microsoft-Windows-Kernel-File"},
    {"b675ec37-bdb6-4648-bc92-f3fdc74d3ca2", "Microsoft-Windows-Kernel-EventTracing"},
    {"e13c0d23-ccbc-4e12-931b-d9cc2eee27e4", "Microsoft-Windows-DotNETRuntime"},
    {"a669021c-c450-4609-a035-5af59af4df18", "Microsoft-Windows-DotNETRuntimeRundown"},
    {"763fd754-7086-4dfe-95eb-c01a46faf4ca", "Microsoft-Windows-DotNETRuntimePrivate"},
    {"1c95126e-7eea-49a9-a3fe-a378b03ddb4d", "Microsoft-Windows-DNS-Client"},
    {"315a8872-923e-4ea2-9889-33cd4754bf64", "Microsoft-Windows-Immersive-Shell"},
    {"2ed6006e-4729-4609-b423-3ee7bcd678ef", "Microsoft-Windows-NDIS-PacketCapture"},
    {"a0c1853b-5c40-4b15-8766-3cf1c58f985a", "Microsoft-Windows-PowerShell"},
    {"f4aed7c7-a898-4627-b053-44a7caa12fcd", "Microsoft-Windows-Services"},
    {"8e805eb3-6a8f-4a1e-90fa-a831d94e54a1", "Microsoft-Antimalware-Scan-Interface"},
    {"9e814aad-3204-11d2-9a82-006008a86939", "SystemTraceControl"},
    {"a8a71ac1-040f-54a2-07ca-00a89b5ab761", "PerfViewLogger"},
    {"2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5", "System.Threading.Tasks.TplEventSource"},
};

const char *
alpcscope_provider_name(const struct alpcscope_guid *guid)
{
	char text[ALPCSCOPE_GUID_STR_SIZE];

	alpcscope_guid_format(text, guid);
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		const char *a = providers[i].guid;
		size_t j = 0;

		while (a[j] && a[j] == text[j])
			j++;
		if (!a[j] && !text[j])
			return providers[i].name;
	}
	return NULL;
}
