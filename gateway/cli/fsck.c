/* SPDX-License-Identifier: Apache-2.0 */
/* `holdfast fsck --data-dir DIR [--repair] [--json]`: offline consistency check of a store.
 * Exit status: 0 clean, 1 damage found (or the check could not run), 2 usage error,
 * 3 no damage but orphan blobs left (run again with --repair). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../objectlock/objectlock.h"
#include "cli.h"

static void
print_problem(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "fsck: %s\n", line);
}

int
cli_fsck(int argc, char **argv)
{
	const char *data_dir = NULL;
	bool repair = false, json = false;
	struct ol_fsck_opts o;
	struct ol_fsck_report rep;
	struct ol_err err;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
			data_dir = argv[++i];
		else if (strcmp(argv[i], "--repair") == 0)
			repair = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else {
			fprintf(stderr, "holdfast fsck: unknown option '%s'\n"
			        "usage: holdfast fsck --data-dir DIR [--repair] [--json]\n", argv[i]);
			return 2;
		}
	}
	if (!data_dir) {
		fprintf(stderr, "usage: holdfast fsck --data-dir DIR [--repair] [--json]\n");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.data_dir = data_dir;
	o.repair = repair;
	o.line_cb = json ? NULL : print_problem; /* JSON mode: stdout holds one document only */
	rc = ol_fsck_run(&o, &rep, &err);
	if (rc != OL_OK && rc != OL_ECORRUPT) {
		fprintf(stderr, "holdfast fsck: %s: %s\n", data_dir,
		        rc == OL_ENOTFOUND ? "no store here" : err.msg);
		return 1;
	}
	if (json)
		ol_fsck_report_print_json(stdout, &rep);
	else
		ol_fsck_report_print(stdout, &rep);
	if (rc == OL_ECORRUPT)
		return 1;
	return ol_fsck_report_clean(&rep) ? 0 : 3;
}
