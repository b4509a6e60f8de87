/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "platform.h"

#define UK_LOG_FILE_MAX	(1024 * 1024)	/* bytes before rotating to .1 */

enum uk_log_dest { DEST_STDERR, DEST_SYSLOG, DEST_FILE };

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static enum uk_log_level log_level = UK_LOG_WARN;
static enum uk_log_dest log_dest = DEST_STDERR;
static FILE *log_fp;
static char log_file[PATH_MAX];

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int
uk_log_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(level_names); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void
uk_log_set_level(enum uk_log_level level)
{
	log_level = level;
}

enum uk_log_level
uk_log_get_level(void)
{
	return log_level;
}

const char *
uk_log_path(void)
{
	return log_dest == DEST_FILE ? log_file : NULL;
}

static void
close_locked(void)
{
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	if (log_dest == DEST_SYSLOG)
		closelog();
	log_dest = DEST_STDERR;
}

void
uk_log_close(void)
{
	pthread_mutex_lock(&log_mu);
	close_locked();
	pthread_mutex_unlock(&log_mu);
}

static int
open_file_locked(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(log_file))
		return UK_ERR_SYSTEM;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		(void)uk_platform_mkdirs(dir);
	}
	if ((log_fp = fopen(path, "a")) == NULL)
		return UK_ERR_SYSTEM;
	(void)chmod(path, 0600);
	snprintf(log_file, sizeof(log_file), "%s", path);
	log_dest = DEST_FILE;
	return 0;
}

int
uk_log_init(enum uk_log_level level, const char *destination)
{
	char path[PATH_MAX];
	int r = 0;

	pthread_mutex_lock(&log_mu);
	close_locked();
	log_level = level;
	if (destination == NULL || strcmp(destination, "stderr") == 0)
		log_dest = DEST_STDERR;
	else if (strcmp(destination, "syslog") == 0) {
		openlog("ukeylink-host", LOG_PID, LOG_USER);
		log_dest = DEST_SYSLOG;
	} else if (strcmp(destination, "file") == 0) {
		if ((r = uk_platform_user_dir("state", path, sizeof(path))) ==
		    0 && strlen(path) + sizeof("/host.log") < sizeof(path)) {
			strcat(path, "/host.log");
			r = open_file_locked(path);
		} else
			r = UK_ERR_SYSTEM;
	} else if (destination[0] == '/')
		r = open_file_locked(destination);
	else
		r = UK_ERR_CONFIG;
	pthread_mutex_unlock(&log_mu);
	return r;
}

/* Keeps one old generation: host.log.1. */
static void
rotate_locked(void)
{
	char old[PATH_MAX + 2];
	long pos;

	if (log_fp == NULL || (pos = ftell(log_fp)) < UK_LOG_FILE_MAX)
		return;
	fclose(log_fp);
	snprintf(old, sizeof(old), "%s.1", log_file);
	(void)rename(log_file, old);
	if ((log_fp = fopen(log_file, "a")) == NULL)
		log_dest = DEST_STDERR;
	else
		(void)chmod(log_file, 0600);
}

void
uk_log_msg(enum uk_log_level level, const char *func, int code,
    const char *fmt, ...)
{
	static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG };
	char msg[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	FILE *fp;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (code != 0) {
		size_t used = strlen(msg);
		snprintf(msg + used, sizeof(msg) - used, ": %s (%d, %s)",
		    uk_err_name(code), code, uk_err_en(code));
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&log_mu);
	if (log_dest == DEST_SYSLOG)
		syslog(syslog_prio[level], "%s: %s: %s", level_names[level],
		    func, msg);
	else {
		fp = (log_dest == DEST_FILE && log_fp != NULL) ? log_fp : stderr;
		fprintf(fp, "%s.%03ldZ ukeylink-host[%ld] %s %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, (long)getpid(), level_names[level],
		    func, msg);
		fflush(fp);
		if (fp == log_fp)
			rotate_locked();
	}
	pthread_mutex_unlock(&log_mu);
}
