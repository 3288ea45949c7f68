/* SPDX-License-Identifier: Apache-2.0 */
/* JSON configuration: a table of options drives parsing, validation and the default
 * document, so the three cannot drift apart. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"

enum opt_kind { OPT_STR, OPT_UINT, OPT_LISTEN, OPT_LOGLEVEL, OPT_REGION, OPT_HOSTNAME };

struct opt {
	const char *path;    /* "$.a" or "$.a.b" (one level of nesting is all we need) */
	enum opt_kind kind;
	size_t off;          /* into struct gw_config */
	size_t size;         /* char array size or integer width */
	uint64_t min, max;   /* OPT_UINT bounds; OPT_STR: min length */
	const char *help;
};

#define FIELD(f) offsetof(struct gw_config, f), sizeof(((struct gw_config *)0)->f)

static const struct opt opts[] = {
	{ "$.listen", OPT_LISTEN, FIELD(listen), 0, 0, "address and port to serve on" },
	{ "$.data_dir", OPT_STR, FIELD(data_dir), 1, 0, "store directory" },
	{ "$.region", OPT_REGION, FIELD(region), 0, 0, "region reported and signed for" },
	{ "$.domain", OPT_HOSTNAME, FIELD(domain), 0, 0, "virtual-host base domain" },
	{ "$.inline_max_bytes", OPT_UINT, FIELD(inline_max_bytes), 0, 4u << 20,
	  "objects up to this size live inside the index" },
	{ "$.log_level", OPT_LOGLEVEL, FIELD(log_level), 0, 0, "debug, info, warn or error" },
	{ "$.threads", OPT_UINT, FIELD(threads), 0, 1024, "HTTP worker threads, 0 = auto" },
	{ "$.max_connections", OPT_UINT, FIELD(max_connections), 1, 100000,
	  "concurrent client connections" },
	{ "$.connection_timeout_s", OPT_UINT, FIELD(connection_timeout_s), 1, 86400,
	  "idle connection timeout" },
	{ "$.multipart_max_age_s", OPT_UINT, FIELD(multipart_max_age_s), 1, 10u * 365 * 86400,
	  "incomplete multipart uploads older than this are aborted" },
	{ "$.multipart_cleanup_interval_s", OPT_UINT, FIELD(multipart_cleanup_interval_s), 1,
	  86400, "how often incomplete uploads are looked for" },
	{ "$.tls.cert", OPT_STR, FIELD(tls_cert), 0, 0, "PEM certificate chain for HTTPS" },
	{ "$.tls.key", OPT_STR, FIELD(tls_key), 0, 0, "PEM private key for HTTPS" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const char default_json[] =
	"{\n"
	"  \"listen\": \"127.0.0.1:9000\",\n"
	"  \"data_dir\": \"./holdfast-data\",\n"
	"  \"region\": \"us-east-1\",\n"
	"  \"domain\": \"\",\n"
	"  \"inline_max_bytes\": 65536,\n"
	"  \"log_level\": \"info\",\n"
	"  \"threads\": 0,\n"
	"  \"max_connections\": 1024,\n"
	"  \"connection_timeout_s\": 300,\n"
	"  \"multipart_max_age_s\": 604800,\n"
	"  \"multipart_cleanup_interval_s\": 3600,\n"
	"  \"tls\": { \"cert\": \"\", \"key\": \"\" }\n"
	"}\n";

const char *
gw_config_default_json(void)
{
	return default_json;
}

void
gw_config_defaults(struct gw_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9000");
	snprintf(c->data_dir, sizeof(c->data_dir), "./holdfast-data");
	snprintf(c->region, sizeof(c->region), "us-east-1");
	c->inline_max_bytes = 65536;
	c->log_level = GW_LOG_INFO;
	c->threads = 0;
	c->max_connections = 1024;
	c->connection_timeout_s = 300;
	c->multipart_max_age_s = 7 * 86400;
	c->multipart_cleanup_interval_s = 3600;
}

static bool
valid_region(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32) /* OL_REGION_MAX */
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return true;
}

static bool
valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(isalnum(ch) || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

int
gw_config_parse_listen(const char *s, char *host, size_t hostcap, uint16_t *port,
                       struct gw_err *err)
{
	const char *colon, *h = s;
	size_t hn;
	char tmp[64];
	unsigned char addr[16];
	unsigned long p = 0;
	bool v6 = false;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return gw_err_set(err, GW_EINVAL, "bad listen address '%s': want [IPV6]:PORT", s);
		h = s + 1;
		hn = (size_t)(close - h);
		colon = close + 1;
		v6 = true;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return gw_err_set(err, GW_EINVAL, "bad listen address '%s': want ADDR:PORT", s);
		hn = (size_t)(colon - s);
	}
	if (hn == 0 || hn >= sizeof(tmp) || hn >= hostcap)
		return gw_err_set(err, GW_EINVAL, "bad listen address '%s': bad host", s);
	memcpy(tmp, h, hn);
	tmp[hn] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, tmp, addr) != 1)
		return gw_err_set(err, GW_EINVAL,
		                  "bad listen address '%s': host must be an IP address", s);
	if (!colon[1])
		return gw_err_set(err, GW_EINVAL, "bad listen address '%s': no port", s);
	for (const char *d = colon + 1; *d; d++) {
		if (!isdigit((unsigned char)*d))
			return gw_err_set(err, GW_EINVAL, "bad listen address '%s': bad port", s);
		p = p * 10 + (unsigned long)(*d - '0');
		if (p > 65535)
			return gw_err_set(err, GW_EINVAL, "bad listen address '%s': port > 65535", s);
	}
	memcpy(host, tmp, hn + 1);
	*port = (uint16_t)p;
	return GW_OK;
}

