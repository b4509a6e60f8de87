/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* The PKCS#11 test token for a test process (p11test_fixture.h). */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>

#include "ck_main.h"
#include "p11test_fixture.h"
#include "softhsm.h"

int
uk_p11t_main(struct uk_p11t *t, Suite *s)
{
	int r;

	snprintf(t->base, sizeof(t->base), "/tmp/ukp11t.XXXXXX");
	if (mkdtemp(t->base) == NULL) {
		srunner_free(srunner_create(s));	/* frees s */
		return 1;
	}
	snprintf(t->token, sizeof(t->token), "%s/token", t->base);
	snprintf(t->pki, sizeof(t->pki), "%s/pki", t->base);
	snprintf(t->work, sizeof(t->work), "%s/work", t->base);
	if (uk_test_sh("bash %s/tests/support/p11test-token.sh %s && "
	    "mkdir -p %s", UK_TEST_SOURCE_DIR, t->base, t->work) != 0 ||
	    setenv("UK_P11TEST_DIR", t->token, 1) != 0) {
		fprintf(stderr, "cannot create the test token\n");
		(void)uk_test_sh("rm -rf %s", t->base);
		srunner_free(srunner_create(s));	/* frees s */
		return 1;
	}
	r = uk_ck_run(s);
	(void)uk_test_sh("rm -rf %s", t->base);
	return r == EXIT_SUCCESS ? 0 : 1;
}
