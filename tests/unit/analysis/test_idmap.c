/* SPDX-License-Identifier: MIT */
/* idmap: insert/replace/exchange/delete against a reference array, across growth and wrap-around.
 */
#include <stdint.h>
#include <stdlib.h>

#include "analysis/idmap.h"
#include "check.h"

#define KEYS 5000

int
main(void)
{
	struct idmap m;
	static uint32_t ref[KEYS];
	uint64_t seed = 12345;

	idmap_init(&m);
	CHECK(idmap_get(&m, 7) == IDMAP_NONE);
	idmap_del(&m, 7); /* empty map */
	for (uint32_t i = 0; i < KEYS; i++)
		ref[i] = IDMAP_NONE;
	unsigned mismatches = 0;

	for (int step = 0; step < 200000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t k = (uint32_t)(seed >> 33) % KEYS;
		/* keys spaced like message IDs and aligned addresses */
		uint64_t key = (uint64_t)k * 0x1000u + 0xffff800000000000ull * (k & 1u);

		if ((seed >> 20) % 3 == 0) {
			idmap_del(&m, key);
			ref[k] = IDMAP_NONE;
		} else if ((seed >> 20) % 3 == 1) {
			uint32_t v = (uint32_t)step;

			if (!idmap_put(&m, key, v))
				mismatches++;
			ref[k] = v;
		} else { /* exchange gives the value it replaced */
			uint32_t v = (uint32_t)step, old = 0;

			if (!idmap_exchange(&m, key, v, &old) || old != ref[k])
				mismatches++;
			ref[k] = v;
		}
		if (step % 1000 == 0)
			for (uint32_t i = 0; i < KEYS; i++) {
				uint64_t kk =
				    (uint64_t)i * 0x1000u + 0xffff800000000000ull * (i & 1u);

				if (idmap_get(&m, kk) != ref[i])
					mismatches++;
			}
	}
	CHECK_EQ_U64(mismatches, 0);
	size_t live = 0;

	for (uint32_t i = 0; i < KEYS; i++)
		live += ref[i] != IDMAP_NONE;
	CHECK_EQ_U64(m.count, live);
	idmap_free(&m);
	CHECK(m.cap == 0 && m.count == 0);
	return check_summary();
}
