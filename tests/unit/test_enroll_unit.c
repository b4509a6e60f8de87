/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The enroll module's pure parts: journal encoding, the "enroll"
 * configuration validator, key type names, the random PIN.
 */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "enroll.h"
#include "err.h"
#include "hostproc.h"
#include "sign.h"
#include "unlock.h"

static void
sample(struct uk_journal *j)
{
	memset(j, 0, sizeof(*j));
	memcpy(j->txn, "0123456789abcdef0123456789abcdef", 32);
	j->change = 1;
	j->step = UK_STEP_INSTALLING;
	j->seq = 7;
	j->old_id[0] = 0x01;
	j->old_idlen = 1;
	memset(j->new_id, 0xa5, UK_P11_ID_LEN);
	j->new_idlen = UK_P11_ID_LEN;
	strcpy(j->new_label, "UKeyLink 20261126 a5a5a5a5");
	j->kt = UK_KT_EC_P256;
	strcpy(j->old_serial, "9F3B");
	strcpy(j->new_serial, "1000");
}

START_TEST(journal_round_trip)
{
	struct uk_journal j, k;
	char *text;

	sample(&j);
	ck_assert_ptr_nonnull(text = uk_journal_encode(&j));
	ck_assert_int_eq(uk_journal_decode(text, strlen(text), &k), 0);
	ck_assert_str_eq(k.txn, j.txn);
	ck_assert_int_eq(k.change, 1);
	ck_assert_int_eq(k.step, UK_STEP_INSTALLING);
	ck_assert_uint_eq(k.seq, 7);
	ck_assert_uint_eq(k.old_idlen, 1);
	ck_assert_uint_eq(k.new_idlen, UK_P11_ID_LEN);
	ck_assert_mem_eq(k.new_id, j.new_id, UK_P11_ID_LEN);
	ck_assert_str_eq(k.new_label, j.new_label);
	ck_assert_int_eq(k.kt, UK_KT_EC_P256);
	ck_assert_str_eq(k.new_serial, "1000");
	ck_assert_ptr_nonnull(strstr(text,
	    "\"step\":\"installingCertificate\""));
	free(text);
}
END_TEST

START_TEST(journal_rejects_garbage)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[]",
		"{\"version\":2}",
		"{\"version\":1,\"seq\":1,\"transaction\":\"x\",\"mode\":"
		    "\"renew\",\"step\":\"begun\",\"keyType\":\"none\","
		    "\"oldSerial\":\"\",\"newSerial\":\"\",\"newLabel\":\"\","
		    "\"oldId\":\"01\",\"newId\":\"\"}",
	};
	struct uk_journal j, k;
	char *text, *p;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(bad); i++) {
		ck_assert_int_eq(uk_journal_decode(bad[i], strlen(bad[i]), &k),
		    UK_ERR_TRANSACTION);
		ck_assert_int_eq(k.step, UK_STEP_NONE);
	}
	sample(&j);
	text = uk_journal_encode(&j);
	/* Unknown step, unknown mode, odd hex. */
	p = strstr(text, "installingCertificate");
	memcpy(p, "installingCertificatX", 21);
	ck_assert_int_eq(uk_journal_decode(text, strlen(text), &k),
	    UK_ERR_TRANSACTION);
	free(text);
	text = uk_journal_encode(&j);
	p = strstr(text, "change");
	memcpy(p, "chanGe", 6);
	ck_assert_int_eq(uk_journal_decode(text, strlen(text), &k),
	    UK_ERR_TRANSACTION);
	free(text);
	j.old_idlen = 0;
	text = uk_journal_encode(&j);
	ck_assert_int_eq(uk_journal_decode(text, strlen(text), &k),
	    UK_ERR_TRANSACTION);
	free(text);
}
END_TEST

