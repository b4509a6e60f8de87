/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "platform.h"

#ifndef UK_SYSCONFDIR
#define UK_SYSCONFDIR "/etc/ukeylink"
#endif

int
uk_platform_stdio_init(void)
{
	/* A browser that closes the pipe must give EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int
uk_platform_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t take;

	/* getentropy() gives at most 256 bytes a call. */
	for (; len > 0; p += take, len -= take) {
		take = len > 256 ? 256 : len;
		if (getentropy(p, take) != 0)
			return UK_ERR_RANDOM;
	}
	return 0;
}

const char *
uk_platform_os(void)
{
#ifdef __APPLE__
	return "darwin";
#else
	return "linux";
#endif
}

int
uk_platform_user_dir(const char *kind, char *buf, size_t size)
{
	const char *xdg_var, *fallback, *base, *home;
	int n;

	if (strcmp(kind, "state") == 0) {
		xdg_var = "XDG_STATE_HOME";
		fallback = ".local/state";
	} else if (strcmp(kind, "config") == 0) {
		xdg_var = "XDG_CONFIG_HOME";
		fallback = ".config";
	} else if (strcmp(kind, "cache") == 0) {
		xdg_var = "XDG_CACHE_HOME";
		fallback = ".cache";
	} else
		return UK_ERR_INTERNAL;
	base = getenv(xdg_var);
	if (base != NULL && base[0] == '/')
		n = snprintf(buf, size, "%s/ukeylink", base);
	else {
		if ((home = getenv("HOME")) == NULL || home[0] != '/')
			return UK_ERR_SYSTEM;
		n = snprintf(buf, size, "%s/%s/ukeylink", home, fallback);
	}
	if (n < 0 || (size_t)n >= size)
		return UK_ERR_SYSTEM;
	return 0;
}

int
uk_platform_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return UK_ERR_SYSTEM;
	memcpy(tmp, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return UK_ERR_SYSTEM;
		if (i < len)
			tmp[i] = '/';
	}
	return 0;
}

int
uk_platform_self_path(char *buf, size_t size)
{
	ssize_t n;

	if ((n = readlink("/proc/self/exe", buf, size - 1)) < 0 ||
	    (size_t)n >= size - 1)
		return UK_ERR_SYSTEM;
	buf[n] = '\0';
	return 0;
}

const char *
uk_platform_system_config(void)
{
	return UK_SYSCONFDIR "/config.json";
}
