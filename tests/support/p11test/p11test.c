/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libuk-p11test: a PKCS#11 module made for tests, built on OpenSSL 3.
 *
 * What it is for: the host's code paths that SoftHSM2, OpenSC and
 * libcacard cannot reach — SM2 keys signed through a vendor
 * "SM3withSM2" mechanism (p11test.h), a pinpad (protected
 * authentication path), and a user PIN that counts down, shows
 * COUNT_LOW / FINAL_TRY and locks.  The host loads it like any module
 * (pkcs11.modules in its configuration).
 *
 * What it is NOT: a secure token.  Keys are PEM files, the PIN is a
 * text file, nothing is protected against the process that loads it.
 * Never configure it outside tests.
 *
 * One slot (P11T_SLOT) with one token whose state is the directory named
 * by $UK_P11TEST_DIR (tests create it with the openssl command):
 *
 *   pin            the user PIN (text; a trailing newline is ignored)
 *   so-pin         the SO PIN (absent: SO login always fails)
 *   tries          user PIN tries left (written by the module; absent =
 *                  P11T_MAX_TRIES).  Flags: COUNT_LOW below the maximum,
 *                  FINAL_TRY at 1, LOCKED at 0 (C_Login → CKR_PIN_LOCKED).
 *                  A correct PIN resets it; the try that locks answers
 *                  CKR_PIN_INCORRECT, like most cards.
 *   pinpad         present: CKF_PROTECTED_AUTHENTICATION_PATH; C_Login
 *                  with a NULL PIN reads the "typed" PIN from
 *   pinpad-entry   (absent: the user cancelled → CKR_FUNCTION_CANCELED).
 *                  A PIN passed by the caller is used as given.
 *   to-be-changed  present: CKF_USER_PIN_TO_BE_CHANGED (C_SetPIN removes it)
 *   label, serial  token label and serial number (optional)
 *   ID.key ID.pem  a private key (PEM, PKCS#8) and its certificate; ID is
 *   ID.label       the hex CKA_ID (e.g. 01.key); ID.label: CKA_LABEL text.
 *                  A key gives a private (CKA_PRIVATE) and a public object.
 *
 * Objects are read at C_Initialize; the PIN files and flags at every call.
 * Keys: SM2 (CKK_EC, CKA_EC_PARAMS = OID 1.2.156.10197.1.301), EC (any
 * named curve), RSA.  Mechanisms: P11T_CKM_SM3_SM2 (r ‖ s),
 * P11T_CKM_SM3_SM2_DER, CKM_ECDSA (r ‖ s over the caller's digest),
 * CKM_RSA_PKCS (signature only); SM2 decryption with P11T_CKM_SM2_RAW
 * (C1 ‖ C3 ‖ C2 in) and P11T_CKM_SM2_CIPHER_DER (GM/T 0009 DER in); SM2
 * key pairs with P11T_CKM_SM2_KEY_PAIR_GEN.
 *
 * Writes, for the enrolment tests: C_GenerateKeyPair (SM2), C_CreateObject
 * (data objects, X.509 certificates), C_SetAttributeValue (CKA_LABEL,
 * CKA_ID), C_DestroyObject.  What they change lives in memory until
 * C_Finalize, shared by every session; the files above are never
 * written for objects.  Token objects only; private objects need a user
 * login and writes a R/W session.  Handles are never reused within a
 * C_Initialize.
 * Every call takes one mutex.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#include "p11test.h"

#define MAX_OBJECTS	64
#define MAX_SESSIONS	16
#define MAX_FOUND	MAX_OBJECTS
#define MAX_ID		32
#define MAX_LABEL	128
#define MAX_PIN		64
#define MAX_FILE	(64 * 1024)
#define SM2_ID		"1234567812345678"

struct obj {
	CK_OBJECT_HANDLE h;	/* 0: a free slot */
	CK_OBJECT_CLASS cls;
	unsigned char id[MAX_ID];
	size_t idlen;
	char label[MAX_LABEL];
	char app[MAX_LABEL];	/* data objects: CKA_APPLICATION */
	CK_BBOOL priv;		/* CKA_PRIVATE: needs a user login */
	CK_BBOOL modifiable;
	CK_BBOOL local;		/* keys generated here */
	EVP_PKEY *pkey;		/* keys: the key (a reference each) */
	CK_KEY_TYPE kt;
	unsigned char *value;	/* certificates: DER; data: CKA_VALUE */
	size_t valuelen;
	unsigned char ecparams[16], *ecpoint;
	size_t eplen, ecpointlen;
	int sm2;
};

struct session {
	int used, rw;
	CK_OBJECT_HANDLE found[MAX_FOUND];
	size_t nfound, pos;
	int finding;
	int signing;
	CK_MECHANISM_TYPE mech;
	CK_OBJECT_HANDLE key;
	int decrypting;		/* C_DecryptInit done (dmech, dkey) */
	CK_MECHANISM_TYPE dmech;
	CK_OBJECT_HANDLE dkey;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static char dir[1024];
static struct obj objs[MAX_OBJECTS];	/* slots; h != 0 in use */
static CK_OBJECT_HANDLE next_handle = 1;	/* never reused */
static struct session sess[MAX_SESSIONS];
static CK_USER_TYPE login_user = (CK_USER_TYPE)-1;	/* none */

static CK_FUNCTION_LIST function_list;	/* at the end */

/* --- State directory ------------------------------------------------ */

static int
path_of(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
exists(const char *name)
{
	char p[1200];

	return path_of(name, p, sizeof(p)) == 0 && access(p, F_OK) == 0;
}

/* Reads a small file into buf (NUL-terminated, trailing newlines
 * dropped).  Returns the length or -1. */
static long
read_small(const char *name, char *buf, size_t len)
{
	char p[1200];
	FILE *fp;
	size_t n;

	if (path_of(name, p, sizeof(p)) != 0 || (fp = fopen(p, "r")) == NULL)
		return -1;
	n = fread(buf, 1, len - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (long)n;
}

static int
write_small(const char *name, const char *text)
{
	char p[1200];
	FILE *fp;
	int r;

	if (path_of(name, p, sizeof(p)) != 0 || (fp = fopen(p, "w")) == NULL)
		return -1;
	r = fputs(text, fp) < 0;
	return (fclose(fp) != 0 || r) ? -1 : 0;
}

static int
remove_file_if_any(const char *name)
{
	char p[1200];

	if (path_of(name, p, sizeof(p)) != 0)
		return -1;
	return unlink(p) == 0 || errno == ENOENT ? 0 : -1;
}

static int
tries_left(void)
{
	char buf[16], *end;
	long v;

	if (read_small("tries", buf, sizeof(buf)) <= 0 ||
	    buf[0] < '0' || buf[0] > '9')
		return P11T_MAX_TRIES;
	v = strtol(buf, &end, 10);
	if (*end != '\0' || v < 0 || v > P11T_MAX_TRIES)
		return P11T_MAX_TRIES;
	return (int)v;
}

static void
set_tries(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d\n", n);
	(void)write_small("tries", buf);
}

/* --- Objects -------------------------------------------------------- */

static int
hex_id(const char *s, size_t n, unsigned char *id, size_t *idlenp)
{
	size_t i;
	unsigned v;

	if (n == 0 || n % 2 != 0 || n / 2 > MAX_ID)
		return -1;
	for (i = 0; i < n; i += 2) {
		if (sscanf(s + i, "%2x", &v) != 1)
			return -1;
		id[i / 2] = (unsigned char)v;
	}
	*idlenp = n / 2;
	return 0;
}

static int
ec_attrs(struct obj *o)
{
	char group[64];
	ASN1_OBJECT *oid;
	unsigned char pt[256], *p;
	size_t ptlen = 0;
	ASN1_OCTET_STRING *os = NULL;
	int n, nid;

	if (EVP_PKEY_get_utf8_string_param(o->pkey,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) != 1 ||
	    (nid = OBJ_txt2nid(group)) == NID_undef ||
	    (oid = OBJ_nid2obj(nid)) == NULL ||
	    (n = i2d_ASN1_OBJECT(oid, NULL)) <= 0 ||
	    (size_t)n > sizeof(o->ecparams))
		return -1;
	p = o->ecparams;
	o->eplen = (size_t)i2d_ASN1_OBJECT(oid, &p);
	o->sm2 = nid == NID_sm2;
	if (EVP_PKEY_get_octet_string_param(o->pkey,
	    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen) != 1 ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(os, pt, (int)ptlen) != 1 ||
	    (n = i2d_ASN1_OCTET_STRING(os, &o->ecpoint)) <= 0) {
		ASN1_OCTET_STRING_free(os);
		return -1;
	}
	o->ecpointlen = (size_t)n;
	ASN1_OCTET_STRING_free(os);
	return 0;
}

/* A free slot, or NULL when the token is full. */
static struct obj *
free_slot(void)
{
	size_t i;

	for (i = 0; i < MAX_OBJECTS; i++)
		if (objs[i].h == 0)
			return &objs[i];
	return NULL;
}

static size_t
free_slots(void)
{
	size_t i, n = 0;

	for (i = 0; i < MAX_OBJECTS; i++)
		n += objs[i].h == 0;
	return n;
}

static void
free_obj(struct obj *o)
{
	EVP_PKEY_free(o->pkey);
	OPENSSL_free(o->value);
	OPENSSL_free(o->ecpoint);
	memset(o, 0, sizeof(*o));
}

/* Stores o (moved: the caller's copy is cleared) in a free slot and
 * gives it the next handle.  NULL when the token is full. */
static struct obj *
add_obj(struct obj *o)
{
	struct obj *slot;

	if ((slot = free_slot()) == NULL)
		return NULL;
	*slot = *o;
	slot->h = next_handle++;
	memset(o, 0, sizeof(*o));
	return slot;
}

/* A new object in memory (not yet on the token): fixtures and what
 * the callers create are modifiable, private keys private. */
static void
init_obj(struct obj *o, CK_OBJECT_CLASS cls, const unsigned char *id,
    size_t idlen, const char *label)
{
	memset(o, 0, sizeof(*o));
	o->cls = cls;
	if (idlen > 0)
		memcpy(o->id, id, idlen);
	o->idlen = idlen;
	snprintf(o->label, sizeof(o->label), "%s", label);
	o->priv = cls == CKO_PRIVATE_KEY;
	o->modifiable = CK_TRUE;
}

/* The private and the public object of key pk (one reference taken
 * each; pk stays the caller's).  -1 when not a supported key. */
static int
key_pair_objs(EVP_PKEY *pk, const unsigned char *id, size_t idlen,
    const char *label, struct obj *priv, struct obj *pub)
{
	CK_KEY_TYPE kt;

	if (EVP_PKEY_is_a(pk, "RSA"))
		kt = CKK_RSA;
	else if (EVP_PKEY_is_a(pk, "EC") || EVP_PKEY_is_a(pk, "SM2"))
		kt = CKK_EC;
	else
		return -1;
	init_obj(priv, CKO_PRIVATE_KEY, id, idlen, label);
	init_obj(pub, CKO_PUBLIC_KEY, id, idlen, label);
	priv->kt = pub->kt = kt;
	if (EVP_PKEY_up_ref(pk) != 1)
		return -1;
	priv->pkey = pk;
	if (EVP_PKEY_up_ref(pk) != 1)
		return -1;
	pub->pkey = pk;
	if (kt == CKK_EC && (ec_attrs(priv) != 0 || ec_attrs(pub) != 0))
		return -1;
	return 0;
}

/* Both objects of a pair onto the token, or neither. */
static int
add_pair(struct obj *priv, struct obj *pub, CK_OBJECT_HANDLE *privh,
    CK_OBJECT_HANDLE *pubh)
{
	if (free_slots() < 2)
		return -1;
	*privh = add_obj(priv)->h;
	*pubh = add_obj(pub)->h;
	return 0;
}

static int
load_key(const char *path, const unsigned char *id, size_t idlen,
    const char *label)
{
	FILE *fp;
	EVP_PKEY *pk;
	struct obj priv, pub;
	CK_OBJECT_HANDLE h1, h2;
	int r;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	pk = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (pk == NULL)
		return -1;
	memset(&priv, 0, sizeof(priv));
	memset(&pub, 0, sizeof(pub));
	r = key_pair_objs(pk, id, idlen, label, &priv, &pub) == 0 &&
	    add_pair(&priv, &pub, &h1, &h2) == 0 ? 0 : -1;
	free_obj(&priv);
	free_obj(&pub);
	EVP_PKEY_free(pk);
	return r;
}

static int
load_cert(const char *path, const unsigned char *id, size_t idlen,
    const char *label)
{
	FILE *fp;
	X509 *x;
	struct obj o;
	int n;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		return -1;
	init_obj(&o, CKO_CERTIFICATE, id, idlen, label);
	n = i2d_X509(x, &o.value);
	X509_free(x);
	if (n <= 0)
		return -1;
	o.valuelen = (size_t)n;
	if (add_obj(&o) == NULL) {
		free_obj(&o);
		return -1;
	}
	return 0;
}

static void
free_objects(void)
{
	size_t i;

	for (i = 0; i < MAX_OBJECTS; i++)
		free_obj(&objs[i]);
	next_handle = 1;
}

static int
load_objects(void)
{
	DIR *d;
	struct dirent *e;
	unsigned char id[MAX_ID];
	size_t idlen, n;
	char path[1200], lname[64], label[64];
	const char *dot;
	int r = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while (r == 0 && (e = readdir(d)) != NULL) {
		if ((dot = strchr(e->d_name, '.')) == NULL)
			continue;
		n = (size_t)(dot - e->d_name);
		if ((strcmp(dot, ".key") != 0 && strcmp(dot, ".pem") != 0) ||
		    hex_id(e->d_name, n, id, &idlen) != 0)
			continue;
		snprintf(lname, sizeof(lname), "%.*s.label", (int)n,
		    e->d_name);
		if (read_small(lname, label, sizeof(label)) < 0)
			snprintf(label, sizeof(label), "%.*s", (int)n,
			    e->d_name);
		if (path_of(e->d_name, path, sizeof(path)) != 0)
			r = -1;
		else if (strcmp(dot, ".key") == 0)
			r = load_key(path, id, idlen, label);
		else
			r = load_cert(path, id, idlen, label);
	}
	closedir(d);
	return r;
}

/* --- Attributes ----------------------------------------------------- */

static CK_RV
put(CK_ATTRIBUTE *a, const void *v, size_t len)
{
	if (a->pValue == NULL) {
		a->ulValueLen = (CK_ULONG)len;
		return CKR_OK;
	}
	if (a->ulValueLen < len) {
		a->ulValueLen = (CK_ULONG)-1;
		return CKR_BUFFER_TOO_SMALL;
	}
	memcpy(a->pValue, v, len);
	a->ulValueLen = (CK_ULONG)len;
	return CKR_OK;
}

static CK_RV
put_bn(CK_ATTRIBUTE *a, EVP_PKEY *pk, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) != 1)
		return CKR_GENERAL_ERROR;
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	return put(a, buf, (size_t)n);
}

/* CKA_SUBJECT, CKA_ISSUER or CKA_SERIAL_NUMBER of a certificate: the
 * DER of that field of its value. */
static CK_RV
put_cert_field(CK_ATTRIBUTE *a, const struct obj *o)
{
	const unsigned char *p = o->value;
	X509 *x = d2i_X509(NULL, &p, (long)o->valuelen);
	unsigned char *der = NULL;
	int n = -1;
	CK_RV rv;

	if (x == NULL)
		return CKR_GENERAL_ERROR;
	if (a->type == CKA_SUBJECT)
		n = i2d_X509_NAME(X509_get_subject_name(x), &der);
	else if (a->type == CKA_ISSUER)
		n = i2d_X509_NAME(X509_get_issuer_name(x), &der);
	else
		n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &der);
	rv = n > 0 ? put(a, der, (size_t)n) : CKR_GENERAL_ERROR;
	OPENSSL_free(der);
	X509_free(x);
	return rv;
}

static CK_RV
get_one(const struct obj *o, CK_ATTRIBUTE *a)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL priv = o->cls == CKO_PRIVATE_KEY;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_ULONG bits;
	int key = o->cls == CKO_PRIVATE_KEY || o->cls == CKO_PUBLIC_KEY;

	switch (a->type) {
	case CKA_CLASS:
		return put(a, &o->cls, sizeof(o->cls));
	case CKA_LABEL:
		return put(a, o->label, strlen(o->label));
	case CKA_TOKEN:
		return put(a, &yes, sizeof(yes));
	case CKA_PRIVATE:
		return put(a, &o->priv, sizeof(o->priv));
	case CKA_MODIFIABLE:
		return put(a, &o->modifiable, sizeof(o->modifiable));
	}
	if (o->cls == CKO_DATA) {
		if (a->type == CKA_APPLICATION)
			return put(a, o->app, strlen(o->app));
		if (a->type == CKA_VALUE)
			return put(a, o->value, o->valuelen);
	} else if (a->type == CKA_ID)	/* keys and certificates */
		return put(a, o->id, o->idlen);
	if (o->cls == CKO_CERTIFICATE) {
		if (a->type == CKA_VALUE)
			return put(a, o->value, o->valuelen);
		if (a->type == CKA_CERTIFICATE_TYPE)
			return put(a, &ct, sizeof(ct));
		if (a->type == CKA_SUBJECT || a->type == CKA_ISSUER ||
		    a->type == CKA_SERIAL_NUMBER)
			return put_cert_field(a, o);
	} else if (key) {
		switch (a->type) {
		case CKA_KEY_TYPE:
			return put(a, &o->kt, sizeof(o->kt));
		case CKA_SIGN:
			return put(a, priv ? &yes : &no, sizeof(yes));
		case CKA_VERIFY:
			return put(a, priv ? &no : &yes, sizeof(yes));
		case CKA_DECRYPT:
			return put(a, priv && o->sm2 ? &yes : &no,
			    sizeof(yes));
		case CKA_ENCRYPT:
			return put(a, !priv && o->sm2 ? &yes : &no,
			    sizeof(yes));
		case CKA_LOCAL:
			return put(a, &o->local, sizeof(o->local));
		case CKA_DERIVE:
		case CKA_WRAP:
		case CKA_UNWRAP:
		case CKA_SIGN_RECOVER:
		case CKA_VERIFY_RECOVER:
		case CKA_ALWAYS_AUTHENTICATE:
		case CKA_EXTRACTABLE:
			return put(a, &no, sizeof(no));
		case CKA_SENSITIVE:
		case CKA_ALWAYS_SENSITIVE:
		case CKA_NEVER_EXTRACTABLE:
			return put(a, priv ? &yes : &no, sizeof(yes));
		}
		if (o->kt == CKK_EC && a->type == CKA_EC_PARAMS)
			return put(a, o->ecparams, o->eplen);
		if (o->kt == CKK_EC && a->type == CKA_EC_POINT)
			return put(a, o->ecpoint, o->ecpointlen);
		if (o->kt == CKK_RSA && a->type == CKA_MODULUS_BITS) {
			bits = (CK_ULONG)EVP_PKEY_get_bits(o->pkey);
			return put(a, &bits, sizeof(bits));
		}
		if (o->kt == CKK_RSA && a->type == CKA_MODULUS)
			return put_bn(a, o->pkey, OSSL_PKEY_PARAM_RSA_N);
		if (o->kt == CKK_RSA && a->type == CKA_PUBLIC_EXPONENT)
			return put_bn(a, o->pkey, OSSL_PKEY_PARAM_RSA_E);
		if (priv && (a->type == CKA_VALUE ||
		    a->type == CKA_PRIVATE_EXPONENT)) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			return CKR_ATTRIBUTE_SENSITIVE;
		}
	}
	a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
	return CKR_ATTRIBUTE_TYPE_INVALID;
}

