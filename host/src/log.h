/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Logging for IT: levels, one line per event with time, pid, level and the
 * function name, to a file under the user's state directory (default),
 * syslog or stderr.  Never to stdout: that is the protocol channel.
 *
 * Never pass a PIN, SO credential or request parameters to these calls; the
 * RPC layer logs method names, ids and error codes only.
 */
#ifndef UK_LOG_H
#define UK_LOG_H

#include "uk_setup.h"

enum uk_log_level {
	UK_LOG_ERROR = 0,
	UK_LOG_WARN = 1,
	UK_LOG_INFO = 2,
	UK_LOG_DEBUG = 3,
};

/*
 * Sets the destination: "stderr", "syslog", "file" (default file under the
 * state dir) or an absolute path of a file.  Returns 0, or UK_ERR_SYSTEM when
 * the file cannot be opened (logging then falls back to stderr).
 * Safe to call again to change it.
 */
int uk_log_init(enum uk_log_level level, const char *destination);
void uk_log_set_level(enum uk_log_level level);
enum uk_log_level uk_log_get_level(void);
/* Parses "error"/"warn"/"info"/"debug"; returns -1 when unknown. */
int uk_log_level_parse(const char *s);
/* Path of the log file in use, or NULL when not logging to a file. */
const char *uk_log_path(void);
void uk_log_close(void);

void uk_log_msg(enum uk_log_level level, const char *func, int code,
    const char *fmt, ...) UK_PRINTF(4, 5);

#define uk_error(...)	uk_log_msg(UK_LOG_ERROR, __func__, 0, __VA_ARGS__)
#define uk_warn(...)	uk_log_msg(UK_LOG_WARN, __func__, 0, __VA_ARGS__)
#define uk_info(...)	uk_log_msg(UK_LOG_INFO, __func__, 0, __VA_ARGS__)
#define uk_debug(...)	uk_log_msg(UK_LOG_DEBUG, __func__, 0, __VA_ARGS__)
/* The same, appending the error code's name and text. */
#define uk_error_r(r, ...) uk_log_msg(UK_LOG_ERROR, __func__, (r), __VA_ARGS__)
#define uk_warn_r(r, ...)  uk_log_msg(UK_LOG_WARN, __func__, (r), __VA_ARGS__)
#define uk_debug_r(r, ...) uk_log_msg(UK_LOG_DEBUG, __func__, (r), __VA_ARGS__)

#endif /* UK_LOG_H */
