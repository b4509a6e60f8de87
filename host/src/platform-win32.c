/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <windows.h>
#include <direct.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "platform.h"

int
uk_platform_stdio_init(void)
{
	/* Native messaging is binary: no CRLF translation on either pipe. */
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	return 0;
}

int
uk_platform_random(void *buf, size_t len)
{
	/* RtlGenRandom, exported by advapi32 as SystemFunction036. */
	BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);

	if (len > 0xffffffffUL ||
	    !SystemFunction036(buf, (ULONG)len))
		return UK_ERR_RANDOM;
	return 0;
}

const char *
uk_platform_os(void)
{
	return "windows";
}

int
uk_platform_user_dir(const char *kind, char *buf, size_t size)
{
	const char *base = getenv("LOCALAPPDATA");
	int n;

	if (base == NULL)
		return UK_ERR_SYSTEM;
	n = snprintf(buf, size, "%s\\UKeyLink\\%s", base, kind);
	if (n < 0 || (size_t)n >= size)
		return UK_ERR_SYSTEM;
	return 0;
}

int
uk_platform_mkdirs(const char *path)
{
	char tmp[MAX_PATH];
	size_t i, len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return UK_ERR_SYSTEM;
	memcpy(tmp, path, len + 1);
	for (i = 3; i <= len; i++) {
		if (tmp[i] != '\\' && tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		_mkdir(tmp);
		if (i < len)
			tmp[i] = '\\';
	}
	return 0;
}

int
uk_platform_self_path(char *buf, size_t size)
{
	DWORD n = GetModuleFileNameA(NULL, buf, (DWORD)size);

	if (n == 0 || n >= size)
		return UK_ERR_SYSTEM;
	return 0;
}

const char *
uk_platform_system_config(void)
{
	return "C:\\ProgramData\\UKeyLink\\config.json";
}
