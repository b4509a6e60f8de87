/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The ATR table: patterns with masks → token make → PKCS#11 module per OS,
 * and the SafeEngine device list built from it.  Format: host/doc/atr.md.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "pcsc.h"

struct uk_atr_entry {
	unsigned char atr[UK_ATR_MAX];
	unsigned char mask[UK_ATR_MAX];
	size_t len;
	struct uk_atr_make make;
	cJSON *modules;		/* {"linux":[...], ...}, own copy */
};

struct uk_atr_table {
	struct uk_atr_entry *e;
	size_t n;
};

static const char *const os_keys[] = { "linux", "windows", "darwin", NULL };

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
uk_atr_from_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi, lo;

	for (;;) {
		while (*s == ' ' || *s == ':')
			s++;
		if (*s == '\0')
			break;
		if ((hi = hexval((unsigned char)s[0])) < 0 ||
		    (lo = hexval((unsigned char)s[1])) < 0 || n >= max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return (long)n;
}

void
uk_atr_to_hex(const unsigned char *atr, size_t len, char *buf, size_t size)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, o = 0;

	if (size == 0)
		return;
	for (i = 0; i < len && o + 3 < size; i++) {
		if (i > 0)
			buf[o++] = ' ';
		buf[o++] = digits[atr[i] >> 4];
		buf[o++] = digits[atr[i] & 0xf];
	}
	buf[o] = '\0';
}

void
uk_atr_table_free(struct uk_atr_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		cJSON_Delete(t->e[i].modules);
	free(t->e);
	free(t);
}

static int
entry_fail(char *why, size_t whylen, size_t i, const char *id,
    const char *what)
{
	snprintf(why, whylen, "'atr.entries[%zu]' (%.40s): %s", i,
	    id ? id : "?", what);
	return UK_ERR_CONFIG;
}

