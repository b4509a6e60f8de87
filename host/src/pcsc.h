/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The readers module: PC/SC is the source of truth for presence, ATR and
 * reader names (pcsc-lite on Linux/macOS, winscard on Windows; the
 * differences live in pcsc-lite.c / pcsc-winscard.c).
 *
 * What it promises:
 * - Nothing touches the PC/SC service before the first request that needs
 *   it (reader.list, reader.watch, reader.devices, --diagnose): a host that
 *   only signs with SoftHSM never talks to pcscd.
 * - reader.list / reader.devices answer from the service itself, never from
 *   a cache; a restarted service is re-contacted transparently.  Errors:
 *   PCSC_UNAVAILABLE (service not running), NO_READER (service up, no
 *   reader at all).
 * - A watcher thread (started by reader.watch or the first reader.list)
 *   blocks in SCardGetStatusChange with an infinite timeout on every reader
 *   plus the Plug-and-Play pseudo reader and emits token.inserted,
 *   token.removed, reader.added, reader.removed through uk_host_emit.  It
 *   uses no CPU while nothing changes; when the service goes away it
 *   reports every reader removed and retries with a back-off (0.2 s
 *   doubling to 5 s); module fini cancels it with SCardCancel and joins it.
 * - Changes are handed to the token module on the request thread (module
 *   tick, woken at once through uk_host_wake): uk_token_on_removed drops
 *   the login of a pulled key before the next request is served.
 * - ATR → token make → PKCS#11 module: one table (host/data/atr.json,
 *   installed as share/ukeylink/atr.json, format in host/doc/atr.md),
 *   preceded by the configuration's "atr" entries.  ATRs that match no
 *   entry are remembered and reported by reader.list ("known": false) and
 *   --diagnose.
 */
#ifndef UK_PCSC_H
#define UK_PCSC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "uk_setup.h"

struct uk_ctx;

#define UK_ATR_MAX		33	/* ISO 7816-3 maximum, bytes */
#define UK_ATR_NAME_MAX		64	/* make name / vendor / id, bytes */
#define UK_ATR_MAX_ENTRIES	512	/* per source (file, config) */
#define UK_SE_DEVTYPE_DEFAULT	10	/* SafeEngine's 0xa "USB key" */

/* Module registered in modules.c. */
extern const struct uk_module uk_pcsc_module;

/* A token make: what an ATR table entry says about a card. */
struct uk_atr_make {
	char id[UK_ATR_NAME_MAX];	/* table entry id, e.g. "virtual-cac" */
	int type;			/* SafeEngine device type, e.g. 10 */
	char name[UK_ATR_NAME_MAX];	/* 介质类型 shown by the portal */
	char vendor[UK_ATR_NAME_MAX];
	int verified;			/* 1 when checked against a real card */
};

/*
 * Looks atr[0..len) up in the table (configuration entries first, then the
 * shipped file).  On a match: *makep (may be NULL) is filled, and path
 * (pathlen bytes, may be NULL) receives the first module path listed for
 * this OS that exists on disk, or "" when none does.  Returns 0,
 * UK_ERR_TOKEN_NOT_FOUND when no entry matches (outputs cleared), or
 * UK_ERR_ALLOC_FAIL.
 */
int uk_pcsc_module_for_atr(struct uk_ctx *ctx, const unsigned char *atr,
    size_t len, struct uk_atr_make *makep, char *path, size_t pathlen) UK_WUR;

/*
 * The SafeEngine view of what is plugged (reader.devices): *resultp is a
 * new object {pluggedTypeList, devices:[{devType, devParam, reader, atr,
 * make}]} (caller deletes).  0, PCSC_UNAVAILABLE or ALLOC_FAIL; no reader
 * or no card gives an empty list, not an error.
 */
int uk_pcsc_devices(struct uk_ctx *ctx, cJSON **resultp) UK_WUR;

/* ---- Internal to pcsc*.c (tests reach them too) ---------------------- */

struct uk_atr_table;

/* One card seen in a reader, as the SafeEngine list needs it. */
struct uk_pcsc_card {
	const char *reader;
	const struct uk_atr_make *make;	/* NULL: ATR not in the table */
};

/*
 * Parses an ATR table: the "entries" array of host/data/atr.json or of the
 * configuration's "atr" section.  Every entry is checked (hex, mask length,
 * make fields, module lists); the first problem names the entry in why.
 * Returns 0 with *tablep (free with uk_atr_table_free), UK_ERR_CONFIG or
 * UK_ERR_ALLOC_FAIL.
 */
int uk_atr_table_parse(const cJSON *entries, struct uk_atr_table **tablep,
    char *why, size_t whylen) UK_WUR;
/* Parses a whole data file text ({"version":1,"entries":[...]}). */
int uk_atr_table_parse_text(const char *text, size_t len,
    struct uk_atr_table **tablep, char *why, size_t whylen) UK_WUR;
void uk_atr_table_free(struct uk_atr_table *t);
size_t uk_atr_table_count(const struct uk_atr_table *t);
/* The pattern bytes, mask and make of entry i (for tests and docs). */
void uk_atr_table_entry(const struct uk_atr_table *t, size_t i,
    const unsigned char **atrp, const unsigned char **maskp, size_t *lenp,
    const struct uk_atr_make **makep);
