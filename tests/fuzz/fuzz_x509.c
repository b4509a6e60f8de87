/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libFuzzer: certificate parsing (DER, PEM, base64) and everything a page
 * can read from a parsed certificate: every SEH_GetCertDetail item, the
 * cert.list fields, extension values, unique id, days left.  Also the
 * extension-value decoder and the OID syntax check on the raw bytes.
 * Every string that comes out must be valid UTF-8 without NUL.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "x509.h"
#include "x509_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const oids[] = {
	"1.2.156.10260.4.1.1", "1.2.156.10260.4.1.4", "1.2.156.11.7.3",
	"1.2.156.112570.148", "1.2.156.1.8888.148", "1.2.156.112570.11.210",
	"2.5.29.15", "2.5.29.37",
};

static void
check_text(char *s)
{
	if (uk_utf8_valid(s, strlen(s)) != 0)
		abort();
	free(s);
}

static void
read_everything(const struct uk_x509 *c)
{
	cJSON *obj;
	char *v, *text;
	int64_t days;
	size_t i;
	int item;

	for (item = 0; item <= uk_x509_detail_max() + 1; item++)
		if (uk_x509_detail(c, item, &v) == 0)
			check_text(v);
	for (i = 0; i < UK_ARRAY_LEN(oids); i++)
		if (uk_x509_info_by_oid(c, oids[i], &v) == 0)
			check_text(v);
	if (uk_x509_unique_id(c, &v) == 0)
		check_text(v);
	(void)uk_x509_valid_days(c, 1800000000, &days);
	if ((obj = cJSON_CreateObject()) == NULL)
		return;
	if (uk_x509_to_json(c, NULL, 1800000000, obj) == 0) {
		/* What goes to the browser must serialize. */
		if ((text = cJSON_PrintUnformatted(obj)) == NULL)
			abort();
		check_text(text);
	}
	cJSON_Delete(obj);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uk_x509 *c = NULL;
	char *text, *v;
	int r;

	r = uk_x509_parse(data, size, &c);
	if (r == 0) {
		read_everything(c);
		uk_x509_free(c);
	} else if (c != NULL || (r != UK_ERR_CERT_FORMAT &&
	    r != UK_ERR_MESSAGE_TOO_LARGE && r != UK_ERR_ALLOC_FAIL))
		abort();
	if ((r = uk_x509_ext_text(data, size, &v)) == 0)
		check_text(v);
	else if (r != 1 && r != UK_ERR_ALLOC_FAIL)
		abort();
	if (size < 256 && (text = malloc(size + 1)) != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)uk_oid_check(text);
		free(text);
	}
	return 0;
}