/*
 * Whether o has attribute t with exactly t's value: CKR_OK, or
 * CKR_ATTRIBUTE_TYPE_INVALID when o has no such attribute,
 * CKR_ATTRIBUTE_VALUE_INVALID when the value differs (or is sensitive).
 */
static CK_RV
check_attr(const struct obj *o, const CK_ATTRIBUTE *t)
{
	CK_ATTRIBUTE a = { t->type, NULL, 0 };
	unsigned char *buf;
	CK_RV rv;

	if ((rv = get_one(o, &a)) != CKR_OK)
		return rv == CKR_ATTRIBUTE_TYPE_INVALID ? rv :
		    CKR_ATTRIBUTE_VALUE_INVALID;
	if (a.ulValueLen != t->ulValueLen)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (a.ulValueLen == 0)
		return CKR_OK;
	if (t->pValue == NULL)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if ((buf = malloc(a.ulValueLen)) == NULL)
		return CKR_HOST_MEMORY;
	a.pValue = buf;
	rv = get_one(o, &a) == CKR_OK &&
	    memcmp(buf, t->pValue, a.ulValueLen) == 0 ? CKR_OK :
	    CKR_ATTRIBUTE_VALUE_INVALID;
	free(buf);
	return rv;
}

/* 1 when the object matches every attribute of the template. */
static int
matches(const struct obj *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (check_attr(o, &tmpl[i]) != CKR_OK)
			return 0;
	return 1;
}

