/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `holdfast <noun> <verb>`: each command is a function taking the arguments after its name
 * and returning the process exit status (0 ok, 1 failure or damage found, 2 usage error).
 * Failures print one clear line on stderr.
 */
#ifndef HOLDFAST_CLI_H
#define HOLDFAST_CLI_H

#include <stdio.h>

int cli_serve(int argc, char **argv);
int cli_fsck(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_clock(int argc, char **argv);
void cli_usage(FILE *f);

#endif
