/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the JSON configuration parser: any input must be accepted or refused with a "$..."
 * path message, never crash; a refused input leaves the configuration untouched. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config c, before;
	struct gw_err err;

	gw_config_defaults(&c);
	before = c;
	if (gw_config_apply_json(&c, (const char *)data, size, &err) != GW_OK) {
		assert(memcmp(&c, &before, sizeof(c)) == 0);
		assert(err.msg[0] == '$');
	} else {
		/* an accepted document gives a configuration whose listen address parses */
		char host[64];
		uint16_t port;
		assert(gw_config_parse_listen(c.listen, host, sizeof(host), &port, NULL) == GW_OK);
	}
	return 0;
}
