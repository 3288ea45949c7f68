/* SPDX-License-Identifier: Apache-2.0 */
/* The admin API the CLI talks to (`holdfast user ...`): under /_holdfast/admin/, which no
 * bucket can shadow (bucket names have no '_'), SigV4-signed by the root user, JSON out.
 *   POST   /_holdfast/admin/users?name=N   -> 200 {"user","access_key","secret_key"}
 *   GET    /_holdfast/admin/users          -> 200 {"users":[{"user","access_key"}]}
 *   DELETE /_holdfast/admin/users?name=N   -> 204
 * Errors: {"error": "..."} with 400 / 403 / 404 / 409 / 500. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "s3req.h"

#define ADMIN_PREFIX "/_holdfast/admin/"

bool
s3_admin_target(const char *target)
{
	return strncmp(target, "/_holdfast/", 11) == 0;
}

static void
reply_json(struct s3_req *r, int status, json_t *doc)
{
	struct gw_header h[] = { { "Content-Type", "application/json" } };
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	if (!text) {
		gw_respond(r->http, 500, h, 1, "{\"error\":\"out of memory\"}", 25);
		return;
	}
	gw_respond(r->http, status, h, 1, text, strlen(text));
	free(text);
}

static void
reply_json_error(struct s3_req *r, int status, const char *msg)
{
	reply_json(r, status, json_pack("{s:s}", "error", msg));
}

/* The value of query parameter "name" (names need no decoding: their alphabet is
 * unreserved), or NULL. */
static const char *
name_param(const char *target, char *out, size_t cap)
{
	const char *q = strchr(target, '?');

	while (q && *q) {
		q++;
		if (strncmp(q, "name=", 5) == 0) {
			size_t n = strcspn(q + 5, "&");
			if (n == 0 || n >= cap)
				return NULL;
			memcpy(out, q + 5, n);
			out[n] = '\0';
			return out;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

static int
list_cb(void *ctx, const char *name, const char *access_key)
{
	json_array_append_new(ctx, json_pack("{s:s, s:s}", "user", name, "access_key", access_key));
	return 0;
}

void
s3_op_admin(struct s3_req *r)
{
	const char *target = r->http->target, *method = r->http->method;
	size_t plen = strcspn(target, "?");
	struct gw_cred c;
	struct gw_err err;
	char name[80];
	json_t *arr;
	int rc;

	/* root only: the admin API mints credentials */
	if (!s3_is_root(r)) {
		reply_json_error(r, 403, "the admin API is for the root user");
		return;
	}
	if (plen != strlen(ADMIN_PREFIX "users") || strncmp(target, ADMIN_PREFIX "users", plen)) {
		reply_json_error(r, 404, "no such admin resource");
		return;
	}
	if (strcmp(method, "GET") == 0) {
		arr = json_array();
		if (!arr || gw_users_list(r->app->kr, list_cb, arr, &err)) {
			json_decref(arr);
			reply_json_error(r, 500, err.msg);
			return;
		}
		reply_json(r, 200, json_pack("{s:o}", "users", arr));
		return;
	}
	if (!name_param(target, name, sizeof(name))) {
		reply_json_error(r, 400, "missing or bad ?name=");
		return;
	}
	if (strcmp(method, "POST") == 0) {
		rc = gw_users_add(r->app->kr, name, &c, &err);
		if (rc) {
			reply_json_error(r, rc == GW_EINVAL ? 400 : rc == GW_EEXIST ? 409 : 500, err.msg);
			return;
		}
		gw_log(GW_LOG_INFO, "user_added", "%s (%s) by %s", name, c.access_key, r->user);
		reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "user", c.user, "access_key",
		                             c.access_key, "secret_key", c.secret));
		gw_cred_wipe(&c);
		return;
	}
	if (strcmp(method, "DELETE") == 0) {
		rc = gw_users_remove(r->app->kr, name, &err);
		if (rc) {
			reply_json_error(r, rc == GW_EINVAL ? 400 : rc == GW_ENOTFOUND ? 404 : 500, err.msg);
			return;
		}
		gw_log(GW_LOG_INFO, "user_removed", "%s by %s", name, r->user);
		gw_respond(r->http, 204, NULL, 0, "", 0);
		return;
	}
	reply_json_error(r, 405, "method not allowed");
}