/* --- Helpers for the entry points ----------------------------------- */

static struct session *
session_of(CK_SESSION_HANDLE h)
{
	if (h == 0 || h > MAX_SESSIONS || !sess[h - 1].used)
		return NULL;
	return &sess[h - 1];
}

/* Object h as this application sees it: private objects only after a
 * user login.  NULL when there is no such object for it. */
static struct obj *
visible(CK_OBJECT_HANDLE h)
{
	size_t i;

	if (h == 0)
		return NULL;
	for (i = 0; i < MAX_OBJECTS; i++)
		if (objs[i].h == h)
			return objs[i].priv && login_user != CKU_USER ? NULL :
			    &objs[i];
	return NULL;
}

static void
padded(unsigned char *dst, size_t len, const char *s)
{
	size_t n = strlen(s);

	memset(dst, ' ', len);
	memcpy(dst, s, n < len ? n : len);
}

#define LOCK()								\
	do {								\
		pthread_mutex_lock(&mu);				\
		if (!initialized) {					\
			pthread_mutex_unlock(&mu);			\
			return CKR_CRYPTOKI_NOT_INITIALIZED;		\
		}							\
	} while (0)
#define RETURN(rv)							\
	do {								\
		CK_RV rv_ = (rv);					\
		pthread_mutex_unlock(&mu);				\
		return rv_;						\
	} while (0)

/* --- General, slot and token ---------------------------------------- */

CK_RV
C_Initialize(void *args UNUSED)
{
	const char *d = getenv(P11T_ENV_DIR);
	CK_RV rv = CKR_OK;

	pthread_mutex_lock(&mu);
	if (initialized)
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
	else if (d == NULL || strlen(d) >= sizeof(dir))
		rv = CKR_GENERAL_ERROR;
	else {
		snprintf(dir, sizeof(dir), "%s", d);
		if (load_objects() != 0) {
			free_objects();
			rv = CKR_GENERAL_ERROR;
		} else
			initialized = 1;
	}
	pthread_mutex_unlock(&mu);
	return rv;
}

CK_RV
C_Finalize(void *reserved UNUSED)
{
	LOCK();
	free_objects();
	memset(sess, 0, sizeof(sess));
	login_user = (CK_USER_TYPE)-1;
	initialized = 0;
	RETURN(CKR_OK);
}

CK_RV
C_GetInfo(CK_INFO *info)
{
	LOCK();
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	padded(info->manufacturerID, sizeof(info->manufacturerID),
	    "UKeyLink tests");
	padded(info->libraryDescription, sizeof(info->libraryDescription),
	    "UKeyLink test token (not secure)");
	info->libraryVersion.major = 1;
	RETURN(CKR_OK);
}

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST **listp)
{
	if (listp == NULL)
		return CKR_ARGUMENTS_BAD;
	*listp = &function_list;
	return CKR_OK;
}

CK_RV
C_GetSlotList(CK_BBOOL present UNUSED, CK_SLOT_ID *list, CK_ULONG *countp)
{
	CK_RV rv = CKR_OK;

	LOCK();
	if (list != NULL && *countp < 1)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (list != NULL)
		list[0] = P11T_SLOT;
	*countp = 1;
	RETURN(rv);
}

