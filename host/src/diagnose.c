/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "diagnose.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "platform.h"
#include "policy.h"
#include "version.h"

/* Where each browser looks for our manifest (Linux); "~" is $HOME. */
static const struct {
	const char *browser;
	const char *dir;
} manifest_dirs[] = {
	{ "Chrome", "/etc/opt/chrome/native-messaging-hosts" },
	{ "Chrome", "~/.config/google-chrome/NativeMessagingHosts" },
	{ "Chromium", "/etc/chromium/native-messaging-hosts" },
	{ "Chromium", "~/.config/chromium/NativeMessagingHosts" },
	{ "Edge", "/etc/opt/edge/native-messaging-hosts" },
	{ "Edge", "~/.config/microsoft-edge/NativeMessagingHosts" },
	{ "Firefox", "/usr/lib/mozilla/native-messaging-hosts" },
	{ "Firefox", "/usr/lib64/mozilla/native-messaging-hosts" },
	{ "Firefox", "~/.mozilla/native-messaging-hosts" },
};

static int
read_small_file(const char *path, char **textp, size_t *lenp)
{
	FILE *fp;
	char *buf;
	size_t n;

	*textp = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return UK_ERR_SYSTEM;
	if ((buf = malloc(65537)) == NULL) {
		fclose(fp);
		return UK_ERR_ALLOC_FAIL;
	}
	n = fread(buf, 1, 65536, fp);
	fclose(fp);
	buf[n] = '\0';
	*textp = buf;
	*lenp = n;
	return 0;
}

/* 1 when an id the configuration allows appears in the manifest's list. */
static int
manifest_lists_allowed(const cJSON *list, const struct uk_ctx *ctx,
    int firefox)
{
	const cJSON *e, *id;
	char want[200];

	cJSON_ArrayForEach(e, list) {
		if (!cJSON_IsString(e))
			continue;
		cJSON_ArrayForEach(id, uk_config_extension_ids(ctx->cfg,
		    firefox ? "firefox" : "chromium")) {
			if (!cJSON_IsString(id))
				continue;
			snprintf(want, sizeof(want), firefox ? "%s" :
			    "chrome-extension://%s/", id->valuestring);
			if (strcmp(want, e->valuestring) == 0)
				return 1;
		}
	}
	return 0;
}

int
uk_diagnose_manifest(FILE *fp, const char *browser, const char *path,
    const char *self, const struct uk_ctx *ctx)
{
	const cJSON *name, *hostpath, *list;
	char *text = NULL, real[PATH_MAX];
	cJSON *root = NULL;
	size_t len;
	int firefox = strcmp(browser, "Firefox") == 0, problem = 1;

	if (read_small_file(path, &text, &len) != 0) {
		fprintf(fp, "  ! %s: %s: cannot read\n", browser, path);
		return 1;
	}
	if (uk_json_parse(text, len, &root) != 0) {
		fprintf(fp, "  ! %s: %s: not valid JSON\n", browser, path);
		goto out;
	}
	name = cJSON_GetObjectItemCaseSensitive(root, "name");
	hostpath = cJSON_GetObjectItemCaseSensitive(root, "path");
	list = cJSON_GetObjectItemCaseSensitive(root, firefox ?
	    "allowed_extensions" : "allowed_origins");
	if (!cJSON_IsString(name) || strcmp(name->valuestring,
	    UK_HOST_NAME) != 0)
		fprintf(fp, "  ! %s: %s: \"name\" is not %s\n", browser, path,
		    UK_HOST_NAME);
	else if (!cJSON_IsString(hostpath) || hostpath->valuestring[0] != '/')
		fprintf(fp, "  ! %s: %s: \"path\" must be absolute\n", browser,
		    path);
	else if (access(hostpath->valuestring, X_OK) != 0)
		fprintf(fp, "  ! %s: %s: host %s is missing or not "
		    "executable\n", browser, path, hostpath->valuestring);
	else if (!manifest_lists_allowed(list, ctx, firefox))
		fprintf(fp, "  ! %s: %s: %s does not list an allowed "
		    "extension id\n", browser, path, firefox ?
		    "allowed_extensions" : "allowed_origins");
	else {
		if (realpath(hostpath->valuestring, real) != NULL &&
		    strcmp(real, self) == 0)
			fprintf(fp, "    %s: %s -> this binary\n", browser,
			    path);
		else
			fprintf(fp, "    %s: %s -> %s (another binary)\n",
			    browser, path, hostpath->valuestring);
		problem = 0;
	}
 out:
	cJSON_Delete(root);
	free(text);
	return problem;
}

