/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Raw PKCS#11 for enrolment, seals and unlock: the calls libp11 0.4.12 has
 * no API for (EC/SM2 key generation, data objects, certificate writes,
 * relabelling, C_InitPIN).  Everything runs in a session that the token
 * module hands out (uk_token_raw / uk_token_raw_session): this file never
 * calls C_Initialize, C_Finalize, C_OpenSession or C_CloseSession.
 *
 * Every call that changes the token goes through uk_fault_write() first,
 * so the fault-injection tests can stop the process before any write.
 *
 * Errors: UK_ERR_* (CKR values are logged at debug level and mapped:
 * TOKEN_FULL for CKR_DEVICE_MEMORY, MECHANISM, TOKEN_REMOVED, ...).
 * Ownership: outputs are malloc'd / new OpenSSL objects owned by the caller.
 */
#ifndef UK_ENROLL_P11_H
#define UK_ENROLL_P11_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#include "uk_setup.h"

struct uk_p11 {
	CK_FUNCTION_LIST_PTR fn;
	CK_SESSION_HANDLE s;
};

enum uk_keytype {
	UK_KT_NONE = 0,
	UK_KT_RSA2048,
	UK_KT_RSA3072,
	UK_KT_EC_P256,
	UK_KT_SM2,
};

#define UK_P11_ID_LEN		16	/* bytes of a new CKA_ID */
#define UK_P11_MAX_OBJECTS	256	/* per search */
#define UK_P11_MAX_VALUE	(1024 * 1024)	/* attribute bytes */

/* "rsa2048", "rsa3072", "ec-p256", "sm2" → enum; NONE when unknown. */
enum uk_keytype uk_keytype_parse(const char *name);
const char *uk_keytype_name(enum uk_keytype kt);

/* Vendor mechanisms for SM2 (configuration; 0 = not available). */
struct uk_sm2_mechs {
	CK_MECHANISM_TYPE keygen;	/* key pair generation */
	CK_MECHANISM_TYPE sign;		/* SM2-with-SM3 on the message */
};

/* Maps a CKR to a UK_ERR_* (dflt when nothing fits); logs rv at debug. */
int uk_p11_err(const char *what, CK_RV rv, int dflt);

/*
 * Finds up to max objects of class cls (CK_UNAVAILABLE_INFORMATION: any)
 * with CKA_ID id (NULL: any) and, for data objects, CKA_APPLICATION app
 * (NULL: any).  0 with *np (possibly 0).
 */
int uk_p11_find(const struct uk_p11 *p, CK_OBJECT_CLASS cls,
    const unsigned char *id, size_t idlen, const char *app,
    CK_OBJECT_HANDLE *hs, size_t max, size_t *np) UK_WUR;

/* One attribute value, malloc'd (NUL-terminated for convenience, the
 * terminator not counted in *lenp).  NOT_SUPPORTED when absent. */
int uk_p11_attr(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    CK_ATTRIBUTE_TYPE type, unsigned char **valp, size_t *lenp) UK_WUR;

/* Creates a token data object (CKA_PRIVATE as given, modifiable). */
int uk_p11_create_data(const struct uk_p11 *p, const char *app,
    const char *label, const unsigned char *val, size_t len, int priv,
    CK_OBJECT_HANDLE *hp) UK_WUR;
/* Creates a token certificate object with CKA_ID id and label. */
int uk_p11_create_cert(const struct uk_p11 *p, X509 *cert,
    const unsigned char *id, size_t idlen, const char *label,
    CK_OBJECT_HANDLE *hp) UK_WUR;
/* C_DestroyObject.  An object already gone counts as success. */
int uk_p11_destroy(const struct uk_p11 *p, CK_OBJECT_HANDLE h) UK_WUR;
/* Sets CKA_LABEL. */
int uk_p11_set_label(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    const char *label) UK_WUR;

/*
 * Generates a key pair on the token with CKA_ID id and CKA_LABEL label:
 * CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true, CKA_EXTRACTABLE false, sign
 * usage only.  SM2 needs sm2->keygen (MECHANISM otherwise) and the slot's
 * mechanism list to offer it.  *pubp / *privp: the new handles.
 */
int uk_p11_genkey(const struct uk_p11 *p, enum uk_keytype kt,
    const struct uk_sm2_mechs *sm2, const unsigned char *id, size_t idlen,
    const char *label, CK_OBJECT_HANDLE *pubp, CK_OBJECT_HANDLE *privp)
    UK_WUR;

/* The public key object h as an OpenSSL key (RSA or EC incl. SM2). */
int uk_p11_pubkey(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    EVP_PKEY **pkeyp) UK_WUR;

/*
 * Signs msg with private key h: RSA → CKM_SHA256_RSA_PKCS; EC → CKM_ECDSA
 * over SHA-256 (r || s), returned as DER ECDSA-Sig-Value; SM2 → sm2->sign
 * on the message, answered as r || s or DER (either is taken), returned
 * as DER.
 * *sigp malloc'd.
 */
int uk_p11_sign(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    enum uk_keytype kt, const struct uk_sm2_mechs *sm2,
    const unsigned char *msg, size_t len, unsigned char **sigp,
    size_t *siglenp) UK_WUR;

/* Key type of private/public key object h (RSA by bits, EC by curve). */
int uk_p11_keytype(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    enum uk_keytype *ktp) UK_WUR;

/* 1 when the session's slot offers mechanism m. */
int uk_p11_has_mechanism(const struct uk_p11 *p, CK_MECHANISM_TYPE m);

/* len bytes from C_GenerateRandom. */
int uk_p11_random(const struct uk_p11 *p, unsigned char *buf, size_t len)
    UK_WUR;

/*
 * Unlock: C_Login(CKU_SO, so_pin) → C_InitPIN(new_pin) → C_Logout.  The
 * session must not be logged in.  The caller owns and wipes both PINs.
 * Returns 0, UNLOCK_INVALID when the SO PIN is refused, PIN_LEN_RANGE, ...
 */
int uk_p11_init_pin(const struct uk_p11 *p, const char *so_pin,
    const char *new_pin) UK_WUR;

#endif /* UK_ENROLL_P11_H */
