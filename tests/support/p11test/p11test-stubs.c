/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The PKCS#11 functions the test token does not implement: each answers
 * CKR_FUNCTION_NOT_SUPPORTED, so a host that calls one gets a clean
 * error instead of a NULL pointer in the function list.  Generated once
 * from p11-kit's pkcs11.h (v2.40 list); parameter names are the header's.
 */
#include <p11-kit/pkcs11.h>

#include "p11test.h"

CK_RV
C_WaitForSlotEvent(CK_FLAGS flags UNUSED, CK_SLOT_ID *slot UNUSED,
    void *reserved UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_InitToken(CK_SLOT_ID slot_id UNUSED, unsigned char *pin UNUSED,
    unsigned long pin_len UNUSED, unsigned char *label UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_GetOperationState(CK_SESSION_HANDLE session UNUSED, unsigned char
    *operation_state UNUSED, unsigned long *operation_state_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SetOperationState(CK_SESSION_HANDLE session UNUSED, unsigned char
    *operation_state UNUSED, unsigned long operation_state_len UNUSED,
    CK_OBJECT_HANDLE encryption_key UNUSED, CK_OBJECT_HANDLE
    authentiation_key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_CopyObject(CK_SESSION_HANDLE session UNUSED, CK_OBJECT_HANDLE
    object UNUSED, CK_ATTRIBUTE *templ UNUSED, unsigned long
    count UNUSED, CK_OBJECT_HANDLE *new_object UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_GetObjectSize(CK_SESSION_HANDLE session UNUSED, CK_OBJECT_HANDLE
    object UNUSED, unsigned long *size UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_EncryptInit(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED, CK_OBJECT_HANDLE key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_Encrypt(CK_SESSION_HANDLE session UNUSED, unsigned char *data
    UNUSED, unsigned long data_len UNUSED, unsigned char *encrypted_data
    UNUSED, unsigned long *encrypted_data_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_EncryptUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char *part
    UNUSED, unsigned long part_len UNUSED, unsigned char *encrypted_part
    UNUSED, unsigned long *encrypted_part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_EncryptFinal(CK_SESSION_HANDLE session UNUSED, unsigned char
    *last_encrypted_part UNUSED, unsigned long *last_encrypted_part_len
    UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DecryptUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char
    *encrypted_part UNUSED, unsigned long encrypted_part_len UNUSED,
    unsigned char *part UNUSED, unsigned long *part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DecryptFinal(CK_SESSION_HANDLE session UNUSED, unsigned char
    *last_part UNUSED, unsigned long *last_part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DigestInit(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_Digest(CK_SESSION_HANDLE session UNUSED, unsigned char *data UNUSED,
    unsigned long data_len UNUSED, unsigned char *digest UNUSED,
    unsigned long *digest_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DigestUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char *part
    UNUSED, unsigned long part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DigestKey(CK_SESSION_HANDLE session UNUSED, CK_OBJECT_HANDLE key
    UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DigestFinal(CK_SESSION_HANDLE session UNUSED, unsigned char *digest
    UNUSED, unsigned long *digest_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SignUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char *part
    UNUSED, unsigned long part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SignFinal(CK_SESSION_HANDLE session UNUSED, unsigned char *signature
    UNUSED, unsigned long *signature_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SignRecoverInit(CK_SESSION_HANDLE session UNUSED,
    CK_MECHANISM *mechanism UNUSED, CK_OBJECT_HANDLE key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SignRecover(CK_SESSION_HANDLE session UNUSED, unsigned char *data
    UNUSED, unsigned long data_len UNUSED, unsigned char *signature
    UNUSED, unsigned long *signature_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_VerifyInit(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED, CK_OBJECT_HANDLE key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_Verify(CK_SESSION_HANDLE session UNUSED, unsigned char *data UNUSED,
    unsigned long data_len UNUSED, unsigned char *signature UNUSED,
    unsigned long signature_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_VerifyUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char *part
    UNUSED, unsigned long part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_VerifyFinal(CK_SESSION_HANDLE session UNUSED, unsigned char
    *signature UNUSED, unsigned long signature_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_VerifyRecoverInit(CK_SESSION_HANDLE session UNUSED,
    CK_MECHANISM *mechanism UNUSED, CK_OBJECT_HANDLE key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_VerifyRecover(CK_SESSION_HANDLE session UNUSED, unsigned char
    *signature UNUSED, unsigned long signature_len UNUSED, unsigned char
    *data UNUSED, unsigned long *data_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DigestEncryptUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char
    *part UNUSED, unsigned long part_len UNUSED, unsigned char
    *encrypted_part UNUSED, unsigned long *encrypted_part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DecryptDigestUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char
    *encrypted_part UNUSED, unsigned long encrypted_part_len UNUSED,
    unsigned char *part UNUSED, unsigned long *part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SignEncryptUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char
    *part UNUSED, unsigned long part_len UNUSED, unsigned char
    *encrypted_part UNUSED, unsigned long *encrypted_part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DecryptVerifyUpdate(CK_SESSION_HANDLE session UNUSED, unsigned char
    *encrypted_part UNUSED, unsigned long encrypted_part_len UNUSED,
    unsigned char *part UNUSED, unsigned long *part_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_GenerateKey(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED, CK_ATTRIBUTE *templ UNUSED, unsigned long
    count UNUSED, CK_OBJECT_HANDLE *key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_WrapKey(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED, CK_OBJECT_HANDLE wrapping_key UNUSED,
    CK_OBJECT_HANDLE key UNUSED, unsigned char *wrapped_key UNUSED,
    unsigned long *wrapped_key_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_UnwrapKey(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED, CK_OBJECT_HANDLE unwrapping_key UNUSED,
    unsigned char *wrapped_key UNUSED, unsigned long wrapped_key_len
    UNUSED, CK_ATTRIBUTE *templ UNUSED, unsigned long
    attribute_count UNUSED, CK_OBJECT_HANDLE *key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_DeriveKey(CK_SESSION_HANDLE session UNUSED, CK_MECHANISM
    *mechanism UNUSED, CK_OBJECT_HANDLE base_key UNUSED,
    CK_ATTRIBUTE *templ UNUSED, unsigned long attribute_count UNUSED,
    CK_OBJECT_HANDLE *key UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SeedRandom(CK_SESSION_HANDLE session UNUSED, unsigned char *seed
    UNUSED, unsigned long seed_len UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_GetFunctionStatus(CK_SESSION_HANDLE session UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_CancelFunction(CK_SESSION_HANDLE session UNUSED)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}
