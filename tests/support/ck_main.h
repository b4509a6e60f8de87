/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* The main() every Check suite shares: run one suite, exit non-zero on any
 * failure. */
#ifndef UK_CK_MAIN_H
#define UK_CK_MAIN_H

#include <stdlib.h>

#include <check.h>

static inline int
uk_ck_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* UK_CK_MAIN_H */
