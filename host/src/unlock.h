/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The unlock envelope, host side (host/doc/enroll.md, "Unlock envelope").
 *
 *   Z    = ECDH(P-256, host ephemeral private key, CA ephemeral public key)
 *          (the 32-byte x coordinate)
 *   K    = HKDF-SHA256(IKM = Z, salt = challenge,
 *          info = "UKeyLink unlock v1" || tokenSerial), 32 bytes
 *   AAD  = challenge || tokenSerial
 *   plaintext = AES-256-GCM-Decrypt(K, iv (12 bytes), ciphertext, tag
 *          (16 bytes), AAD)
 * tokenSerial is the ASCII serial of CK_TOKEN_INFO without its trailing
 * spaces, exactly as sent in unlock.request.  Every secret (Z, K, the
 * plaintext on failure) is wiped before return.
 */
#ifndef UK_UNLOCK_H
#define UK_UNLOCK_H

#include <stddef.h>

#include <openssl/evp.h>

#include "uk_setup.h"

#define UK_UNLOCK_INFO		"UKeyLink unlock v1"
#define UK_UNLOCK_CHALLENGE_LEN	32
#define UK_UNLOCK_IV_LEN	12
#define UK_UNLOCK_TAG_LEN	16
#define UK_UNLOCK_CT_MAX	1024

/* A fresh P-256 key pair (the host's ephemeral key). */
int uk_unlock_keygen(EVP_PKEY **keyp) UK_WUR;

/*
 * Opens an envelope.  peer_spki: the CA's ephemeral public key (DER
 * SubjectPublicKeyInfo, P-256 only).  *ptp malloc'd (caller wipes with
 * uk_freezero(*ptp, *ptlenp)); it is NUL-terminated (not counted).
 * UNLOCK_INVALID for anything that does not authenticate.
 */
int uk_unlock_open(EVP_PKEY *host_key, const unsigned char *peer_spki,
    size_t peer_len, const unsigned char *challenge, size_t clen,
    const char *serial, const unsigned char *iv, size_t ivlen,
    const unsigned char *ct, size_t ctlen, const unsigned char *tag,
    size_t taglen, unsigned char **ptp, size_t *ptlenp) UK_WUR;

/* A PIN of len decimal digits, uniformly from OpenSSL's private DRBG,
 * into buf (len + 1 bytes). */
int uk_unlock_random_pin(char *buf, size_t len) UK_WUR;

#endif /* UK_UNLOCK_H */
