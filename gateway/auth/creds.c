/* SPDX-License-Identifier: Apache-2.0 */
/* Root and user credentials, sealed at rest under the master key. */
#include "creds.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../crypto/crypto.h"

#define ROOT_META_KEY "root-access-key"
#define NAME_PREFIX "name:" /* users CF: name:NAME -> access key */

static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int
gw_keyring_open(struct gw_keyring *kr, struct ol_store *st, const char *data_dir,
                struct gw_err *err)
{
	char dir[4096], path[4200], tmp[4220];
	unsigned char key[32];
	int fd = -1, rc;
	struct stat sb;

	memset(kr, 0, sizeof(*kr));
	snprintf(dir, sizeof(dir), "%s/keys", data_dir);
	snprintf(path, sizeof(path), "%s/master.key", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return gw_err_sys(err, GW_EIO, errno, "cannot create '%s'", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (fstat(fd, &sb) < 0 || sb.st_size != 32 || read_full(fd, key, 32) < 0) {
			close(fd);
			return gw_err_set(err, GW_EIO, "master key '%s' is unreadable or not 32 bytes",
			                  path);
		}
		close(fd);
		goto done;
	}
	if (errno != ENOENT)
		return gw_err_sys(err, GW_EIO, errno, "cannot open '%s'", path);
	/* first run: write to a temp name and rename, so a crash never leaves a short key */
	if (cr_random_bytes(key, sizeof(key)) != CR_OK)
		return gw_err_set(err, GW_ERR, "no randomness for the master key");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = gw_err_sys(err, GW_EIO, errno, "cannot create '%s'", tmp);
		goto fail;
	}
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) < 0) {
		rc = gw_err_sys(err, GW_EIO, errno, "cannot write '%s'", tmp);
		close(fd);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) < 0 || fsync_dir(dir) < 0) {
		rc = gw_err_sys(err, GW_EIO, errno, "cannot install '%s'", path);
		goto fail;
	}
done:
	memcpy(kr->master, key, sizeof(key));
	cr_wipe(key, sizeof(key));
	kr->st = st;
	return GW_OK;
fail:
	cr_wipe(key, sizeof(key));
	return rc;
}

void
gw_keyring_release(struct gw_keyring *kr)
{
	if (kr)
		cr_wipe(kr->master, sizeof(kr->master));
}

void
gw_cred_wipe(struct gw_cred *c)
{
	cr_wipe(c, sizeof(*c));
}

static bool
valid_access_key(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > GW_ACCESS_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/' || s[i] == ',' || s[i] == '=')
			return false;
	return true;
}