static const struct opt *
opt_find(const char *path)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].path, path) == 0)
			return &opts[i];
	return NULL;
}

/* Is @path ("$.tls") the parent object of some option? */
static bool
opt_is_object(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < NOPTS; i++)
		if (strncmp(opts[i].path, path, n) == 0 && opts[i].path[n] == '.')
			return true;
	return false;
}

static int
opt_apply(struct gw_config *c, const struct opt *o, json_t *v, struct gw_err *err)
{
	char *dst = (char *)c + o->off;
	const char *s;
	char host[64];
	uint16_t port;
	json_int_t iv;

	if (o->kind == OPT_UINT) {
		if (!json_is_integer(v))
			return gw_err_set(err, GW_EINVAL, "%s: want an integer", o->path);
		iv = json_integer_value(v);
		if (iv < 0 || (uint64_t)iv < o->min || (uint64_t)iv > o->max)
			return gw_err_set(err, GW_EINVAL, "%s: %lld is out of range %llu..%llu",
			                  o->path, (long long)iv, (unsigned long long)o->min,
			                  (unsigned long long)o->max);
		if (o->size == sizeof(uint64_t))
			*(uint64_t *)(void *)dst = (uint64_t)iv;
		else
			*(unsigned *)(void *)dst = (unsigned)iv;
		return GW_OK;
	}
	if (!json_is_string(v))
		return gw_err_set(err, GW_EINVAL, "%s: want a string", o->path);
	s = json_string_value(v);
	if (o->kind == OPT_LOGLEVEL) {
		int lvl = gw_log_level_parse(s);
		if (lvl < 0)
			return gw_err_set(err, GW_EINVAL,
			                  "%s: '%s' is not one of debug, info, warn, error", o->path, s);
		c->log_level = lvl;
		return GW_OK;
	}
	if (strlen(s) >= o->size)
		return gw_err_set(err, GW_EINVAL, "%s: longer than %zu bytes", o->path, o->size - 1);
	if (strlen(s) < o->min)
		return gw_err_set(err, GW_EINVAL, "%s: must not be empty", o->path);
	if (o->kind == OPT_LISTEN) {
		struct gw_err e2;
		if (gw_config_parse_listen(s, host, sizeof(host), &port, &e2))
			return gw_err_set(err, GW_EINVAL, "%s: %s", o->path, e2.msg);
	}
	if (o->kind == OPT_REGION && !valid_region(s))
		return gw_err_set(err, GW_EINVAL, "%s: '%s' is not a region name ([a-z0-9-]{1,32})",
		                  o->path, s);
	if (o->kind == OPT_HOSTNAME && !valid_hostname(s))
		return gw_err_set(err, GW_EINVAL, "%s: '%s' is not a host name", o->path, s);
	memcpy(dst, s, strlen(s) + 1);
	return GW_OK;
}

