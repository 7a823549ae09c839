/* SPDX-License-Identifier: MIT */
/* MSVC name undecoration: the forms docs/symbols.md lists, and refusals. */
#include "check.h"
#include "decode/msvc_undecorate.h"

static void
expect(const char *in, bool x86, const char *want)
{
	char out[512];
	bool ok = msvc_undecorate(in, x86, out, sizeof(out));

	if (want) {
		CHECK(ok);
		CHECK_STR(out, want);
	} else {
		CHECK(!ok);
		CHECK_STR(out, "");
	}
}

int
main(void)
{
	expect("?f@C@google_breakpad@@QEAAXXZ", false, "google_breakpad::C::f");
	expect("??0C@google_breakpad@@QEAA@XZ", false, "google_breakpad::C::C");
	expect("??1C@google_breakpad@@UEAA@XZ", false, "google_breakpad::C::~C");
	expect("??_GC@google_breakpad@@UEAAPEAXI@Z", false,
	       "google_breakpad::C::`scalar deleting destructor'");
	expect("??2@YAPEAX_K@Z", false, "operator new");
	expect(
	    "??4?$basic_string@_WU?$char_traits@_W@std@@V?$allocator@_W@2@@std@@QAEAAV01@$$QAV01@"
	    "@Z",
	    true,
	    "std::basic_string<wchar_t,std::char_traits<wchar_t>,std::allocator<wchar_t> "
	    ">::operator=");
	expect("??1?$basic_string@_WU?$char_traits@_W@std@@V?$allocator@_W@2@@std@@QAE@XZ", true,
	       "std::basic_string<wchar_t,std::char_traits<wchar_t>,std::allocator<wchar_t> "
	       ">::~basic_string<wchar_t,std::char_traits<wchar_t>,std::allocator<wchar_t> >");
	expect(
	    "??$_Buynode@ABUAppMemory@google_breakpad@@@?$_List_buy@UAppMemory@google_breakpad@@"
	    "V?$allocator@UAppMemory@google_breakpad@@@std@@@std@@QAEPAU?$_List_node@"
	    "UAppMemory@google_breakpad@@PAX@1@PAU21@0ABUAppMemory@google_breakpad@@@Z",
	    true,
	    "std::_List_buy<google_breakpad::AppMemory,std::allocator<google_breakpad::AppMemory> "
	    ">::_Buynode<google_breakpad::AppMemory const &>");
	expect("?f@?A0x1234abcd@ns@@YAXXZ", false, "ns::`anonymous namespace'::f");
	expect("?g@?$A@$0BA@@@QEAAXXZ", false, "A<16>::g");
	expect("?g@?$A@$0?3@@@QEAAXXZ", false, "A<-4>::g");
	/* C names: unchanged on x64; cdecl / stdcall / fastcall decoration on x86. */
	expect("main", false, "main");
	expect("_main", false, "_main");
	expect("_main", true, "main");
	expect("_WinMain@16", true, "WinMain");
	expect("@fast@8", true, "fast");
	/* Unknown or damaged forms are declined, never half-printed. */
	expect("??_C@_0BA@ABCDEFGH@hello?5world?$AA@", false, NULL);
	expect("?f@?1??g@@YAXXZ@4HA", false, NULL);
	expect("?", false, NULL);
	expect("?f", false, NULL);
	expect("?f@", false, NULL);
	expect("??$f@PEAP6AXXZ@@YAXXZ", false, NULL);
	expect("?f@9@QEAAXXZ", false, NULL);
	expect("?\x1b[31m@@YAXXZ", false, NULL);
	/* Deep nesting is bounded. */
	char deep[4096];
	size_t n = 0;

	deep[n++] = '?';
	deep[n++] = 'f';
	deep[n++] = '@';
	for (int i = 0; i < 200; i++) {
		memcpy(deep + n, "?$A@V", 5);
		n += 5;
	}
	memcpy(deep + n, "@@YAXXZ", 8);
	expect(deep, false, NULL);
	/* Output too small: declined. */
	char small[8];

	CHECK(!msvc_undecorate("?function@C@@QEAAXXZ", false, small, sizeof(small)));
	return check_summary();
}
