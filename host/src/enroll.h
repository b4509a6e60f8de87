/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Enrolment on the key: renewal and self-service change as crash-safe
 * transactions (enroll.*), electronic seals (seal.*), PIN unlock
 * (unlock.*).  host/doc/enroll.md is the reference.
 *
 * What it promises:
 * - The transaction state lives on the token, in one journal data object
 *   (CKA_APPLICATION "UKeyLink enroll journal"), never only in memory: a
 *   killed host, a closed browser or a pulled key leaves a journal that
 *   the next enroll.recover (run automatically on the first enroll/seal
 *   call for a token in a process) finishes or rolls back.
 * - The old key and certificate are removed (or archived, per config)
 *   only after the new certificate is installed and a test signature with
 *   the new key verifies against it.  Objects are written key before
 *   certificate and removed certificate before key, so the token never
 *   holds a certificate without its key, and always at least one
 *   complete (certificate, key) pair.
 * - Existing objects are never modified before the retire step; a new key
 *   gets a fresh random CKA_ID.
 * - Every PKCS#11 call lives in enroll_p11.c and uses sessions handed out
 *   by the token module.
 *
 * The core functions below work on a raw session (struct uk_p11) so the
 * tests can drive them without a host; the protocol handlers (enroll.c,
 * seal.c, unlock.c) wrap them.  Errors: UK_ERR_* (TRANSACTION for a
 * journal that does not allow the step, CERT_REJECTED with a reason,
 * SEAL_INVALID, UNLOCK_INVALID, MECHANISM, TOKEN_FULL, ...).
 */
#ifndef UK_ENROLL_H
#define UK_ENROLL_H

#include <stddef.h>

#include <openssl/x509.h>
#include <cjson/cJSON.h>

#include "uk_setup.h"
#include "enroll_p11.h"

struct uk_config;

extern const struct uk_module uk_enroll_module;
extern const struct uk_module uk_seal_module;
extern const struct uk_module uk_unlock_module;

#define UK_JOURNAL_APP	"UKeyLink enroll journal"
#define UK_SEAL_APP	"UKeyLink seal"
#define UK_PINFLAG_APP	"UKeyLink PIN to be changed"
#define UK_ENROLL_LABEL_MAX	64
#define UK_TXN_HEX_LEN	32	/* 16 random bytes */
#define UK_ID_MAX	64	/* bytes of a CKA_ID we accept */

/* Validator of the "enroll" configuration section (config.c's table). */
int uk_enroll_config_validate(const cJSON *v, char *why, size_t whylen)
    UK_WUR;

/* --- Settings (from the "enroll" section, defaults when absent) ------ */

struct uk_enroll_cfg {
	int archive;			/* retireOld: "archive" */
	unsigned keytypes;		/* bit (1 << enum uk_keytype) */
	struct uk_sm2_mechs sm2;	/* sign: sm2Mechanisms.sign, else
					 * pkcs11.sm2Mechanism */
	X509_STORE *anchors;		/* both trustAnchors lists */
	X509_STORE *seal_ca;		/* enroll.sealCA */
	size_t seal_max;		/* bytes */
	const cJSON *reg_oids;		/* OID strings (borrowed) */
};

/* Builds the settings; free with uk_enroll_cfg_clear.  CONFIG when a
 * trust anchor file cannot be read. */
int uk_enroll_cfg_load(const struct uk_config *cfg,
    struct uk_enroll_cfg *ec) UK_WUR;
void uk_enroll_cfg_clear(struct uk_enroll_cfg *ec);

/* --- Journal --------------------------------------------------------- */

enum uk_step {
	UK_STEP_NONE = 0,
	UK_STEP_BEGUN,
	UK_STEP_GENERATING,	/* new CKA_ID chosen, keygen next */
	UK_STEP_KEY,		/* key generated */
	UK_STEP_REQUEST,	/* request issued */
	UK_STEP_INSTALLING,	/* certificate write next */
	UK_STEP_INSTALLED,	/* certificate installed */
	UK_STEP_SEALED,		/* seal re-bound to the new cert */
	UK_STEP_RETIRING,	/* old pair being removed / archived */
};

struct uk_journal {
	char txn[UK_TXN_HEX_LEN + 1];
	int change;			/* mode "change" (else "renew") */
	enum uk_step step;
	unsigned long seq;		/* grows with every rewrite */
	unsigned char old_id[UK_ID_MAX];
	size_t old_idlen;
	unsigned char new_id[UK_P11_ID_LEN];
	size_t new_idlen;		/* 0 before GENERATING */
	char new_label[UK_ENROLL_LABEL_MAX + 1];
	enum uk_keytype kt;
	char old_serial[80];		/* hex, upper case */
	char new_serial[80];		/* hex, after INSTALLING */
	CK_OBJECT_HANDLE h;		/* the journal object (runtime) */
};

const char *uk_step_name(enum uk_step s);

/* JSON text of j (malloc'd) / parse.  Parse refuses unknown versions. */
char *uk_journal_encode(const struct uk_journal *j);
int uk_journal_decode(const char *text, size_t len, struct uk_journal *j)
    UK_WUR;

/* Reads the token's journal: 0 with j->step NONE when there is none.  When
 * an interrupted rewrite left two, keeps the newest and removes the rest. */
int uk_journal_read(const struct uk_p11 *p, struct uk_journal *j) UK_WUR;
/* Records j (seq + 1) as step: writes the new object, then removes the
 * previous one.  Calls uk_fault_step(step name) afterwards. */
int uk_journal_write(const struct uk_p11 *p, struct uk_journal *j,
    enum uk_step step) UK_WUR;
/* Removes the journal (end of a transaction). */
int uk_journal_remove(const struct uk_p11 *p, struct uk_journal *j) UK_WUR;