static int
report_manifests(FILE *fp, const struct uk_ctx *ctx, const char *self)
{
	const char *home = getenv("HOME");
	char path[PATH_MAX];
	size_t i;
	int problems = 0, found = 0;

	fprintf(fp, "Native-messaging registrations (%s.json):\n",
	    UK_HOST_NAME);
	for (i = 0; i < UK_ARRAY_LEN(manifest_dirs); i++) {
		const char *dir = manifest_dirs[i].dir;

		if (dir[0] == '~') {
			if (home == NULL)
				continue;
			snprintf(path, sizeof(path), "%s%s/%s.json", home,
			    dir + 1, UK_HOST_NAME);
		} else
			snprintf(path, sizeof(path), "%s/%s.json", dir,
			    UK_HOST_NAME);
		if (access(path, F_OK) != 0)
			continue;
		found++;
		problems += uk_diagnose_manifest(fp, manifest_dirs[i].browser,
		    path, self, ctx);
	}
	if (found == 0) {
		fprintf(fp, "  ! no manifest found: the browsers cannot start "
		    "the host (run the installer)\n");
		problems++;
	}
	return problems;
}

static int
report_config(FILE *fp, const struct uk_ctx *ctx)
{
	const struct uk_config_file *files;
	const cJSON *o, *name;
	size_t n, i;
	int problems = 0;

	files = uk_config_files(ctx->cfg, &n);
	fprintf(fp, "Configuration:\n");
	for (i = 0; i < n; i++) {
		if (files[i].path[0] == '\0')
			continue;
		if (files[i].problem[0] != '\0') {
			fprintf(fp, "  ! %s: %s\n", files[i].path,
			    files[i].problem);
			problems++;
		} else
			fprintf(fp, "    %s: %s\n", files[i].path,
			    files[i].used ? "applied" : "not present");
	}
	fprintf(fp, "Allowed origins:\n");
	cJSON_ArrayForEach(o, uk_config_section(ctx->cfg, "origins")) {
		name = cJSON_GetObjectItemCaseSensitive(o, "origin");
		if (!cJSON_IsString(name))
			continue;
		if (strncmp(name->valuestring, "http://", 7) == 0) {
			fprintf(fp, "  ! %s: INSECURE (plain http): PINs and "
			    "signatures cross the network unprotected\n",
			    name->valuestring);
			problems++;
		} else
			fprintf(fp, "    %s\n", name->valuestring);
	}
	return problems;
}

int
uk_diagnose(struct uk_ctx *ctx, FILE *fp)
{
	char self[PATH_MAX];
	const char *logpath;
	size_t i;
	int problems = 0;

	if (uk_platform_self_path(self, sizeof(self)) != 0)
		snprintf(self, sizeof(self), "(unknown)");
	fprintf(fp, "UKeyLink host %s (protocol %d.%d), %s\n", UK_VERSION,
	    UK_PROTOCOL_MAJOR, UK_PROTOCOL_MINOR, self);
	problems += report_config(fp, ctx);
	logpath = uk_log_path();
	fprintf(fp, "Log: %s, level %d\n", logpath ? logpath :
	    uk_config_log_destination(ctx->cfg), uk_config_log_level(ctx->cfg));
	problems += report_manifests(fp, ctx, self);
	for (i = 0; uk_modules[i] != NULL; i++)
		if (uk_modules[i]->diagnose != NULL)
			problems += uk_modules[i]->diagnose(ctx, fp);
	fprintf(fp, "%s\n", problems ? "Problems found (lines with !)." :
	    "No problems found.");
	return problems ? 1 : 0;
}
