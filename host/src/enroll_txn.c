/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The renewal / change transaction on a raw session (enroll.h).
 *
 * Order of writes, chosen so that every prefix leaves a usable token:
 *   journal(begun) → journal(generatingKey, new id) → key pair →
 *   journal(keyGenerated) → journal(requestIssued) →
 *   journal(installingCertificate) → certificate → journal(installed) →
 *   [new seal → journal(sealRebound)] → test signature →
 *   journal(retiringOld) → old seals, old certificate, old public key,
 *   old private key removed (or relabelled) → journal removed.
 * Certificates are always written after their key and removed before it.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "enroll.h"
#include "err.h"
#include "json.h"
#include "log.h"
#include "sign.h"
#include "wipe.h"
#include "x509.h"

#define UK_ARCHIVED_PREFIX	"UKeyLink archived "
#define UK_SEAL_MAX_DEFAULT	(512 * 1024)
#ifndef UK_TRUST_DIR
#define UK_TRUST_DIR	"/usr/share/ukeylink/trust"
#endif

/* --- Settings ---------------------------------------------------------- */

static int
load_paths(X509_STORE **storep, const cJSON *paths)
{
	const cJSON *e;

	if (paths == NULL)
		return 0;
	cJSON_ArrayForEach(e, paths) {
		if (!cJSON_IsString(e))
			return UK_ERR_CONFIG;
		if (*storep == NULL) {
			if ((*storep = X509_STORE_new()) == NULL)
				return UK_ERR_ALLOC_FAIL;
			X509_STORE_set_verify_cb(*storep, uk_x509_verify_cb);
			/* Seal signers and issuing CAs need no S/MIME or
			 * TLS purpose. */
			X509_STORE_set_purpose(*storep, X509_PURPOSE_ANY);
		}
		if (X509_STORE_load_file(*storep, e->valuestring) != 1) {
			uk_error("cannot read trust anchors from %s",
			    e->valuestring);
			return UK_ERR_CONFIG;
		}
	}
	return 0;
}

/* The shipped roots (like cert.verify): every readable PEM file in dir. */
static int
load_dir(X509_STORE **storep, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*storep == NULL) {
			if ((*storep = X509_STORE_new()) == NULL) {
				closedir(d);
				return UK_ERR_ALLOC_FAIL;
			}
			X509_STORE_set_verify_cb(*storep, uk_x509_verify_cb);
			X509_STORE_set_purpose(*storep, X509_PURPOSE_ANY);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (X509_STORE_load_file(*storep, path) != 1)
			uk_debug("%s: not a PEM certificate file", path);
	}
	closedir(d);
	return 0;
}

int
uk_enroll_cfg_load(const struct uk_config *cfg, struct uk_enroll_cfg *ec)
{
	const cJSON *sec = uk_config_section(cfg, "enroll"), *v, *e;
	int r;

	memset(ec, 0, sizeof(*ec));
	ec->keytypes = (1u << UK_KT_RSA2048) | (1u << UK_KT_RSA3072) |
	    (1u << UK_KT_EC_P256) | (1u << UK_KT_SM2);
	ec->seal_max = UK_SEAL_MAX_DEFAULT;
	if ((r = load_dir(&ec->anchors, UK_TRUST_DIR)) != 0 ||
	    (r = load_paths(&ec->anchors,
	    uk_config_section(cfg, "trustAnchors"))) != 0)
		goto fail;
	/* SM2 signing defaults to the sign path's mechanism: the same
	 * kind (the token hashes Z ‖ M with SM3 and signs), so a site
	 * configures it once.  Key generation has no default. */
	v = cJSON_GetObjectItemCaseSensitive(uk_config_section(cfg,
	    "pkcs11"), "sm2Mechanism");
	if (cJSON_IsNumber(v))
		ec->sm2.sign = (CK_MECHANISM_TYPE)v->valuedouble;
	if (sec == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(sec, "retireOld");
	ec->archive = cJSON_IsString(v) &&
	    strcmp(v->valuestring, "archive") == 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(sec, "keyTypes")) != NULL) {
		ec->keytypes = 0;
		cJSON_ArrayForEach(e, v)
			ec->keytypes |= 1u << uk_keytype_parse(
			    e->valuestring);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(sec,
	    "sm2Mechanisms")) != NULL) {
		e = cJSON_GetObjectItemCaseSensitive(v, "keyGen");
		ec->sm2.keygen = cJSON_IsNumber(e) ?
		    (CK_MECHANISM_TYPE)e->valuedouble : 0;
		if (cJSON_IsNumber(e = cJSON_GetObjectItemCaseSensitive(v,
		    "sign")))
			ec->sm2.sign = (CK_MECHANISM_TYPE)e->valuedouble;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(sec, "sealMaxBytes")) !=
	    NULL)
		ec->seal_max = (size_t)v->valuedouble;
	ec->reg_oids = cJSON_GetObjectItemCaseSensitive(sec, "registryOids");
	if ((r = load_paths(&ec->anchors,
	    cJSON_GetObjectItemCaseSensitive(sec, "trustAnchors"))) != 0 ||
	    (r = load_paths(&ec->seal_ca,
	    cJSON_GetObjectItemCaseSensitive(sec, "sealCA"))) != 0)
		goto fail;
	return 0;
 fail:
	uk_enroll_cfg_clear(ec);
	return r;
}

