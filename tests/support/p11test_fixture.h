/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The PKCS#11 test token (tests/support/p11test) for a test process:
 * tests/support/p11test-token.sh run into a fresh temp directory, and
 * UK_P11TEST_DIR set in this process so that the hosts it starts (and the
 * module it loads itself) use that token.  What the token holds:
 * p11test-token.sh.
 */
#ifndef UK_P11TEST_FIXTURE_H
#define UK_P11TEST_FIXTURE_H

#include <check.h>

struct uk_p11t {
	char base[64];		/* the temp dir, removed at the end */
	char token[96];		/* base/token: UK_P11TEST_DIR */
	char pki[96];		/* base/pki: the test PKI, sm2.pub, ec.pub */
	char work[96];		/* base/work: empty, the tests' files */
};

/*
 * main() of a suite on the test token: makes the token into t, runs s
 * (Check, CK_NORMAL), removes the directory.  The exit status: 0 when
 * every test passed, 1 otherwise or when the token cannot be made.
 */
int uk_p11t_main(struct uk_p11t *t, Suite *s);

#endif /* UK_P11TEST_FIXTURE_H */