START_TEST(config_validator)
{
	static const char *const good[] = {
		"{}",
		"{\"retireOld\":\"archive\",\"keyTypes\":[\"rsa2048\","
		    "\"ec-p256\"],\"sm2Mechanisms\":{\"keyGen\":2147516417,"
		    "\"sign\":2147516672},\"trustAnchors\":[\"/etc/a.pem\"],"
		    "\"sealCA\":[\"/etc/b.pem\"],\"sealMaxBytes\":1024,"
		    "\"registryOids\":[\"1.2.156.10260.4.1.1\"]}",
		/* sign defaults to pkcs11.sm2Mechanism */
		"{\"sm2Mechanisms\":{\"keyGen\":2147516417}}",
		"{\"sm2Mechanisms\":{\"keyGen\":0,\"sign\":0}}",
	};
	static const struct { const char *json, *word; } bad[] = {
		{ "[]", "object" },
		{ "{\"retireOld\":\"shred\"}", "retireOld" },
		{ "{\"keyTypes\":[\"dsa\"]}", "keyTypes" },
		{ "{\"keyTypes\":\"rsa2048\"}", "keyTypes" },
		{ "{\"trustAnchors\":[\"relative.pem\"]}", "trustAnchors" },
		{ "{\"sealCA\":[1]}", "sealCA" },
		{ "{\"sealMaxBytes\":1023}", "sealMaxBytes" },
		{ "{\"sealMaxBytes\":16777217}", "sealMaxBytes" },
		{ "{\"sealMaxBytes\":2048.5}", "sealMaxBytes" },
		{ "{\"registryOids\":[\"1..2\"]}", "registryOids" },
		{ "{\"registryOids\":[\"abc\"]}", "registryOids" },
		/* keyGen has no default */
		{ "{\"sm2Mechanisms\":{\"sign\":2147516672}}",
		    "sm2Mechanisms.keyGen" },
		{ "{\"sm2Mechanisms\":{}}", "sm2Mechanisms.keyGen" },
		{ "{\"sm2Mechanisms\":{\"keyGen\":-1,\"sign\":1}}",
		    "sm2Mechanisms.keyGen" },
		{ "{\"sm2Mechanisms\":{\"keyGen\":\"0x80008001\"}}",
		    "sm2Mechanisms.keyGen" },
		{ "{\"sm2Mechanisms\":{\"keyGen\":1,\"sign\":4294967296}}",
		    "sm2Mechanisms.sign" },
		{ "{\"sm2Mechanisms\":{\"keyGen\":1,\"sign\":null}}",
		    "sm2Mechanisms.sign" },
		{ "{\"sm2Mechanisms\":{\"keyGen\":1,\"verify\":2}}",
		    "sm2Mechanisms" },
		{ "{\"sm2Mechanisms\":[2147516417]}", "sm2Mechanisms" },
		{ "{\"sealHosts\":[\"a\"]}", "sealHosts" },
	};
	char why[256];
	cJSON *v;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(good); i++) {
		v = cJSON_Parse(good[i]);
		ck_assert_int_eq(uk_enroll_config_validate(v, why,
		    sizeof(why)), 0);
		cJSON_Delete(v);
	}
	for (i = 0; i < UK_ARRAY_LEN(bad); i++) {
		v = cJSON_Parse(bad[i].json);
		why[0] = '\0';
		ck_assert_int_eq(uk_enroll_config_validate(v, why,
		    sizeof(why)), UK_ERR_CONFIG);
		ck_assert_msg(strstr(why, bad[i].word) != NULL,
		    "case %zu: %s", i, why);
		cJSON_Delete(v);
	}
}
END_TEST

/* enroll.sm2Mechanisms.sign absent → pkcs11.sm2Mechanism; present (0
 * too) → it wins.  keyGen never defaults. */
START_TEST(sm2_sign_default)
{
	static const struct {
		const char *pkcs11, *enroll;
		unsigned long keygen, sign;
	} cases[] = {
		{ "\"sm2Mechanism\":2147516672",
		    "\"sm2Mechanisms\":{\"keyGen\":2147516417}",
		    0x80008001UL, 0x80008100UL },
		{ "\"sm2Mechanism\":2147516672",
		    "\"sm2Mechanisms\":{\"keyGen\":2147516417,"
		    "\"sign\":2147516673}", 0x80008001UL, 0x80008101UL },
		{ "\"sm2Mechanism\":2147516672",
		    "\"sm2Mechanisms\":{\"keyGen\":2147516417,\"sign\":0}",
		    0x80008001UL, 0 },
		{ "", "\"sm2Mechanisms\":{\"keyGen\":2147516417}",
		    0x80008001UL, 0 },
		{ "\"sm2Mechanism\":2147516673", "\"retireOld\":\"archive\"",
		    0, 0x80008101UL },
		{ "\"sm2Mechanism\":2147516673", NULL, 0, 0x80008101UL },
	};
	struct uk_enroll_cfg ec;
	struct uk_config *cfg;
	char text[512], *path;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(cases); i++) {
		snprintf(text, sizeof(text), "{\"pkcs11\":{%s}%s%s%s}",
		    cases[i].pkcs11, cases[i].enroll ? ",\"enroll\":{" : "",
		    cases[i].enroll ? cases[i].enroll : "",
		    cases[i].enroll ? "}" : "");
		ck_assert_ptr_nonnull(path = uk_test_write_temp("config.json",
		    text));
		ck_assert_int_eq(uk_config_load(path, "/nonexistent", &cfg),
		    0);
		/* the file was taken, not ignored as invalid */
		ck_assert_msg(uk_config_section(cfg, "pkcs11") != NULL &&
		    (cases[i].enroll == NULL ||
		    uk_config_section(cfg, "enroll") != NULL), "%s", text);
		ck_assert_int_eq(uk_enroll_cfg_load(cfg, &ec), 0);
		ck_assert_msg(ec.sm2.keygen == cases[i].keygen &&
		    ec.sm2.sign == cases[i].sign, "%s: keyGen 0x%lx sign 0x%lx",
		    text, (unsigned long)ec.sm2.keygen,
		    (unsigned long)ec.sm2.sign);
		uk_enroll_cfg_clear(&ec);
		uk_config_free(cfg);
		(void)unlink(path);
		free(path);
	}
}
END_TEST

