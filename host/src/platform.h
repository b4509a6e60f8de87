/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * What differs between operating systems, behind one small interface.
 * platform-posix.c implements it for Linux and macOS; platform-win32.c for
 * Windows.  The build picks one.
 */
#ifndef UK_PLATFORM_H
#define UK_PLATFORM_H

#include <stddef.h>

/* Puts stdin/stdout in binary mode and ignores SIGPIPE.  Returns 0. */
int uk_platform_stdio_init(void);
/* "linux", "windows" or "darwin": the key of per-OS tables in config. */
const char *uk_platform_os(void);
/*
 * Writes the per-user directory of kind "state", "config" or "cache"
 * (e.g. ~/.local/state/ukeylink) into buf.  Returns 0, or UK_ERR_SYSTEM when
 * it cannot be determined or does not fit.  Does not create it.
 */
int uk_platform_user_dir(const char *kind, char *buf, size_t size);
/* mkdir -p with mode 0700 for what it creates.  Returns 0 or UK_ERR_SYSTEM. */
int uk_platform_mkdirs(const char *path);
/* Absolute path of the running executable.  Returns 0 or UK_ERR_SYSTEM. */
int uk_platform_self_path(char *buf, size_t size);
/* Fills buf with len bytes from the system's CSPRNG.  Returns 0 or
 * UK_ERR_RANDOM. */
int uk_platform_random(void *buf, size_t len);
/* Path of the system configuration file. */
const char *uk_platform_system_config(void);

#endif /* UK_PLATFORM_H */
