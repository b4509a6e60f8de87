/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The "enroll" configuration section (host/doc/config.md): validator for
 * config.c's table.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "enroll.h"
#include "err.h"
#include "json.h"

/* --- Configuration section "enroll" ----------------------------------- */

static int
cfg_bad(char *why, size_t whylen, const char *path, const char *what)
{
	snprintf(why, whylen, "'enroll.%s': %s", path, what);
	return UK_ERR_CONFIG;
}

static int
cfg_strings(const cJSON *v, const char *path, int (*ok)(const char *),
    char *why, size_t whylen)
{
	const cJSON *e;

	if (!cJSON_IsArray(v))
		return cfg_bad(why, whylen, path, "must be an array");
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e) || strlen(e->valuestring) > 4096 ||
		    (ok != NULL && !ok(e->valuestring))) {
			snprintf(why, whylen, "'enroll.%s': bad entry "
			    "'%.80s'", path, cJSON_IsString(e) ?
			    e->valuestring : "?");
			return UK_ERR_CONFIG;
		}
	return 0;
}

static int
ok_path(const char *s)
{
	return s[0] == '/';
}

static int
ok_keytype(const char *s)
{
	return uk_keytype_parse(s) != UK_KT_NONE;
}

static int
ok_oid(const char *s)
{
	size_t i, dots = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (i == 0 || s[i - 1] == '.' || s[i + 1] == '\0')
				return 0;
			dots++;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots >= 1 && i < 80;
}

static int
cfg_int(const cJSON *v, const char *path, double min, double max,
    char *why, size_t whylen)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < min ||
	    v->valuedouble > max || v->valuedouble != (double)(int64_t)
	    v->valuedouble)
		return cfg_bad(why, whylen, path, "integer out of range");
	return 0;
}

int
uk_enroll_config_validate(const cJSON *v, char *why, size_t whylen)
{
	static const char *const keys[] = { "retireOld", "keyTypes",
	    "sm2Mechanisms", "trustAnchors", "sealCA", "sealMaxBytes",
	    "registryOids", NULL };
	static const char *const sm2keys[] = { "keyGen", "sign", NULL };
	const cJSON *m, *kg, *sg;
	char sub[UK_JSON_WHY_MAX];
	int r;

	if (!cJSON_IsObject(v))
		return cfg_bad(why, whylen, "", "must be an object");
	if (uk_json_only_members(v, keys, sub, sizeof(sub)) != 0)
		return cfg_bad(why, whylen, "", sub);
	m = cJSON_GetObjectItemCaseSensitive(v, "retireOld");
	if (m != NULL && (!cJSON_IsString(m) ||
	    (strcmp(m->valuestring, "delete") != 0 &&
	    strcmp(m->valuestring, "archive") != 0)))
		return cfg_bad(why, whylen, "retireOld",
		    "must be \"delete\" or \"archive\"");
	if (((m = cJSON_GetObjectItemCaseSensitive(v, "keyTypes")) != NULL &&
	    (r = cfg_strings(m, "keyTypes", ok_keytype, why, whylen)) != 0) ||
	    ((m = cJSON_GetObjectItemCaseSensitive(v, "trustAnchors")) !=
	    NULL && (r = cfg_strings(m, "trustAnchors", ok_path, why,
	    whylen)) != 0) ||
	    ((m = cJSON_GetObjectItemCaseSensitive(v, "sealCA")) != NULL &&
	    (r = cfg_strings(m, "sealCA", ok_path, why, whylen)) != 0) ||
	    ((m = cJSON_GetObjectItemCaseSensitive(v, "registryOids")) !=
	    NULL && (r = cfg_strings(m, "registryOids", ok_oid, why,
	    whylen)) != 0) ||
	    ((m = cJSON_GetObjectItemCaseSensitive(v, "sealMaxBytes")) !=
	    NULL && (r = cfg_int(m, "sealMaxBytes", 1024, 16 * 1024 * 1024,
	    why, whylen)) != 0))
		return r;
	if ((m = cJSON_GetObjectItemCaseSensitive(v, "sm2Mechanisms")) !=
	    NULL) {
		if (!cJSON_IsObject(m) || uk_json_only_members(m, sm2keys,
		    sub, sizeof(sub)) != 0)
			return cfg_bad(why, whylen, "sm2Mechanisms",
			    "must be {keyGen, sign?}");
		/* keyGen has no default (vendors differ); sign defaults
		 * to pkcs11.sm2Mechanism. */
		kg = cJSON_GetObjectItemCaseSensitive(m, "keyGen");
		sg = cJSON_GetObjectItemCaseSensitive(m, "sign");
		if (kg == NULL)
			return cfg_bad(why, whylen, "sm2Mechanisms.keyGen",
			    "missing (the vendor's SM2 key pair generation "
			    "mechanism)");
		if ((r = cfg_int(kg, "sm2Mechanisms.keyGen", 0, 4294967295.0,
		    why, whylen)) != 0 ||
		    (sg != NULL && (r = cfg_int(sg, "sm2Mechanisms.sign", 0,
		    4294967295.0, why, whylen)) != 0))
			return r;
	}
	return 0;
}