CK_RV
C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO *info)
{
	LOCK();
	if (slot != P11T_SLOT)
		RETURN(CKR_SLOT_ID_INVALID);
	memset(info, 0, sizeof(*info));
	padded(info->slotDescription, sizeof(info->slotDescription),
	    "UKeyLink P11Test Reader");
	padded(info->manufacturerID, sizeof(info->manufacturerID),
	    "UKeyLink tests");
	info->flags = CKF_TOKEN_PRESENT | CKF_HW_SLOT |
	    (exists("pinpad") ? CKF_PROTECTED_AUTHENTICATION_PATH : 0);
	RETURN(CKR_OK);
}

CK_RV
C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO *info)
{
	char label[64], serial[32];
	int tries;
	size_t i;

	LOCK();
	if (slot != P11T_SLOT)
		RETURN(CKR_SLOT_ID_INVALID);
	memset(info, 0, sizeof(*info));
	if (read_small("label", label, sizeof(label)) <= 0)
		snprintf(label, sizeof(label), "UKeyLink P11Test");
	if (read_small("serial", serial, sizeof(serial)) <= 0)
		snprintf(serial, sizeof(serial), "P11T0001");
	padded(info->label, sizeof(info->label), label);
	padded(info->manufacturerID, sizeof(info->manufacturerID),
	    "UKeyLink tests");
	padded(info->model, sizeof(info->model), "p11test");
	padded(info->serialNumber, sizeof(info->serialNumber), serial);
	info->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED |
	    CKF_TOKEN_INITIALIZED;
	if (exists("pinpad"))
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	if (exists("to-be-changed"))
		info->flags |= CKF_USER_PIN_TO_BE_CHANGED;
	tries = tries_left();
	if (tries == 0)
		info->flags |= CKF_USER_PIN_LOCKED;
	else if (tries < P11T_MAX_TRIES)
		info->flags |= CKF_USER_PIN_COUNT_LOW |
		    (tries == 1 ? CKF_USER_PIN_FINAL_TRY : 0);
	info->ulMaxSessionCount = MAX_SESSIONS;
	info->ulMaxRwSessionCount = MAX_SESSIONS;
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sess[i].used) {
			info->ulSessionCount++;
			if (sess[i].rw)
				info->ulRwSessionCount++;
		}
	info->ulMinPinLen = 4;
	info->ulMaxPinLen = 16;
	info->ulTotalPublicMemory = info->ulFreePublicMemory =
	    CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = info->ulFreePrivateMemory =
	    CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion.major = info->firmwareVersion.major = 1;
	RETURN(CKR_OK);
}

/* The mechanisms: what each does (CKF_SIGN, CKF_DECRYPT,
 * CKF_GENERATE_KEY_PAIR, EC flags) and its key sizes in bits. */
static const struct mech {
	CK_MECHANISM_TYPE type;
	CK_FLAGS flags;
	CK_ULONG min, max;
} mechs[] = {
	{ P11T_CKM_SM3_SM2, CKF_SIGN, 256, 256 },
	{ P11T_CKM_SM3_SM2_DER, CKF_SIGN, 256, 256 },
	{ CKM_ECDSA, CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE |
	    CKF_EC_UNCOMPRESS, 256, 521 },
	{ CKM_RSA_PKCS, CKF_SIGN, 1024, 4096 },
	{ P11T_CKM_SM2_RAW, CKF_DECRYPT, 256, 256 },
	{ P11T_CKM_SM2_CIPHER_DER, CKF_DECRYPT, 256, 256 },
	{ P11T_CKM_SM2_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, 256, 256 },
};
#define NMECHS	(sizeof(mechs) / sizeof(mechs[0]))

/* 1 when mechanism m is ours and does what flag says. */
static int
mech_does(CK_MECHANISM_TYPE m, CK_FLAGS flag)
{
	size_t i;

	for (i = 0; i < NMECHS; i++)
		if (mechs[i].type == m)
			return (mechs[i].flags & flag) != 0;
	return 0;
}

CK_RV
C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE *list,
    CK_ULONG *countp)
{
	CK_RV rv = CKR_OK;
	size_t i;

	LOCK();
	if (slot != P11T_SLOT)
		RETURN(CKR_SLOT_ID_INVALID);
	if (list != NULL && *countp < NMECHS)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (list != NULL)
		for (i = 0; i < NMECHS; i++)
			list[i] = mechs[i].type;
	*countp = (CK_ULONG)NMECHS;
	RETURN(rv);
}

CK_RV
C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
    CK_MECHANISM_INFO *info)
{
	size_t i;

	LOCK();
	if (slot != P11T_SLOT)
		RETURN(CKR_SLOT_ID_INVALID);
	for (i = 0; i < NMECHS; i++)
		if (mechs[i].type == type) {
			memset(info, 0, sizeof(*info));
			info->flags = CKF_HW | mechs[i].flags;
			info->ulMinKeySize = mechs[i].min;
			info->ulMaxKeySize = mechs[i].max;
			RETURN(CKR_OK);
		}
	RETURN(CKR_MECHANISM_INVALID);
}

/* --- Sessions ------------------------------------------------------- */

CK_RV
C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *app UNUSED,
    CK_NOTIFY notify UNUSED, CK_SESSION_HANDLE *hp)
{
	size_t i;

	LOCK();
	if (slot != P11T_SLOT)
		RETURN(CKR_SLOT_ID_INVALID);
	if (!(flags & CKF_SERIAL_SESSION))
		RETURN(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	for (i = 0; i < MAX_SESSIONS; i++)
		if (!sess[i].used) {
			memset(&sess[i], 0, sizeof(sess[i]));
			sess[i].used = 1;
			sess[i].rw = (flags & CKF_RW_SESSION) != 0;
			*hp = (CK_SESSION_HANDLE)(i + 1);
			RETURN(CKR_OK);
		}
	RETURN(CKR_SESSION_COUNT);
}

static void
close_one(struct session *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sess[i].used)
			return;
	login_user = (CK_USER_TYPE)-1;	/* the last session ends the login */
}

CK_RV
C_CloseSession(CK_SESSION_HANDLE h)
{
	struct session *s;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	close_one(s);
	RETURN(CKR_OK);
}

CK_RV
C_CloseAllSessions(CK_SLOT_ID slot)
{
	size_t i;

	LOCK();
	if (slot != P11T_SLOT)
		RETURN(CKR_SLOT_ID_INVALID);
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sess[i].used)
			close_one(&sess[i]);
	RETURN(CKR_OK);
}

CK_RV
C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO *info)
{
	struct session *s;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	memset(info, 0, sizeof(*info));
	info->slotID = P11T_SLOT;
	info->flags = CKF_SERIAL_SESSION | (s->rw ? CKF_RW_SESSION : 0);
	if (login_user == CKU_USER)
		info->state = s->rw ? CKS_RW_USER_FUNCTIONS :
		    CKS_RO_USER_FUNCTIONS;
	else if (login_user == CKU_SO)
		info->state = CKS_RW_SO_FUNCTIONS;
	else
		info->state = s->rw ? CKS_RW_PUBLIC_SESSION :
		    CKS_RO_PUBLIC_SESSION;
	RETURN(CKR_OK);
}

/* --- PIN ------------------------------------------------------------ */

/*
 * The PIN of this attempt: the caller's, or on a pinpad (pin NULL) the
 * contents of the entry file (absent: cancelled).  Wiped by the caller.
 */
static CK_RV
entered_pin(const CK_UTF8CHAR *pin, CK_ULONG len, const char *entry,
    char *buf, size_t buflen)
{
	if (pin == NULL) {
		if (!exists("pinpad"))
			return CKR_ARGUMENTS_BAD;
		if (read_small(entry, buf, buflen) < 0)
			return CKR_FUNCTION_CANCELED;
		return CKR_OK;
	}
	if (len >= buflen)
		return CKR_PIN_LEN_RANGE;
	memcpy(buf, pin, len);
	buf[len] = '\0';
	return CKR_OK;
}

/* Compares the entered PIN with the stored one (file name). */
static int
pin_equal(const char *file, const char *entered)
{
	char want[MAX_PIN + 1];
	size_t n = strlen(entered);
	int eq;

	if (read_small(file, want, sizeof(want)) < 0)
		return 0;
	eq = strlen(want) == n && CRYPTO_memcmp(want, entered, n) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return eq;
}

