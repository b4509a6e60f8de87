/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Windows: registrations are registry keys whose default value is the
 * manifest's path (HKCU first, then HKLM in the 64-bit and 32-bit views,
 * the order Chrome uses); policies are values under SOFTWARE\Policies.
 */
#include "uk_setup.h"

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "browsers.h"

#define UK_REG_TEXT_MAX	(64 * 1024)	/* bytes */

static const struct {
	const char *browser;
	const char *key;	/* + "\\" + host name */
} reg_hosts[] = {
	{ "Chrome", "SOFTWARE\\Google\\Chrome\\NativeMessagingHosts" },
	{ "Chromium", "SOFTWARE\\Chromium\\NativeMessagingHosts" },
	{ "Edge", "SOFTWARE\\Microsoft\\Edge\\NativeMessagingHosts" },
	{ "Firefox", "SOFTWARE\\Mozilla\\NativeMessagingHosts" },
};

static const struct {
	HKEY root;
	const char *name;
	DWORD view;	/* RRF_SUBKEY_WOW64xxKEY, or 0 */
} reg_roots[] = {
	{ HKEY_CURRENT_USER, "HKCU", 0 },
	{ HKEY_LOCAL_MACHINE, "HKLM", RRF_SUBKEY_WOW6464KEY },
	{ HKEY_LOCAL_MACHINE, "HKLM (32-bit view)", RRF_SUBKEY_WOW6432KEY },
};

/* Force-install lists (one value per entry, numeric names). */
static const char *const forcelists[] = {
	"SOFTWARE\\Policies\\Google\\Chrome\\ExtensionInstallForcelist",
	"SOFTWARE\\Policies\\Chromium\\ExtensionInstallForcelist",
	"SOFTWARE\\Policies\\Microsoft\\Edge\\ExtensionInstallForcelist",
};

static int
reg_string(HKEY root, const char *key, const char *value, DWORD view,
    char *buf, DWORD size)
{
	DWORD n = size;

	if (RegGetValueA(root, key, value, RRF_RT_REG_SZ | view, NULL, buf,
	    &n) != ERROR_SUCCESS)
		return -1;
	buf[size - 1] = '\0';
	return 0;
}

int
uk_browsers_registrations(const char *name, uk_browsers_reg_fn *fn,
    void *arg)
{
	char key[512], where[600], path[MAX_PATH];
	size_t i, j;
	int found = 0;

	for (i = 0; i < UK_ARRAY_LEN(reg_hosts); i++)
		for (j = 0; j < UK_ARRAY_LEN(reg_roots); j++) {
			snprintf(key, sizeof(key), "%s\\%s", reg_hosts[i].key,
			    name);
			if (reg_string(reg_roots[j].root, key, NULL,
			    reg_roots[j].view, path, sizeof(path)) != 0)
				continue;
			snprintf(where, sizeof(where), "%s\\%s",
			    reg_roots[j].name, key);
			fn(arg, reg_hosts[i].browser, where, path);
			found++;
		}
	return found;
}

/* {"ExtensionInstallForcelist": [every string value of key]} or NULL. */
static char *
forcelist_json(HKEY root, const char *key)
{
	HKEY h;
	cJSON *doc = NULL, *list;
	char name[256], data[2048];
	DWORD i, nlen, dlen, type;
	char *text = NULL;

	if (RegOpenKeyExA(root, key, 0, KEY_READ | KEY_WOW64_64KEY, &h) !=
	    ERROR_SUCCESS)
		return NULL;
	if ((doc = cJSON_CreateObject()) == NULL ||
	    (list = cJSON_AddArrayToObject(doc, "ExtensionInstallForcelist"))
	    == NULL)
		goto out;
	for (i = 0;; i++) {
		nlen = sizeof(name);
		dlen = sizeof(data) - 1;
		if (RegEnumValueA(h, i, name, &nlen, NULL, &type,
		    (BYTE *)data, &dlen) != ERROR_SUCCESS)
			break;
		if (type != REG_SZ)
			continue;
		data[dlen] = '\0';
		cJSON_AddItemToArray(list, cJSON_CreateString(data));
	}
	text = cJSON_PrintUnformatted(doc);
 out:
	cJSON_Delete(doc);
	RegCloseKey(h);
	return text;
}

/* Firefox's ExtensionSettings policy value (a JSON string) as
 * {"policies": {"ExtensionSettings": ...}}, or NULL. */
static char *
firefox_json(HKEY root)
{
	char *val, *text = NULL;
	size_t n;

	if ((val = malloc(UK_REG_TEXT_MAX)) == NULL)
		return NULL;
	if (reg_string(root, "SOFTWARE\\Policies\\Mozilla\\Firefox",
	    "ExtensionSettings", RRF_SUBKEY_WOW6464KEY, val,
	    UK_REG_TEXT_MAX) == 0) {
		n = strlen(val) + 64;
		if ((text = malloc(n)) != NULL)
			snprintf(text, n, "{\"policies\": {\"ExtensionSettings"
			    "\": %s}}", val);
	}
	free(val);
	return text;
}

static char *
slurp(const char *path)
{
	FILE *fp;
	char *buf;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(UK_REG_TEXT_MAX + 1)) != NULL) {
		n = fread(buf, 1, UK_REG_TEXT_MAX, fp);
		buf[n] = '\0';
	}
	fclose(fp);
	return buf;
}

int
uk_browsers_policies(uk_browsers_policy_fn *fn, void *arg)
{
	static const char ff_file[] = "C:\\Program Files\\Mozilla Firefox\\"
	    "distribution\\policies.json";
	char where[600], *text;
	size_t i, j;
	int found = 0;

	for (i = 0; i < UK_ARRAY_LEN(forcelists); i++)
		for (j = 0; j < 2; j++) {
			if ((text = forcelist_json(reg_roots[j].root,
			    forcelists[i])) == NULL)
				continue;
			snprintf(where, sizeof(where), "%s\\%s",
			    reg_roots[j].name, forcelists[i]);
			fn(arg, "Chromium", where, text, 0);
			cJSON_free(text);
			found++;
		}
	for (j = 0; j < 2; j++)
		if ((text = firefox_json(reg_roots[j].root)) != NULL) {
			snprintf(where, sizeof(where), "%s\\SOFTWARE\\Policies"
			    "\\Mozilla\\Firefox\\ExtensionSettings",
			    reg_roots[j].name);
			fn(arg, "Firefox", where, text, 0);
			free(text);
			found++;
		}
	if ((text = slurp(ff_file)) != NULL) {
		fn(arg, "Firefox", ff_file, text, 0);
		free(text);
		found++;
	}
	return found;
}

int
uk_browsers_sandboxed(uk_browsers_note_fn *fn, void *arg)
{
	(void)fn;
	(void)arg;
	return 0;
}