/* Vendor SM2/EC answers: DER is kept, r ‖ s converted, anything else
 * refused; one converter for the sign and the enrol paths (sign.c). */
START_TEST(ecdsa_sig_forms)
{
	unsigned char raw[64], longer[80], *der = NULL, *out = NULL;
	unsigned char *back = NULL;
	size_t derlen, outlen, backlen;

	memset(raw, 0x11, 32);
	memset(raw + 32, 0x9c, 32);	/* s with its top bit set */
	ck_assert(!uk_ecdsa_sig_is_der(raw, sizeof(raw)));
	ck_assert_int_eq(uk_ecdsa_sig_to_der(raw, sizeof(raw), &der,
	    &derlen), 0);
	ck_assert(uk_ecdsa_sig_is_der(der, derlen));
	ck_assert_uint_eq(derlen, 2 + 2 + 32 + 2 + 33);
	/* DER passes as it is */
	ck_assert_int_eq(uk_ecdsa_sig_to_der(der, derlen, &out, &outlen), 0);
	ck_assert_uint_eq(outlen, derlen);
	ck_assert_mem_eq(out, der, derlen);
	ck_assert_int_eq(uk_ecdsa_der_to_raw(out, outlen, 32, &back,
	    &backlen), 0);
	ck_assert_mem_eq(back, raw, sizeof(raw));
	/* not DER: a byte after it, a length that is off */
	memcpy(longer, der, derlen);
	longer[derlen] = 0x00;
	ck_assert(!uk_ecdsa_sig_is_der(longer, derlen + 1));
	der[1]++;
	ck_assert(!uk_ecdsa_sig_is_der(der, derlen));
	/* neither form */
	free(out);
	ck_assert_int_eq(uk_ecdsa_sig_to_der(raw, 63, &out, &outlen),
	    UK_ERR_INVALID_PARAM);
	ck_assert_ptr_null(out);
	free(back);
	free(der);
}
END_TEST

START_TEST(keytype_names)
{
	ck_assert_int_eq(uk_keytype_parse("rsa2048"), UK_KT_RSA2048);
	ck_assert_int_eq(uk_keytype_parse("rsa3072"), UK_KT_RSA3072);
	ck_assert_int_eq(uk_keytype_parse("ec-p256"), UK_KT_EC_P256);
	ck_assert_int_eq(uk_keytype_parse("sm2"), UK_KT_SM2);
	ck_assert_int_eq(uk_keytype_parse("RSA2048"), UK_KT_NONE);
	ck_assert_int_eq(uk_keytype_parse(""), UK_KT_NONE);
	ck_assert_int_eq(uk_keytype_parse(NULL), UK_KT_NONE);
	ck_assert_str_eq(uk_keytype_name(UK_KT_EC_P256), "ec-p256");
	ck_assert_str_eq(uk_keytype_name(UK_KT_NONE), "none");
	ck_assert_str_eq(uk_step_name(UK_STEP_RETIRING), "retiringOld");
	ck_assert_str_eq(uk_step_name((enum uk_step)99), "none");
}
END_TEST

START_TEST(random_pin_digits)
{
	char pin[17];
	int seen[10] = { 0 };
	size_t i, k;

	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(uk_unlock_random_pin(pin, 8), 0);
		ck_assert_uint_eq(strlen(pin), 8);
		for (k = 0; k < 8; k++) {
			ck_assert(pin[k] >= '0' && pin[k] <= '9');
			seen[pin[k] - '0']++;
		}
	}
	/* 1600 digits: each of the ten appears (p of a miss < 1e-60). */
	for (k = 0; k < 10; k++)
		ck_assert_int_gt(seen[k], 80);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("enroll_unit");
	TCase *tc = tcase_create("unit");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, journal_round_trip);
	tcase_add_test(tc, journal_rejects_garbage);
	tcase_add_test(tc, config_validator);
	tcase_add_test(tc, sm2_sign_default);
	tcase_add_test(tc, ecdsa_sig_forms);
	tcase_add_test(tc, keytype_names);
	tcase_add_test(tc, random_pin_digits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