/* A user PIN check that counts: resets the counter or decrements it. */
static CK_RV
check_user_pin(const char *entered)
{
	int tries = tries_left();

	if (tries == 0)
		return CKR_PIN_LOCKED;
	if (!pin_equal("pin", entered)) {
		set_tries(tries - 1);
		return CKR_PIN_INCORRECT;
	}
	if (tries != P11T_MAX_TRIES)
		set_tries(P11T_MAX_TRIES);
	return CKR_OK;
}

CK_RV
C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR *pin,
    CK_ULONG len)
{
	char buf[MAX_PIN + 1];
	CK_RV rv;

	LOCK();
	if (session_of(h) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (user != CKU_USER && user != CKU_SO)
		RETURN(CKR_USER_TYPE_INVALID);
	if (login_user == user)
		RETURN(CKR_USER_ALREADY_LOGGED_IN);
	if (login_user != (CK_USER_TYPE)-1)
		RETURN(CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	if (user == CKU_USER && tries_left() == 0)
		RETURN(CKR_PIN_LOCKED);
	if ((rv = entered_pin(pin, len, "pinpad-entry", buf,
	    sizeof(buf))) != CKR_OK)
		RETURN(rv);
	if (user == CKU_SO)
		rv = pin_equal("so-pin", buf) ? CKR_OK : CKR_PIN_INCORRECT;
	else
		rv = check_user_pin(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rv == CKR_OK)
		login_user = user;
	RETURN(rv);
}

CK_RV
C_Logout(CK_SESSION_HANDLE h)
{
	LOCK();
	if (session_of(h) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (login_user == (CK_USER_TYPE)-1)
		RETURN(CKR_USER_NOT_LOGGED_IN);
	login_user = (CK_USER_TYPE)-1;
	RETURN(CKR_OK);
}

static CK_RV
store_pin(const char *pin)
{
	size_t n = strlen(pin);

	if (n < 4 || n > 16)
		return CKR_PIN_LEN_RANGE;
	if (write_small("pin", pin) != 0)
		return CKR_DEVICE_ERROR;
	set_tries(P11T_MAX_TRIES);
	return CKR_OK;
}

CK_RV
C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR *pin, CK_ULONG len)
{
	char buf[MAX_PIN + 1];
	CK_RV rv;

	LOCK();
	if (session_of(h) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (login_user != CKU_SO)
		RETURN(CKR_USER_NOT_LOGGED_IN);
	if ((rv = entered_pin(pin, len, "pinpad-new-entry", buf,
	    sizeof(buf))) == CKR_OK)
		rv = store_pin(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	RETURN(rv);
}

CK_RV
C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR *oldpin, CK_ULONG oldlen,
    CK_UTF8CHAR *newpin, CK_ULONG newlen)
{
	char oldbuf[MAX_PIN + 1], newbuf[MAX_PIN + 1];
	CK_RV rv;

	LOCK();
	if (session_of(h) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if ((rv = entered_pin(oldpin, oldlen, "pinpad-entry", oldbuf,
	    sizeof(oldbuf))) == CKR_OK &&
	    (rv = entered_pin(newpin, newlen, "pinpad-new-entry", newbuf,
	    sizeof(newbuf))) == CKR_OK &&
	    (rv = check_user_pin(oldbuf)) == CKR_OK &&
	    (rv = store_pin(newbuf)) == CKR_OK)
		(void)remove_file_if_any("to-be-changed");
	OPENSSL_cleanse(oldbuf, sizeof(oldbuf));
	OPENSSL_cleanse(newbuf, sizeof(newbuf));
	RETURN(rv);
}

/* --- Objects -------------------------------------------------------- */

CK_RV
C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	struct session *s;
	size_t i;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (s->finding)
		RETURN(CKR_OPERATION_ACTIVE);
	if (n > 0 && tmpl == NULL)
		RETURN(CKR_ARGUMENTS_BAD);
	s->nfound = s->pos = 0;
	for (i = 0; i < MAX_OBJECTS; i++)
		if (visible(objs[i].h) != NULL && matches(&objs[i], tmpl, n))
			s->found[s->nfound++] = objs[i].h;
	s->finding = 1;
	RETURN(CKR_OK);
}

CK_RV
C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE *out, CK_ULONG max,
    CK_ULONG *countp)
{
	struct session *s;
	CK_ULONG n = 0;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (!s->finding)
		RETURN(CKR_OPERATION_NOT_INITIALIZED);
	while (n < max && s->pos < s->nfound)
		out[n++] = s->found[s->pos++];
	*countp = n;
	RETURN(CKR_OK);
}

CK_RV
C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	struct session *s;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (!s->finding)
		RETURN(CKR_OPERATION_NOT_INITIALIZED);
	s->finding = 0;
	RETURN(CKR_OK);
}

CK_RV
C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh,
    CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	const struct obj *o;
	CK_RV rv = CKR_OK, rv1;
	CK_ULONG i;

	LOCK();
	if (session_of(h) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if ((o = visible(oh)) == NULL)
		RETURN(CKR_OBJECT_HANDLE_INVALID);
	/* Every attribute is processed; the last error is returned. */
	for (i = 0; i < n; i++)
		if ((rv1 = get_one(o, &tmpl[i])) != CKR_OK)
			rv = rv1;
	RETURN(rv);
}

/* --- Creating, changing and destroying objects -------------------- */

/*
 * What C_CreateObject, C_GenerateKeyPair, C_SetAttributeValue and
 * C_DestroyObject change lives in memory until C_Finalize: the files of
 * the state directory are fixtures the module never writes.  Only token
 * objects are made (CKA_TOKEN false is refused); C_CreateObject makes
 * data objects and X.509 certificates, C_GenerateKeyPair SM2 key pairs.
 */

#define MAX_VALUE	(16 * 1024 * 1024)	/* bytes of a CKA_VALUE */

static const CK_ATTRIBUTE *
find_attr(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static CK_RV
tmpl_bool(const CK_ATTRIBUTE *a, CK_BBOOL *v)
{
	if (a->pValue == NULL || a->ulValueLen != sizeof(CK_BBOOL))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*v = *(const CK_BBOOL *)a->pValue ? CK_TRUE : CK_FALSE;
	return CKR_OK;
}

/* A label or application name into dst (len bytes, NUL-terminated). */
static CK_RV
tmpl_text(const CK_ATTRIBUTE *a, char *dst, size_t len)
{
	if (a->ulValueLen >= len || (a->ulValueLen > 0 && a->pValue == NULL))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (a->ulValueLen > 0)
		memcpy(dst, a->pValue, a->ulValueLen);
	dst[a->ulValueLen] = '\0';
	return CKR_OK;
}

static CK_RV
tmpl_id(const CK_ATTRIBUTE *a, unsigned char *id, size_t *idlenp)
{
	if (a->ulValueLen > MAX_ID || (a->ulValueLen > 0 && a->pValue == NULL))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (a->ulValueLen > 0)
		memcpy(id, a->pValue, a->ulValueLen);
	*idlenp = a->ulValueLen;
	return CKR_OK;
}

static CK_RV
tmpl_value(const CK_ATTRIBUTE *a, struct obj *o)
{
	if (a->ulValueLen > MAX_VALUE ||
	    (a->ulValueLen > 0 && a->pValue == NULL))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	OPENSSL_free(o->value);
	o->valuelen = 0;
	if ((o->value = OPENSSL_malloc(a->ulValueLen + 1)) == NULL)
		return CKR_HOST_MEMORY;
	if (a->ulValueLen > 0)
		memcpy(o->value, a->pValue, a->ulValueLen);
	o->valuelen = a->ulValueLen;
	return CKR_OK;
}

/*
 * Takes from template t what a caller chooses for object o: CKA_ID
 * (keys, certificates), CKA_LABEL, CKA_PRIVATE, CKA_MODIFIABLE, and
 * CKA_APPLICATION / CKA_VALUE of data objects, CKA_VALUE of
 * certificates.  Then every attribute of t must read back from o as
 * given: what the module fixes (CKA_TOKEN, CKA_KEY_TYPE, the usages,
 * CKA_SUBJECT of a certificate...) cannot be asked otherwise
 * (CKR_ATTRIBUTE_VALUE_INVALID, or _TYPE_INVALID for a foreign type).
 */
static CK_RV
apply_tmpl(struct obj *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	int data = o->cls == CKO_DATA, cert = o->cls == CKO_CERTIFICATE;
	CK_RV rv = CKR_OK;
	CK_ULONG i;

	for (i = 0; i < n && rv == CKR_OK; i++)
		switch (t[i].type) {
		case CKA_ID:
			if (!data)
				rv = tmpl_id(&t[i], o->id, &o->idlen);
			break;
		case CKA_LABEL:
			rv = tmpl_text(&t[i], o->label, sizeof(o->label));
			break;
		case CKA_APPLICATION:
			if (data)
				rv = tmpl_text(&t[i], o->app, sizeof(o->app));
			break;
		case CKA_VALUE:
			if (data || cert)
				rv = tmpl_value(&t[i], o);
			break;
		case CKA_PRIVATE:
			rv = tmpl_bool(&t[i], &o->priv);
			break;
		case CKA_MODIFIABLE:
			rv = tmpl_bool(&t[i], &o->modifiable);
			break;
		}
	for (i = 0; i < n && rv == CKR_OK; i++)
		rv = check_attr(o, &t[i]);
	return rv;
}

/* Whether session s may write a token object, a private one when
 * priv. */
static CK_RV
may_write(const struct session *s, CK_BBOOL priv)
{
	if (!s->rw)
		return CKR_SESSION_READ_ONLY;
	if (priv && login_user != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

/* 1 when der is exactly one X.509 certificate. */
static int
is_cert(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int ok = x != NULL && p == der + len;

	X509_free(x);
	return ok;
}

CK_RV
C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n,
    CK_OBJECT_HANDLE *hp)
{
	const CK_ATTRIBUTE *c;
	struct session *s;
	struct obj o, *slot;
	CK_OBJECT_CLASS cls;
	CK_RV rv;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (hp == NULL || (n > 0 && tmpl == NULL))
		RETURN(CKR_ARGUMENTS_BAD);
	if ((c = find_attr(tmpl, n, CKA_CLASS)) == NULL)
		RETURN(CKR_TEMPLATE_INCOMPLETE);
	if (c->pValue == NULL || c->ulValueLen != sizeof(cls))
		RETURN(CKR_ATTRIBUTE_VALUE_INVALID);
	memcpy(&cls, c->pValue, sizeof(cls));
	/* Keys are made by C_GenerateKeyPair only. */
	if (cls != CKO_DATA && cls != CKO_CERTIFICATE)
		RETURN(CKR_ATTRIBUTE_VALUE_INVALID);
	if (cls == CKO_CERTIFICATE &&
	    (find_attr(tmpl, n, CKA_CERTIFICATE_TYPE) == NULL ||
	    find_attr(tmpl, n, CKA_VALUE) == NULL))
		RETURN(CKR_TEMPLATE_INCOMPLETE);
	init_obj(&o, cls, NULL, 0, "");
	rv = apply_tmpl(&o, tmpl, n);
	if (rv == CKR_OK && cls == CKO_CERTIFICATE &&
	    !is_cert(o.value, o.valuelen))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (rv == CKR_OK)
		rv = may_write(s, o.priv);
	if (rv == CKR_OK) {
		if ((slot = add_obj(&o)) == NULL)
			rv = CKR_DEVICE_MEMORY;
		else
			*hp = slot->h;
	}
	free_obj(&o);
	RETURN(rv);
}

CK_RV
C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh)
{
	struct session *s;
	struct obj *o;
	CK_RV rv;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if ((o = visible(oh)) == NULL)
		RETURN(CKR_OBJECT_HANDLE_INVALID);
	if ((rv = may_write(s, o->priv)) != CKR_OK)
		RETURN(rv);
	free_obj(o);
	RETURN(CKR_OK);
}

/* CKA_LABEL, and CKA_ID of keys and certificates, can be changed; the
 * other attributes an object has are read-only.  All or nothing. */
CK_RV
C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh,
    CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	struct session *s;
	struct obj *o;
	char label[MAX_LABEL];
	unsigned char id[MAX_ID];
	size_t idlen;
	CK_ATTRIBUTE a;
	CK_ULONG i;
	CK_RV rv = CKR_OK;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (n > 0 && tmpl == NULL)
		RETURN(CKR_ARGUMENTS_BAD);
	if ((o = visible(oh)) == NULL)
		RETURN(CKR_OBJECT_HANDLE_INVALID);
	if ((rv = may_write(s, o->priv)) != CKR_OK)
		RETURN(rv);
	if (!o->modifiable)
		RETURN(CKR_ACTION_PROHIBITED);
	memcpy(label, o->label, sizeof(label));
	memcpy(id, o->id, sizeof(id));
	idlen = o->idlen;
	for (i = 0; i < n && rv == CKR_OK; i++) {
		a = (CK_ATTRIBUTE){ tmpl[i].type, NULL, 0 };
		if (a.type == CKA_LABEL)
			rv = tmpl_text(&tmpl[i], label, sizeof(label));
		else if (a.type == CKA_ID && o->cls != CKO_DATA)
			rv = tmpl_id(&tmpl[i], id, &idlen);
		else
			rv = get_one(o, &a) == CKR_ATTRIBUTE_TYPE_INVALID ?
			    CKR_ATTRIBUTE_TYPE_INVALID :
			    CKR_ATTRIBUTE_READ_ONLY;
	}
	if (rv == CKR_OK) {
		memcpy(o->label, label, sizeof(label));
		memcpy(o->id, id, sizeof(id));
		o->idlen = idlen;
	}
	RETURN(rv);
}

/* P11T_CKM_SM2_KEY_PAIR_GEN: an SM2 pair with the templates' CKA_ID,
 * CKA_LABEL (and CKA_PRIVATE); the private key signs and decrypts. */
CK_RV
C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM *mech,
    CK_ATTRIBUTE *pubt, CK_ULONG npub, CK_ATTRIBUTE *privt, CK_ULONG npriv,
    CK_OBJECT_HANDLE *pubh, CK_OBJECT_HANDLE *privh)
{
	static const unsigned char sm2_oid[] = {
		0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d
	};
	const CK_ATTRIBUTE *ep;
	struct session *s;
	struct obj priv, pub;
	EVP_PKEY *pk = NULL;
	CK_RV rv;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (mech == NULL || pubh == NULL || privh == NULL ||
	    (npub > 0 && pubt == NULL) || (npriv > 0 && privt == NULL))
		RETURN(CKR_ARGUMENTS_BAD);
	if (!mech_does(mech->mechanism, CKF_GENERATE_KEY_PAIR))
		RETURN(CKR_MECHANISM_INVALID);
	if (mech->ulParameterLen != 0)
		RETURN(CKR_MECHANISM_PARAM_INVALID);
	/* The mechanism makes SM2 keys: another curve is not for it. */
	if ((ep = find_attr(pubt, npub, CKA_EC_PARAMS)) != NULL &&
	    (ep->ulValueLen != sizeof(sm2_oid) || ep->pValue == NULL ||
	    memcmp(ep->pValue, sm2_oid, sizeof(sm2_oid)) != 0))
		RETURN(CKR_DOMAIN_PARAMS_INVALID);
	memset(&priv, 0, sizeof(priv));
	memset(&pub, 0, sizeof(pub));
	rv = CKR_FUNCTION_FAILED;
	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2")) == NULL ||
	    key_pair_objs(pk, NULL, 0, "", &priv, &pub) != 0)
		goto out;
	priv.local = pub.local = CK_TRUE;
	if ((rv = apply_tmpl(&pub, pubt, npub)) == CKR_OK &&
	    (rv = apply_tmpl(&priv, privt, npriv)) == CKR_OK &&
	    (rv = may_write(s, priv.priv || pub.priv)) == CKR_OK &&
	    add_pair(&priv, &pub, privh, pubh) != 0)
		rv = CKR_DEVICE_MEMORY;
 out:
	free_obj(&priv);
	free_obj(&pub);
	EVP_PKEY_free(pk);
	RETURN(rv);
}

