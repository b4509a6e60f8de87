/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Who may talk to the host, and what each page origin may do.
 *
 * Caller: Chrome passes "chrome-extension://ID/" as argv[1]; Firefox passes
 * the manifest path and the add-on id as argv[1], argv[2].  Only extension
 * ids in the configuration are served.
 *
 * Origin: the extension supplies the page origin from the browser's sender
 * record; capabilities are granted per origin by the configuration.
 */
#ifndef UK_POLICY_H
#define UK_POLICY_H

#include <stddef.h>

#include "uk_setup.h"

struct uk_config;

enum uk_cap {
	UK_CAP_NONE = 0,
	UK_CAP_READ = 1 << 0,	/* list readers, tokens, certificates */
	UK_CAP_SIGN = 1 << 1,	/* log in, sign, verify, digest, random */
	UK_CAP_ENROLL = 1 << 2,	/* generate keys, install certificates */
	UK_CAP_SEAL = 1 << 3,	/* write electronic seals */
	UK_CAP_UNLOCK = 1 << 4,	/* PIN unblock */
};
#define UK_CAP_ALL	(UK_CAP_READ | UK_CAP_SIGN | UK_CAP_ENROLL | \
			 UK_CAP_SEAL | UK_CAP_UNLOCK)

/* The extension's own UI (popup): read and sign. */
#define UK_ORIGIN_UI	"ukeylink:ui"

/* Parses "read"/"sign"/…; 0 when unknown. */
unsigned uk_cap_parse(const char *name);
/* Name of one capability bit, or NULL. */
const char *uk_cap_name(unsigned cap);

/*
 * 0 when origin is a serialized origin "https://host[:port]" or
 * "http://host[:port]" (lower-case host of letters, digits, '-', '.';
 * no trailing dot; port 1-65535 without leading zeros; no path, user or
 * query) or UK_ORIGIN_UI.  Else UK_ERR_INVALID_PARAM.
 */
int uk_origin_valid(const char *origin) UK_WUR;

/* Capabilities the configuration grants origin (0 when not listed). */
unsigned uk_policy_caps(const struct uk_config *cfg, const char *origin);

/*
 * Decides from the host's arguments whether the caller is an allowed
 * extension.  Returns 0 and writes the browser kind ("chromium" or
 * "firefox") and the id into browserp/idbuf; else UK_ERR_CALLER_NOT_ALLOWED
 * with a reason in why.
 */
int uk_policy_check_caller(const struct uk_config *cfg, int argc,
    char *const argv[], const char **browserp, char *idbuf, size_t idlen,
    char *why, size_t whylen) UK_WUR;

#endif /* UK_POLICY_H */
