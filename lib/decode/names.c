/* SPDX-License-Identifier: MIT */
/*
 * "Group/Opcode" display names of kernel events, as TraceEvent/WPA spell them.
 * Opcode numbers: docs/event-layouts.md, docs/etl-layout.md#kernel-groups
 * and #eventtrace-group.
 */
#include <stddef.h>

#include "payload.h"

struct opcode_name {
	uint8_t group;
	uint8_t opcode;
	const char *name;
};

/* Sorted by (group, opcode). */
static const struct opcode_name names[] = {
    {0x00, 0, "EventTrace/Header"},
    {0x00, 5, "EventTrace/Extension"},
    {0x00, 8, "EventTrace/RundownComplete"},
    {0x00, 32, "EventTrace/EndExtension"},
    {0x00, 80, "EventTrace/PartitionInfoExtension"},
    {0x01, 10, "DiskIo/Read"},
    {0x01, 11, "DiskIo/Write"},
    {0x01, 12, "DiskIo/ReadInit"},
    {0x01, 13, "DiskIo/WriteInit"},
    {0x01, 14, "DiskIo/FlushBuffers"},
    {0x01, 15, "DiskIo/FlushInit"},
    {0x02, 32, "PageFault/HardFault"},
    {0x03, 1, "Process/Start"},
    {0x03, 2, "Process/End"},
    {0x03, 3, "Process/DCStart"},
    {0x03, 4, "Process/DCEnd"},
    {0x03, 10, "Image/Load"},
    {0x03, 11, "Process/Terminate"},
    {0x03, 32, "Process/PerfCtr"},
    {0x03, 33, "Process/PerfCtrRundown"},
    {0x03, 39, "Process/Defunct"},
    {0x04, 0, "FileIo/Name"},
    {0x04, 32, "FileIo/FileCreate"},
    {0x04, 35, "FileIo/FileDelete"},
    {0x04, 36, "FileIo/FileRundown"},
    {0x05, 1, "Thread/Start"},
    {0x05, 2, "Thread/End"},
    {0x05, 3, "Thread/DCStart"},
    {0x05, 4, "Thread/DCEnd"},
    {0x05, 36, "Thread/CSwitch"},
    {0x05, 50, "Thread/ReadyThread"},
    {0x05, 72, "Thread/SetName"},
    {0x06, 10, "TcpIp/Send"},
    {0x06, 11, "TcpIp/Recv"},
    {0x06, 12, "TcpIp/Connect"},
    {0x06, 13, "TcpIp/Disconnect"},
    {0x06, 14, "TcpIp/Retransmit"},
    {0x06, 15, "TcpIp/Accept"},
    {0x06, 26, "TcpIp/SendIPV6"},
    {0x06, 27, "TcpIp/RecvIPV6"},
    {0x08, 10, "UdpIp/Send"},
    {0x08, 11, "UdpIp/Recv"},
    {0x08, 26, "UdpIp/SendIPV6"},
    {0x08, 27, "UdpIp/RecvIPV6"},
    {0x0B, 10, "SystemConfig/CPU"},
    {0x0B, 11, "SystemConfig/PhyDisk"},
    {0x0B, 12, "SystemConfig/LogDisk"},
    {0x0B, 13, "SystemConfig/NIC"},
    {0x0B, 14, "SystemConfig/Video"},
    {0x0B, 15, "SystemConfig/Services"},
    {0x0B, 16, "SystemConfig/Power"},
    {0x0B, 17, "SystemConfig/Network"},
    {0x0B, 18, "SystemConfig/OpticalMedia"},
    {0x0B, 21, "SystemConfig/IRQ"},
    {0x0B, 22, "SystemConfig/PnP"},
    {0x0B, 23, "SystemConfig/IDEChannel"},
    {0x0B, 24, "SystemConfig/NumaNode"},
    {0x0B, 25, "SystemConfig/Platform"},
    {0x0B, 26, "SystemConfig/ProcGroup"},
    {0x0B, 27, "SystemConfig/ProcNumber"},
    {0x0B, 28, "SystemConfig/DPI"},
    {0x0B, 29, "SystemConfig/CodeIntegrity"},
    {0x0B, 30, "SystemConfig/TelemetryConfiguration"},
    {0x0B, 31, "SystemConfig/Defragmentation"},
    {0x0B, 32, "SystemConfig/MobilePlatform"},
    {0x0B, 33, "SystemConfig/DeviceFamily"},
    {0x0B, 34, "SystemConfig/FlightIds"},
    {0x0B, 35, "SystemConfig/Processors"},
    {0x0B, 36, "SystemConfig/Virtualization"},
    {0x0B, 37, "SystemConfig/Boot"},
    {0x0F, 46, "PerfInfo/SampleProf"},
    {0x11, 32, "Object/CreateHandle"},
    {0x11, 33, "Object/CloseHandle"},
    {0x11, 34, "Object/DuplicateHandle"},
    {0x11, 36, "Object/TypeDCStart"},
    {0x11, 37, "Object/TypeDCEnd"},
    {0x11, 38, "Object/HandleDCStart"},
    {0x11, 39, "Object/HandleDCEnd"},
    {0x11, 48, "Object/CreateObject"},
    {0x11, 49, "Object/DeleteObject"},
    {0x14, 2, "Image/Unload"},
    {0x14, 3, "Image/DCStart"},
    {0x14, 4, "Image/DCEnd"},
    {0x14, 10, "Image/Load"},
    {0x14, 32, "Image/Relocation"},
    {0x14, 33, "Image/KernelBase"},
    {0x14, 34, "Image/HypercallPage"},
    {0x18, 32, "StackWalk/Stack"},
    {0x18, 34, "StackWalk/KeyCreate"},
    {0x18, 35, "StackWalk/KeyDelete"},
    {0x18, 36, "StackWalk/KeyRundown"},
    {0x18, 37, "StackWalk/StackKeyKernel"},
    {0x18, 38, "StackWalk/StackKeyUser"},
    {0x1A, 33, "ALPC/Send-Message"},
    {0x1A, 34, "ALPC/Receive-Message"},
    {0x1A, 35, "ALPC/Wait-For-Reply"},
    {0x1A, 36, "ALPC/Wait-For-New-Message"},
    {0x1A, 37, "ALPC/Unwait"},
    {0x1A, 38, "ALPC/Connect-Request"},
    {0x1A, 39, "ALPC/Connect-Success"},
    {0x1A, 40, "ALPC/Connect-Fail"},
    {0x1A, 41, "ALPC/Close-Port"},
};

const char *
alpcscope_kernel_opcode_name(uint8_t group, uint8_t opcode)
{
	unsigned key = (unsigned)group << 8 | opcode;
	size_t lo = 0, hi = sizeof(names) / sizeof(names[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		unsigned k = (unsigned)names[mid].group << 8 | names[mid].opcode;

		if (k == key)
			return names[mid].name;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