/* Module paths of entry i for os ("linux", "windows", "darwin"): a cJSON
 * array of strings (borrowed), or NULL when the entry lists none. */
const cJSON *uk_atr_table_modules(const struct uk_atr_table *t, size_t i,
    const char *os);
/* Index of the first entry matching atr, or -1. */
long uk_atr_table_match(const struct uk_atr_table *t, const unsigned char *atr,
    size_t len);

/* Validator of the configuration's "atr" section (config.c). */
int uk_atr_config_validate(const cJSON *v, char *why, size_t whylen) UK_WUR;

/* Parses "3B 89 00 ..." / "3b8900..." into at most max bytes.  Returns the
 * byte count, or -1 on bad hex, odd digits or too many bytes. */
long uk_atr_from_hex(const char *s, unsigned char *out, size_t max);
/* Writes "3B 89 00 ..." (upper case, spaced) of len bytes into buf. */
void uk_atr_to_hex(const unsigned char *atr, size_t len, char *buf,
    size_t size);

/*
 * Builds DevPluggedTypeList from cards in reader order: entries
 * "<devtype lower-case hex>$$<n>" joined by ';' (no trailing ';'), where n
 * counts the cards of that device type from 1 (so the second key of the
 * same type is "$$2", i.e. com2).  A card whose ATR is unknown counts as
 * UK_SE_DEVTYPE_DEFAULT.  devparams (may be NULL) receives "com<n>" for
 * each card.  Returns a malloc'd string ("" for no card) or NULL.
 */
char *uk_se_plugged_list(const struct uk_pcsc_card *cards, size_t n,
    char (*devparams)[16]);

/* The shipped table compiled in (from host/data/atr.json at build time):
 * used when the installed file is missing or broken. */
extern const char uk_atr_builtin_json[];
extern const size_t uk_atr_builtin_len;

/*
 * Adds "atr" (hex), "known" and "make" ({id, type, name, vendor,
 * verified} or null) for a card to obj; an unknown ATR is remembered for
 * --diagnose.  Thread-safe (the watcher calls it).  0 or ALLOC_FAIL.
 */
int uk_pcsc_card_json(struct uk_ctx *ctx, const char *reader,
    const unsigned char *atr, size_t len, cJSON *obj) UK_WUR;

/*
 * SCardListReaders into *multip (malloc'd multi-string, caller frees; NULL
 * on failure).  hctxp points to an SCARDCONTEXT.  Returns the PC/SC result
 * (SCARD_E_NO_READERS_AVAILABLE when there is none).
 */
long uk_pcsc_list_readers(const void *hctxp, char **multip) UK_WUR;

/* Appends a reader.list entry {name, state, inUse, atr, known, make} for a
 * reader in PC/SC state (dwEventState) to arr.  0 or ALLOC_FAIL. */
int uk_pcsc_reader_json(struct uk_ctx *ctx, const char *name,
    unsigned long state, const unsigned char *atr, size_t atrlen, cJSON *arr)
    UK_WUR;

/* The watcher thread (pcsc-watch.c). */
struct uk_pcsc_watch;
/* Starts it.  0, SYSTEM (thread) or ALLOC_FAIL. */
int uk_pcsc_watch_start(struct uk_ctx *ctx, struct uk_pcsc_watch **wp) UK_WUR;
/* Cancels (SCardCancel) and joins it, then frees w.  NULL is a no-op. */
void uk_pcsc_watch_stop(struct uk_pcsc_watch *w);
/*
 * Waits up to ms for the watcher's first look at the service, then adds
 * "service" ("running"/"unavailable") and "readers" (as reader.list) to
 * obj.  0 or ALLOC_FAIL.
 */
int uk_pcsc_watch_snapshot(struct uk_pcsc_watch *w, unsigned ms, cJSON *obj)
    UK_WUR;
/* A card change: reader NULL means "re-check every reader". */
typedef void (*uk_pcsc_change_fn)(struct uk_ctx *ctx, const char *reader,
    int inserted, const unsigned char *atr, size_t atrlen);
/* Hands queued insert/remove changes to fn on the calling thread. */
void uk_pcsc_watch_drain(struct uk_pcsc_watch *w, uk_pcsc_change_fn fn);

/* Platform (pcsc-lite.c, pcsc-winscard.c). */
const char *uk_pcsc_sys_name(void);
/* 1 when a PC/SC result means the context is dead (service stopped or
 * restarted): release it and establish a new one. */
int uk_pcsc_sys_service_lost(long rv);
/* Waits up to ms for the service to start where the OS can tell (Windows);
 * returns 1 when it did, 0 when unknown (the caller sleeps instead). */
int uk_pcsc_sys_wait_service(unsigned ms);

/*
 * Token module bridge (pcsc-token.c), on the request thread: a removal
 * ends the token's login (uk_token_on_removed); an insertion makes the
 * token module re-enumerate and adds the ATR's PKCS#11 module.
 */
void uk_pcsc_token_changed(struct uk_ctx *ctx, const char *reader,
    int inserted, const unsigned char *atr, size_t atrlen);

#endif /* UK_PCSC_H */
