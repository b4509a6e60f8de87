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

/*
 * Reports what one browser policy source does to the extension (force-
 * install, block, managed storage).  browser: "Chromium" (Chrome, Chromium
 * and Edge format) or "Firefox" ({"policies": ...}); json NULL when the
 * source could not be read; ignored 1 when the browser does not read it.
 * Returns 1 when it is a problem (invalid JSON, blocked, ignored), else 0.
 */
int uk_diagnose_policy(FILE *fp, const struct uk_ctx *ctx,
    const char *browser, const char *where, const char *json, int ignored);

#endif /* UK_DIAGNOSE_H */