/* Copies a required short string member into buf. */
static int
get_name(const cJSON *obj, const char *key, int required, char *buf,
    size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	buf[0] = '\0';
	if (v == NULL && !required)
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size ||
	    (required && v->valuestring[0] == '\0'))
		return -1;
	memcpy(buf, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

static int
parse_make(const cJSON *m, struct uk_atr_make *mk)
{
	static const char *const keys[] = { "type", "name", "vendor", NULL };
	const cJSON *type;

	if (!cJSON_IsObject(m) || uk_json_only_members(m, keys, NULL, 0) != 0)
		return -1;
	type = cJSON_GetObjectItemCaseSensitive(m, "type");
	if (!cJSON_IsNumber(type) || type->valuedouble < 0 ||
	    type->valuedouble > 255 ||
	    type->valuedouble != (double)(int)type->valuedouble)
		return -1;
	mk->type = (int)type->valuedouble;
	if (get_name(m, "name", 1, mk->name, sizeof(mk->name)) != 0 ||
	    get_name(m, "vendor", 0, mk->vendor, sizeof(mk->vendor)) != 0)
		return -1;
	return 0;
}

/* {"linux": "path" | ["path", ...], ...}: normalised to arrays. */
static int
parse_modules(const cJSON *m, cJSON **outp)
{
	const cJSON *os, *p;
	cJSON *out, *arr;

	*outp = NULL;
	if (m == NULL)
		return 0;
	if (!cJSON_IsObject(m) || uk_json_only_members(m, os_keys, NULL, 0)
	    != 0 || (out = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_ArrayForEach(os, m) {
		if ((arr = cJSON_AddArrayToObject(out, os->string)) == NULL)
			goto fail;
		if (cJSON_IsString(os)) {
			if (os->valuestring[0] == '\0')
				goto fail;
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(os->valuestring));
			continue;
		}
		if (!cJSON_IsArray(os) || cJSON_GetArraySize(os) == 0)
			goto fail;
		cJSON_ArrayForEach(p, os) {
			if (!cJSON_IsString(p) || p->valuestring[0] == '\0' ||
			    strlen(p->valuestring) > 1024)
				goto fail;
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(p->valuestring));
		}
	}
	*outp = out;
	return 0;
 fail:
	cJSON_Delete(out);
	return -1;
}

static int
parse_entry(const cJSON *o, size_t i, struct uk_atr_entry *e, char *why,
    size_t whylen)
{
	static const char *const keys[] = { "id", "atr", "mask", "make",
	    "modules", "verified", "note", NULL };
	const cJSON *atr, *mask, *ver, *note;
	char id[UK_ATR_NAME_MAX];
	long n, m;
	size_t k;

	memset(e, 0, sizeof(*e));
	if (!cJSON_IsObject(o))
		return entry_fail(why, whylen, i, NULL, "must be an object");
	if (get_name(o, "id", 1, id, sizeof(id)) != 0)
		return entry_fail(why, whylen, i, NULL,
		    "'id' must be a non-empty string of < 64 bytes");
	if (uk_json_only_members(o, keys, NULL, 0) != 0)
		return entry_fail(why, whylen, i, id, "unknown member");
	atr = cJSON_GetObjectItemCaseSensitive(o, "atr");
	if (!cJSON_IsString(atr) || (n = uk_atr_from_hex(atr->valuestring,
	    e->atr, sizeof(e->atr))) < 2)
		return entry_fail(why, whylen, i, id,
		    "'atr' must be 2..33 hex bytes");
	e->len = (size_t)n;
	memset(e->mask, 0xff, sizeof(e->mask));
	mask = cJSON_GetObjectItemCaseSensitive(o, "mask");
	if (mask != NULL && (!cJSON_IsString(mask) || (m = uk_atr_from_hex(
	    mask->valuestring, e->mask, sizeof(e->mask))) != n))
		return entry_fail(why, whylen, i, id,
		    "'mask' must have as many hex bytes as 'atr'");
	for (k = 0; k < e->len; k++)
		if ((e->atr[k] & ~e->mask[k]) != 0)
			return entry_fail(why, whylen, i, id, "'atr' has bits "
			    "set where 'mask' is 0 (it could never match)");
	if (parse_make(cJSON_GetObjectItemCaseSensitive(o, "make"),
	    &e->make) != 0)
		return entry_fail(why, whylen, i, id, "'make' must be "
		    "{type: 0..255, name: non-empty string, vendor?}");
	memcpy(e->make.id, id, sizeof(id));
	ver = cJSON_GetObjectItemCaseSensitive(o, "verified");
	note = cJSON_GetObjectItemCaseSensitive(o, "note");
	if ((ver != NULL && !cJSON_IsBool(ver)) ||
	    (note != NULL && !cJSON_IsString(note)))
		return entry_fail(why, whylen, i, id,
		    "'verified' must be a boolean, 'note' a string");
	e->make.verified = cJSON_IsTrue(ver);
	if (parse_modules(cJSON_GetObjectItemCaseSensitive(o, "modules"),
	    &e->modules) != 0)
		return entry_fail(why, whylen, i, id, "'modules' must map "
		    "linux/windows/darwin to a path or a non-empty array of "
		    "paths");
	return 0;
}

int
uk_atr_table_parse(const cJSON *entries, struct uk_atr_table **tablep,
    char *why, size_t whylen)
{
	struct uk_atr_table *t = NULL;
	const cJSON *o;
	size_t n, i = 0;
	int r = UK_ERR_INTERNAL;

	*tablep = NULL;
	if (!cJSON_IsArray(entries) ||
	    (n = (size_t)cJSON_GetArraySize(entries)) > UK_ATR_MAX_ENTRIES) {
		snprintf(why, whylen, "'atr.entries' must be an array of at "
		    "most %d entries", UK_ATR_MAX_ENTRIES);
		return UK_ERR_CONFIG;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (n > 0 && (t->e = calloc(n, sizeof(*t->e))) == NULL)) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	cJSON_ArrayForEach(o, entries) {
		if ((r = parse_entry(o, i, &t->e[i], why, whylen)) != 0) {
			cJSON_Delete(t->e[i].modules);
			goto out;
		}
		t->n = ++i;
	}
	/* success */
	*tablep = t;
	t = NULL;
	r = 0;
 out:
	uk_atr_table_free(t);
	return r;
}

int
uk_atr_table_parse_text(const char *text, size_t len,
    struct uk_atr_table **tablep, char *why, size_t whylen)
{
	static const char *const keys[] = { "version", "entries", NULL };
	const cJSON *ver;
	cJSON *root = NULL;
	int r;

	*tablep = NULL;
	if ((r = uk_json_parse(text, len, &root)) != 0) {
		snprintf(why, whylen, "not valid JSON (%s)", uk_err_en(r));
		return r == UK_ERR_ALLOC_FAIL ? r : UK_ERR_CONFIG;
	}
	ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!cJSON_IsObject(root) ||
	    uk_json_only_members(root, keys, why, whylen) != 0 ||
	    !cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		if (why[0] == '\0' || cJSON_IsObject(root))
			snprintf(why, whylen, "must be {\"version\": 1, "
			    "\"entries\": [...]}");
		r = UK_ERR_CONFIG;
	} else
		r = uk_atr_table_parse(cJSON_GetObjectItemCaseSensitive(root,
		    "entries"), tablep, why, whylen);
	cJSON_Delete(root);
	return r;
}

