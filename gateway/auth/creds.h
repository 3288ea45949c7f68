/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credentials: the root user and (later) the users added by `holdfast user add`.
 * Secrets are kept in the store's users column family sealed with AES-256-GCM under a
 * master key in DATA_DIR/keys/master.key (0600), with the record key as associated data so
 * a sealed secret cannot be moved to another user. Secrets are never logged.
 */
#ifndef HOLDFAST_GW_CREDS_H
#define HOLDFAST_GW_CREDS_H

#include <stdbool.h>

#include "../../objectlock/objectlock.h"
#include "../base/err.h"

#define GW_ACCESS_KEY_MAX 128
#define GW_SECRET_MAX 128

struct gw_cred {
	char user[64];
	char access_key[GW_ACCESS_KEY_MAX + 1];
	char secret[GW_SECRET_MAX + 1];
};

struct gw_keyring {
	unsigned char master[32];
	struct ol_store *st; /* borrowed */
};

/* Load DATA_DIR/keys/master.key, creating it (durably) on first use. */
int gw_keyring_open(struct gw_keyring *kr, struct ol_store *st, const char *data_dir,
                    struct gw_err *err);
void gw_keyring_release(struct gw_keyring *kr); /* wipes the master key */

/* The root credentials: from HOLDFAST_ROOT_ACCESS_KEY / HOLDFAST_ROOT_SECRET_KEY when both
 * are set; otherwise the stored ones; otherwise new ones are generated and stored, and
 * *generated is set so the caller prints them once. GW_EINVAL when only one variable is set
 * or a value breaks the key rules. */
int gw_creds_root(struct gw_keyring *kr, struct gw_cred *out, bool *generated,
                  struct gw_err *err);

/* Store @c sealed (GW_EEXIST if the access key is taken) / look a key up (GW_ENOTFOUND). */
int gw_creds_store(struct gw_keyring *kr, const struct gw_cred *c, struct gw_err *err);
int gw_creds_lookup(struct gw_keyring *kr, const char *access_key, struct gw_cred *out,
                    struct gw_err *err);

/* Users of `holdfast user add`: names are 1..63 of [A-Za-z0-9._-], "root" is reserved.
 * add: GW_EINVAL (bad name), GW_EEXIST (name taken); fills @out with the new key and secret.
 * remove: GW_ENOTFOUND when there is no such user; the key stops working at once. */
int gw_users_add(struct gw_keyring *kr, const char *name, struct gw_cred *out,
                 struct gw_err *err);
int gw_users_remove(struct gw_keyring *kr, const char *name, struct gw_err *err);
/* Call @cb(name, access_key) for every user in name order; a non-zero return stops. */
int gw_users_list(struct gw_keyring *kr,
                  int (*cb)(void *ctx, const char *name, const char *access_key), void *ctx,
                  struct gw_err *err);

/* Fill @out with a fresh access key (20 upper-case alphanumerics) and secret (40 chars). */
int gw_creds_generate(struct gw_cred *out, const char *user, struct gw_err *err);
void gw_cred_wipe(struct gw_cred *c);

#endif
