/* SPDX-License-Identifier: Apache-2.0 */
/* Test tool: build a small store through the objectlock library so CLI tests (fsck) have
 * something real to check, and plant damage on request.
 *   mkstore DIR            bucket "b" with an inline and two blob-backed objects
 *   mkstore DIR corrupt    also overwrite the record of "b/blob-1" with garbage
 * Prints one line per object: "<key> <version id>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_test.h"
#include "objectlock.h"

static int
put(struct ol_store *st, const char *key, size_t size, char *vid_out)
{
	struct ol_put *p = NULL;
	struct ol_version v;
	struct ol_err e;
	char chunk[4096];

	memset(chunk, 'x', sizeof(chunk));
	if (ol_put_begin(st, "b", key, strlen(key), &p, &e) != OL_OK)
		goto fail;
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
		if (ol_put_write(p, chunk, n, &e) != OL_OK) {
			ol_put_abort(p);
			goto fail;
		}
		done += n;
	}
	ol_version_init(&v);
	if (ol_put_commit(p, &v, &e) != OL_OK)
		goto fail;
	printf("%s %s\n", key, v.version_id);
	strcpy(vid_out, v.version_id);
	ol_version_release(&v);
	return 0;
fail:
	fprintf(stderr, "mkstore: put %s: %s\n", key, e.msg);
	return 1;
}

int
main(int argc, char **argv)
{
	struct ol_store_opts o;
	struct ol_store *st = NULL;
	struct ol_bucket b;
	struct ol_err e;
	char vid[64];
	int rc = 1;

	if (argc < 2)
		return 2;
	memset(&o, 0, sizeof(o));
	o.data_dir = argv[1];
	o.inline_max_bytes = 1024;
	if (ol_store_open(&o, &st, &e) != OL_OK) {
		fprintf(stderr, "mkstore: open: %s\n", e.msg);
		return 1;
	}
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "b");
	snprintf(b.region, sizeof(b.region), "us-east-1");
	b.versioning = OL_VERSIONING_ENABLED;
	if (ol_bucket_create(st, &b, &e) != OL_OK) {
		fprintf(stderr, "mkstore: bucket: %s\n", e.msg);
		goto out;
	}
	if (put(st, "small", 100, vid) || put(st, "blob-1", 100000, vid))
		goto out;
	if (argc > 2 && strcmp(argv[2], "corrupt") == 0 &&
	    ol_test_version_raw_put(st, "b", "blob-1", 6, vid, "garbage!", 8, &e) != OL_OK) {
		fprintf(stderr, "mkstore: corrupt: %s\n", e.msg);
		goto out;
	}
	if (put(st, "blob-2", 200000, vid))
		goto out;
	rc = 0;
out:
	ol_store_close(st);
	return rc;
}
