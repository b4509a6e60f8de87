/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Revocation on the project's shared test PKI (tests/pki/make-pki.sh, the
 * certificates x509 and token tests use), served by the network fixture:
 * OCSP for RSA, EC and SM2 leaves and the intermediate, the revoked leaf,
 * caIssuers for the intermediate, and the same through cert.verify in the
 * real host.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "hostproc.h"
#include "net.h"
#include "netfix.h"

static struct uk_netfix nf;
static int nf_ok;

static void
fix_up(void)
{
	nf_ok = uk_netfix_start(&nf) == 0 && uk_netfix_shared_pki(&nf) == 0;
}

static void
fix_down(void)
{
	uk_netfix_stop(&nf);
}

static const struct {
	const char *name;
	int code;
} cases[] = {
	{ "pki/leaf-rsa", 0 },
	{ "pki/leaf-ec", 0 },
	{ "pki/leaf-company2", 0 },
	{ "pki/leaf-plain", 0 },
	{ "pki/leaf-sm2", 0 },
	{ "pki/leaf-revoked", UK_ERR_CERT_REVOKED },
	{ "pki/leaf-expired", UK_ERR_CERT_EXPIRED },
	{ "pki/leaf-foreign", UK_ERR_VERIFY_CHAIN },
};

START_TEST(test_shared_pki)
{
	struct uk_config *cfg = NULL;
	struct uk_ctx ctx;
	X509_STORE *store = NULL;
	X509 *leaf;
	const char *src = NULL;
	char *text, *path, detail[256] = "";
	int r;

	ck_assert_msg(nf_ok, "test PKI or server did not start");
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	ck_assert_ptr_nonnull(path = uk_test_write_temp("c.json", text));
	ck_assert_int_eq(uk_config_load("/nonexistent", path, &cfg), 0);
	ck_assert_int_eq(uk_ctx_init(&ctx, cfg, -1), 0);
	ck_assert_int_eq(uk_net_trust_store(&ctx, &store), 0);
	ck_assert_ptr_nonnull(leaf = uk_netfix_cert(&nf, cases[_i].name));
	r = uk_net_verify(&ctx, leaf, NULL, store, 1, &src, detail,
	    sizeof(detail));
	ck_assert_msg(r == cases[_i].code, "%s: %s (%s), want %s",
	    cases[_i].name, uk_err_name(r), detail,
	    uk_err_name(cases[_i].code));
	if (r == 0 || r == UK_ERR_CERT_REVOKED)
		ck_assert_str_eq(src, "ocsp");
	X509_free(leaf);
	X509_STORE_free(store);
	uk_ctx_fini(&ctx);
	uk_config_free(cfg);
	free(path);
	free(text);
}
END_TEST

/* cert.verify (x509) with revocation, through the real host. */
START_TEST(test_cert_verify_host)
{
	struct uk_hostproc hp;
	char *text, *b64, params[8192];
	cJSON *resp;
	const cJSON *err;

	ck_assert_msg(nf_ok, "fixture");
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	ck_assert_int_eq(uk_hostproc_start_test(&hp, text), 0);
	free(text);
	ck_assert_ptr_nonnull(b64 = uk_netfix_b64(&nf, "pki/leaf-revoked.der"));
	snprintf(params, sizeof(params), "{\"cert\":\"%s\",\"revocation\":"
	    "true}", b64);
	free(b64);
	resp = uk_hostproc_call(&hp, 1, "cert.verify", params, UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(resp);
	ck_assert_ptr_nonnull(err = cJSON_GetObjectItem(resp, "error"));
	ck_assert_int_eq(cJSON_GetObjectItem(err, "code")->valueint,
	    UK_ERR_CERT_REVOKED);
	cJSON_Delete(resp);
	ck_assert_ptr_nonnull(b64 = uk_netfix_b64(&nf, "pki/leaf-sm2.der"));
	snprintf(params, sizeof(params), "{\"cert\":\"%s\",\"revocation\":"
	    "true}", b64);
	free(b64);
	resp = uk_hostproc_call(&hp, 2, "cert.verify", params, UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(resp);
	ck_assert_msg(cJSON_GetObjectItem(resp, "result") != NULL, "%s",
	    cJSON_PrintUnformatted(resp));
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 20000), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_pki");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, fix_up, fix_down);
	tcase_set_timeout(tc, 300);	/* a loaded 2-core machine */
	tcase_add_loop_test(tc, test_shared_pki, 0, UK_ARRAY_LEN(cases));
	tcase_add_test(tc, test_cert_verify_host);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
