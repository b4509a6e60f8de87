/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "enroll.h"
#include "err.h"
#include "frame.h"
#include "json.h"
#include "log.h"
#include "pcsc.h"
#include "net.h"
#include "platform.h"
#include "policy.h"
#include "token.h"
#include "x509.h"

#ifndef UK_DEFAULT_CHROMIUM_ID
#define UK_DEFAULT_CHROMIUM_ID ""
#endif
#ifndef UK_DEFAULT_FIREFOX_ID
#define UK_DEFAULT_FIREFOX_ID "ukeylink@sheca.com"
#endif

/* The portal's origins get every capability; nothing else is listed. */
static const char default_config[] =
"{"
"\"extensionIds\": {\"chromium\": [\"" UK_DEFAULT_CHROMIUM_ID "\"],"
"                   \"firefox\": [\"" UK_DEFAULT_FIREFOX_ID "\"]},"
"\"origins\": ["
"  {\"origin\": \"https://issp.sheca.com\","
"   \"capabilities\": [\"read\", \"sign\", \"enroll\", \"seal\", \"unlock\"]},"
"  {\"origin\": \"https://issp.shcca.com\","
"   \"capabilities\": [\"read\", \"sign\", \"enroll\", \"seal\", \"unlock\"]}"
"],"
"\"log\": {\"level\": \"warn\", \"destination\": \"file\"},"
"\"limits\": {\"maxRequestBytes\": 33554432, \"sessionIdleSeconds\": 900}"
"}";

struct uk_config {
	cJSON *root;
	struct uk_config_file files[2];
};

typedef int (*validator_fn)(const cJSON *v, char *why, size_t whylen);

static int
bad(char *why, size_t whylen, const char *path, const char *what)
{
	snprintf(why, whylen, "'%s': %s", path, what);
	return UK_ERR_CONFIG;
}

static int
check_string_array(const cJSON *v, const char *path, size_t maxlen,
    char *why, size_t whylen)
{
	const cJSON *e;

	if (!cJSON_IsArray(v))
		return bad(why, whylen, path, "must be an array of strings");
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e) || strlen(e->valuestring) > maxlen)
			return bad(why, whylen, path,
			    "must be an array of strings");
	return 0;
}

static int
validate_extension_ids(const cJSON *v, char *why, size_t whylen)
{
	static const char *const keys[] = { "chromium", "firefox", NULL };
	const cJSON *m;
	char sub[UK_JSON_WHY_MAX];
	int r;

	if (!cJSON_IsObject(v))
		return bad(why, whylen, "extensionIds", "must be an object");
	if (uk_json_only_members(v, keys, sub, sizeof(sub)) != 0)
		return bad(why, whylen, "extensionIds", sub);
	cJSON_ArrayForEach(m, v)
		if ((r = check_string_array(m, m->string, 128, why,
		    whylen)) != 0)
			return r;
	return 0;
}

static int
validate_origins(const cJSON *v, char *why, size_t whylen)
{
	static const char *const keys[] = { "origin", "capabilities", NULL };
	const cJSON *o, *name, *caps, *c;
	char sub[UK_JSON_WHY_MAX];

	if (!cJSON_IsArray(v))
		return bad(why, whylen, "origins", "must be an array");
	cJSON_ArrayForEach(o, v) {
		if (!cJSON_IsObject(o))
			return bad(why, whylen, "origins[]", "must be objects");
		if (uk_json_only_members(o, keys, sub, sizeof(sub)) != 0)
			return bad(why, whylen, "origins[]", sub);
		name = cJSON_GetObjectItemCaseSensitive(o, "origin");
		if (!cJSON_IsString(name) || uk_origin_valid(name->valuestring)
		    != 0 || strcmp(name->valuestring, UK_ORIGIN_UI) == 0) {
			snprintf(why, whylen, "'origins[].origin': '%.100s' is "
			    "not an origin like https://host[:port]",
			    cJSON_IsString(name) ? name->valuestring : "?");
			return UK_ERR_CONFIG;
		}
		caps = cJSON_GetObjectItemCaseSensitive(o, "capabilities");
		if (!cJSON_IsArray(caps))
			return bad(why, whylen, "origins[].capabilities",
			    "must be an array");
		cJSON_ArrayForEach(c, caps)
			if (!cJSON_IsString(c) || uk_cap_parse(c->valuestring)
			    == 0) {
				snprintf(why, whylen, "'origins[]."
				    "capabilities': unknown capability "
				    "'%.40s' (read, sign, enroll, seal, "
				    "unlock)", cJSON_IsString(c) ?
				    c->valuestring : "?");
				return UK_ERR_CONFIG;
			}
	}
	return 0;
}

