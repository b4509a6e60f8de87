/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The renewal journal: one CKO_DATA object on the token (enroll.h).
 *
 * A step is recorded by writing a new journal object with seq + 1 and only
 * then removing the previous one, so a crash between the two leaves two
 * journals of which the newest wins; never none.  The value is a small
 * JSON text (host/doc/enroll.md, "Journal").
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "enroll.h"
#include "err.h"
#include "fault.h"
#include "json.h"
#include "log.h"

#define UK_JOURNAL_LABEL	"UKeyLink enroll journal"
#define UK_JOURNAL_MAX		4096	/* bytes of the JSON text */

static const char *const step_names[] = {
	[UK_STEP_NONE] = "none",
	[UK_STEP_BEGUN] = "begun",
	[UK_STEP_GENERATING] = "generatingKey",
	[UK_STEP_KEY] = "keyGenerated",
	[UK_STEP_REQUEST] = "requestIssued",
	[UK_STEP_INSTALLING] = "installingCertificate",
	[UK_STEP_INSTALLED] = "certificateInstalled",
	[UK_STEP_SEALED] = "sealRebound",
	[UK_STEP_RETIRING] = "retiringOld",
};

const char *
uk_step_name(enum uk_step s)
{
	if ((size_t)s >= UK_ARRAY_LEN(step_names))
		return "none";
	return step_names[s];
}

static int
step_parse(const char *s, enum uk_step *stepp)
{
	size_t i;

	for (i = 1; i < UK_ARRAY_LEN(step_names); i++)
		if (strcmp(s, step_names[i]) == 0) {
			*stepp = (enum uk_step)i;
			return 0;
		}
	return UK_ERR_TRANSACTION;
}

char *
uk_journal_encode(const struct uk_journal *j)
{
	cJSON *o = NULL;
	char *oid = NULL, *nid = NULL, *text = NULL;

	if ((o = cJSON_CreateObject()) == NULL ||
	    (oid = uk_hex_encode(j->old_id, j->old_idlen)) == NULL ||
	    (nid = uk_hex_encode(j->new_id, j->new_idlen)) == NULL ||
	    cJSON_AddNumberToObject(o, "version", 1) == NULL ||
	    cJSON_AddStringToObject(o, "transaction", j->txn) == NULL ||
	    cJSON_AddStringToObject(o, "mode",
	    j->change ? "change" : "renew") == NULL ||
	    cJSON_AddStringToObject(o, "step", uk_step_name(j->step)) == NULL ||
	    cJSON_AddNumberToObject(o, "seq", (double)j->seq) == NULL ||
	    cJSON_AddStringToObject(o, "oldId", oid) == NULL ||
	    cJSON_AddStringToObject(o, "oldSerial", j->old_serial) == NULL ||
	    cJSON_AddStringToObject(o, "newId", nid) == NULL ||
	    cJSON_AddStringToObject(o, "newLabel", j->new_label) == NULL ||
	    cJSON_AddStringToObject(o, "keyType",
	    uk_keytype_name(j->kt)) == NULL ||
	    cJSON_AddStringToObject(o, "newSerial", j->new_serial) == NULL)
		goto out;
	text = cJSON_PrintUnformatted(o);
 out:
	cJSON_Delete(o);
	free(oid);
	free(nid);
	return text;
}

static int
get_hex(const cJSON *o, const char *key, unsigned char *buf, size_t max,
    size_t *lenp)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	const char *s;
	size_t n, i;
	unsigned int b;

	*lenp = 0;
	if (!cJSON_IsString(v))
		return UK_ERR_TRANSACTION;
	s = v->valuestring;
	n = strlen(s);
	if (n % 2 != 0 || n / 2 > max)
		return UK_ERR_TRANSACTION;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return UK_ERR_TRANSACTION;
		buf[i] = (unsigned char)b;
	}
	*lenp = n / 2;
	return 0;
}