void
uk_enroll_cfg_clear(struct uk_enroll_cfg *ec)
{
	X509_STORE_free(ec->anchors);
	X509_STORE_free(ec->seal_ca);
	memset(ec, 0, sizeof(*ec));
}

/* --- Lookups ----------------------------------------------------------- */

int
uk_enroll_find_cert(const struct uk_p11 *p, const unsigned char *id,
    size_t idlen, X509 **certp, CK_OBJECT_HANDLE *hp)
{
	CK_OBJECT_HANDLE hs[4];
	unsigned char *v = NULL;
	const unsigned char *q;
	size_t n, len;
	int r;

	*certp = NULL;
	if (hp != NULL)
		*hp = CK_INVALID_HANDLE;
	if ((r = uk_p11_find(p, CKO_CERTIFICATE, id, idlen, NULL, hs,
	    UK_ARRAY_LEN(hs), &n)) != 0)
		return r;
	if (n == 0)
		return UK_ERR_CERT_NOT_FOUND;
	if ((r = uk_p11_attr(p, hs[0], CKA_VALUE, &v, &len)) != 0)
		return r;
	q = v;
	*certp = d2i_X509(NULL, &q, (long)len);
	free(v);
	if (*certp == NULL)
		return UK_ERR_CERT_FORMAT;
	if (hp != NULL)
		*hp = hs[0];
	return 0;
}

int
uk_enroll_find_key(const struct uk_p11 *p, CK_OBJECT_CLASS cls,
    const unsigned char *id, size_t idlen, CK_OBJECT_HANDLE *hp)
{
	size_t n;
	int r;

	*hp = CK_INVALID_HANDLE;
	if ((r = uk_p11_find(p, cls, id, idlen, NULL, hp, 1, &n)) != 0)
		return r;
	return n == 1 ? 0 : UK_ERR_READ_KEY_DEVICE;
}

/* Removes every object of class cls with CKA_ID id. */
static int
destroy_all(const struct uk_p11 *p, CK_OBJECT_CLASS cls,
    const unsigned char *id, size_t idlen)
{
	CK_OBJECT_HANDLE hs[16];
	size_t n, i;
	int r;

	if ((r = uk_p11_find(p, cls, id, idlen, NULL, hs, UK_ARRAY_LEN(hs),
	    &n)) != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = uk_p11_destroy(p, hs[i])) != 0)
			return r;
	return 0;
}