static bool
valid_secret(const char *s)
{
	size_t n = strlen(s);

	if (n < 8 || n > GW_SECRET_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

static void
random_text(char *out, size_t n, const char *alphabet)
{
	unsigned char r[64];
	size_t m = strlen(alphabet);

	cr_random_bytes(r, n);
	/* alphabets here are 36 or 64 long; the modulo bias of 36 (7 of 256) is harmless for
	 * ids and the 64-letter secret alphabet has none */
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[r[i] % m];
	out[n] = '\0';
	cr_wipe(r, sizeof(r));
}

int
gw_creds_generate(struct gw_cred *out, const char *user, struct gw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (strlen(user) >= sizeof(out->user))
		return gw_err_set(err, GW_EINVAL, "user name '%s' is too long", user);
	snprintf(out->user, sizeof(out->user), "%s", user);
	memcpy(out->access_key, "HF", 2);
	random_text(out->access_key + 2, 18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	random_text(out->secret, 40,
	            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	return GW_OK;
}

static void
record_key(const char *access_key, char *out, size_t cap)
{
	snprintf(out, cap, "ak:%s", access_key);
}

int
gw_creds_store(struct gw_keyring *kr, const struct gw_cred *c, struct gw_err *err)
{
	char k[GW_ACCESS_KEY_MAX + 8], plain[256];
	unsigned char sealed[256 + CR_AEAD_OVERHEAD];
	struct gw_cred existing;
	struct ol_err oe;
	int n, rc;

	if (!valid_access_key(c->access_key) || !valid_secret(c->secret))
		return gw_err_set(err, GW_EINVAL, "bad access key or secret");
	rc = gw_creds_lookup(kr, c->access_key, &existing, err);
	gw_cred_wipe(&existing);
	if (rc == GW_OK)
		return gw_err_set(err, GW_EEXIST, "access key '%s' exists", c->access_key);
	if (rc != GW_ENOTFOUND)
		return rc;
	record_key(c->access_key, k, sizeof(k));
	/* user NUL secret: both are printable ASCII without NUL */
	n = snprintf(plain, sizeof(plain), "%s%c%s", c->user, 0, c->secret);
	rc = cr_aead_seal(kr->master, k, strlen(k), plain, (size_t)n, sealed, sizeof(sealed));
	cr_wipe(plain, sizeof(plain));
	if (rc < 0)
		return gw_err_set(err, GW_ERR, "cannot seal credentials");
	if (ol_kv_put(kr->st, OL_CF_USERS, k, strlen(k), sealed, (size_t)rc, &oe) != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot store credentials: %s", oe.msg);
	return GW_OK;
}

int
gw_creds_lookup(struct gw_keyring *kr, const char *access_key, struct gw_cred *out,
                struct gw_err *err)
{
	char k[GW_ACCESS_KEY_MAX + 8], plain[256];
	char *val = NULL;
	size_t vlen = 0;
	struct ol_err oe;
	int rc, n;

	memset(out, 0, sizeof(*out));
	if (strlen(access_key) > GW_ACCESS_KEY_MAX)
		return GW_ENOTFOUND;
	record_key(access_key, k, sizeof(k));
	rc = ol_kv_get(kr->st, OL_CF_USERS, k, strlen(k), &val, &vlen, &oe);
	if (rc == OL_ENOTFOUND)
		return GW_ENOTFOUND;
	if (rc != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot read credentials: %s", oe.msg);
	n = cr_aead_open(kr->master, k, strlen(k), val, vlen, (uint8_t *)plain,
	                 sizeof(plain) - 1);
	free(val);
	if (n < 0)
		return gw_err_set(err, GW_ERR,
		                  "credentials of '%s' do not decrypt (wrong master key?)", access_key);
	plain[n] = '\0';
	size_t ulen = strlen(plain);
	if (ulen >= sizeof(out->user) || (size_t)n - ulen - 1 > GW_SECRET_MAX) {
		cr_wipe(plain, sizeof(plain));
		return gw_err_set(err, GW_ERR, "credentials of '%s' are malformed", access_key);
	}
	memcpy(out->user, plain, ulen + 1);
	snprintf(out->access_key, sizeof(out->access_key), "%s", access_key);
	memcpy(out->secret, plain + ulen + 1, (size_t)n - ulen - 1);
	out->secret[(size_t)n - ulen - 1] = '\0';
	cr_wipe(plain, sizeof(plain));
	return GW_OK;
}

int
gw_creds_root(struct gw_keyring *kr, struct gw_cred *out, bool *generated, struct gw_err *err)
{
	const char *ak = getenv("HOLDFAST_ROOT_ACCESS_KEY");
	const char *sk = getenv("HOLDFAST_ROOT_SECRET_KEY");
	char *val = NULL;
	size_t vlen = 0;
	struct ol_err oe;
	char stored[GW_ACCESS_KEY_MAX + 1];
	int rc;

	*generated = false;
	if ((ak && *ak) != (sk && *sk))
		return gw_err_set(err, GW_EINVAL, "set both HOLDFAST_ROOT_ACCESS_KEY and "
		                  "HOLDFAST_ROOT_SECRET_KEY, or neither");
	if (ak && *ak) {
		if (!valid_access_key(ak))
			return gw_err_set(err, GW_EINVAL, "HOLDFAST_ROOT_ACCESS_KEY: 3 to %d printable "
			                  "characters without space, '/', ',' or '='", GW_ACCESS_KEY_MAX);
		if (!valid_secret(sk))
			return gw_err_set(err, GW_EINVAL, "HOLDFAST_ROOT_SECRET_KEY: 8 to %d printable "
			                  "characters without space", GW_SECRET_MAX);
		memset(out, 0, sizeof(*out));
		snprintf(out->user, sizeof(out->user), "root");
		snprintf(out->access_key, sizeof(out->access_key), "%s", ak);
		snprintf(out->secret, sizeof(out->secret), "%s", sk);
		return GW_OK;
	}
	rc = ol_kv_get(kr->st, OL_CF_META, ROOT_META_KEY, strlen(ROOT_META_KEY), &val, &vlen, &oe);
	if (rc == OL_OK) {
		if (vlen == 0 || vlen > GW_ACCESS_KEY_MAX) {
			free(val);
			return gw_err_set(err, GW_ERR, "stored root access key is malformed");
		}
		memcpy(stored, val, vlen);
		stored[vlen] = '\0';
		free(val);
		rc = gw_creds_lookup(kr, stored, out, err);
		if (rc == GW_ENOTFOUND)
			return gw_err_set(err, GW_ERR, "root credentials record is missing");
		return rc;
	}
	if (rc != OL_ENOTFOUND)
		return gw_err_set(err, GW_EIO, "cannot read root key: %s", oe.msg);
	rc = gw_creds_generate(out, "root", err);
	if (rc)
		return rc;
	/* the sealed record first, then the pointer to it: a crash in between leaves an unused
	 * record, never a pointer to nothing */
	rc = gw_creds_store(kr, out, err);
	if (rc)
		return rc;
	if (ol_kv_put(kr->st, OL_CF_META, ROOT_META_KEY, strlen(ROOT_META_KEY), out->access_key,
	              strlen(out->access_key), &oe) != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot store root key: %s", oe.msg);
	*generated = true;
	return GW_OK;
}

static bool
valid_user_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 63 || strcmp(s, "root") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

int
gw_users_add(struct gw_keyring *kr, const char *name, struct gw_cred *out, struct gw_err *err)
{
	char k[80];
	char *val = NULL;
	size_t vlen;
	struct ol_err oe;
	int rc;

	if (!valid_user_name(name))
		return gw_err_set(err, GW_EINVAL, "bad user name '%s': 1 to 63 of A-Z a-z 0-9 . _ - "
		                  "(and not root)", name);
	snprintf(k, sizeof(k), NAME_PREFIX "%s", name);
	rc = ol_kv_get(kr->st, OL_CF_USERS, k, strlen(k), &val, &vlen, &oe);
	free(val);
	if (rc == OL_OK)
		return gw_err_set(err, GW_EEXIST, "user '%s' exists", name);
	if (rc != OL_ENOTFOUND)
		return gw_err_set(err, GW_EIO, "cannot read users: %s", oe.msg);
	if ((rc = gw_creds_generate(out, name, err)) || (rc = gw_creds_store(kr, out, err)))
		return rc;
	/* the key record first, then the name: a crash in between leaves an unnamed key that
	 * nobody was told about, never a name without a key */
	if (ol_kv_put(kr->st, OL_CF_USERS, k, strlen(k), out->access_key, strlen(out->access_key),
	              &oe) != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot store user: %s", oe.msg);
	return GW_OK;
}

int
gw_users_remove(struct gw_keyring *kr, const char *name, struct gw_err *err)
{
	char k[80], ak[GW_ACCESS_KEY_MAX + 8];
	char *val = NULL;
	size_t vlen = 0;
	struct ol_err oe;
	int rc;

	if (!valid_user_name(name))
		return gw_err_set(err, GW_EINVAL, "bad user name '%s'", name);
	snprintf(k, sizeof(k), NAME_PREFIX "%s", name);
	rc = ol_kv_get(kr->st, OL_CF_USERS, k, strlen(k), &val, &vlen, &oe);
	if (rc == OL_ENOTFOUND)
		return gw_err_set(err, GW_ENOTFOUND, "no user '%s'", name);
	if (rc != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot read users: %s", oe.msg);
	if (vlen > GW_ACCESS_KEY_MAX) {
		free(val);
		return gw_err_set(err, GW_ERR, "user record of '%s' is malformed", name);
	}
	snprintf(ak, sizeof(ak), "ak:%.*s", (int)vlen, val);
	free(val);
	/* the key goes first, so it stops working even if the name removal fails */
	if (ol_kv_delete(kr->st, OL_CF_USERS, ak, strlen(ak), &oe) != OL_OK ||
	    ol_kv_delete(kr->st, OL_CF_USERS, k, strlen(k), &oe) != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot remove user: %s", oe.msg);
	return GW_OK;
}

struct list_walk {
	int (*cb)(void *ctx, const char *name, const char *access_key);
	void *ctx;
};

static int
list_one(void *ctx, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct list_walk *w = ctx;
	char name[80], ak[GW_ACCESS_KEY_MAX + 1];
	size_t pl = strlen(NAME_PREFIX);

	if (klen - pl >= sizeof(name) || vlen >= sizeof(ak))
		return 0; /* not one of ours: skip */
	memcpy(name, (const char *)k + pl, klen - pl);
	name[klen - pl] = '\0';
	memcpy(ak, v, vlen);
	ak[vlen] = '\0';
	return w->cb(w->ctx, name, ak) ? 1 : 0;
}

int
gw_users_list(struct gw_keyring *kr, int (*cb)(void *ctx, const char *name, const char *ak),
              void *ctx, struct gw_err *err)
{
	struct list_walk w = { cb, ctx };
	struct ol_err oe;

	if (ol_kv_iterate(kr->st, OL_CF_USERS, NAME_PREFIX, strlen(NAME_PREFIX), list_one, &w,
	                  &oe) != OL_OK)
		return gw_err_set(err, GW_EIO, "cannot list users: %s", oe.msg);
	return GW_OK;
}