static int
get_str(const cJSON *o, const char *key, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
		return UK_ERR_TRANSACTION;
	memcpy(buf, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

int
uk_journal_decode(const char *text, size_t len, struct uk_journal *j)
{
	cJSON *o = NULL;
	const cJSON *v;
	char mode[16], step[32], kt[16];
	int r = UK_ERR_TRANSACTION;

	memset(j, 0, sizeof(*j));
	if (len > UK_JOURNAL_MAX || uk_json_parse(text, len, &o) != 0)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "seq");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 1e15)
		goto out;
	j->seq = (unsigned long)v->valuedouble;
	if ((r = get_str(o, "transaction", j->txn, sizeof(j->txn))) != 0 ||
	    (r = get_str(o, "mode", mode, sizeof(mode))) != 0 ||
	    (r = get_str(o, "step", step, sizeof(step))) != 0 ||
	    (r = step_parse(step, &j->step)) != 0 ||
	    (r = get_str(o, "keyType", kt, sizeof(kt))) != 0 ||
	    (r = get_str(o, "oldSerial", j->old_serial,
	    sizeof(j->old_serial))) != 0 ||
	    (r = get_str(o, "newSerial", j->new_serial,
	    sizeof(j->new_serial))) != 0 ||
	    (r = get_str(o, "newLabel", j->new_label,
	    sizeof(j->new_label))) != 0 ||
	    (r = get_hex(o, "oldId", j->old_id, sizeof(j->old_id),
	    &j->old_idlen)) != 0 ||
	    (r = get_hex(o, "newId", j->new_id, sizeof(j->new_id),
	    &j->new_idlen)) != 0)
		goto out;
	r = UK_ERR_TRANSACTION;
	if (strcmp(mode, "change") != 0 && strcmp(mode, "renew") != 0)
		goto out;
	j->change = strcmp(mode, "change") == 0;
	j->kt = uk_keytype_parse(kt);
	if (strlen(j->txn) != UK_TXN_HEX_LEN || j->old_idlen == 0)
		goto out;
	r = 0;
 out:
	if (r != 0)
		memset(j, 0, sizeof(*j));
	cJSON_Delete(o);
	return r;
}

int
uk_journal_read(const struct uk_p11 *p, struct uk_journal *j)
{
	CK_OBJECT_HANDLE hs[8];
	struct uk_journal cand;
	unsigned char *v = NULL;
	size_t n, i, len, best = SIZE_MAX;
	int r = UK_ERR_INTERNAL;

	memset(j, 0, sizeof(*j));
	if ((r = uk_p11_find(p, CKO_DATA, NULL, 0, UK_JOURNAL_APP, hs,
	    UK_ARRAY_LEN(hs), &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((r = uk_p11_attr(p, hs[i], CKA_VALUE, &v, &len)) != 0)
			return r;
		r = uk_journal_decode((const char *)v, len, &cand);
		free(v);
		v = NULL;
		if (r != 0) {
			uk_warn("unreadable journal object ignored");
			continue;
		}
		if (best == SIZE_MAX || cand.seq > j->seq) {
			*j = cand;
			j->h = hs[i];
			best = i;
		}
	}
	/* An interrupted rewrite leaves older copies: drop them. */
	for (i = 0; i < n; i++)
		if (i != best && (r = uk_p11_destroy(p, hs[i])) != 0)
			return r;
	return 0;
}

int
uk_journal_write(const struct uk_p11 *p, struct uk_journal *j,
    enum uk_step step)
{
	struct uk_journal next = *j;
	CK_OBJECT_HANDLE h;
	char *text = NULL;
	int r = UK_ERR_INTERNAL;

	next.step = step;
	next.seq = j->seq + 1;
	if ((text = uk_journal_encode(&next)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((r = uk_p11_create_data(p, UK_JOURNAL_APP, UK_JOURNAL_LABEL,
	    (const unsigned char *)text, strlen(text), 0, &h)) != 0)
		goto out;
	if (j->h != CK_INVALID_HANDLE && j->step != UK_STEP_NONE &&
	    (r = uk_p11_destroy(p, j->h)) != 0)
		goto out;
	/* success */
	next.h = h;
	*j = next;
	uk_debug("journal %s: %s", j->txn, uk_step_name(step));
	uk_fault_step(uk_step_name(step));
	r = 0;
 out:
	free(text);
	return r;
}

int
uk_journal_remove(const struct uk_p11 *p, struct uk_journal *j)
{
	int r;

	if (j->h != CK_INVALID_HANDLE && (r = uk_p11_destroy(p, j->h)) != 0)
		return r;
	j->h = CK_INVALID_HANDLE;
	j->step = UK_STEP_NONE;
	uk_fault_step("done");
	return 0;
}
