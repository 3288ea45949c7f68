/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The S3 application behind the HTTP server: owns nothing but borrows the configuration,
 * store and credentials the serve command set up, and answers each request.
 */
#ifndef HOLDFAST_S3_HANDLER_H
#define HOLDFAST_S3_HANDLER_H

#include "../../objectlock/objectlock.h"
#include "../auth/creds.h"
#include "../config/config.h"
#include "../http/server.h"

struct s3_app {
	const struct gw_config *cfg;
	struct ol_store *st;
	struct gw_keyring *kr;
	const struct gw_cred *root;
};

/* The handler table to pass to gw_server_start, bound to @app. */
struct gw_handler s3_handler(struct s3_app *app);

#endif