/* Relabels every object of class cls with CKA_ID id as archived. */
static int
archive_all(const struct uk_p11 *p, CK_OBJECT_CLASS cls,
    const unsigned char *id, size_t idlen)
{
	CK_OBJECT_HANDLE hs[16];
	unsigned char *old = NULL;
	char label[UK_ENROLL_LABEL_MAX + 1];
	size_t n, i, len;
	int r;

	if ((r = uk_p11_find(p, cls, id, idlen, NULL, hs, UK_ARRAY_LEN(hs),
	    &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (uk_p11_attr(p, hs[i], CKA_LABEL, &old, &len) != 0) {
			old = NULL;
			len = 0;
		}
		if (old != NULL && strncmp((char *)old, UK_ARCHIVED_PREFIX,
		    strlen(UK_ARCHIVED_PREFIX)) == 0) {
			free(old);
			old = NULL;
			continue;
		}
		snprintf(label, sizeof(label), "%s%.*s", UK_ARCHIVED_PREFIX,
		    (int)(len > 40 ? 40 : len), old != NULL ?
		    (char *)old : "");
		free(old);
		old = NULL;
		if ((r = uk_p11_set_label(p, hs[i], label)) != 0)
			return r;
	}
	return 0;
}

static int
check_txn_open(const struct uk_journal *j)
{
	return j->step == UK_STEP_NONE ? UK_ERR_TRANSACTION : 0;
}

/* --- Steps ------------------------------------------------------------- */

int
uk_enroll_begin(const struct uk_p11 *p, const unsigned char *old_id,
    size_t old_idlen, int change, struct uk_journal *j)
{
	unsigned char rnd[UK_TXN_HEX_LEN / 2];
	CK_OBJECT_HANDLE kh;
	X509 *oldc = NULL;
	char *hex = NULL, *ser = NULL;
	int r = UK_ERR_INTERNAL;

	if ((r = uk_journal_read(p, j)) != 0)
		return r;
	if (j->step != UK_STEP_NONE)
		return UK_ERR_TRANSACTION;
	if (old_idlen == 0 || old_idlen > UK_ID_MAX)
		return UK_ERR_INVALID_PARAM;
	if ((r = uk_enroll_find_cert(p, old_id, old_idlen, &oldc,
	    NULL)) != 0 ||
	    (r = uk_enroll_find_key(p, CKO_PRIVATE_KEY, old_id, old_idlen,
	    &kh)) != 0 ||
	    (r = uk_cert_serial_hex(oldc, &ser)) != 0 ||
	    (r = uk_p11_random(p, rnd, sizeof(rnd))) != 0)
		goto out;
	if ((hex = uk_hex_encode(rnd, sizeof(rnd))) == NULL ||
	    strlen(ser) >= sizeof(j->old_serial)) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	memset(j, 0, sizeof(*j));
	memcpy(j->txn, hex, UK_TXN_HEX_LEN);
	memcpy(j->old_id, old_id, old_idlen);
	j->old_idlen = old_idlen;
	j->change = change;
	memcpy(j->old_serial, ser, strlen(ser) + 1);
	r = uk_journal_write(p, j, UK_STEP_BEGUN);
 out:
	X509_free(oldc);
	free(hex);
	free(ser);
	return r;
}

int
uk_enroll_genkey(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, enum uk_keytype kt, EVP_PKEY **pubp)
{
	CK_OBJECT_HANDLE hs[1], pub, priv;
	char day[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;
	int r, tries;

	*pubp = NULL;
	if ((r = check_txn_open(j)) != 0)
		return r;
	if (j->step != UK_STEP_BEGUN)
		return UK_ERR_TRANSACTION;
	if (kt == UK_KT_NONE || (ec->keytypes & (1u << kt)) == 0)
		return UK_ERR_MECHANISM;
	for (tries = 0; tries < 4; tries++) {
		if ((r = uk_p11_random(p, j->new_id, UK_P11_ID_LEN)) != 0 ||
		    (r = uk_p11_find(p, CK_UNAVAILABLE_INFORMATION, j->new_id,
		    UK_P11_ID_LEN, NULL, hs, 1, &n)) != 0)
			return r;
		if (n == 0)
			break;
	}
	if (tries == 4)
		return UK_ERR_RANDOM;
	j->new_idlen = UK_P11_ID_LEN;
	j->kt = kt;
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	snprintf(j->new_label, sizeof(j->new_label),
	    "UKeyLink %s %02x%02x%02x%02x", day, j->new_id[0], j->new_id[1],
	    j->new_id[2], j->new_id[3]);
	if ((r = uk_journal_write(p, j, UK_STEP_GENERATING)) != 0)
		return r;
	if ((r = uk_p11_genkey(p, kt, &ec->sm2, j->new_id, j->new_idlen,
	    j->new_label, &pub, &priv)) != 0) {
		/* Nothing was generated: back to "begun". */
		uk_warn_r(r, "key generation");
		j->new_idlen = 0;
		j->new_label[0] = '\0';
		j->kt = UK_KT_NONE;
		if (uk_journal_write(p, j, UK_STEP_BEGUN) != 0)
			uk_warn("journal left at generatingKey");
		return r;
	}
	if ((r = uk_journal_write(p, j, UK_STEP_KEY)) != 0)
		return r;
	return uk_p11_pubkey(p, pub, pubp);
}

int
uk_enroll_request(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, const cJSON *subject, const cJSON *add,
    unsigned char **derp, size_t *lenp)
{
	CK_OBJECT_HANDLE pubh, privh;
	EVP_PKEY *pub = NULL;
	X509 *oldc = NULL;
	int r;

	*derp = NULL;
	*lenp = 0;
	if ((r = check_txn_open(j)) != 0)
		return r;
	if (j->step != UK_STEP_KEY && j->step != UK_STEP_REQUEST)
		return UK_ERR_TRANSACTION;
	if (add != NULL && !j->change)
		return UK_ERR_INVALID_PARAM;	/* change mode only */
	if ((r = uk_enroll_find_key(p, CKO_PUBLIC_KEY, j->new_id,
	    j->new_idlen, &pubh)) != 0 ||
	    (r = uk_enroll_find_key(p, CKO_PRIVATE_KEY, j->new_id,
	    j->new_idlen, &privh)) != 0 ||
	    (r = uk_p11_pubkey(p, pubh, &pub)) != 0 ||
	    (r = uk_enroll_find_cert(p, j->old_id, j->old_idlen, &oldc,
	    NULL)) != 0 ||
	    (r = uk_csr_build(p, privh, j->kt, &ec->sm2, pub, oldc, subject,
	    add, ec->reg_oids, derp, lenp)) != 0)
		goto out;
	if (j->step == UK_STEP_KEY)
		r = uk_journal_write(p, j, UK_STEP_REQUEST);
 out:
	if (r != 0) {
		free(*derp);
		*derp = NULL;
		*lenp = 0;
	}
	EVP_PKEY_free(pub);
	X509_free(oldc);
	return r;
}

int
uk_enroll_install(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, X509 *cert, STACK_OF(X509) *chain,
    const char **reasonp)
{
	CK_OBJECT_HANDLE pubh, privh, ch;
	EVP_PKEY *pub = NULL;
	X509 *oldc = NULL;
	char *ser = NULL;
	int r;

	*reasonp = NULL;
	if ((r = check_txn_open(j)) != 0)
		return r;
	if (j->step != UK_STEP_REQUEST)
		return UK_ERR_TRANSACTION;
	if ((r = uk_enroll_find_key(p, CKO_PUBLIC_KEY, j->new_id,
	    j->new_idlen, &pubh)) != 0 ||
	    (r = uk_enroll_find_key(p, CKO_PRIVATE_KEY, j->new_id,
	    j->new_idlen, &privh)) != 0 ||
	    (r = uk_p11_pubkey(p, pubh, &pub)) != 0 ||
	    (r = uk_enroll_find_cert(p, j->old_id, j->old_idlen, &oldc,
	    NULL)) != 0)
		goto out;
	r = UK_ERR_CERT_REJECTED;
	if (EVP_PKEY_eq(pub, X509_get0_pubkey(cert)) != 1) {
		*reasonp = "keyMismatch";
		goto out;
	}
	if ((r = uk_cert_check_chain(cert, chain, ec->anchors,
	    reasonp)) != 0 ||
	    (r = uk_cert_same_holder(oldc, cert, j->change, ec->reg_oids,
	    reasonp)) != 0 ||
	    (r = uk_cert_serial_hex(cert, &ser)) != 0)
		goto out;
	if (strlen(ser) >= sizeof(j->new_serial)) {
		r = UK_ERR_CERT_FORMAT;
		goto out;
	}
	memcpy(j->new_serial, ser, strlen(ser) + 1);
	if ((r = uk_journal_write(p, j, UK_STEP_INSTALLING)) != 0)
		goto out;
	if ((r = uk_p11_create_cert(p, cert, j->new_id, j->new_idlen,
	    j->new_label, &ch)) != 0) {
		/* Not written (e.g. TOKEN_FULL): wait for a certificate
		 * again, so the portal may retry. */
		uk_warn_r(r, "certificate write");
		j->new_serial[0] = '\0';
		if (uk_journal_write(p, j, UK_STEP_REQUEST) != 0)
			uk_warn("journal left at installingCertificate");
		goto out;
	}
	r = uk_journal_write(p, j, UK_STEP_INSTALLED);
 out:
	EVP_PKEY_free(pub);
	X509_free(oldc);
	free(ser);
	return r;
}

/* Signs random bytes with the new key and verifies with the new cert. */
static int
test_signature(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    const struct uk_journal *j)
{
	CK_OBJECT_HANDLE privh;
	unsigned char msg[32], *sig = NULL;
	size_t siglen;
	X509 *cert = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int r;

	if ((r = uk_enroll_find_key(p, CKO_PRIVATE_KEY, j->new_id,
	    j->new_idlen, &privh)) != 0 ||
	    (r = uk_enroll_find_cert(p, j->new_id, j->new_idlen, &cert,
	    NULL)) != 0)
		goto out;
	r = UK_ERR_RANDOM;
	if (RAND_bytes(msg, sizeof(msg)) != 1)
		goto out;
	if ((r = uk_p11_sign(p, privh, j->kt, &ec->sm2, msg, sizeof(msg),
	    &sig, &siglen)) != 0)
		goto out;
	r = UK_ERR_VERIFY_SIGNATURE;
	/* SM2: Z with GM/T 0009's default ID, as the token computes it
	 * (OpenSSL 3.0's EVP default is an empty ID). */
	if (j->kt == UK_KT_SM2 ? uk_verify_sm2(X509_get0_pubkey(cert), msg,
	    sizeof(msg), sig, siglen) != 0 :
	    ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL,
	    X509_get0_pubkey(cert)) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) != 1)) {
		uk_error("test signature with the new key does not verify");
		goto out;
	}
	r = 0;
 out:
	EVP_MD_CTX_free(md);
	X509_free(cert);
	free(sig);
	return r;
}

