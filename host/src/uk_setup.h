/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Project setup header: every .c of the host includes this first.
 * Feature macros, attributes and small portability shims.
 */
#ifndef UK_SETUP_H
#define UK_SETUP_H

#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1	/* explicit_bzero, strdup, mkdtemp */
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED 1	/* libp11 0.4.12 headers */
#endif

#if defined(__GNUC__) || defined(__clang__)
#define UK_WUR		__attribute__((warn_unused_result))
#define UK_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define UK_UNUSED	__attribute__((unused))
#else
#define UK_WUR
#define UK_PRINTF(f, a)
#define UK_UNUSED
#endif

/* Test builds reach file-local functions through UK_STATIC. */
#ifdef UK_UNIT_TESTING
#define UK_STATIC
#else
#define UK_STATIC static
#endif

#define UK_ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* UK_SETUP_H */