/* --- Signing -------------------------------------------------------- */

static int
mech_fits(CK_MECHANISM_TYPE m, const struct obj *k)
{
	switch (m) {
	case P11T_CKM_SM3_SM2:
	case P11T_CKM_SM3_SM2_DER:
	case P11T_CKM_SM2_RAW:
	case P11T_CKM_SM2_CIPHER_DER:
		return k->kt == CKK_EC && k->sm2;
	case CKM_ECDSA:
		return k->kt == CKK_EC && !k->sm2;
	case CKM_RSA_PKCS:
		return k->kt == CKK_RSA;
	default:
		return 0;
	}
}

/* What C_SignInit and C_DecryptInit check alike; then starts the one or
 * the other operation on the session (called locked). */
static CK_RV
op_init(CK_SESSION_HANDLE h, CK_MECHANISM *mech, CK_OBJECT_HANDLE key,
    int decrypt)
{
	struct session *s;
	const struct obj *k;

	if ((s = session_of(h)) == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (mech == NULL)
		return CKR_ARGUMENTS_BAD;
	if (decrypt ? s->decrypting : s->signing)
		return CKR_OPERATION_ACTIVE;
	if (login_user != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	if ((k = visible(key)) == NULL || k->cls != CKO_PRIVATE_KEY)
		return CKR_KEY_HANDLE_INVALID;
	if (!mech_does(mech->mechanism, decrypt ? CKF_DECRYPT : CKF_SIGN))
		return CKR_MECHANISM_INVALID;
	if (mech->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!mech_fits(mech->mechanism, k))
		return CKR_KEY_TYPE_INCONSISTENT;
	if (decrypt) {
		s->decrypting = 1;
		s->dmech = mech->mechanism;
		s->dkey = key;
	} else {
		s->signing = 1;
		s->mech = mech->mechanism;
		s->key = key;
	}
	return CKR_OK;
}

CK_RV
C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM *mech, CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	LOCK();
	rv = op_init(h, mech, key, 0);
	RETURN(rv);
}

/* DER ECDSA/SM2 signature → r ‖ s, each olen bytes. */
static int
der_to_raw(const unsigned char *der, size_t len, size_t olen,
    unsigned char *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int ok;

	if (sig == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, out, (int)olen) == (int)olen &&
	    BN_bn2binpad(s, out + olen, (int)olen) == (int)olen;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* e = SM3(Z ‖ M) with the default ID, signed: DER into out. */
static int
sign_sm2(EVP_PKEY *pk, const unsigned char *in, size_t inlen,
    unsigned char *out, size_t *outlenp)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pk, NULL);
	int ok;

	ok = mctx != NULL && pctx != NULL &&
	    EVP_PKEY_CTX_set1_id(pctx, SM2_ID, strlen(SM2_ID)) == 1;
	if (ok) {
		EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
		ok = EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, pk) ==
		    1 && EVP_DigestSign(mctx, out, outlenp, in, inlen) == 1;
	}
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return ok ? 0 : -1;
}