size_t
uk_atr_table_count(const struct uk_atr_table *t)
{
	return t == NULL ? 0 : t->n;
}

void
uk_atr_table_entry(const struct uk_atr_table *t, size_t i,
    const unsigned char **atrp, const unsigned char **maskp, size_t *lenp,
    const struct uk_atr_make **makep)
{
	*atrp = t->e[i].atr;
	*maskp = t->e[i].mask;
	*lenp = t->e[i].len;
	*makep = &t->e[i].make;
}

const cJSON *
uk_atr_table_modules(const struct uk_atr_table *t, size_t i, const char *os)
{
	return cJSON_GetObjectItemCaseSensitive(t->e[i].modules, os);
}

long
uk_atr_table_match(const struct uk_atr_table *t, const unsigned char *atr,
    size_t len)
{
	const struct uk_atr_entry *e;
	size_t i, k;

	for (i = 0; t != NULL && i < t->n; i++) {
		e = &t->e[i];
		if (e->len != len)
			continue;
		for (k = 0; k < len; k++)
			if ((atr[k] & e->mask[k]) != e->atr[k])
				break;
		if (k == len)
			return (long)i;
	}
	return -1;
}

int
uk_atr_config_validate(const cJSON *v, char *why, size_t whylen)
{
	static const char *const keys[] = { "entries", "builtin", NULL };
	struct uk_atr_table *t = NULL;
	const cJSON *b;
	char sub[UK_JSON_WHY_MAX];
	int r;

	if (!cJSON_IsObject(v)) {
		snprintf(why, whylen, "'atr': must be an object");
		return UK_ERR_CONFIG;
	}
	if (uk_json_only_members(v, keys, sub, sizeof(sub)) != 0) {
		snprintf(why, whylen, "'atr': %s", sub);
		return UK_ERR_CONFIG;
	}
	b = cJSON_GetObjectItemCaseSensitive(v, "builtin");
	if (b != NULL && !cJSON_IsBool(b)) {
		snprintf(why, whylen, "'atr.builtin': must be a boolean");
		return UK_ERR_CONFIG;
	}
	if (cJSON_GetObjectItemCaseSensitive(v, "entries") == NULL)
		return 0;
	r = uk_atr_table_parse(cJSON_GetObjectItemCaseSensitive(v, "entries"),
	    &t, why, whylen);
	uk_atr_table_free(t);
	return r;
}

char *
uk_se_plugged_list(const struct uk_pcsc_card *cards, size_t n,
    char (*devparams)[16])
{
	int count[256] = { 0 }, type;
	char *s;
	size_t i, o = 0;

	/* "ff$$NNN;" is at most 16 bytes per card. */
	if ((s = malloc(n * 16 + 1)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		type = cards[i].make != NULL ? cards[i].make->type :
		    UK_SE_DEVTYPE_DEFAULT;
		count[type]++;
		o += (size_t)snprintf(s + o, 17, "%s%x$$%d", i ? ";" : "",
		    (unsigned)type, count[type] > 999 ? 999 : count[type]);
		if (devparams != NULL)
			snprintf(devparams[i], sizeof(devparams[i]), "com%d",
			    count[type] > 999 ? 999 : count[type]);
	}
	return s;
}
