/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Version of the host and of the protocol (host/doc/protocol.md). */
#ifndef UK_VERSION_H
#define UK_VERSION_H

#ifndef UK_VERSION
#define UK_VERSION "0.1.0"
#endif
#define UK_PROTOCOL_MAJOR	1	/* incompatible changes */
#define UK_PROTOCOL_MINOR	1	/* compatible additions; 1: request chunks */
#define UK_HOST_NAME		"cn.sheca.ukeylink"

#endif /* UK_VERSION_H */
