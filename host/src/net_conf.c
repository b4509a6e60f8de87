/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The "network" configuration section: validation (for config.c) and
 * parsing into struct uk_net_conf.  host/doc/config.md documents it.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "net_int.h"
#include "platform.h"

static const char *const default_allow[] = {
	"issp.sheca.com", "issp.shcca.com", NULL
};
static const char *const default_revoc[] = {
	"*.sheca.com", "*.shcca.com", NULL
};

/* Numbers: name, minimum, maximum, default. */
static const struct {
	const char *name;
	int64_t min, max, def;
} num_table[] = {
	{ "connectTimeoutMs", 100, 120000, 10000 },
	{ "totalTimeoutMs", 100, 3600000, 120000 },
	{ "revocationTimeoutMs", 100, 600000, 15000 },
	{ "lowSpeedBytesPerSec", 1, 1048576, 512 },
	{ "lowSpeedSeconds", 1, 600, 20 },
	{ "maxSealBytes", 1024, UK_NET_MAX_HARD, UK_NET_MAX_SEAL_DEF },
	{ "maxCertBytes", 1024, UK_NET_MAX_HARD, UK_NET_MAX_CERT_DEF },
	{ "maxOcspBytes", 1024, UK_NET_MAX_HARD, UK_NET_MAX_OCSP_DEF },
	{ "maxCrlBytes", 1024, UK_NET_MAX_HARD, UK_NET_MAX_CRL_DEF },
	{ "cacheMaxBytes", 0, (int64_t)4 << 30, 64 * 1024 * 1024 },
	{ "maxRedirects", 0, 10, 5 },
};

static const char *const string_keys[] = {
	"proxy", "noProxy", "caFile", "cacheDir", NULL
};

static int
bad(char *why, size_t whylen, const char *path, const char *what)
{
	snprintf(why, whylen, "'network.%s': %s", path, what);
	return UK_ERR_CONFIG;
}

/* "host.example", "*.example" (subdomains) or a dotted IPv4 literal. */
static int
host_pattern_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len >= UK_NET_HOST_LEN)
		return 0;
	if (s[0] == '*') {
		if (s[1] != '.' || s[2] == '\0')
			return 0;
		s += 2;
		len -= 2;
	}
	if (s[0] == '.' || s[0] == '-' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    (s[i] == '.' && s[i + 1] != '.')))
			return 0;
	return 1;
}

static int
check_hosts(const cJSON *v, const char *name, char *why, size_t whylen)
{
	const cJSON *e;
	int n = 0;

	if (!cJSON_IsArray(v))
		return bad(why, whylen, name, "must be an array of host names");
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e) || !host_pattern_valid(e->valuestring)) {
			snprintf(why, whylen, "'network.%s': '%.80s' is not "
			    "a lower-case host name, *.domain or IPv4 address",
			    name, cJSON_IsString(e) ? e->valuestring : "?");
			return UK_ERR_CONFIG;
		}
		if (++n > UK_NET_HOSTS_MAX)
			return bad(why, whylen, name, "too many hosts");
	}
	return 0;
}

static int
check_member(const cJSON *v, const cJSON *m, char *why, size_t whylen)
{
	char sub[UK_JSON_WHY_MAX];
	int64_t val;
	size_t i;

	if (strcmp(m->string, "allowHosts") == 0 ||
	    strcmp(m->string, "revocationHosts") == 0)
		return check_hosts(m, m->string, why, whylen);
	if (strcmp(m->string, "allowPlainHttpLoopback") == 0)
		return cJSON_IsBool(m) ? 0 : bad(why, whylen, m->string,
		    "must be a boolean");
	for (i = 0; string_keys[i] != NULL; i++)
		if (strcmp(m->string, string_keys[i]) == 0)
			break;
	if (string_keys[i] != NULL) {
		if (!cJSON_IsString(m) || strlen(m->valuestring) >= 1024)
			return bad(why, whylen, m->string, "must be a string "
			    "shorter than 1024 bytes");
		if ((strcmp(m->string, "caFile") == 0 ||
		    strcmp(m->string, "cacheDir") == 0) &&
		    m->valuestring[0] != '/')
			return bad(why, whylen, m->string,
			    "must be an absolute path");
		return 0;
	}
	for (i = 0; i < UK_ARRAY_LEN(num_table); i++)
		if (strcmp(m->string, num_table[i].name) == 0)
			break;
	if (i == UK_ARRAY_LEN(num_table))
		return bad(why, whylen, m->string, "unknown member");
	if (uk_param_int(v, m->string, 1, num_table[i].min, num_table[i].max,
	    0, &val, sub, sizeof(sub)) != 0)
		return bad(why, whylen, m->string, sub);
	return 0;
}