static int
validate_log(const cJSON *v, char *why, size_t whylen)
{
	static const char *const keys[] = { "level", "destination", NULL };
	const cJSON *level, *dest;
	char sub[UK_JSON_WHY_MAX];

	if (!cJSON_IsObject(v))
		return bad(why, whylen, "log", "must be an object");
	if (uk_json_only_members(v, keys, sub, sizeof(sub)) != 0)
		return bad(why, whylen, "log", sub);
	level = cJSON_GetObjectItemCaseSensitive(v, "level");
	if (level != NULL && (!cJSON_IsString(level) ||
	    uk_log_level_parse(level->valuestring) < 0))
		return bad(why, whylen, "log.level",
		    "must be error, warn, info or debug");
	dest = cJSON_GetObjectItemCaseSensitive(v, "destination");
	if (dest != NULL && (!cJSON_IsString(dest) ||
	    (strcmp(dest->valuestring, "file") != 0 &&
	    strcmp(dest->valuestring, "syslog") != 0 &&
	    strcmp(dest->valuestring, "stderr") != 0 &&
	    dest->valuestring[0] != '/')))
		return bad(why, whylen, "log.destination",
		    "must be file, syslog, stderr or an absolute path");
	return 0;
}

/* Limits: name, minimum, maximum. */
static const struct {
	const char *name;
	int64_t min, max;
} limit_table[] = {
	{ "maxRequestBytes", 1024, UK_FRAME_IN_HARD_MAX },
	{ "sessionIdleSeconds", 10, 86400 },
};

static int
validate_limits(const cJSON *v, char *why, size_t whylen)
{
	const cJSON *m;
	size_t i;
	int64_t val;
	char sub[UK_JSON_WHY_MAX];

	if (!cJSON_IsObject(v))
		return bad(why, whylen, "limits", "must be an object");
	cJSON_ArrayForEach(m, v) {
		for (i = 0; i < UK_ARRAY_LEN(limit_table); i++)
			if (strcmp(m->string, limit_table[i].name) == 0)
				break;
		if (i == UK_ARRAY_LEN(limit_table))
			return bad(why, whylen, m->string, "unknown limit");
		if (uk_param_int(v, m->string, 1, limit_table[i].min,
		    limit_table[i].max, 0, &val, sub, sizeof(sub)) != 0)
			return bad(why, whylen, "limits", sub);
	}
	return 0;
}

static int
validate_bool(const cJSON *v, char *why, size_t whylen)
{
	if (!cJSON_IsBool(v))
		return bad(why, whylen, "lockUserConfig", "must be a boolean");
	return 0;
}

static int
validate_paths(const cJSON *v, char *why, size_t whylen)
{
	return check_string_array(v, "trustAnchors", PATH_MAX, why, whylen);
}

/*
 * Every top-level member, with its validator.  Modules that own a section
 * put their validator here; an unknown member is an error.
 */
static const struct {
	const char *key;
	validator_fn validate;
} sections[] = {
	{ "extensionIds", validate_extension_ids },
	{ "origins", validate_origins },
	{ "log", validate_log },
	{ "limits", validate_limits },
	{ "trustAnchors", validate_paths },
	{ "oids", uk_oid_config_validate },
	{ "lockUserConfig", validate_bool },
	{ "atr", uk_atr_config_validate },
	{ "network", uk_net_config_validate },
	{ "enroll", uk_enroll_config_validate },
	{ "pkcs11", uk_token_validate_config },
};

static int
validate_root(const cJSON *root, char *why, size_t whylen)
{
	const cJSON *m;
	size_t i;
	int r;

	if (!cJSON_IsObject(root))
		return bad(why, whylen, "(top)", "must be a JSON object");
	cJSON_ArrayForEach(m, root) {
		for (i = 0; i < UK_ARRAY_LEN(sections); i++)
			if (strcmp(m->string, sections[i].key) == 0)
				break;
		if (i == UK_ARRAY_LEN(sections))
			return bad(why, whylen, m->string, "unknown member");
		if ((r = sections[i].validate(m, why, whylen)) != 0)
			return r;
	}
	return 0;
}

int
uk_config_check_text(const char *text, size_t len, char *why, size_t whylen)
{
	cJSON *root = NULL;
	int r;

	if ((r = uk_json_parse(text, len, &root)) != 0) {
		snprintf(why, whylen, "not valid JSON (%s)", uk_err_en(r));
		return UK_ERR_CONFIG;
	}
	r = validate_root(root, why, whylen);
	cJSON_Delete(root);
	return r;
}

/* Reads a whole file of at most UK_CONFIG_MAX_FILE bytes. */
static int
read_file(const char *path, char **textp, size_t *lenp, int *foundp)
{
	FILE *fp;
	char *text = NULL;
	size_t n;
	struct stat st;

	*textp = NULL;
	*lenp = 0;
	*foundp = 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return errno == ENOENT ? 0 : UK_ERR_SYSTEM;
	*foundp = 1;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > UK_CONFIG_MAX_FILE) {
		fclose(fp);
		return UK_ERR_CONFIG;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(fp);
		return UK_ERR_ALLOC_FAIL;
	}
	n = fread(text, 1, (size_t)st.st_size, fp);
	fclose(fp);
	text[n] = '\0';
	*textp = text;
	*lenp = n;
	return 0;
}

