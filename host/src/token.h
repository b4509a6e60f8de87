/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The token module: every PKCS#11 call of the host lives in token*.c.
 *
 * What it promises:
 * - PKCS#11 modules are loaded lazily (on the first call that needs a
 *   token) from the "pkcs11" configuration section plus any paths added
 *   with uk_token_add_module(); each is C_Initialize'd once and
 *   C_Finalize'd by the module's fini.  A module that fails to load is
 *   reported (UK_ERR_LOAD_LIBRARY, path in the detail) and skipped; the
 *   others keep working.
 * - A token is named by a handle string "m<module>-s<slot>-<serial>"
 *   (from uk_token_list / token.list).  A handle stays valid while the
 *   same token sits in the same slot; after a removal it gives
 *   UK_ERR_TOKEN_NOT_FOUND (or UK_ERR_TOKEN_REMOVED during an operation).
 * - One login per token per host process.  It ends on uk_token_logout, on
 *   removal (uk_token_on_removed, or CKR_DEVICE_REMOVED seen by any call),
 *   and after limits.sessionIdleSeconds without use (module tick).
 * - PINs are used once and wiped by the caller's buffer owner: functions
 *   taking a PIN never keep it, never log it.
 * - Errors: UK_ERR_* from err.h.  CKR values are logged at debug level and
 *   mapped: PIN_INCORRECT, PIN_LOCKED, PIN_LEN_RANGE, NOT_LOGGED_IN,
 *   TOKEN_REMOVED, MECHANISM, READ_KEY_DEVICE, SIGN, ...
 *
 * Threads: all functions must be called from the request thread (the one
 * that runs handlers and ticks).  uk_token_on_removed/on_inserted from a
 * PC/SC event thread must be marshalled there (or take the caller's lock).
 *
 * Ownership is stated per function; "borrowed" pointers stay valid only
 * until the next call into this module that can end a session.
 */
#ifndef UK_TOKEN_H
#define UK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>
#include <cjson/cJSON.h>

#include "cms_attach.h"
#include "uk_setup.h"
#include "sign.h"

struct uk_ctx;

#define UK_TOKEN_HANDLE_MAX	96	/* bytes incl. NUL */
#define UK_PIN_MAX		64	/* bytes */

/* Module registered in modules.c. */
extern const struct uk_module uk_token_module;

/* PIN state of a token, after the latest operation. */
struct uk_pin_state {
	int count_low;		/* CKF_USER_PIN_COUNT_LOW */
	int final_try;		/* CKF_USER_PIN_FINAL_TRY */
	int locked;		/* CKF_USER_PIN_LOCKED */
	int to_be_changed;	/* CKF_USER_PIN_TO_BE_CHANGED */
	int initialized;	/* CKF_USER_PIN_INITIALIZED */
	int retries_left;	/* -1 unknown; 1 on final try; 0 locked */
	int logged_in;
	int pinpad;		/* CKF_PROTECTED_AUTHENTICATION_PATH */
	unsigned long min_len, max_len;	/* ulMin/MaxPinLen */
};

/* Adds members "countLow", "finalTry", "locked", "toBeChanged",
 * "retriesLeft" (only when known), "loggedIn" to obj.  0 or ALLOC_FAIL. */
int uk_pin_state_to_json(const struct uk_pin_state *st, cJSON *obj) UK_WUR;

/* --- Modules -------------------------------------------------------- */

/*
 * Adds a module path (e.g. chosen by the readers module from an ATR
 * table).  Loaded at the next enumeration; a path already known is not
 * added twice.  Returns 0, UK_ERR_INVALID_PARAM (not absolute, too long,
 * NUL) or UK_ERR_ALLOC_FAIL.  A load failure shows up later, in
 * token.list's "modules" member and in --diagnose.
 */
int uk_token_add_module(struct uk_ctx *ctx, const char *path) UK_WUR;

/*
 * PC/SC change notifications (readers module).  reader may be NULL
 * ("something changed").  on_removed ends the login of every token whose
 * slot description names reader (or, for NULL, of every token that is
 * no longer present) and forgets cached objects; on_inserted makes the
 * next call re-enumerate slots.  Never fail.
 */
void uk_token_on_removed(struct uk_ctx *ctx, const char *reader);
void uk_token_on_inserted(struct uk_ctx *ctx, const char *reader);

/* --- Tokens and PIN ------------------------------------------------- */

/*
 * Enumerates present, initialised tokens of every module.  *tokensp: a
 * new cJSON array (caller deletes) of objects shaped like token.list's
 * "tokens" entries.  Returns 0 (an empty array when none), or
 * UK_ERR_LOAD_LIBRARY when no module at all could be loaded, or
 * ALLOC_FAIL.
 */
int uk_token_list(struct uk_ctx *ctx, cJSON **tokensp) UK_WUR;

/*
 * The handle of the first present token (module order, then slot
 * order): for SafeEngine's "devType/devParam are hints".  hbuf has
 * UK_TOKEN_HANDLE_MAX bytes.  0 or READ_KEY_DEVICE (none plugged).
 */
int uk_token_first(struct uk_ctx *ctx, char *hbuf, size_t hlen) UK_WUR;

/* Current PIN state (re-reads token flags).  0, TOKEN_NOT_FOUND, ... */
int uk_token_pin_state(struct uk_ctx *ctx, const char *token,
    struct uk_pin_state *stp) UK_WUR;

/*
 * Logs the user in.  pin: NUL-terminated, 1..UK_PIN_MAX bytes, or NULL
 * when the token has a protected authentication path (pinpad; a pin
 * given then is ignored).  Already logged in → 0.  On failure *stp (may
 * be NULL) holds the PIN state after the attempt: PIN_INCORRECT (with
 * count/final flags), PIN_LOCKED, PIN_LEN_RANGE, PIN_INVALID (bad
 * bytes), PIN_CANCELLED (pinpad).  The caller owns and wipes pin.
 */
int uk_token_login(struct uk_ctx *ctx, const char *token, const char *pin,
    struct uk_pin_state *stp) UK_WUR;
/* Ends the login and the session.  0 also when not logged in. */
int uk_token_logout(struct uk_ctx *ctx, const char *token) UK_WUR;
/* C_SetPIN in a user session (logs in with old_pin first when needed).
 * Same errors and *stp as uk_token_login. */
int uk_token_change_pin(struct uk_ctx *ctx, const char *token,
    const char *old_pin, const char *new_pin,
    struct uk_pin_state *stp) UK_WUR;

/* --- Certificates and keys ------------------------------------------ */

/*
 * Certificates on one token (token NULL: on every token).  *certsp: new
 * cJSON array (caller deletes) shaped like cert.list's "certs" entries
 * (token, certId, label, der, hasKey, parsed fields).  Readable without
 * login (public objects).
 */
int uk_token_cert_list(struct uk_ctx *ctx, const char *token,
    cJSON **certsp) UK_WUR;

/*
 * Finds a certificate.  cert_id: hex CKA_ID, or NULL for "the signing
 * certificate" (first certificate that has a private key, preferring one
 * whose keyUsage has digitalSignature/nonRepudiation and not only
 * keyEncipherment).  *certp: new X509 (caller frees); *idhexp (may be
 * NULL): malloc'd hex CKA_ID.  CERT_NOT_FOUND when absent.
 */
int uk_token_find_cert(struct uk_ctx *ctx, const char *token,
    const char *cert_id, X509 **certp, char **idhexp) UK_WUR;

/*
 * An EVP_PKEY whose private operations run on the token key paired (by
 * CKA_ID) with certificate cert_id (NULL: the signing certificate).
 * Needs a login (NOT_LOGGED_IN otherwise).  Works with OpenSSL's CMS,
 * PKCS7, X509_REQ_sign and EVP_DigestSign (RSA PKCS#1/PSS, ECDSA).  The
 * caller frees it; operations after logout/removal fail cleanly.
 */
int uk_token_pkey(struct uk_ctx *ctx, const char *token,
    const char *cert_id, EVP_PKEY **pkeyp) UK_WUR;

/* --- Signing, decryption, random ------------------------------------ */

struct uk_sign_req {
	const char *token;
	const char *cert_id;		/* hex CKA_ID; NULL: signing cert */
	const unsigned char *data;	/* message, or the digest when */
	size_t len;
	int is_digest;			/*   is_digest = 1 */
	enum uk_hash hash;
	int hash_strict;		/* the caller named hash: a key that
					 * cannot use it is refused (SM2
					 * keys use SM3 only) */
	enum uk_sig_scheme scheme;	/* UK_SCHEME_AUTO: by key type */
};

/*
 * Signs.  RSA PKCS#1 v1.5 builds the DigestInfo and uses CKM_RSA_PKCS;
 * PSS uses CKM_RSA_PKCS_PSS (salt = hash length); ECDSA uses CKM_ECDSA on
 * the digest and returns DER (scheme ECDSA) or r||s (ECDSA_RAW); SM2
 * uses the configured vendor mechanism.  *sigp malloc'd (caller frees).
 * Errors: NOT_LOGGED_IN, CERT_NOT_FOUND, MECHANISM, INVALID_PARAM
 * (digest length), TOKEN_REMOVED, SIGN.
 */
int uk_token_sign(struct uk_ctx *ctx, const struct uk_sign_req *req,
    unsigned char **sigp, size_t *siglenp) UK_WUR;

/*
 * CMS/PKCS#7 SignedData over data with the token key of cert_id,
 * signer certificate included, signingTime attribute; detached when
 * detached != 0.  DER in *cmsp (caller frees).  An SM2 certificate's key
 * signs through pkcs11.sm2Mechanism with SM3 whatever hash says
 * (token-sm2.c; MECHANISM when no mechanism is configured); data is read
 * once in place for the detached form.
 */
int uk_token_sign_cms(struct uk_ctx *ctx, const char *token,
    const char *cert_id, const unsigned char *data, size_t len,
    int detached, enum uk_hash hash, unsigned char **cmsp,
    size_t *cmslenp) UK_WUR;
/* The same in parts (sign.h: uk_cms_sign_parts): the attached form
 * points at data instead of copying it.  Caller frees parts->buf. */
int uk_token_sign_cms_parts(struct uk_ctx *ctx, const char *token,
    const char *cert_id, const unsigned char *data, size_t len,
    int detached, enum uk_hash hash, int hash_strict,
    struct uk_cms_parts *parts) UK_WUR;

/*
 * Decrypts a CMS/PKCS#7 EnvelopedData (DER) addressed to cert_id's
 * certificate with its token key: OpenSSL's CMS with the token-backed
 * EVP_PKEY, or for an SM2 certificate the vendor decryption mechanism
 * pkcs11.sm2DecryptMechanism on the content key and SM4-CBC in software
 * (host/doc/token.md, "SM2 envelopes").  *outp malloc'd; the caller
 * wipes it with uk_freezero(*outp, *outlenp).  ENVELOPE on failure (not
 * addressed to that certificate, altered, not an envelope), also
 * NOT_LOGGED_IN, CERT_NOT_FOUND, TOKEN_REMOVED, MECHANISM (SM2: no or an
 * unsupported mechanism).  why (whylen bytes): a detail, never secret.
 */
int uk_token_decrypt_cms(struct uk_ctx *ctx, const char *token,
    const char *cert_id, const unsigned char *der, size_t len,
    unsigned char **outp, size_t *outlenp, char *why, size_t whylen)
    UK_WUR;

/* len random bytes from the token (token NULL: OpenSSL's RAND). */
int uk_token_random(struct uk_ctx *ctx, const char *token,
    unsigned char *buf, size_t len) UK_WUR;

/* --- Raw access (enroll, seal, unlock) ------------------------------ */

/*
 * The function list and a logged-in R/W session of token, for calls the
 * API above does not cover (key generation, data objects, certificate
 * writes, C_InitPIN after an SO login...).  Both are borrowed: do not
 * close the session, log out or finalise; they stay valid until the next
 * uk_token_logout / removal / idle timeout.  Every use counts as activity
 * for the idle timeout.  NOT_LOGGED_IN when not logged in,
 * TOKEN_NOT_FOUND.  After writing objects, call uk_token_changed().
 */
int uk_token_raw(struct uk_ctx *ctx, const char *token,
    CK_FUNCTION_LIST_PTR *fnp, CK_SESSION_HANDLE *sessp) UK_WUR;
/*
 * The same without a user login: a R/W session (opened when needed) for
 * an SO login (unlock: C_Login(CKU_SO), C_InitPIN, C_Logout).  The caller
 * must leave it logged out of SO when done.
 */
int uk_token_raw_session(struct uk_ctx *ctx, const char *token,
    CK_FUNCTION_LIST_PTR *fnp, CK_SESSION_HANDLE *sessp) UK_WUR;
/* Slot id and token info of token (for serial numbers, labels). */
int uk_token_info(struct uk_ctx *ctx, const char *token, CK_SLOT_ID *slotp,
    CK_TOKEN_INFO *infop) UK_WUR;
/* Objects on the token changed (forget cached certificates/keys). */
void uk_token_changed(struct uk_ctx *ctx, const char *token);
/* Problems of configured modules that failed to load: a new array of
 * {path, code, message} (caller deletes). */
int uk_token_module_problems(struct uk_ctx *ctx, cJSON **arrp) UK_WUR;
/* Validator of the "pkcs11" configuration section (config.c's table). */
int uk_token_validate_config(const cJSON *v, char *why, size_t whylen)
    UK_WUR;
/* Maps a CKR to the closest UK_ERR_* code (dflt when none fits). */
int uk_token_ckr_err(CK_RV rv, int dflt);

#endif /* UK_TOKEN_H */
