/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Where the browsers of this OS look for things that concern us, for
 * --diagnose: native-messaging registrations of the host, enterprise
 * policies (force-install, managed storage) and sandboxed browser packages.
 * browsers-posix.c covers Linux and macOS, browsers-win32.c Windows (the
 * registry); the build picks one.
 */
#ifndef UK_BROWSERS_H
#define UK_BROWSERS_H

#include <stddef.h>

/*
 * A registration of host `name` for browser ("Chrome", "Chromium", "Edge",
 * "Firefox"): where is the directory or registry key the browser reads,
 * manifest the path of the manifest file it leads to.
 */
typedef void uk_browsers_reg_fn(void *arg, const char *browser,
    const char *where, const char *manifest);
/* Calls fn for every registration of `name` found.  Returns how many. */
int uk_browsers_registrations(const char *name, uk_browsers_reg_fn *fn,
    void *arg);

/*
 * An enterprise policy source of browser ("Chromium" for the Chrome,
 * Chromium and Edge formats, "Firefox" for policies.json): where names it;
 * json is its content as JSON text (a Chromium policy object, or Firefox's
 * {"policies": ...}), or NULL when it cannot be read here.  ignored is 1
 * when the browser does not read that place (a common mistake).
 */
typedef void uk_browsers_policy_fn(void *arg, const char *browser,
    const char *where, const char *json, int ignored);
/* Calls fn for every policy source present.  Returns how many. */
int uk_browsers_policies(uk_browsers_policy_fn *fn, void *arg);

/* A note about a sandboxed (Snap, Flatpak) browser package found. */
typedef void uk_browsers_note_fn(void *arg, const char *note);
/* Calls fn for every sandboxed browser found.  Returns how many. */
int uk_browsers_sandboxed(uk_browsers_note_fn *fn, void *arg);

#endif /* UK_BROWSERS_H */
