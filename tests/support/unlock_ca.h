/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The CA side of the unlock envelope (host/doc/enroll.md, "Unlock
 * envelope"), written from the document with OpenSSL's API and sharing no
 * code with the host, so the tests check the host against the spec.
 */
#ifndef UK_UNLOCK_CA_H
#define UK_UNLOCK_CA_H

#include <cjson/cJSON.h>

/*
 * Builds the answer to request (the "request" object of unlock.request):
 * {"version":1, "ephemeralKey", "iv", "ciphertext", "tag"} carrying
 * {"soPin": so_pin[, "newPin": new_pin]}.  tweak: 0 none; 1 flips a
 * ciphertext bit; 2 uses a wrong serial in the AAD/info; 3 a fresh random
 * challenge instead of the request's.  A new object or NULL.
 */
cJSON *uk_unlock_ca_answer(const cJSON *request, const char *so_pin,
    const char *new_pin, int tweak);

#endif /* UK_UNLOCK_CA_H */
