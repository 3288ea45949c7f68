/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's configuration: one JSON file (jansson), every option with a default, unknown
 * keys and bad values refused with the JSON path of the culprit ("$.tls.cert: ..."), and
 * command-line flags applied on top by the caller. docs/CONFIG.md lists every option.
 */
#ifndef HOLDFAST_GW_CONFIG_H
#define HOLDFAST_GW_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define GW_CONFIG_MAX_BYTES (1u << 20) /* a config file larger than this is refused */

struct gw_config {
	char listen[80];       /* "ADDR:PORT" as given; parsed by gw_config_parse_listen */
	char data_dir[PATH_MAX];
	char region[64];
	char domain[256];      /* virtual-host base domain; "" = path style only */
	uint64_t inline_max_bytes;
	int log_level;         /* enum gw_log_level */
	unsigned threads;      /* HTTP worker threads; 0 = 2 x online CPUs */
	unsigned max_connections;
	unsigned connection_timeout_s;
	uint64_t multipart_max_age_s; /* incomplete uploads older than this are aborted, and
	                               * completions older than this forgotten */
	unsigned multipart_cleanup_interval_s; /* how often the cleanup task looks */
	char tls_cert[PATH_MAX]; /* PEM paths; both empty = plain HTTP */
	char tls_key[PATH_MAX];
};

/* Fill @c with the embedded defaults (the same values gw_config_default_json prints). */
void gw_config_defaults(struct gw_config *c);
/* The embedded default configuration as a JSON document (static storage). */
const char *gw_config_default_json(void);

/* Apply a JSON document on top of @c. Only keys present change. On failure @c is unchanged
 * and @err says "$.path: what is wrong". GW_EINVAL for bad JSON, unknown keys, wrong types
 * and out-of-range values; GW_E2BIG for a document over GW_CONFIG_MAX_BYTES. */
int gw_config_apply_json(struct gw_config *c, const char *text, size_t n, struct gw_err *err);
/* Read @path and apply it; GW_EIO if it cannot be read. */
int gw_config_load_file(struct gw_config *c, const char *path, struct gw_err *err);
/* Check cross-field rules (both TLS paths or neither, ...) after flags are applied. */
int gw_config_validate(const struct gw_config *c, struct gw_err *err);

/* "127.0.0.1:9000", "[::1]:9000", "0.0.0.0:0" -> host (no brackets) and port.
 * GW_EINVAL on anything else. */
int gw_config_parse_listen(const char *s, char *host, size_t hostcap, uint16_t *port,
                           struct gw_err *err);

#endif
