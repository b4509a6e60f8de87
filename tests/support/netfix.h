/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Test and benchmark support for the network module: builds the test PKI
 * (tests/support/net/netpki.sh) in a temporary directory, runs the local
 * HTTP + HTTPS server (tests/support/net/netserver.mjs, node) on random
 * ports of 127.0.0.1, and writes host configurations that trust them.
 */
#ifndef UK_NETFIX_H
#define UK_NETFIX_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/x509.h>

struct uk_netfix {
	char dir[PATH_MAX];
	pid_t server;
	int server_in;		/* the server exits when this closes */
	int http_port, https_port;
	char base[64];		/* http://127.0.0.1:PORT */
	char sbase[64];		/* https://127.0.0.1:PORT */
	int ncache;		/* cache directories handed out */
	char cachedir[PATH_MAX + 64];	/* of the last configuration */
	int short_timeouts;	/* next configurations: 2 s low-speed window,
				 * 4 s total (slow-loris cases); else
				 * generous ones (a loaded machine) */
};

/* Builds the PKI and starts the server.  Returns 0 or -1 (message on
 * stderr). */
int uk_netfix_start(struct uk_netfix *nf);
/* Also builds the project's shared test PKI (tests/pki/make-pki.sh) in
 * DIR/pki with its URLs under BASE/pki, served by the same server.  Returns
 * 0 or -1. */
int uk_netfix_shared_pki(struct uk_netfix *nf);
/* Stops the server and removes the directory. */
void uk_netfix_stop(struct uk_netfix *nf);
/* Requests served for path since the last reset (-1 on error). */
long uk_netfix_hits(struct uk_netfix *nf, const char *path);
int uk_netfix_reset(struct uk_netfix *nf);
/*
 * A complete host configuration (malloc'd) for tests: the test extension
 * id and origins, trust anchors of the PKI, "network" allowing 127.0.0.1
 * with the timeouts chosen by short_timeouts, a fresh cache directory, plus extra_network members
 * (a JSON fragment starting with ',' or "").
 */
char *uk_netfix_config(struct uk_netfix *nf, const char *extra_network);
/* DIR/static/name.pem as a certificate (caller frees), or NULL;
 * "pki/NAME" names DIR/pki/NAME.pem of the shared PKI. */
X509 *uk_netfix_cert(struct uk_netfix *nf, const char *name);
/* base64 of DIR/static/name, or DIR/pki/NAME for "pki/NAME" (caller
 * frees), or NULL. */
char *uk_netfix_b64(struct uk_netfix *nf, const char *name);

#endif /* UK_NETFIX_H */