static int
retire_old(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    const struct uk_journal *j)
{
	static const CK_OBJECT_CLASS order[] = {
		CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY
	};
	size_t i;
	int r;

	/* Old seals go only when the new certificate has its own. */
	if (ec->archive || uk_seal_count(p, j->new_serial) > 0) {
		if ((r = uk_seal_retire(p, j->old_serial, ec->archive)) != 0)
			return r;
	} else if (uk_seal_count(p, j->old_serial) > 0)
		uk_warn("seal of %s kept: no seal for the new certificate",
		    j->old_serial);
	for (i = 0; i < UK_ARRAY_LEN(order); i++) {
		r = ec->archive ?
		    archive_all(p, order[i], j->old_id, j->old_idlen) :
		    destroy_all(p, order[i], j->old_id, j->old_idlen);
		if (r != 0)
			return r;
	}
	return 0;
}

int
uk_enroll_commit(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, int *archivedp)
{
	int r;

	*archivedp = ec->archive;
	if ((r = check_txn_open(j)) != 0)
		return r;
	if (j->step != UK_STEP_INSTALLED && j->step != UK_STEP_SEALED &&
	    j->step != UK_STEP_RETIRING)
		return UK_ERR_TRANSACTION;
	if (j->step != UK_STEP_RETIRING &&
	    ((r = test_signature(p, ec, j)) != 0 ||
	    (r = uk_journal_write(p, j, UK_STEP_RETIRING)) != 0))
		return r;
	if ((r = retire_old(p, ec, j)) != 0)
		return r;
	return uk_journal_remove(p, j);
}

