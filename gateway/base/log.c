/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-lines logger; jansson does the escaping so a hostile key in a message cannot break
 * the line structure a log shipper relies on. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum gw_log_level log_min = GW_LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
gw_log_set_level(enum gw_log_level lvl)
{
	log_min = lvl;
}

int
gw_log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void
gw_log(enum gw_log_level lvl, const char *event, const char *fmt, ...)
{
	char msg[1024], ts[96];
	struct timespec now;
	struct tm tm;
	json_t *o;
	char *line;
	va_list ap;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (int)(now.tv_nsec / 1000000));
	o = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level_names[lvl], "event",
	              event, "msg", msg);
	if (!o)
		return;
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!line)
		return;
	size_t n = strlen(line);
	line[n] = '\n'; /* replaces the NUL: one write(2) keeps lines whole across threads */
	if (write(STDERR_FILENO, line, n + 1) < 0) {
		/* nowhere left to report a failing stderr */
	}
	free(line);
}
