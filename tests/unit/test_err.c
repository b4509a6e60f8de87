/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Pins the text of error codes, and the lookups' behaviour on garbage. */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "err.h"

START_TEST(test_safeengine_numbers)
{
	/* Pages compare these numbers: they must never move. */
	ck_assert_int_eq(UK_ERR_LOAD_LIBRARY, -2113667072);
	ck_assert_int_eq(UK_ERR_READ_KEY_DEVICE, -2113667070);
	ck_assert_int_eq(UK_ERR_PIN_INCORRECT, -2113667069);
	ck_assert_int_eq(UK_ERR_CERT_REVOKED, -2113667050);
	ck_assert_int_eq(UK_ERR_CERT_STATUS_UNKNOWN, -2113667042);
	ck_assert_int_eq(UK_ERR_KEY_MISMATCH, -2113667031);
	ck_assert_int_eq(UK_ERR_NO_SUCH_EXTENSION, -2113667021);
	ck_assert_int_eq(UK_ERR_NOT_LOGGED_IN, -2113667018);
	ck_assert_int_eq(UK_ERR_INTERNAL, UK_ERR_NEW_BASE);
}
END_TEST

START_TEST(test_texts)
{
	ck_assert_str_eq(uk_err_name(UK_ERR_PIN_INCORRECT), "PIN_INCORRECT");
	ck_assert_str_eq(uk_err_zh(UK_ERR_PIN_INCORRECT), "私钥密码错误");
	ck_assert_str_eq(uk_err_en(UK_ERR_PIN_INCORRECT), "Incorrect PIN");
	ck_assert_str_eq(uk_err_zh(UK_ERR_READ_KEY_DEVICE), "读私钥设备错误");
	ck_assert_str_eq(uk_err_name(UK_OK), "OK");
	ck_assert_str_eq(uk_err_name(UK_ERR_PIN_LOCKED), "PIN_LOCKED");
}
END_TEST

static const int garbage[] = { 1, -1, 42, -2113667073, -2113667017,
    0x7fffffff, (int)0x80000000, UK_ERR_NEW_BASE - 1 };

START_TEST(test_garbage)
{
	int code = garbage[_i];

	ck_assert_str_eq(uk_err_name(code), "UNKNOWN");
	ck_assert_str_eq(uk_err_zh(code), "未知错误");
	ck_assert_str_eq(uk_err_en(code), "Unknown error");
	ck_assert_int_eq(uk_err_known(code), 0);
}
END_TEST

/* Every listed code has a distinct name and non-empty texts. */
START_TEST(test_table_consistent)
{
#define X_CODE(sym, val, name, zh, en) val,
	static const int codes[] = { UK_ERROR_LIST(X_CODE) };
#undef X_CODE
	size_t i, j;

	for (i = 0; i < UK_ARRAY_LEN(codes); i++) {
		ck_assert_int_eq(uk_err_known(codes[i]), 1);
		ck_assert(strlen(uk_err_zh(codes[i])) > 0);
		ck_assert(strlen(uk_err_en(codes[i])) > 0);
		ck_assert(codes[i] <= 0);
		for (j = i + 1; j < UK_ARRAY_LEN(codes); j++) {
			ck_assert_int_ne(codes[i], codes[j]);
			ck_assert_str_ne(uk_err_name(codes[i]),
			    uk_err_name(codes[j]));
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_safeengine_numbers);
	tcase_add_test(tc, test_texts);
	tcase_add_loop_test(tc, test_garbage, 0, UK_ARRAY_LEN(garbage));
	tcase_add_test(tc, test_table_consistent);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