/* --- Certificate checks (enroll_check.c) ----------------------------- */

/*
 * Registry numbers of cert (extensions whose OID is in oids, or the
 * built-in GM/T 0015 list when oids is NULL): a new object
 * {"<oid>": "<value>"} (caller deletes) or NULL when out of memory.
 */
cJSON *uk_registry_numbers(X509 *cert, const cJSON *oids);

/*
 * Decides whether newc may replace oldc: O equal, registry numbers equal
 * (change: numbers may be added, never altered or removed).  0, or
 * CERT_REJECTED with *reasonp a static reason name ("subjectO",
 * "registryNumbers").
 */
int uk_cert_same_holder(X509 *oldc, X509 *newc, int change,
    const cJSON *oids, const char **reasonp) UK_WUR;

/*
 * Verifies cert (with untrusted chain, may be NULL) against anchors at
 * the current time.  0, or CERT_REJECTED with *reasonp "expired",
 * "notYetValid", "chain".
 */
int uk_cert_check_chain(X509 *cert, STACK_OF(X509) *chain,
    X509_STORE *anchors, const char **reasonp) UK_WUR;

/* Upper-case hex serial of cert without leading zeros ("0" for zero).
 * *hexp malloc'd. */
int uk_cert_serial_hex(X509 *cert, char **hexp) UK_WUR;

/*
 * Builds a PKCS#10 request for public key pub: subject from subject
 * (object {C,S,L,O,OU,CN,E}) or else copied from oldc; registry number
 * extensions copied from oldc plus add (object {oid: value}, may be NULL)
 * as requested extensions; signed on the token with private key h.  DER in
 * *derp (malloc'd).
 */
int uk_csr_build(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    enum uk_keytype kt, const struct uk_sm2_mechs *sm2, EVP_PKEY *pub,
    X509 *oldc, const cJSON *subject, const cJSON *add, const cJSON *oids,
    unsigned char **derp, size_t *lenp) UK_WUR;

/* --- Transaction core (enroll_txn.c) --------------------------------- */

/* The certificate with CKA_ID id (first found).  CERT_NOT_FOUND. */
int uk_enroll_find_cert(const struct uk_p11 *p, const unsigned char *id,
    size_t idlen, X509 **certp, CK_OBJECT_HANDLE *hp) UK_WUR;
/* The private key with CKA_ID id.  NOT_FOUND → READ_KEY_DEVICE. */
int uk_enroll_find_key(const struct uk_p11 *p, CK_OBJECT_CLASS cls,
    const unsigned char *id, size_t idlen, CK_OBJECT_HANDLE *hp) UK_WUR;

int uk_enroll_begin(const struct uk_p11 *p, const unsigned char *old_id,
    size_t old_idlen, int change, struct uk_journal *j) UK_WUR;
/* Key pair for j; *pubp new SPKI key (caller frees). */
int uk_enroll_genkey(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, enum uk_keytype kt, EVP_PKEY **pubp) UK_WUR;
int uk_enroll_request(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, const cJSON *subject, const cJSON *add,
    unsigned char **derp, size_t *lenp) UK_WUR;
/* *reasonp set on CERT_REJECTED.  *certp (may be NULL) the installed
 * certificate. */
int uk_enroll_install(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, X509 *cert, STACK_OF(X509) *chain,
    const char **reasonp) UK_WUR;
/* Test signature, then retire the old pair; *archivedp 1 when kept. */
int uk_enroll_commit(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, int *archivedp) UK_WUR;
/* Removes every new object of j and the journal; old pair untouched. */
int uk_enroll_rollback(const struct uk_p11 *p, struct uk_journal *j) UK_WUR;

/*
 * Finishes or rolls back an unfinished journal.  *resultp: new object
 * {state, action, orphanKeys:[hex]} (caller deletes).  action is "none",
 * "rolledBack", "finished" or "awaitingCertificate".
 */
int uk_enroll_recover(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    cJSON **resultp) UK_WUR;

/* --- Seals (seal.c) -------------------------------------------------- */

/*
 * Verifies a seal package (CMS SignedData DER) against the seal CA store
 * and checks that its content names serial_hex.  *contentp (may be NULL):
 * the parsed content JSON (caller deletes).  SEAL_INVALID / TOO_LARGE.
 */
int uk_seal_verify(const struct uk_enroll_cfg *ec, const unsigned char *pkg,
    size_t len, const char *serial_hex, cJSON **contentp) UK_WUR;
/* Writes a verified package as a seal object; *idp malloc'd hex id. */
int uk_seal_store(const struct uk_p11 *p, const unsigned char *pkg,
    size_t len, const char *serial_hex, char **idp) UK_WUR;
/* Seal objects bound to serial_hex: removes them (archive 0) or relabels
 * them as archived. */
int uk_seal_retire(const struct uk_p11 *p, const char *serial_hex,
    int archive) UK_WUR;
/* Removes seal objects bound to serial_hex (rollback of a re-bind). */
int uk_seal_remove_serial(const struct uk_p11 *p, const char *serial_hex)
    UK_WUR;
/* A seal object as found on the token. */
struct uk_seal_obj {
	CK_OBJECT_HANDLE h;
	char serial[80];	/* as in the label */
	char id[40];		/* hex */
	int archived;
};
/* Every seal object (at most max). */
int uk_seal_scan(const struct uk_p11 *p, struct uk_seal_obj *out,
    size_t max, size_t *np) UK_WUR;
/* 1 when two hex serials name the same number. */
int uk_seal_same_serial(const char *a, const char *b);
/* Number of seal objects bound to serial_hex (0 on error). */
size_t uk_seal_count(const struct uk_p11 *p, const char *serial_hex);

#endif /* UK_ENROLL_H */