static int
apply_object(struct gw_config *c, json_t *obj, const char *base, int depth, struct gw_err *err)
{
	const char *k;
	json_t *v;
	char path[128];
	int rc;

	json_object_foreach(obj, k, v) {
		if (strlen(k) > 64 || strpbrk(k, ".\"") || !*k)
			return gw_err_set(err, GW_EINVAL, "%s: unknown key", base);
		snprintf(path, sizeof(path), "%s.%s", base, k);
		const struct opt *o = opt_find(path);
		if (o) {
			rc = opt_apply(c, o, v, err);
			if (rc)
				return rc;
		} else if (depth == 0 && opt_is_object(path)) {
			if (!json_is_object(v))
				return gw_err_set(err, GW_EINVAL, "%s: want an object", path);
			rc = apply_object(c, v, path, depth + 1, err);
			if (rc)
				return rc;
		} else {
			return gw_err_set(err, GW_EINVAL, "%s: unknown key", path);
		}
	}
	return GW_OK;
}

int
gw_config_apply_json(struct gw_config *c, const char *text, size_t n, struct gw_err *err)
{
	struct gw_config tmp;
	json_error_t je;
	json_t *root;
	int rc;

	if (n > GW_CONFIG_MAX_BYTES)
		return gw_err_set(err, GW_E2BIG, "$: config is larger than %u bytes",
		                  GW_CONFIG_MAX_BYTES);
	/* REJECT_DUPLICATES: a key given twice is a mistake the operator should see. */
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return gw_err_set(err, GW_EINVAL, "$: bad JSON at line %d column %d: %s", je.line,
		                  je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return gw_err_set(err, GW_EINVAL, "$: want a JSON object");
	}
	tmp = *c; /* never clobber the output on failure */
	rc = apply_object(&tmp, root, "$", 0, err);
	json_decref(root);
	if (rc == GW_OK)
		*c = tmp;
	return rc;
}

int
gw_config_load_file(struct gw_config *c, const char *path, struct gw_err *err)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t n = 0;
	int rc;

	f = fopen(path, "rb");
	if (!f)
		return gw_err_sys(err, GW_EIO, errno, "cannot read config '%s'", path);
	text = malloc(GW_CONFIG_MAX_BYTES + 1);
	if (!text) {
		rc = gw_err_set(err, GW_ENOMEM, "out of memory reading config");
		goto out;
	}
	n = fread(text, 1, GW_CONFIG_MAX_BYTES + 1, f);
	if (ferror(f)) {
		rc = gw_err_sys(err, GW_EIO, errno, "cannot read config '%s'", path);
		goto out;
	}
	rc = gw_config_apply_json(c, text, n, err);
out:
	free(text);
	if (f)
		fclose(f);
	return rc;
}

int
gw_config_validate(const struct gw_config *c, struct gw_err *err)
{
	char host[64];
	uint16_t port;

	if (!c->tls_cert[0] != !c->tls_key[0])
		return gw_err_set(err, GW_EINVAL, "$.tls: set both cert and key, or neither");
	if (!c->data_dir[0])
		return gw_err_set(err, GW_EINVAL, "$.data_dir: must not be empty");
	return gw_config_parse_listen(c->listen, host, sizeof(host), &port, err);
}
