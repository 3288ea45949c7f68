/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structured logs: one JSON object per line on stderr, so a SIEM or `jq` can read them.
 * {"ts":"2026-12-03T17:35:39.123Z","level":"info","event":"listening","msg":"..."}
 * Thread-safe (one write(2) per line). Never pass a secret to these functions.
 */
#ifndef HOLDFAST_GW_LOG_H
#define HOLDFAST_GW_LOG_H

enum gw_log_level { GW_LOG_DEBUG, GW_LOG_INFO, GW_LOG_WARN, GW_LOG_ERROR };

void gw_log_set_level(enum gw_log_level lvl);
/* Parse "debug" / "info" / "warn" / "error"; returns -1 if unknown. */
int gw_log_level_parse(const char *s);
void gw_log(enum gw_log_level lvl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
