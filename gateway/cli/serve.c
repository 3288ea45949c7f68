/* SPDX-License-Identifier: Apache-2.0 */
/* `holdfast serve` and `holdfast config`: configuration, store, credentials, the HTTP
 * server, and a clean stop on SIGTERM/SIGINT. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../objectlock/objectlock.h"
#include "../auth/creds.h"
#include "../base/log.h"
#include "../config/config.h"
#include "../http/server.h"
#include "../s3/handler.h"
#include "../s3/clock_log.h"
#include "../s3/janitor.h"
#include "cli.h"

#define SHUTDOWN_GRACE_MS 30000
/* how often the clock log task reads the compliance clock (clock_log.h) */
#define CLOCK_LOG_INTERVAL_MS 5000
#define PEM_MAX_BYTES (256 * 1024)

/* Flags override the file, so the file is read first wherever --config stands. */
static int
parse_serve_args(int argc, char **argv, struct gw_config *c)
{
	const char *cfgfile = NULL, *data_dir = NULL, *listen = NULL;
	struct gw_err err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], **dst = NULL;
		if (strcmp(a, "--config") == 0)
			dst = &cfgfile;
		else if (strcmp(a, "--data-dir") == 0)
			dst = &data_dir;
		else if (strcmp(a, "--listen") == 0)
			dst = &listen;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "holdfast serve: unknown option '%s'\n", a);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "holdfast serve: %s needs a value\n", a);
			return 2;
		}
		*dst = argv[++i];
	}
	gw_config_defaults(c);
	if (cfgfile && gw_config_load_file(c, cfgfile, &err)) {
		fprintf(stderr, "holdfast serve: %s: %s\n", cfgfile, err.msg);
		return 1;
	}
	if (data_dir) {
		if (!*data_dir || strlen(data_dir) >= sizeof(c->data_dir)) {
			fprintf(stderr, "holdfast serve: --data-dir: bad path\n");
			return 2;
		}
		snprintf(c->data_dir, sizeof(c->data_dir), "%s", data_dir);
	}
	if (listen) {
		if (strlen(listen) >= sizeof(c->listen)) {
			fprintf(stderr, "holdfast serve: --listen: too long\n");
			return 2;
		}
		snprintf(c->listen, sizeof(c->listen), "%s", listen);
	}
	if (gw_config_validate(c, &err)) {
		fprintf(stderr, "holdfast serve: %s\n", err.msg);
		return listen ? 2 : 1;
	}
	return 0;
}

static char *
read_pem(const char *path, struct gw_err *err)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (!f) {
		gw_err_sys(err, GW_EIO, errno, "cannot read '%s'", path);
		return NULL;
	}
	p = malloc(PEM_MAX_BYTES + 1);
	if (!p) {
		fclose(f);
		gw_err_set(err, GW_ENOMEM, "out of memory");
		return NULL;
	}
	n = fread(p, 1, PEM_MAX_BYTES + 1, f);
	fclose(f);
	if (n == 0 || n > PEM_MAX_BYTES) {
		free(p);
		gw_err_set(err, GW_EINVAL, "'%s' is empty or larger than %d bytes", path,
		           PEM_MAX_BYTES);
		return NULL;
	}
	p[n] = '\0';
	return p;
}

