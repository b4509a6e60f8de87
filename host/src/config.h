/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Configuration: built-in defaults, then the system file, then the user's
 * file (unless the system file sets "lockUserConfig": true).  Each file is
 * JSON; a later file replaces whole top-level members of an earlier one.
 * A file that fails validation is ignored as a whole (and reported), so a
 * typo never loosens policy.  The format is documented in
 * host/doc/config.md.
 *
 * Modules that own a section (e.g. "modules", "network") register a
 * validator in config.c's table and read it with uk_config_section().
 */
#ifndef UK_CONFIG_H
#define UK_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "uk_setup.h"

#define UK_CONFIG_MAX_FILE	(1024 * 1024)	/* bytes */
#define UK_CONFIG_MAX_PROBLEMS	16

struct uk_config;

/* Outcome of one configuration file, for --diagnose. */
struct uk_config_file {
	char path[PATH_MAX + 16];
	int found;		/* 1 when the file exists */
	int used;		/* 1 when it was applied */
	char problem[256];	/* empty when fine */
};

/*
 * Loads defaults + system file + user file.  system_path / user_path NULL
 * mean the platform defaults; the environment variable UKEYLINK_CONFIG, when
 * set, replaces the user file (tests use it).  Returns 0 with *cfgp (free
 * with uk_config_free), or UK_ERR_ALLOC_FAIL.  Problems in files are not
 * failures: see uk_config_files().
 */
int uk_config_load(const char *system_path, const char *user_path,
    struct uk_config **cfgp) UK_WUR;
/* Built-in defaults only. */
int uk_config_defaults(struct uk_config **cfgp) UK_WUR;
void uk_config_free(struct uk_config *cfg);

/* Validates a JSON text as a configuration file; 0 or UK_ERR_CONFIG with a
 * message naming the member in why. */
int uk_config_check_text(const char *text, size_t len, char *why,
    size_t whylen) UK_WUR;

/* The files considered (2 entries: system, user). */
const struct uk_config_file *uk_config_files(const struct uk_config *cfg,
    size_t *countp);
/* A top-level member of the merged configuration, or NULL. */
const cJSON *uk_config_section(const struct uk_config *cfg, const char *key);

/* Typed views of the common members. */
const cJSON *uk_config_extension_ids(const struct uk_config *cfg,
    const char *browser);	/* "chromium" or "firefox": array of strings */
int uk_config_log_level(const struct uk_config *cfg);
const char *uk_config_log_destination(const struct uk_config *cfg);
size_t uk_config_max_request(const struct uk_config *cfg);
int64_t uk_config_limit(const struct uk_config *cfg, const char *key,
    int64_t def);

#endif /* UK_CONFIG_H */