int
uk_net_config_validate(const cJSON *v, char *why, size_t whylen)
{
	const cJSON *m;
	int r;

	if (!cJSON_IsObject(v)) {
		snprintf(why, whylen, "'network': must be an object");
		return UK_ERR_CONFIG;
	}
	cJSON_ArrayForEach(m, v)
		if ((r = check_member(v, m, why, whylen)) != 0)
			return r;
	return 0;
}

static size_t
copy_hosts(const cJSON *arr, const char *const *def,
    char out[][UK_NET_HOST_LEN])
{
	const cJSON *e;
	size_t n = 0;

	if (arr == NULL) {
		for (; def[n] != NULL; n++)
			snprintf(out[n], UK_NET_HOST_LEN, "%s", def[n]);
		return n;
	}
	cJSON_ArrayForEach(e, arr)
		if (n < UK_NET_HOSTS_MAX)
			snprintf(out[n++], UK_NET_HOST_LEN, "%s",
			    e->valuestring);
	return n;
}

static int64_t
num(const cJSON *sec, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(sec, name);
	size_t i;

	if (cJSON_IsNumber(m))
		return (int64_t)m->valuedouble;
	for (i = 0; i < UK_ARRAY_LEN(num_table); i++)
		if (strcmp(num_table[i].name, name) == 0)
			return num_table[i].def;
	return 0;
}

static const char *
str(const cJSON *sec, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(sec, name);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

int
uk_net_conf_parse(const cJSON *sec, struct uk_net_conf *c)
{
	const char *s;
	int r;

	memset(c, 0, sizeof(*c));
	c->nallow = copy_hosts(cJSON_GetObjectItemCaseSensitive(sec,
	    "allowHosts"), default_allow, c->allow);
	c->nrevoc = copy_hosts(cJSON_GetObjectItemCaseSensitive(sec,
	    "revocationHosts"), default_revoc, c->revoc);
	if ((s = str(sec, "proxy")) != NULL) {
		c->proxy_set = 1;
		snprintf(c->proxy, sizeof(c->proxy), "%s", s);
	}
	if ((s = str(sec, "noProxy")) != NULL) {
		c->noproxy_set = 1;
		snprintf(c->noproxy, sizeof(c->noproxy), "%s", s);
	}
	if ((s = str(sec, "caFile")) != NULL)
		snprintf(c->cafile, sizeof(c->cafile), "%s", s);
	c->connect_ms = (long)num(sec, "connectTimeoutMs");
	c->total_ms = (long)num(sec, "totalTimeoutMs");
	c->revoc_total_ms = (long)num(sec, "revocationTimeoutMs");
	c->low_speed_bytes = (long)num(sec, "lowSpeedBytesPerSec");
	c->low_speed_s = (long)num(sec, "lowSpeedSeconds");
	c->max[UK_NET_SEAL] = (size_t)num(sec, "maxSealBytes");
	c->max[UK_NET_CERT] = (size_t)num(sec, "maxCertBytes");
	c->max[UK_NET_ISSUER] = (size_t)num(sec, "maxCertBytes");
	c->max[UK_NET_OCSP] = (size_t)num(sec, "maxOcspBytes");
	c->max[UK_NET_CRL] = (size_t)num(sec, "maxCrlBytes");
	c->cache_max = (uint64_t)num(sec, "cacheMaxBytes");
	c->max_redirects = (int)num(sec, "maxRedirects");
	c->plain_loopback = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sec,
	    "allowPlainHttpLoopback"));
	if ((s = str(sec, "cacheDir")) != NULL) {
		snprintf(c->cachedir, sizeof(c->cachedir), "%s", s);
		return 0;
	}
	if ((r = uk_platform_user_dir("cache", c->cachedir,
	    sizeof(c->cachedir) - 16)) != 0) {
		c->cachedir[0] = '\0';	/* no disk cache */
		return 0;
	}
	strcat(c->cachedir, "/revocation");
	return 0;
}
