/* SPDX-License-Identifier: MIT */
/*
 * Interface database parser: the input is loaded in every shape (auto,
 * alpcscope, RPCMon, Akamai); whatever loads is then looked up for a few
 * UUIDs, versions and opnums, including ones taken from the input bytes.
 */
#include <stdint.h>
#include <string.h>

#include "alpcscope/interfaces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uuids[] = {"9556dc99-828c-11cf-a37e-00aa003240c7",
					    "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"};

	for (int fmt = ALPCSCOPE_IFDB_AUTO; fmt <= ALPCSCOPE_IFDB_AKAMAI; fmt++) {
		struct alpcscope_interface_db *db = NULL;
		struct alpcscope_rpc_names r;
		struct alpcscope_error err;

		if (alpcscope_interface_db_new(&db, NULL) != ALPCSCOPE_OK)
			return 0;
		if (alpcscope_interface_db_load_memory(db, data, size, "fuzz",
						       (enum alpcscope_interface_db_format)fmt,
						       &err) == ALPCSCOPE_OK) {
			struct alpcscope_guid g;

			for (size_t u = 0; u < 2; u++) {
				if (!alpcscope_guid_parse(&g, uuids[u]))
					continue;
				for (uint32_t op = 0; op < 30; op++) {
					alpcscope_interface_db_lookup(
					    db, &g, ALPCSCOPE_IFACE_VERSION_ANY, op, &r);
					alpcscope_interface_db_lookup(
					    db, &g, ALPCSCOPE_IFACE_VERSION(0, 0), op, &r);
				}
			}
			if (size >= sizeof(g)) {
				memcpy(&g, data, sizeof(g));
				alpcscope_interface_db_lookup(db, &g, ALPCSCOPE_IFACE_VERSION(1, 0),
							      (uint32_t)size, &r);
			}
			(void)alpcscope_interface_db_count(db);
		} else if (!err.message[0]) {
			__builtin_trap(); /* every failure explains itself */
		}
		alpcscope_interface_db_free(db);
	}
	return 0;
}
