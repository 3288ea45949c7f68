/* SPDX-License-Identifier: Apache-2.0 */
/* `holdfast clock status --data-dir DIR [--json]`: the compliance clock (its time, the wall
 * clock's, every disagreement) and whether locked blobs get the immutable inode flag. The
 * store is opened read-only, so this runs beside a serving gateway. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../objectlock/objectlock.h"
#include "cli.h"

int
cli_clock(int argc, char **argv)
{
	const char *data_dir = NULL;
	bool json = false;
	struct ol_store_opts o;
	struct ol_store *st = NULL;
	struct ol_store_status s;
	struct ol_err err;
	int rc;

	if (argc < 1 || strcmp(argv[0], "status") != 0)
		goto usage;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
			data_dir = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			goto usage;
	}
	if (!data_dir)
		goto usage;
	memset(&o, 0, sizeof(o));
	o.data_dir = data_dir;
	o.read_only = true;
	rc = ol_store_open(&o, &st, &err);
	if (rc != OL_OK) {
		fprintf(stderr, "holdfast clock: %s: %s\n", data_dir,
		        rc == OL_ENOTFOUND ? "no store here" : err.msg);
		return 1;
	}
	ol_store_status(st, &s);
	if (json)
		ol_store_status_print_json(stdout, &s);
	else
		ol_store_status_print(stdout, &s);
	ol_store_close(st);
	return 0;
usage:
	fprintf(stderr, "usage: holdfast clock status --data-dir DIR [--json]\n");
	return 2;
}