int
uk_enroll_rollback(const struct uk_p11 *p, struct uk_journal *j)
{
	static const CK_OBJECT_CLASS order[] = {
		CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY
	};
	size_t i;
	int r;

	if ((r = check_txn_open(j)) != 0)
		return r;
	if (j->step == UK_STEP_RETIRING)
		return UK_ERR_TRANSACTION;	/* only forward from here */
	if (j->new_serial[0] != '\0' &&
	    (r = uk_seal_remove_serial(p, j->new_serial)) != 0)
		return r;
	for (i = 0; j->new_idlen > 0 && i < UK_ARRAY_LEN(order); i++)
		if ((r = destroy_all(p, order[i], j->new_id,
		    j->new_idlen)) != 0)
			return r;
	return uk_journal_remove(p, j);
}

/* Private keys without a certificate that this host created. */
static int
orphan_keys(const struct uk_p11 *p, cJSON *arr)
{
	CK_OBJECT_HANDLE hs[UK_P11_MAX_OBJECTS], ch[1];
	unsigned char *id = NULL, *label = NULL;
	size_t n, i, idlen, llen, nc;
	char *hex;
	int r = 0;

	if ((r = uk_p11_find(p, CKO_PRIVATE_KEY, NULL, 0, NULL, hs,
	    UK_ARRAY_LEN(hs), &n)) != 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		if (uk_p11_attr(p, hs[i], CKA_ID, &id, &idlen) != 0 ||
		    uk_p11_attr(p, hs[i], CKA_LABEL, &label, &llen) != 0)
			goto next;
		if (strncmp((char *)label, "UKeyLink ", 9) != 0 ||
		    strncmp((char *)label, UK_ARCHIVED_PREFIX,
		    strlen(UK_ARCHIVED_PREFIX)) == 0)
			goto next;
		if ((r = uk_p11_find(p, CKO_CERTIFICATE, id, idlen, NULL, ch,
		    1, &nc)) != 0 || nc > 0)
			goto next;
		if ((hex = uk_hex_encode(id, idlen)) == NULL ||
		    !cJSON_AddItemToArray(arr, cJSON_CreateString(hex)))
			r = UK_ERR_ALLOC_FAIL;
		free(hex);
 next:
		free(id);
		free(label);
		id = label = NULL;
	}
	return r;
}