/* Raw private-key operation (ECDSA on a digest, RSA PKCS#1 padding). */
static int
sign_raw(EVP_PKEY *pk, int rsa, const unsigned char *in, size_t inlen,
    unsigned char *out, size_t *outlenp)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	int ok;

	ok = ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	    (!rsa || EVP_PKEY_CTX_set_rsa_padding(ctx,
	    RSA_PKCS1_PADDING) == 1) &&
	    EVP_PKEY_sign(ctx, out, outlenp, in, inlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

static CK_RV
do_sign(const struct session *s, const unsigned char *in, size_t inlen,
    unsigned char *sig, size_t *siglenp)
{
	const struct obj *k = visible(s->key);
	unsigned char der[1024];
	size_t derlen = sizeof(der), olen;

	if (k == NULL)		/* destroyed since C_SignInit */
		return CKR_KEY_HANDLE_INVALID;

	switch (s->mech) {
	case P11T_CKM_SM3_SM2:
	case P11T_CKM_SM3_SM2_DER:
		if (sign_sm2(k->pkey, in, inlen, der, &derlen) != 0)
			return CKR_FUNCTION_FAILED;
		break;
	case CKM_ECDSA:
		if (sign_raw(k->pkey, 0, in, inlen, der, &derlen) != 0)
			return CKR_FUNCTION_FAILED;
		break;
	default:
		if (inlen > (size_t)EVP_PKEY_get_size(k->pkey) - 11)
			return CKR_DATA_LEN_RANGE;
		if (sign_raw(k->pkey, 1, in, inlen, sig, siglenp) != 0)
			return CKR_FUNCTION_FAILED;
		return CKR_OK;
	}
	if (s->mech == P11T_CKM_SM3_SM2_DER) {
		memcpy(sig, der, derlen);
		*siglenp = derlen;
		return CKR_OK;
	}
	olen = ((size_t)EVP_PKEY_get_bits(k->pkey) + 7) / 8;
	if (der_to_raw(der, derlen, olen, sig) != 0)
		return CKR_FUNCTION_FAILED;
	*siglenp = 2 * olen;
	return CKR_OK;
}

/* The longest signature of the session's operation (n: this one's). */
static size_t
sig_max(const struct session *s, size_t n)
{
	const struct obj *k = visible(s->key);
	size_t olen;

	if (s->mech != P11T_CKM_SM3_SM2_DER || k == NULL)
		return n;	/* r ‖ s and RSA: always the same length */
	/* SEQUENCE { INTEGER r, INTEGER s }, each up to olen + 1 bytes */
	olen = ((size_t)EVP_PKEY_get_bits(k->pkey) + 7) / 8;
	return 2 + 2 * (2 + olen + 1);
}

CK_RV
C_Sign(CK_SESSION_HANDLE h, CK_BYTE *data, CK_ULONG len, CK_BYTE *sig,
    CK_ULONG *siglenp)
{
	struct session *s;
	unsigned char buf[1024];
	size_t n = sizeof(buf);
	CK_RV rv;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (!s->signing)
		RETURN(CKR_OPERATION_NOT_INITIALIZED);
	if (login_user != CKU_USER) {
		s->signing = 0;
		RETURN(CKR_USER_NOT_LOGGED_IN);
	}
	if ((rv = do_sign(s, data, len, buf, &n)) != CKR_OK) {
		s->signing = 0;
		RETURN(rv);
	}
	/* A length query (or a short buffer) keeps the operation and
	 * answers a length that suffices for any signature of the
	 * mechanism: the next call signs anew, and a DER one may be
	 * longer than this one. */
	if (sig == NULL || *siglenp < n) {
		rv = sig == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*siglenp = (CK_ULONG)sig_max(s, n);
		RETURN(rv);
	}
	memcpy(sig, buf, n);
	*siglenp = (CK_ULONG)n;
	s->signing = 0;
	RETURN(CKR_OK);
}

/* --- Decryption ----------------------------------------------------- */

CK_RV
C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM *mech, CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	LOCK();
	rv = op_init(h, mech, key, 1);
	RETURN(rv);
}

/* Appends the DER length n at *pp. */
static void
der_len(unsigned char **pp, size_t n)
{
	unsigned char *p = *pp;
	int i, k = n < 0x80 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;

	if (k == 0)
		*p++ = (unsigned char)n;
	else {
		*p++ = (unsigned char)(0x80 | k);
		for (i = k - 1; i >= 0; i--)
			*p++ = (unsigned char)(n >> (8 * i));
	}
	*pp = p;
}

/*
 * C1 ‖ C3 ‖ C2 (C1 = 04 ‖ x ‖ y, coordinates of 32 bytes, C3 32 bytes)
 * → the GM/T 0009 DER that OpenSSL's SM2 decryption takes.  Written
 * here by hand, on purpose not the way the host converts.  *derp:
 * OPENSSL_malloc'd.
 */
