/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The SafeEngine layer: every SEH_* / ESE_* method of SHECA's control
 * (../shared/reference/safeengine-compat.md) mapped onto the token, x509,
 * sign and pcsc modules, so that the extension's two page APIs stay thin.
 *
 * Protocol: se.call {method, args, session?} → {value} or an error whose
 * code is the SafeEngine ErrorCode; se.snapshot → what the synchronous page
 * API answers without a round trip.  Argument conventions, method numbers
 * and our choices where the original is unknown are in host/doc/se.md.
 *
 * The SafeEngine session (SEH_InitialSession … SEH_ClearSession) lives in
 * the host process: which token, and whether revocation is checked
 * (SEH_SetConfiguration).  The login itself belongs to the token module and
 * ends on removal or idle timeout like any other.  No PIN is kept.
 */
#ifndef UK_SE_H
#define UK_SE_H

#include "uk_setup.h"

/* Module registered in modules.c. */
extern const struct uk_module uk_se_module;

/* Largest data a page may sign, digest or envelope in one call, bytes. */
#define UK_SE_DATA_MAX		(32 * 1024 * 1024)
/* Largest SEH_GenRandomBytes length, bytes. */
#define UK_SE_RANDOM_MAX	4096

#endif /* UK_SE_H */
