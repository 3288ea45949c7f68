/* SPDX-License-Identifier: Apache-2.0 */
/* `holdfast user add|list|remove`: a client of the running server's admin API, signed with
 * SigV4 by libcurl using the root credentials from the environment. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "cli.h"

#define RESPONSE_MAX (4u << 20)
#define DEFAULT_ENDPOINT "http://127.0.0.1:9000"

struct admin_opts {
	const char *endpoint, *region, *cacert;
	bool insecure, json;
};

static size_t
collect(char *p, size_t size, size_t n, void *ctx)
{
	return buf_append(ctx, p, size * n) == 0 ? size * n : 0;
}

/* One admin call. Returns the HTTP status (0 when the server could not be reached) with the
 * body in @out; prints the transport error itself. */
static long
admin_call(const struct admin_opts *o, const char *method, const char *path_query,
           struct buf *out)
{
	const char *ak = getenv("HOLDFAST_ROOT_ACCESS_KEY"), *sk = getenv("HOLDFAST_ROOT_SECRET_KEY");
	char url[2048], userpwd[512], sigv4[128];
	struct curl_slist *h = NULL;
	long status = 0;
	CURL *c;
	CURLcode cc;

	if (!ak || !*ak || !sk || !*sk) {
		fprintf(stderr, "holdfast user: set HOLDFAST_ROOT_ACCESS_KEY and "
		        "HOLDFAST_ROOT_SECRET_KEY to the root credentials\n");
		return -1;
	}
	snprintf(url, sizeof(url), "%s/_holdfast/admin/%s", o->endpoint, path_query);
	snprintf(userpwd, sizeof(userpwd), "%s:%s", ak, sk);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", o->region);
	c = curl_easy_init();
	if (!c) {
		fprintf(stderr, "holdfast user: curl init failed\n");
		return -1;
	}
	/* no body: the payload hash is that of the empty string */
	h = curl_slist_append(h, "x-amz-content-sha256: "
	                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (o->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		fprintf(stderr, "holdfast user: %s: %s\n", o->endpoint, curl_easy_strerror(cc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	memset(userpwd, 0, sizeof(userpwd));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? status : -1;
}

/* Print the server's complaint in one line. */
static int
fail(long status, const struct buf *body)
{
	json_t *j = body->len ? json_loadb(body->ptr, body->len, 0, NULL) : NULL;
	const char *msg = j ? json_string_value(json_object_get(j, "error")) : NULL;

	if (msg)
		fprintf(stderr, "holdfast user: %s\n", msg);
	else if (status == 403)
		fprintf(stderr, "holdfast user: access denied (wrong root credentials?)\n");
	else
		fprintf(stderr, "holdfast user: server answered %ld\n", status);
	json_decref(j);
	return 1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: holdfast user add NAME | list | remove NAME\n"
	        "       [--endpoint URL] [--region R] [--cacert FILE] [--insecure] [--json]\n"
	        "root credentials from HOLDFAST_ROOT_ACCESS_KEY / HOLDFAST_ROOT_SECRET_KEY; "
	        "endpoint from --endpoint or HOLDFAST_ENDPOINT (default " DEFAULT_ENDPOINT ")\n");
	return 2;
}

int
cli_user(int argc, char **argv)
{
	struct admin_opts o = { getenv("HOLDFAST_ENDPOINT"), "us-east-1", NULL, false, false };
	const char *verb = NULL, *name = NULL;
	char pq[256];
	struct buf body;
	json_t *j = NULL;
	long status;
	int rc = 1;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--endpoint") == 0 && i + 1 < argc)
			o.endpoint = argv[++i];
		else if (strcmp(a, "--region") == 0 && i + 1 < argc)
			o.region = argv[++i];
		else if (strcmp(a, "--cacert") == 0 && i + 1 < argc)
			o.cacert = argv[++i];
		else if (strcmp(a, "--insecure") == 0)
			o.insecure = true;
		else if (strcmp(a, "--json") == 0)
			o.json = true;
		else if (a[0] == '-')
			return usage();
		else if (!verb)
			verb = a;
		else if (!name)
			name = a;
		else
			return usage();
	}
	if (!o.endpoint || !*o.endpoint)
		o.endpoint = DEFAULT_ENDPOINT;
	if (!verb)
		return usage();
	if (strcmp(verb, "list") == 0) {
		if (name)
			return usage();
		snprintf(pq, sizeof(pq), "users");
	} else if (strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0) {
		if (!name || strlen(name) > 63 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                                               "abcdefghijklmnopqrstuvwxyz"
		                                               "0123456789._-") != strlen(name)) {
			fprintf(stderr, "holdfast user: %s needs a NAME of 1 to 63 of A-Z a-z 0-9 . _ -\n",
			        verb);
			return 2;
		}
		snprintf(pq, sizeof(pq), "users?name=%s", name);
	} else {
		return usage();
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	buf_init(&body, RESPONSE_MAX);
	status = admin_call(&o, verb[0] == 'l' ? "GET" : verb[0] == 'a' ? "POST" : "DELETE", pq,
	                    &body);
	if (status < 0)
		goto out;
	if (status != 200 && status != 204) {
		rc = fail(status, &body);
		goto out;
	}
	if (o.json) {
		if (body.len)
			printf("%s\n", body.ptr);
		else
			printf("{\"removed\":\"%s\"}\n", name);
		rc = 0;
		goto out;
	}
	if (verb[0] == 'r') {
		printf("removed user %s\n", name);
		rc = 0;
		goto out;
	}
	j = json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL);
	if (!j) {
		fprintf(stderr, "holdfast user: unreadable answer from the server\n");
		goto out;
	}
	if (verb[0] == 'a') {
		printf("user: %s\naccess key: %s\nsecret key: %s\n",
		       json_string_value(json_object_get(j, "user")),
		       json_string_value(json_object_get(j, "access_key")),
		       json_string_value(json_object_get(j, "secret_key")));
	} else {
		size_t i;
		json_t *u;
		printf("%-32s %s\n", "USER", "ACCESS KEY");
		json_array_foreach(json_object_get(j, "users"), i, u)
			printf("%-32s %s\n", json_string_value(json_object_get(u, "user")),
			       json_string_value(json_object_get(u, "access_key")));
	}
	rc = 0;
out:
	json_decref(j);
	if (body.ptr)
		memset(body.ptr, 0, body.len); /* may hold a secret */
	buf_release(&body);
	curl_global_cleanup();
	return rc;
}
