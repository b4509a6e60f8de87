/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"
#include "policy.h"

static const struct {
	const char *name;
	unsigned bit;
} cap_names[] = {
	{ "read", UK_CAP_READ },
	{ "sign", UK_CAP_SIGN },
	{ "enroll", UK_CAP_ENROLL },
	{ "seal", UK_CAP_SEAL },
	{ "unlock", UK_CAP_UNLOCK },
};

unsigned
uk_cap_parse(const char *name)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(cap_names); i++)
		if (strcmp(name, cap_names[i].name) == 0)
			return cap_names[i].bit;
	return 0;
}

const char *
uk_cap_name(unsigned cap)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(cap_names); i++)
		if (cap == cap_names[i].bit)
			return cap_names[i].name;
	return NULL;
}

static int
valid_host(const char *h, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253 || h[0] == '.' || h[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = h[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-') || ++label > 63)
			return 0;
	}
	return 1;
}

static int
valid_port(const char *p)
{
	long v = 0;
	size_t i, len = strlen(p);

	if (len == 0 || len > 5 || p[0] == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

int
uk_origin_valid(const char *origin)
{
	const char *rest, *colon;

	if (strcmp(origin, UK_ORIGIN_UI) == 0)
		return 0;
	if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else
		return UK_ERR_INVALID_PARAM;
	if (strlen(rest) > 260)
		return UK_ERR_INVALID_PARAM;
	if ((colon = strchr(rest, ':')) != NULL) {
		if (!valid_host(rest, (size_t)(colon - rest)) ||
		    !valid_port(colon + 1))
			return UK_ERR_INVALID_PARAM;
	} else if (!valid_host(rest, strlen(rest)))
		return UK_ERR_INVALID_PARAM;
	return 0;
}

unsigned
uk_policy_caps(const struct uk_config *cfg, const char *origin)
{
	const cJSON *origins = uk_config_section(cfg, "origins"), *o, *c;
	const cJSON *name, *caps;
	unsigned bits = 0;

	if (strcmp(origin, UK_ORIGIN_UI) == 0)
		return UK_CAP_READ | UK_CAP_SIGN;
	cJSON_ArrayForEach(o, origins) {
		name = cJSON_GetObjectItemCaseSensitive(o, "origin");
		if (!cJSON_IsString(name) || strcmp(name->valuestring,
		    origin) != 0)
			continue;
		caps = cJSON_GetObjectItemCaseSensitive(o, "capabilities");
		cJSON_ArrayForEach(c, caps)
			if (cJSON_IsString(c))
				bits |= uk_cap_parse(c->valuestring);
	}
	return bits;
}

static int
id_listed(const struct uk_config *cfg, const char *browser, const char *id)
{
	const cJSON *ids = uk_config_extension_ids(cfg, browser), *e;

	cJSON_ArrayForEach(e, ids)
		if (cJSON_IsString(e) && strcmp(e->valuestring, id) == 0)
			return 1;
	return 0;
}

int
uk_policy_check_caller(const struct uk_config *cfg, int argc,
    char *const argv[], const char **browserp, char *idbuf, size_t idlen,
    char *why, size_t whylen)
{
	static const char prefix[] = "chrome-extension://";
	const char *arg, *browser, *id;
	size_t n;

	*browserp = NULL;
	idbuf[0] = '\0';
	if (argc < 2) {
		snprintf(why, whylen, "no caller argument");
		return UK_ERR_CALLER_NOT_ALLOWED;
	}
	arg = argv[1];
	if (strncmp(arg, prefix, sizeof(prefix) - 1) == 0) {
		/* Chromium, Chrome, Edge: chrome-extension://ID/ */
		browser = "chromium";
		id = arg + sizeof(prefix) - 1;
		n = strcspn(id, "/");
		if (n == 0 || n >= idlen || strcmp(id + n, "/") != 0) {
			snprintf(why, whylen, "malformed caller '%.80s'", arg);
			return UK_ERR_CALLER_NOT_ALLOWED;
		}
		memcpy(idbuf, id, n);
		idbuf[n] = '\0';
	} else if (argc >= 3) {
		/* Firefox: manifest path, then the add-on id. */
		browser = "firefox";
		if (strlen(argv[2]) == 0 || strlen(argv[2]) >= idlen) {
			snprintf(why, whylen, "malformed add-on id");
			return UK_ERR_CALLER_NOT_ALLOWED;
		}
		snprintf(idbuf, idlen, "%s", argv[2]);
	} else {
		snprintf(why, whylen, "unrecognised caller '%.80s'", arg);
		return UK_ERR_CALLER_NOT_ALLOWED;
	}
	if (!id_listed(cfg, browser, idbuf)) {
		snprintf(why, whylen, "%s extension '%.80s' is not allowed",
		    browser, idbuf);
		return UK_ERR_CALLER_NOT_ALLOWED;
	}
	*browserp = browser;
	return 0;
}
