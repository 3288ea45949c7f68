/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration parsing: defaults, every refusal names its JSON path, no partial apply. */
#include <string.h>

#include "check.h"
#include "config/config.h"

static void
refused(const char *json, int want_rc, const char *want_msg)
{
	struct gw_config c, before;
	struct gw_err err;

	gw_config_defaults(&c);
	before = c;
	memset(&err, 0, sizeof(err));
	CHECK_INT_EQ(gw_config_apply_json(&c, json, strlen(json), &err), want_rc);
	if (strncmp(err.msg, want_msg, strlen(want_msg)) != 0) {
		fprintf(stderr, "for %s: got '%s', want prefix '%s'\n", json, err.msg, want_msg);
		check_failures++;
	}
	CHECK(memcmp(&c, &before, sizeof(c)) == 0); /* never clobber on failure */
}

int
main(void)
{
	struct gw_config c;
	struct gw_err err;
	char host[64];
	uint16_t port = 0;
	const char *good = "{\"listen\":\"[::1]:8080\",\"region\":\"eu-central-1\","
	                   "\"inline_max_bytes\":0,\"threads\":3,\"log_level\":\"warn\","
	                   "\"tls\":{\"cert\":\"/c.pem\",\"key\":\"/k.pem\"},\"domain\":\"s3.lan\"}";

	gw_config_defaults(&c);
	CHECK_STR_EQ(c.listen, "127.0.0.1:9000");
	CHECK_STR_EQ(c.data_dir, "./holdfast-data");
	CHECK_STR_EQ(c.region, "us-east-1");
	CHECK_INT_EQ(c.inline_max_bytes, 65536);

	/* the embedded default document gives exactly the defaults */
	{
		struct gw_config d;
		gw_config_defaults(&d);
		memset(&d.listen, 'x', 4);
		CHECK_INT_EQ(gw_config_apply_json(&d, gw_config_default_json(),
		                                  strlen(gw_config_default_json()), &err), GW_OK);
		CHECK(memcmp(&c, &d, sizeof(c)) == 0);
	}

	CHECK_INT_EQ(gw_config_apply_json(&c, good, strlen(good), &err), GW_OK);
	CHECK_STR_EQ(c.listen, "[::1]:8080");
	CHECK_STR_EQ(c.region, "eu-central-1");
	CHECK_INT_EQ(c.inline_max_bytes, 0);
	CHECK_INT_EQ(c.threads, 3);
	CHECK_INT_EQ(c.log_level, 2);
	CHECK_STR_EQ(c.tls_cert, "/c.pem");
	CHECK_STR_EQ(c.tls_key, "/k.pem");
	CHECK_STR_EQ(c.domain, "s3.lan");
	CHECK_INT_EQ(gw_config_validate(&c, &err), GW_OK);

	refused("{\"nope\":1}", GW_EINVAL, "$.nope: unknown key");
	refused("{\"tls\":{\"cert\":\"a\",\"x\":1}}", GW_EINVAL, "$.tls.x: unknown key");
	refused("{\"tls\":{\"cert\":{}}}", GW_EINVAL, "$.tls.cert: want a string");
	refused("{\"listen\":{\"tls\":1}}", GW_EINVAL, "$.listen: want a string");
	refused("{\"threads\":-1}", GW_EINVAL, "$.threads: -1 is out of range");
	refused("{\"threads\":1.5}", GW_EINVAL, "$.threads: want an integer");
	refused("{\"max_connections\":0}", GW_EINVAL, "$.max_connections: 0 is out of range");
	refused("{\"inline_max_bytes\":4194305}", GW_EINVAL, "$.inline_max_bytes:");
	refused("{\"data_dir\":\"\"}", GW_EINVAL, "$.data_dir: must not be empty");
	refused("{\"region\":\"us_east\"}", GW_EINVAL, "$.region:");
	refused("{\"domain\":\"a b\"}", GW_EINVAL, "$.domain:");
	refused("{\"log_level\":\"trace\"}", GW_EINVAL, "$.log_level:");
	refused("{\"listen\":\"127.0.0.1\"}", GW_EINVAL, "$.listen: bad listen address");
	refused("{\"listen\":\"127.0.0.1:\"}", GW_EINVAL, "$.listen: bad listen address");
	refused("{\"listen\":\"[::1:80\"}", GW_EINVAL, "$.listen: bad listen address");
	refused("{\"a\":1,\"a\":1}", GW_EINVAL, "$: bad JSON");
	/* jansson refuses \u0000 without JSON_ALLOW_NUL, so no string carries a NUL */
	refused("{\"region\":\"a\\u0000b\"}", GW_EINVAL, "$: bad JSON");
	refused("\"text\"", GW_EINVAL, "$: bad JSON"); /* jansson refuses non-container roots */
	refused("[]", GW_EINVAL, "$: want a JSON object");
	refused("", GW_EINVAL, "$: bad JSON");
	/* later keys must not have been applied when an earlier one fails, nor vice versa */
	refused("{\"threads\":7,\"bogus\":1}", GW_EINVAL, "$.bogus: unknown key");

	gw_config_defaults(&c);
	snprintf(c.tls_cert, sizeof(c.tls_cert), "/only-cert");
	CHECK_INT_EQ(gw_config_validate(&c, &err), GW_EINVAL);
	CHECK_STR_EQ(err.msg, "$.tls: set both cert and key, or neither");

	CHECK_INT_EQ(gw_config_parse_listen("0.0.0.0:0", host, sizeof(host), &port, &err), GW_OK);
	CHECK_STR_EQ(host, "0.0.0.0");
	CHECK_INT_EQ(port, 0);
	CHECK_INT_EQ(gw_config_parse_listen("[::]:65535", host, sizeof(host), &port, &err), GW_OK);
	CHECK_STR_EQ(host, "::");
	CHECK_INT_EQ(port, 65535);
	CHECK_INT_EQ(gw_config_parse_listen("1.2.3.4:65536", host, sizeof(host), &port, &err),
	             GW_EINVAL);
	CHECK_INT_EQ(gw_config_parse_listen("1.2.3.4:-1", host, sizeof(host), &port, &err),
	             GW_EINVAL);
	CHECK_INT_EQ(gw_config_parse_listen("example.com:80", host, sizeof(host), &port, &err),
	             GW_EINVAL);
	return check_done("test_config");
}