static int
raw_to_der(const unsigned char *in, size_t len, unsigned char **derp,
    size_t *derlenp)
{
	ASN1_INTEGER *xy[2] = { NULL, NULL };
	BIGNUM *bn;
	unsigned char *body = NULL, *der = NULL, *q, *p;
	size_t c2len, blen;
	int i, n = 0, ok = 0;

	if (len < 1 + 64 + 32 + 1 || len > 0xffff || in[0] != 0x04)
		return -1;
	c2len = len - 1 - 64 - 32;
	for (i = 0; i < 2; i++) {
		if ((bn = BN_bin2bn(in + 1 + 32 * i, 32, NULL)) == NULL)
			goto out;
		xy[i] = BN_to_ASN1_INTEGER(bn, NULL);
		BN_free(bn);
		if (xy[i] == NULL || i2d_ASN1_INTEGER(xy[i], NULL) <= 0)
			goto out;
		n += i2d_ASN1_INTEGER(xy[i], NULL);
	}
	/* x, y INTEGER; C3, C2 OCTET STRING (headers of at most 4 bytes) */
	if ((body = malloc((size_t)n + 4 + 32 + 4 + c2len)) == NULL)
		goto out;
	q = body;
	for (i = 0; i < 2; i++)
		i2d_ASN1_INTEGER(xy[i], &q);
	*q++ = 0x04;
	der_len(&q, 32);
	memcpy(q, in + 1 + 64, 32);
	q += 32;
	*q++ = 0x04;
	der_len(&q, c2len);
	memcpy(q, in + 1 + 64 + 32, c2len);
	q += c2len;
	blen = (size_t)(q - body);
	if ((der = OPENSSL_malloc(blen + 4)) == NULL)
		goto out;
	p = der;
	*p++ = 0x30;
	der_len(&p, blen);
	memcpy(p, body, blen);
	p += blen;
	*derp = der;
	*derlenp = (size_t)(p - der);
	der = NULL;
	ok = 1;
 out:
	ASN1_INTEGER_free(xy[0]);
	ASN1_INTEGER_free(xy[1]);
	free(body);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

/* SM2 decryption (SM3) of in, GM/T 0009 DER or raw C1 ‖ C3 ‖ C2 as the
 * mechanism says, into *outp (OPENSSL_malloc'd; the caller wipes it). */
static CK_RV
do_decrypt(const struct session *s, const unsigned char *in, size_t inlen,
    unsigned char **outp, size_t *outlenp)
{
	const struct obj *k = visible(s->dkey);
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *der = NULL, *out = NULL;
	size_t derlen = 0, n = 0;
	CK_RV rv = CKR_ENCRYPTED_DATA_INVALID;

	*outp = NULL;
	*outlenp = 0;
	if (k == NULL)		/* destroyed since C_DecryptInit */
		return CKR_KEY_HANDLE_INVALID;
	if (s->dmech == P11T_CKM_SM2_RAW) {
		if (raw_to_der(in, inlen, &der, &derlen) != 0)
			return CKR_ENCRYPTED_DATA_LEN_RANGE;
		in = der;
		inlen = derlen;
	}
	if ((ctx = EVP_PKEY_CTX_new(k->pkey, NULL)) == NULL ||
	    EVP_PKEY_decrypt_init(ctx) != 1 ||
	    EVP_PKEY_decrypt(ctx, NULL, &n, in, inlen) != 1) {
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	if ((out = OPENSSL_malloc(n ? n : 1)) == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (EVP_PKEY_decrypt(ctx, out, &n, in, inlen) != 1)
		goto out;
	*outp = out;
	*outlenp = n;
	out = NULL;
	rv = CKR_OK;
 out:
	OPENSSL_clear_free(out, n);
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

CK_RV
C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE *in, CK_ULONG inlen, CK_BYTE *out,
    CK_ULONG *outlenp)
{
	struct session *s;
	unsigned char *buf = NULL;
	size_t n = 0;
	CK_RV rv;

	LOCK();
	if ((s = session_of(h)) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (!s->decrypting)
		RETURN(CKR_OPERATION_NOT_INITIALIZED);
	if (in == NULL || outlenp == NULL) {
		s->decrypting = 0;
		RETURN(CKR_ARGUMENTS_BAD);
	}
	if (login_user != CKU_USER) {
		s->decrypting = 0;
		RETURN(CKR_USER_NOT_LOGGED_IN);
	}
	if ((rv = do_decrypt(s, in, inlen, &buf, &n)) != CKR_OK) {
		s->decrypting = 0;
		RETURN(rv);
	}
	/* A length query (or a short buffer) keeps the operation. */
	if (out == NULL || *outlenp < n) {
		rv = out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*outlenp = (CK_ULONG)n;
	} else {
		memcpy(out, buf, n);
		*outlenp = (CK_ULONG)n;
		s->decrypting = 0;
		rv = CKR_OK;
	}
	OPENSSL_clear_free(buf, n);
	RETURN(rv);
}

CK_RV
C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE *buf, CK_ULONG len)
{
	LOCK();
	if (session_of(h) == NULL)
		RETURN(CKR_SESSION_HANDLE_INVALID);
	if (len > 0 && RAND_bytes(buf, (int)len) != 1)
		RETURN(CKR_FUNCTION_FAILED);
	RETURN(CKR_OK);
}

static CK_FUNCTION_LIST function_list = {
	.version = { CRYPTOKI_VERSION_MAJOR, CRYPTOKI_VERSION_MINOR },
	.C_Initialize = C_Initialize,
	.C_Finalize = C_Finalize,
	.C_GetInfo = C_GetInfo,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = C_GetSlotList,
	.C_GetSlotInfo = C_GetSlotInfo,
	.C_GetTokenInfo = C_GetTokenInfo,
	.C_WaitForSlotEvent = C_WaitForSlotEvent,
	.C_GetMechanismList = C_GetMechanismList,
	.C_GetMechanismInfo = C_GetMechanismInfo,
	.C_InitToken = C_InitToken,
	.C_InitPIN = C_InitPIN,
	.C_SetPIN = C_SetPIN,
	.C_OpenSession = C_OpenSession,
	.C_CloseSession = C_CloseSession,
	.C_CloseAllSessions = C_CloseAllSessions,
	.C_GetSessionInfo = C_GetSessionInfo,
	.C_GetOperationState = C_GetOperationState,
	.C_SetOperationState = C_SetOperationState,
	.C_Login = C_Login,
	.C_Logout = C_Logout,
	.C_CreateObject = C_CreateObject,
	.C_CopyObject = C_CopyObject,
	.C_DestroyObject = C_DestroyObject,
	.C_GetObjectSize = C_GetObjectSize,
	.C_GetAttributeValue = C_GetAttributeValue,
	.C_SetAttributeValue = C_SetAttributeValue,
	.C_FindObjectsInit = C_FindObjectsInit,
	.C_FindObjects = C_FindObjects,
	.C_FindObjectsFinal = C_FindObjectsFinal,
	.C_EncryptInit = C_EncryptInit,
	.C_Encrypt = C_Encrypt,
	.C_EncryptUpdate = C_EncryptUpdate,
	.C_EncryptFinal = C_EncryptFinal,
	.C_DecryptInit = C_DecryptInit,
	.C_Decrypt = C_Decrypt,
	.C_DecryptUpdate = C_DecryptUpdate,
	.C_DecryptFinal = C_DecryptFinal,
	.C_DigestInit = C_DigestInit,
	.C_Digest = C_Digest,
	.C_DigestUpdate = C_DigestUpdate,
	.C_DigestKey = C_DigestKey,
	.C_DigestFinal = C_DigestFinal,
	.C_SignInit = C_SignInit,
	.C_Sign = C_Sign,
	.C_SignUpdate = C_SignUpdate,
	.C_SignFinal = C_SignFinal,
	.C_SignRecoverInit = C_SignRecoverInit,
	.C_SignRecover = C_SignRecover,
	.C_VerifyInit = C_VerifyInit,
	.C_Verify = C_Verify,
	.C_VerifyUpdate = C_VerifyUpdate,
	.C_VerifyFinal = C_VerifyFinal,
	.C_VerifyRecoverInit = C_VerifyRecoverInit,
	.C_VerifyRecover = C_VerifyRecover,
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,
	.C_SignEncryptUpdate = C_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
	.C_GenerateKey = C_GenerateKey,
	.C_GenerateKeyPair = C_GenerateKeyPair,
	.C_WrapKey = C_WrapKey,
	.C_UnwrapKey = C_UnwrapKey,
	.C_DeriveKey = C_DeriveKey,
	.C_SeedRandom = C_SeedRandom,
	.C_GenerateRandom = C_GenerateRandom,
	.C_GetFunctionStatus = C_GetFunctionStatus,
	.C_CancelFunction = C_CancelFunction,
};
