/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libuk-p11test: a PKCS#11 module for tests (p11test.c says what it is
 * and what it is not).  Constants shared by the module and the tests.
 */
#ifndef UK_P11TEST_H
#define UK_P11TEST_H

#define UNUSED	__attribute__((unused))

/* Environment variable naming the token's state directory. */
#define P11T_ENV_DIR		"UK_P11TEST_DIR"

/*
 * Vendor SM2 mechanisms, numbered as in the PKCS#11 headers of Chinese
 * HSM/USB-key vendors (CKM_SM2 = CKM_VENDOR_DEFINED + 0x8000,
 * CKM_SM3_SM2 = CKM_SM2 + 0x100, CKM_SM3_SM2_DER = CKM_SM2 + 0x101).
 * Input: the message; the module computes Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ G ‖
 * P) with the GM/T 0009 default ID 1234567812345678, then e = SM3(Z ‖ M),
 * and signs e.  Output: r ‖ s (64 bytes) or DER SM2-Signature.
 */
#define P11T_CKM_SM3_SM2	0x80008100UL
#define P11T_CKM_SM3_SM2_DER	0x80008101UL

/*
 * Vendor SM2 key pair generation, same family (CKM_SM2_KEY_PAIR_GEN =
 * CKM_SM2 + 1).  Makes a token key pair on the SM2 curve, modelled like
 * the keys the module loads: CKK_EC, CKA_EC_PARAMS = OID
 * 1.2.156.10197.1.301.
 */
#define P11T_CKM_SM2_KEY_PAIR_GEN	0x80008001UL

/*
 * Vendor SM2 decryption, same family (CKM_SM2_RAW = CKM_SM2 + 0x200,
 * CKM_SM2_CIPHER_DER = CKM_SM2 + 0x201).  Input: the SM2 ciphertext as
 * C1 ‖ C3 ‖ C2 with C1 = 04 ‖ x ‖ y (RAW), or as the GM/T 0009 DER
 * SM2Cipher SEQUENCE { x, y INTEGER, C3, C2 OCTET STRING } (CIPHER_DER);
 * SM3 in C3 and the KDF.  Output: the plaintext.
 */
#define P11T_CKM_SM2_RAW	0x80008200UL
#define P11T_CKM_SM2_CIPHER_DER	0x80008201UL

#define P11T_MAX_TRIES		6	/* user PIN tries before lock */
#define P11T_SLOT		1UL

#endif /* UK_P11TEST_H */