static int
recover_journal(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, const char **actionp)
{
	CK_OBJECT_HANDLE ch;
	X509 *c = NULL;
	int r, archived;

	switch (j->step) {
	case UK_STEP_BEGUN:
	case UK_STEP_GENERATING:
	case UK_STEP_KEY:
		*actionp = "rolledBack";
		return uk_enroll_rollback(p, j);
	case UK_STEP_REQUEST:
		*actionp = "awaitingCertificate";
		return 0;
	case UK_STEP_INSTALLING:
		r = uk_enroll_find_cert(p, j->new_id, j->new_idlen, &c, &ch);
		X509_free(c);
		if (r == UK_ERR_CERT_NOT_FOUND) {
			*actionp = "awaitingCertificate";
			return uk_journal_write(p, j, UK_STEP_REQUEST);
		}
		if (r != 0 || (r = uk_journal_write(p, j,
		    UK_STEP_INSTALLED)) != 0)
			return r;
		/* FALLTHROUGH */
	case UK_STEP_INSTALLED:
	case UK_STEP_SEALED:
	case UK_STEP_RETIRING:
		*actionp = "finished";
		r = uk_enroll_commit(p, ec, j, &archived);
		if (r == UK_ERR_VERIFY_SIGNATURE || r == UK_ERR_SIGN) {
			/* The new pair does not work: keep the old one. */
			*actionp = "rolledBack";
			return uk_enroll_rollback(p, j);
		}
		return r;
	default:
		return UK_ERR_TRANSACTION;
	}
}

int
uk_enroll_recover(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    cJSON **resultp)
{
	struct uk_journal j;
	const char *action = "none";
	char state[32];
	cJSON *res = NULL, *orphans;
	int r;

	*resultp = NULL;
	if ((r = uk_journal_read(p, &j)) != 0)
		return r;
	snprintf(state, sizeof(state), "%s", uk_step_name(j.step));
	if (j.step != UK_STEP_NONE) {
		uk_info("unfinished transaction %s at %s", j.txn, state);
		if ((r = recover_journal(p, ec, &j, &action)) != 0)
			return r;
	}
	if ((res = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(res, "state", state) == NULL ||
	    cJSON_AddStringToObject(res, "action", action) == NULL ||
	    (j.step != UK_STEP_NONE &&
	    cJSON_AddStringToObject(res, "transaction", j.txn) == NULL) ||
	    (orphans = cJSON_AddArrayToObject(res, "orphanKeys")) == NULL) {
		cJSON_Delete(res);
		return UK_ERR_ALLOC_FAIL;
	}
	if ((r = orphan_keys(p, orphans)) != 0) {
		cJSON_Delete(res);
		return r;
	}
	*resultp = res;
	return 0;
}
