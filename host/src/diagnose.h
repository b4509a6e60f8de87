/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * --diagnose: a report for IT of what is installed, registered and detected.
 * Problems are lines starting with "  ! "; the exit status is 0 when there
 * are none, else 1.
 */
#ifndef UK_DIAGNOSE_H
#define UK_DIAGNOSE_H

#include <stdio.h>

struct uk_ctx;

int uk_diagnose(struct uk_ctx *ctx, FILE *fp);
/* Reports one native-messaging manifest; returns 1 when it is a problem. */
int uk_diagnose_manifest(FILE *fp, const char *browser, const char *path,
    const char *self, const struct uk_ctx *ctx);

#endif /* UK_DIAGNOSE_H */
