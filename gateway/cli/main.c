/* SPDX-License-Identifier: Apache-2.0 */
/* The holdfast executable: dispatch on the first word. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef HOLDFAST_VERSION
#define HOLDFAST_VERSION "unknown"
#endif

void
cli_usage(FILE *f)
{
	fputs("usage: holdfast <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  serve [--config FILE] [--data-dir DIR] [--listen ADDR:PORT]\n"
	      "                      run the S3 gateway (default 127.0.0.1:9000, ./holdfast-data)\n"
	      "  fsck --data-dir DIR [--repair] [--json]\n"
	      "                      check an offline store: orphan and missing blobs, bad records;\n"
	      "                      --repair removes orphan blobs only\n"
	      "  user add NAME | user list | user remove NAME [--endpoint URL] [--json]\n"
	      "                      manage S3 users on the running server (needs the root\n"
	      "                      credentials in the environment); add prints the new keys\n"
	      "  clock status --data-dir DIR [--json]\n"
	      "                      the compliance clock and the immutable-flag support\n"
	      "  config default      print the embedded default configuration (JSON)\n"
	      "  config check FILE   validate a configuration file\n"
	      "  help                this text\n"
	      "  --version           print the version\n"
	      "\n"
	      "environment:\n"
	      "  HOLDFAST_ROOT_ACCESS_KEY, HOLDFAST_ROOT_SECRET_KEY  root credentials (both or none;\n"
	      "                      without them they are generated on first run and printed once)\n",
	      f);
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("holdfast %s\n", HOLDFAST_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "serve") == 0)
		return cli_serve(argc - 2, argv + 2);
	if (strcmp(cmd, "fsck") == 0)
		return cli_fsck(argc - 2, argv + 2);
	if (strcmp(cmd, "clock") == 0)
		return cli_clock(argc - 2, argv + 2);
	if (strcmp(cmd, "user") == 0)
		return cli_user(argc - 2, argv + 2);
	if (strcmp(cmd, "config") == 0)
		return cli_config(argc - 2, argv + 2);
	fprintf(stderr, "holdfast: unknown command '%s' (try 'holdfast help')\n", cmd);
	return 2;
}
