/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Wiping secrets.  uk_wipe() cannot be optimised away; uk_freezero() wipes
 * then frees (NULL is fine).  uk_strfreezero() does it for a C string.
 */
#ifndef UK_WIPE_H
#define UK_WIPE_H

#include <stddef.h>

void uk_wipe(void *p, size_t len);
void uk_freezero(void *p, size_t len);
void uk_strfreezero(char *s);
/* Constant-time comparison of two equal-length buffers: 0 when equal. */
int uk_timingsafe_bcmp(const void *a, const void *b, size_t len);

#endif /* UK_WIPE_H */
