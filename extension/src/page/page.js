// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../shared/config.js";
import installAsyncApi from "./asyncApi.js";
import createBridge from "./bridge.js";
import showNotice from "./notice.js";
import installPortalApi from "./portalApi.js";
import createReplayEngine from "./replay.js";
import createSnapshotStore from "./snapshotStore.js";
import installSyncApi, { isSafeEngineClassid } from "./syncApi.js";

/** Replaced by the build with the extension version. */
const VERSION = "__UKEYLINK_VERSION__";

/** Longest a PIN pad notice stays without the host's "done" (the sign timeout). */
const PINPAD_NOTICE_MS = 120000;
/** Chunks (≤ 1 MiB each) from which an upload to the host gets a notice. */
const UPLOAD_NOTICE_CHUNKS = 4;
/** Longest an upload notice stays if its call never ends (the sign timeout). */
const UPLOAD_NOTICE_MS = 120000;

/** Host conditions that deserve a visible notice once per page. */
const NOTICE_CODES = Object.freeze(["NATIVE_HOST_NOT_FOUND", "NATIVE_HOST_FORBIDDEN", "HOST_VERSION_UNSUPPORTED"]);

/**
 * MAIN-world entry (document_start, before any page script): the async
 * globals, the SafeEngineCtl object, and on portal origins window.UKeyLink.
 * Nothing security-relevant happens here: origin checks, PIN handling and
 * rate limits live in the content script, the background and the host.
 *
 * @param {Window & typeof globalThis} win
 * @param {{version?: string, engineOptions?: import("./replay.js").ReplayOptions}} [opts]
 * @returns {{engine: import("./replay.js").ReplayEngine, store: import("./snapshotStore.js").SnapshotStore} | null}
 */
export default function installPage(win, opts = {}) {
  const marker = "__ukeylinkInstalled";
  if (Object.hasOwn(win, marker)) return null;
  Object.defineProperty(win, marker, { value: true });
  const version = opts.version ?? VERSION;
  let helpUrl = config.helpUrl;
  const notice = (/** @type {string} */ zh, /** @type {string} */ en) => showNotice(win, zh, en, helpUrl);
  let hostNoticeShown = false;
  const onHostError = (/** @type {any} */ e) => {
    if (hostNoticeShown || !NOTICE_CODES.includes(e?.code)) return;
    hostNoticeShown = true;
    notice(String(e.message ?? ""), String(e.messageEn ?? ""));
  };

  const bridge = createBridge(win);
  const store = createSnapshotStore(win);
  const engine = createReplayEngine(win, { maxRuns: config.MAX_RUNS, notice, ...opts.engineOptions });
  const doc = win.document;
  engine.install({
    shouldTakeJavascriptUrls: () => [...doc.getElementsByTagName("object")]
      .some((o) => isSafeEngineClassid(o.getAttribute("classid"))),
  });
  installAsyncApi(win, { bridge, store, version, onHostError });
  installSyncApi(win, { engine, bridge, store, version, notice, onHostError });

  const portal = () => installPortalApi(win, { bridge, version });
  if (config.DEFAULT_PORTAL_ORIGINS.includes(win.location.origin)) portal();
  bridge.onPush("hello", (h) => {
    if (h && typeof h.helpUrl === "string" && /^https:\/\//.test(h.helpUrl)) helpUrl = h.helpUrl;
    if (h && h.portal === true) portal();
  });
  // A PIN pad waits for the user (host progress stage "pinpad", done 0 of
  // 1): say where to type until the host reports that it has answered, or
  // the call it belongs to ends. The progress of a call comes with the
  // call (bridge.observe); a pinpad event of no pending call (one the
  // extension stopped waiting for) still comes as a host event.
  /** @type {(() => void) | null} */
  let removePinpadNotice = null;
  /** @type {number | null} the call the PIN pad notice is for */
  let pinpadCall = null;
  const pinpadNotice = (/** @type {boolean} */ waiting, /** @type {number | null} */ call) => {
    if (waiting) {
      removePinpadNotice ??= showNotice(win, "请在密码键盘上输入 PIN 码", "Enter the PIN on the PIN pad",
        undefined, { level: "info", timeoutMs: PINPAD_NOTICE_MS });
      pinpadCall = call;
    } else {
      removePinpadNotice?.();
      removePinpadNotice = null;
      pinpadCall = null;
    }
  };
  bridge.onPush("event", (ev) => {
    if (ev?.event !== "progress" || ev.stage !== "pinpad") return;
    pinpadNotice(Number(ev.done) < Number(ev.total), null);
  });
  // A big request on its way to the host (stage "upload", done of total
  // chunks): a notice with the share sent, from UPLOAD_NOTICE_CHUNKS
  // chunks on, removed when the call ends.
  /** @type {Map<number, ReturnType<typeof showNotice>>} */
  const uploadNotices = new Map();
  bridge.observe({
    progress(call, p) {
      if (p.stage === "pinpad") {
        pinpadNotice(p.done < p.total, call);
      } else if (p.stage === "upload" && p.total >= UPLOAD_NOTICE_CHUNKS) {
        const pct = Math.floor((100 * p.done) / p.total);
        const zh = `正在向 UKeyLink 传送数据… ${pct}%`;
        const en = `Sending data to UKeyLink… ${pct}%`;
        const n = uploadNotices.get(call);
        if (n) n.update(zh, en);
        else uploadNotices.set(call, showNotice(win, zh, en, undefined, { level: "info", timeoutMs: UPLOAD_NOTICE_MS }));
      }
    },
    end(call) {
      if (pinpadCall === call) pinpadNotice(false, null);
      uploadNotices.get(call)?.();
      uploadNotices.delete(call);
    },
  });
  bridge.onPush("snapshot", (s) => store.set(s));
  bridge.onPush("snapshotError", (e) => {
    store.fail(e);
    onHostError(e);
  });
  return { engine, store };
}

if (typeof window !== "undefined" && typeof document !== "undefined" && !("process" in globalThis)) {
  installPage(window);
}
