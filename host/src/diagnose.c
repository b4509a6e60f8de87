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

#include "browsers.h"
#include "config.h"
#include "diagnose.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "platform.h"
#include "policy.h"
#include "version.h"

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

struct reg_walk {
	FILE *fp;
	const struct uk_ctx *ctx;
	const char *self;
	int problems;
};

static void
on_registration(void *arg, const char *browser, const char *where,
    const char *manifest)
{
	struct reg_walk *w = arg;

	(void)where;
	w->problems += uk_diagnose_manifest(w->fp, browser, manifest, w->self,
	    w->ctx);
}

static int
report_manifests(FILE *fp, const struct uk_ctx *ctx, const char *self)
{
	struct reg_walk w = { fp, ctx, self, 0 };

	fprintf(fp, "Native-messaging registrations (%s):\n", UK_HOST_NAME);
	if (uk_browsers_registrations(UK_HOST_NAME, on_registration, &w) == 0) {
		fprintf(fp, "  ! no registration found: the browsers cannot "
		    "start the host (run the installer)\n");
		w.problems++;
	}
	return w.problems;
}

/* 1 when s is one of the configured ids of browser, or "ID;update-url". */
static int
names_our_id(const struct uk_ctx *ctx, const char *browser, const char *s)
{
	const cJSON *id;
	size_t n;

	cJSON_ArrayForEach(id, uk_config_extension_ids(ctx->cfg, browser)) {
		if (!cJSON_IsString(id) || (n = strlen(id->valuestring)) == 0)
			continue;
		if (strncmp(s, id->valuestring, n) == 0 &&
		    (s[n] == '\0' || s[n] == ';'))
			return 1;
	}
	return 0;
}

/* The member of obj named by one of our ids (ExtensionSettings, 3rdparty). */
static const cJSON *
our_member(const struct uk_ctx *ctx, const char *browser, const cJSON *obj)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, obj)
		if (m->string != NULL && names_our_id(ctx, browser, m->string))
			return m;
	return NULL;
}

static int
string_list_has(const cJSON *list, const struct uk_ctx *ctx,
    const char *browser, const char *literal)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
		if (cJSON_IsString(e) && (literal ? strcmp(e->valuestring,
		    literal) == 0 : names_our_id(ctx, browser, e->valuestring)))
			return 1;
	return 0;
}

/*
 * What a policy object does to our extension: forced, blocked, and the
 * managed-storage object.  Chromium format, or Firefox's "policies".
 */
static void
policy_effect(const struct uk_ctx *ctx, const cJSON *pol, int firefox,
    int *forcedp, int *blockedp, const cJSON **managedp)
{
	const char *browser = firefox ? "firefox" : "chromium";
	const cJSON *settings, *ours, *mode, *wild, *third;

	settings = cJSON_GetObjectItemCaseSensitive(pol, "ExtensionSettings");
	ours = our_member(ctx, browser, settings);
	mode = cJSON_GetObjectItemCaseSensitive(ours, "installation_mode");
	*forcedp = cJSON_IsString(mode) &&
	    (strcmp(mode->valuestring, "force_installed") == 0 ||
	    strcmp(mode->valuestring, "normal_installed") == 0);
	if (!firefox && string_list_has(cJSON_GetObjectItemCaseSensitive(pol,
	    "ExtensionInstallForcelist"), ctx, browser, NULL))
		*forcedp = 1;
	wild = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(settings, "*"),
	    "installation_mode");
	*blockedp = !*forcedp && ((cJSON_IsString(mode) &&
	    strcmp(mode->valuestring, "blocked") == 0) ||
	    (ours == NULL && cJSON_IsString(wild) &&
	    strcmp(wild->valuestring, "blocked") == 0) ||
	    string_list_has(cJSON_GetObjectItemCaseSensitive(pol,
	    "ExtensionInstallBlocklist"), ctx, browser, "*") ||
	    string_list_has(cJSON_GetObjectItemCaseSensitive(pol,
	    "ExtensionInstallBlocklist"), ctx, browser, NULL));
	third = cJSON_GetObjectItemCaseSensitive(pol, "3rdparty");
	*managedp = our_member(ctx, browser, cJSON_GetObjectItemCaseSensitive(
	    third, firefox ? "Extensions" : "extensions"));
}

int
uk_diagnose_policy(FILE *fp, const struct uk_ctx *ctx, const char *browser,
    const char *where, const char *json, int ignored)
{
	const cJSON *pol, *managed, *extra;
	cJSON *root = NULL;
	int firefox = strcmp(browser, "Firefox") == 0, forced, blocked;
	int problem = 0;

	if (ignored) {
		fprintf(fp, "  ! %s policy %s: %s does not read this file "
		    "(use /etc/firefox/policies/policies.json)\n", browser,
		    where, browser);
		return 1;
	}
	if (json == NULL) {
		fprintf(fp, "    %s policy %s: present (not read by "
		    "--diagnose)\n", browser, where);
		return 0;
	}
	if (uk_json_parse(json, strlen(json), &root) != 0) {
		fprintf(fp, "  ! %s policy %s: not valid JSON: the browser "
		    "ignores all of it\n", browser, where);
		return 1;
	}
	pol = firefox ? cJSON_GetObjectItemCaseSensitive(root, "policies") :
	    root;
	policy_effect(ctx, pol, firefox, &forced, &blocked, &managed);
	extra = cJSON_GetObjectItemCaseSensitive(managed, "extraOrigins");
	if (blocked) {
		fprintf(fp, "  ! %s policy %s: blocks the UKeyLink "
		    "extension\n", browser, where);
		problem = 1;
	} else if (forced && managed != NULL)
		fprintf(fp, "    %s policy %s: force-installs the extension; "
		    "managed storage with %d extra origin(s)\n", browser, where,
		    cJSON_GetArraySize(extra));
	else if (forced)
		fprintf(fp, "    %s policy %s: force-installs the extension\n",
		    browser, where);
	else if (managed != NULL)
		fprintf(fp, "    %s policy %s: managed storage with %d extra "
		    "origin(s)\n", browser, where, cJSON_GetArraySize(extra));
	else
		fprintf(fp, "    %s policy %s: does not mention the "
		    "extension\n", browser, where);
	cJSON_Delete(root);
	return problem;
}

struct pol_walk {
	FILE *fp;
	const struct uk_ctx *ctx;
	int problems;
};

static void
on_policy(void *arg, const char *browser, const char *where,
    const char *json, int ignored)
{
	struct pol_walk *w = arg;

	w->problems += uk_diagnose_policy(w->fp, w->ctx, browser, where, json,
	    ignored);
}

static void
on_sandbox(void *arg, const char *note)
{
	fprintf(arg, "    note: %s\n", note);
}

static int
report_policies(FILE *fp, const struct uk_ctx *ctx)
{
	struct pol_walk w = { fp, ctx, 0 };

	fprintf(fp, "Browser policies:\n");
	if (uk_browsers_policies(on_policy, &w) == 0)
		fprintf(fp, "    none found (the extension is installed by "
		    "users, not forced)\n");
	(void)uk_browsers_sandboxed(on_sandbox, fp);
	return w.problems;
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
	problems += report_policies(fp, ctx);
	for (i = 0; uk_modules[i] != NULL; i++)
		if (uk_modules[i]->diagnose != NULL)
			problems += uk_modules[i]->diagnose(ctx, fp);
	fprintf(fp, "%s\n", problems ? "Problems found (lines with !)." :
	    "No problems found.");
	return problems ? 1 : 0;
}
