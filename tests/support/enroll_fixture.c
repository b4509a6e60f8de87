/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "enroll.h"
#include "enroll_fixture.h"

static char base[64];		/* temp dir of the whole process */
static char pki[128];
static char tokdir[160];
static unsigned ntoken;
static void *lib;

static int
sh(const char *fmt, ...) UK_PRINTF(1, 2);

static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (getenv("UK_TEST_VERBOSE") == NULL)
		strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	return st == 0 ? 0 : -1;
}

void
uk_ef_global_setup(void)
{
	char tmpl[] = "/tmp/ukenroll.XXXXXX";

	if (base[0] != '\0')
		return;
	if (mkdtemp(tmpl) == NULL)
		abort();
	snprintf(base, sizeof(base), "%s", tmpl);
	snprintf(pki, sizeof(pki), "%s/pki", base);
	if (sh("%s/tests/pki/make-pki.sh %s", UK_TEST_SOURCE_DIR, pki) != 0 ||
	    sh("%s/tests/support/enroll-token.sh %s/full %s",
	    UK_TEST_SOURCE_DIR, base, pki) != 0 ||
	    sh("PART=1 %s/tests/support/enroll-token.sh %s/part %s",
	    UK_TEST_SOURCE_DIR, base, pki) != 0) {
		fprintf(stderr, "enroll fixture: setup failed in %s\n", base);
		abort();
	}
}

void
uk_ef_global_teardown(void)
{
	if (base[0] != '\0' && getenv("UK_TEST_KEEP") == NULL)
		(void)sh("rm -rf %s", base);
}

const char *
uk_ef_pki(void)
{
	return pki;
}

const char *
uk_ef_token(int part)
{
	char conf[256];
	FILE *fp;

	snprintf(tokdir, sizeof(tokdir), "%s/tok%u.%ld", base, ntoken++,
	    (long)getpid());
	if (sh("mkdir -p %s && cp -a %s/%s/tokens %s/", tokdir, base,
	    part ? "part" : "full", tokdir) != 0)
		return NULL;
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", tokdir);
	if ((fp = fopen(conf, "w")) == NULL)
		return NULL;
	fprintf(fp, "directories.tokendir = %s/tokens\n"
	    "objectstore.backend = file\nlog.level = ERROR\n"
	    "slots.removable = false\n", tokdir);
	fclose(fp);
	setenv("SOFTHSM2_CONF", conf, 1);
	return tokdir;
}

int
uk_ef_open(struct uk_p11 *p)
{
	CK_C_GetFunctionList gfl;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, i;
	CK_TOKEN_INFO ti;
	char label[33];

	memset(p, 0, sizeof(*p));
	if ((lib = dlopen(UK_EF_MODULE, RTLD_NOW)) == NULL ||
	    (gfl = (CK_C_GetFunctionList)dlsym(lib,
	    "C_GetFunctionList")) == NULL || gfl(&p->fn) != CKR_OK ||
	    p->fn->C_Initialize(NULL) != CKR_OK ||
	    p->fn->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	snprintf(label, sizeof(label), "%-32s", UK_EF_LABEL);
	for (i = 0; i < n; i++) {
		if (p->fn->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    memcmp(ti.label, label, 32) != 0)
			continue;
		if (p->fn->C_OpenSession(slots[i], CKF_SERIAL_SESSION |
		    CKF_RW_SESSION, NULL, NULL, &p->s) != CKR_OK ||
		    p->fn->C_Login(p->s, CKU_USER, (CK_UTF8CHAR_PTR)UK_EF_PIN,
		    strlen(UK_EF_PIN)) != CKR_OK)
			return -1;
		return 0;
	}
	return -1;
}

void
uk_ef_close(struct uk_p11 *p)
{
	if (p->fn == NULL)
		return;
	(void)p->fn->C_Logout(p->s);
	(void)p->fn->C_CloseSession(p->s);
	(void)p->fn->C_Finalize(NULL);
	p->fn = NULL;
}

static int
pair_works(const struct uk_p11 *p, CK_OBJECT_HANDLE ch)
{
	unsigned char *id = NULL, *der = NULL, *sig = NULL, msg[32];
	const unsigned char *q;
	size_t idlen, dlen, siglen;
	CK_OBJECT_HANDLE kh;
	enum uk_keytype kt;
	X509 *c = NULL;
	EVP_MD_CTX *md = NULL;
	int ok = 0;

	if (uk_p11_attr(p, ch, CKA_ID, &id, &idlen) != 0 ||
	    uk_p11_attr(p, ch, CKA_VALUE, &der, &dlen) != 0)
		goto out;
	q = der;
	if ((c = d2i_X509(NULL, &q, (long)dlen)) == NULL ||
	    uk_enroll_find_key(p, CKO_PRIVATE_KEY, id, idlen, &kh) != 0 ||
	    uk_p11_keytype(p, kh, &kt) != 0 ||
	    RAND_bytes(msg, sizeof(msg)) != 1 ||
	    uk_p11_sign(p, kh, kt, NULL, msg, sizeof(msg), &sig,
	    &siglen) != 0)
		goto out;
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    X509_get0_pubkey(c)) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) == 1)
		ok = 1;
 out:
	EVP_MD_CTX_free(md);
	X509_free(c);
	free(id);
	free(der);
	free(sig);
	return ok;
}

int
uk_ef_check_pairs(const struct uk_p11 *p, int *usablep, int *badp)
{
	CK_OBJECT_HANDLE hs[64];
	size_t n, i;

	*usablep = *badp = 0;
	if (uk_p11_find(p, CKO_CERTIFICATE, NULL, 0, NULL, hs, 64, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (pair_works(p, hs[i]))
			(*usablep)++;
		else
			(*badp)++;
	}
	return 0;
}

int
uk_ef_count(const struct uk_p11 *p, unsigned long cls, const char *idhex)
{
	unsigned char id[64];
	CK_OBJECT_HANDLE hs[64];
	size_t n, i, len = strlen(idhex) / 2;
	unsigned int b;

	for (i = 0; i < len && i < sizeof(id); i++) {
		if (sscanf(idhex + 2 * i, "%2x", &b) != 1)
			return -1;
		id[i] = (unsigned char)b;
	}
	if (uk_p11_find(p, cls, id, len, NULL, hs, 64, &n) != 0)
		return -1;
	return (int)n;
}

unsigned char *
uk_ef_read_file(const char *path, size_t *lenp)
{
	FILE *fp;
	unsigned char *buf = NULL;
	long sz;

	*lenp = 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) != NULL &&
	    fread(buf, 1, (size_t)sz, fp) == (size_t)sz) {
		buf[sz] = '\0';
		*lenp = (size_t)sz;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}