/* Merges file into cfg->root when valid; records the outcome. */
static int
apply_file(struct uk_config *cfg, struct uk_config_file *f)
{
	char *text = NULL;
	size_t len;
	cJSON *root = NULL, *m, *next;
	int r;

	r = read_file(f->path, &text, &len, &f->found);
	if (r == UK_ERR_ALLOC_FAIL)
		return r;
	if (r != 0) {
		snprintf(f->problem, sizeof(f->problem), "cannot read: %s "
		    "(larger than %d bytes, not a file, or no permission)",
		    uk_err_en(r), UK_CONFIG_MAX_FILE);
		return 0;
	}
	if (!f->found)
		return 0;
	if (uk_config_check_text(text, len, f->problem,
	    sizeof(f->problem)) != 0 || uk_json_parse(text, len, &root) != 0) {
		free(text);
		return 0;
	}
	free(text);
	for (m = root->child; m != NULL; m = next) {
		next = m->next;
		cJSON_DetachItemViaPointer(root, m);
		/* Whole top-level members replace the earlier ones. */
		cJSON_DeleteItemFromObjectCaseSensitive(cfg->root, m->string);
		cJSON_AddItemToObject(cfg->root, m->string, m);
	}
	cJSON_Delete(root);
	f->used = 1;
	return 0;
}

int
uk_config_defaults(struct uk_config **cfgp)
{
	struct uk_config *cfg;

	*cfgp = NULL;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((cfg->root = cJSON_Parse(default_config)) == NULL) {
		free(cfg);
		return UK_ERR_ALLOC_FAIL;
	}
	*cfgp = cfg;
	return 0;
}

int
uk_config_load(const char *system_path, const char *user_path,
    struct uk_config **cfgp)
{
	struct uk_config *cfg = NULL;
	const cJSON *lock;
	const char *env;
	char dir[PATH_MAX];
	int r;

	*cfgp = NULL;
	if ((r = uk_config_defaults(&cfg)) != 0)
		return r;
	snprintf(cfg->files[0].path, sizeof(cfg->files[0].path), "%s",
	    system_path ? system_path : uk_platform_system_config());
	if ((env = getenv("UKEYLINK_CONFIG")) != NULL && env[0] != '\0')
		user_path = env;
	if (user_path != NULL)
		snprintf(cfg->files[1].path, sizeof(cfg->files[1].path), "%s",
		    user_path);
	else if (uk_platform_user_dir("config", dir, sizeof(dir)) == 0)
		snprintf(cfg->files[1].path, sizeof(cfg->files[1].path),
		    "%s/config.json", dir);
	if ((r = apply_file(cfg, &cfg->files[0])) != 0)
		goto fail;
	lock = uk_config_section(cfg, "lockUserConfig");
	if (cJSON_IsTrue(lock)) {
		snprintf(cfg->files[1].problem, sizeof(cfg->files[1].problem),
		    "ignored: the system configuration sets lockUserConfig");
	} else if (cfg->files[1].path[0] != '\0' &&
	    (r = apply_file(cfg, &cfg->files[1])) != 0)
		goto fail;
	*cfgp = cfg;
	return 0;
 fail:
	uk_config_free(cfg);
	return r;
}

void
uk_config_free(struct uk_config *cfg)
{
	if (cfg == NULL)
		return;
	cJSON_Delete(cfg->root);
	free(cfg);
}

const struct uk_config_file *
uk_config_files(const struct uk_config *cfg, size_t *countp)
{
	*countp = UK_ARRAY_LEN(cfg->files);
	return cfg->files;
}

const cJSON *
uk_config_section(const struct uk_config *cfg, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(cfg->root, key);
}

const cJSON *
uk_config_extension_ids(const struct uk_config *cfg, const char *browser)
{
	return cJSON_GetObjectItemCaseSensitive(
	    uk_config_section(cfg, "extensionIds"), browser);
}

int
uk_config_log_level(const struct uk_config *cfg)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    uk_config_section(cfg, "log"), "level");

	return cJSON_IsString(v) ? uk_log_level_parse(v->valuestring) :
	    UK_LOG_WARN;
}

const char *
uk_config_log_destination(const struct uk_config *cfg)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    uk_config_section(cfg, "log"), "destination");

	return cJSON_IsString(v) ? v->valuestring : "file";
}

int64_t
uk_config_limit(const struct uk_config *cfg, const char *key, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    uk_config_section(cfg, "limits"), key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

size_t
uk_config_max_request(const struct uk_config *cfg)
{
	return (size_t)uk_config_limit(cfg, "maxRequestBytes",
	    UK_FRAME_IN_DEFAULT_MAX);
}
