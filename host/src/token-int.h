/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Internals shared by token*.c only.  Nothing outside the token module
 * includes this file.
 */
#ifndef UK_TOKEN_INT_H
#define UK_TOKEN_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <p11-kit/pkcs11.h>

#include "token.h"

#define TK_MAX_MODULES	8
#define TK_MAX_TOKENS	32
#define TK_MAX_KEYS	8	/* cached key handles per token */
#define TK_ID_MAX	64	/* CKA_ID bytes */

/*
 * Vendor SM2 decryption mechanisms (CKM_SM2 = CKM_VENDOR_DEFINED + 0x8000
 * family, like the signing ones; host/doc/config.md): the ciphertext
 * goes in as C1 ‖ C3 ‖ C2 with C1 = 04 ‖ x ‖ y, or as GM/T 0009 DER.
 */
#define TK_CKM_SM2_RAW		0x80008200UL	/* CKM_SM2_RAW */
#define TK_CKM_SM2_CIPHER_DER	0x80008201UL	/* CKM_SM2_CIPHER_DER */

struct tk_module {
	char path[PATH_MAX];
	void *dl;
	CK_FUNCTION_LIST_PTR fn;
	int tried;		/* load attempted */
	int initialized;	/* C_Initialize succeeded (we own fini) */
	int err;		/* load error code, 0 when fine */
	char problem[256];
};

struct tk_key {
	unsigned char id[TK_ID_MAX];
	size_t idlen;
	CK_OBJECT_HANDLE h;
	CK_KEY_TYPE type;
	size_t size;		/* RSA modulus bytes (0: unknown) */
	int sm2;		/* SM2 curve or a vendor key type */
};

struct tk_token {
	int used;
	int modidx;
	CK_SLOT_ID slot;
	char handle[UK_TOKEN_HANDLE_MAX];
	char reader[65];	/* slot description, trimmed */
	CK_TOKEN_INFO info;
	CK_SESSION_HANDLE sess;
	int has_sess;
	int logged_in;
	time_t last_use;
	struct tk_key keys[TK_MAX_KEYS];
	size_t nkeys;
};

struct uk_token_state {
	struct tk_module mods[TK_MAX_MODULES];
	size_t nmods;
	int configured;		/* module list read from the config */
	int stale;		/* re-enumerate slots at next lookup */
	struct tk_token toks[TK_MAX_TOKENS];
	int64_t idle_seconds;
	CK_MECHANISM_TYPE sm2_mech;	/* 0: none configured */
	CK_MECHANISM_TYPE sm2_dec_mech;	/* 0: SM2 decryption turned off */
};

/* token.c */
int tk_state(struct uk_ctx *ctx, struct uk_token_state **stp) UK_WUR;
int tk_enumerate(struct uk_token_state *st) UK_WUR;
int tk_lookup(struct uk_ctx *ctx, const char *handle,
    struct tk_token **tokp) UK_WUR;
CK_FUNCTION_LIST_PTR tk_fn(struct uk_token_state *st,
    const struct tk_token *t);
int tk_session(struct uk_token_state *st, struct tk_token *t) UK_WUR;
int tk_require_login(struct uk_token_state *st, struct tk_token *t) UK_WUR;
/* Handles a failing CKR of an operation on t: drops the session on
 * removal; returns the mapped code (dflt when nothing specific). */
int tk_fail(struct uk_token_state *st, struct tk_token *t, CK_RV rv,
    const char *what, int dflt);
void tk_forget_session(struct uk_token_state *st, struct tk_token *t);
void tk_trim(char *dst, const unsigned char *src, size_t len);

/* token-key.c */
int tk_find_cert_der(struct uk_token_state *st, struct tk_token *t,
    const unsigned char *id, size_t idlen, unsigned char **derp,
    size_t *derlenp, unsigned char *idout, size_t *idoutlenp) UK_WUR;
int tk_find_key(struct uk_token_state *st, struct tk_token *t,
    const unsigned char *id, size_t idlen, struct tk_key **keyp) UK_WUR;
int tk_id_from_hex(const char *hex, unsigned char *id, size_t *idlenp)
    UK_WUR;
/* The key paired with certificate idhex (NULL: the signing certificate)
 * on token, once a login is there (NOT_LOGGED_IN otherwise). */
int tk_resolve_key(struct uk_ctx *ctx, const char *token, const char *idhex,
    struct tk_token **tp, struct tk_key **kp) UK_WUR;
/* C_DecryptInit + C_Decrypt of in with k; *outlenp: the room in out,
 * then the plaintext's length.  CKR mapped by tk_fail (default
 * ASYMMETRIC). */
int tk_key_decrypt(struct uk_token_state *st, struct tk_token *t,
    struct tk_key *k, CK_MECHANISM *mech, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t *outlenp) UK_WUR;

/* token-sm2.c: uk_token_sign_cms for an SM2 certificate (cert borrowed;
 * idhex: its CKA_ID).  SM3 always.  *cmsp malloc'd. */
int tk_sign_cms_sm2(struct uk_ctx *ctx, const char *token,
    const char *idhex, X509 *cert, const unsigned char *data, size_t len,
    int detached, unsigned char **cmsp, size_t *cmslenp) UK_WUR;
/* token-sm2.c: uk_token_decrypt_cms for an SM2 certificate: the token
 * decrypts the content key through pkcs11.sm2DecryptMechanism, the
 * content is decrypted in software (envelope-sm2.c).  *outp malloc'd. */
int tk_decrypt_env_sm2(struct uk_ctx *ctx, const char *token,
    const char *idhex, X509 *cert, const unsigned char *der, size_t len,
    unsigned char **outp, size_t *outlenp, char *why, size_t whylen)
    UK_WUR;

/* token.c: the module's hooks */
void tk_tick(struct uk_ctx *ctx, time_t now);
void tk_fini(struct uk_ctx *ctx);
int tk_diagnose(struct uk_ctx *ctx, FILE *fp);

#endif /* UK_TOKEN_INT_H */
