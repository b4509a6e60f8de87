/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libFuzzer: the enroll module's parsers of outside data.  The first byte
 * picks one: 0 the journal text read from a token, 1 a seal package (CMS
 * + JSON content; the seal CA store is empty, so nothing verifies and
 * every byte goes through the parsers), 2 an unlock answer (the CA's
 * ephemeral key SPKI, IV, ciphertext and tag, split by the next bytes).
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "enroll.h"
#include "err.h"
#include "unlock.h"
#include "wipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_journal(const uint8_t *p, size_t n)
{
	struct uk_journal j;
	char *text = malloc(n + 1);

	if (text == NULL)
		return;
	memcpy(text, p, n);
	text[n] = '\0';		/* as uk_p11_attr hands it out */
	if (uk_journal_decode(text, n, &j) == 0) {
		/* A journal that decodes is whole and re-encodes. */
		char *again = uk_journal_encode(&j);

		if (j.old_idlen == 0 || strlen(j.txn) != UK_TXN_HEX_LEN ||
		    j.step == UK_STEP_NONE || again == NULL)
			abort();
		free(again);
	} else if (j.step != UK_STEP_NONE || j.old_idlen != 0)
		abort();	/* outputs cleared on failure */
	free(text);
}

static void
fuzz_seal(const uint8_t *p, size_t n)
{
	struct uk_enroll_cfg ec;
	cJSON *c = NULL;

	memset(&ec, 0, sizeof(ec));
	ec.seal_max = 65536;
	if ((ec.seal_ca = X509_STORE_new()) == NULL)
		return;
	if (uk_seal_verify(&ec, p, n, "1A2B", &c) == 0)
		abort();	/* nothing can chain to an empty store */
	if (c != NULL)
		abort();
	X509_STORE_free(ec.seal_ca);
}

static void
fuzz_unlock(const uint8_t *p, size_t n)
{
	static EVP_PKEY *key;
	static const unsigned char chal[32] = { 1, 2, 3 };
	unsigned char *pt = NULL;
	size_t ptlen = 0, a, b, c;

	if (key == NULL && uk_unlock_keygen(&key) != 0)
		return;
	if (n < 3)
		return;
	a = p[0] % (n - 2);	/* SPKI length */
	b = p[1] % 20;		/* IV length */
	c = p[2] % 20;		/* tag length */
	p += 3;
	n -= 3;
	if (a + b + c > n)
		return;
	if (uk_unlock_open(key, p, a, chal, sizeof(chal), "SERIAL0001",
	    p + a, b, p + a + b + c, n - a - b - c, p + a + b, c, &pt,
	    &ptlen) == 0)
		uk_freezero(pt, ptlen + 1);	/* only with the key: never */
	else if (pt != NULL || ptlen != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_journal(data + 1, size - 1);
		break;
	case 1:
		fuzz_seal(data + 1, size - 1);
		break;
	default:
		fuzz_unlock(data + 1, size - 1);
		break;
	}
	return 0;
}