int
cli_serve(int argc, char **argv)
{
	struct gw_config cfg;
	struct ol_store_opts so;
	struct ol_store *st = NULL;
	struct gw_keyring kr;
	struct gw_cred root;
	struct gw_server *srv = NULL;
	struct s3_janitor *jan = NULL;
	struct s3_clock_log *clog = NULL;
	struct gw_server_opts sopt;
	struct gw_handler h;
	struct s3_app app;
	struct gw_err err;
	struct ol_err oe;
	char host[64], *cert = NULL, *key = NULL;
	uint16_t port;
	bool generated = false, kr_open = false;
	sigset_t sigs;
	int sig = 0, rc;

	memset(&root, 0, sizeof(root));
	rc = parse_serve_args(argc, argv, &cfg);
	if (rc)
		return rc;
	gw_log_set_level((enum gw_log_level)cfg.log_level);
	gw_config_parse_listen(cfg.listen, host, sizeof(host), &port, NULL);

	/* Block the stop signals before any thread exists: every thread inherits the mask and
	 * only this one receives them, in sigwait below. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = 1;
	if (mkdir(cfg.data_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "holdfast serve: cannot create data dir '%s': %s\n", cfg.data_dir,
		        strerror(errno));
		goto out;
	}
	memset(&so, 0, sizeof(so));
	so.data_dir = cfg.data_dir;
	so.inline_max_bytes = cfg.inline_max_bytes;
	if (ol_store_open(&so, &st, &oe) != OL_OK) {
		fprintf(stderr, "holdfast serve: cannot open store '%s': %s\n", cfg.data_dir, oe.msg);
		goto out;
	}
	if (gw_keyring_open(&kr, st, cfg.data_dir, &err)) {
		fprintf(stderr, "holdfast serve: %s\n", err.msg);
		goto out;
	}
	kr_open = true;
	if (gw_creds_root(&kr, &root, &generated, &err)) {
		fprintf(stderr, "holdfast serve: root credentials: %s\n", err.msg);
		goto out;
	}
	if (generated) {
		/* printed once, on the run that created them; the log never sees them */
		printf("root credentials (generated; shown only this once):\n"
		       "  access key: %s\n  secret key: %s\n",
		       root.access_key, root.secret);
	}
	if (cfg.tls_cert[0]) {
		if (!(cert = read_pem(cfg.tls_cert, &err)) || !(key = read_pem(cfg.tls_key, &err))) {
			fprintf(stderr, "holdfast serve: tls: %s\n", err.msg);
			goto out;
		}
	}

	if (s3_janitor_start(st, cfg.multipart_max_age_s, cfg.multipart_cleanup_interval_s, &jan,
	                     &err)) {
		fprintf(stderr, "holdfast serve: %s\n", err.msg);
		goto out;
	}
	/* a moved system clock shows in the log within CLOCK_LOG_INTERVAL_MS */
	if (s3_clock_log_start(st, CLOCK_LOG_INTERVAL_MS, &clog, &err)) {
		fprintf(stderr, "holdfast serve: %s\n", err.msg);
		goto out;
	}
	app = (struct s3_app){ &cfg, st, &kr, &root };
	h = s3_handler(&app);
	memset(&sopt, 0, sizeof(sopt));
	sopt.host = host;
	sopt.port = port;
	sopt.threads = cfg.threads;
	sopt.max_connections = cfg.max_connections;
	sopt.connection_timeout_s = cfg.connection_timeout_s;
	sopt.tls_cert_pem = cert;
	sopt.tls_key_pem = key;
	if (gw_server_start(&sopt, &h, &srv, &err)) {
		fprintf(stderr, "holdfast serve: %s\n", err.msg);
		goto out;
	}
	{
		const char *scheme = gw_server_is_tls(srv) ? "https" : "http";
		bool v6 = strchr(host, ':') != NULL;
		gw_log(GW_LOG_INFO, "listening", "%s://%s%s%s:%u data_dir=%s region=%s", scheme,
		       v6 ? "[" : "", host, v6 ? "]" : "", (unsigned)gw_server_port(srv),
		       cfg.data_dir, cfg.region);
		printf("listening on %s://%s%s%s:%u\n", scheme, v6 ? "[" : "", host, v6 ? "]" : "",
		       (unsigned)gw_server_port(srv));
		fflush(stdout);
	}
	while (sigwait(&sigs, &sig) != 0)
		;
	gw_log(GW_LOG_INFO, "shutdown", "signal %d: finishing requests in flight", sig);
	gw_server_stop(srv, SHUTDOWN_GRACE_MS);
	srv = NULL;
	rc = 0;
	gw_log(GW_LOG_INFO, "stopped", "clean stop");
out:
	gw_server_stop(srv, 0);
	s3_janitor_stop(jan); /* after the server: no request can be using the store */
	s3_clock_log_stop(clog);
	gw_cred_wipe(&root);
	if (kr_open)
		gw_keyring_release(&kr);
	ol_store_close(st);
	free(cert);
	if (key) {
		memset(key, 0, strlen(key));
		free(key);
	}
	return rc;
}

int
cli_config(int argc, char **argv)
{
	struct gw_config c;
	struct gw_err err;

	if (argc >= 1 && strcmp(argv[0], "default") == 0) {
		fputs(gw_config_default_json(), stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "check") == 0) {
		gw_config_defaults(&c);
		if (gw_config_load_file(&c, argv[1], &err) || gw_config_validate(&c, &err)) {
			fprintf(stderr, "holdfast config: %s: %s\n", argv[1], err.msg);
			return 1;
		}
		printf("%s: ok\n", argv[1]);
		return 0;
	}
	fprintf(stderr, "usage: holdfast config default | holdfast config check FILE\n");
	return 2;
}
