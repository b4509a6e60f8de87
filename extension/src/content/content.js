// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import browserApi from "../shared/browserApi.js";
import config from "../shared/config.js";
import InvalidArgumentError from "../shared/errors/InvalidArgumentError.js";
import MessageTooLargeError from "../shared/errors/MessageTooLargeError.js";
import OriginNotAllowedError from "../shared/errors/OriginNotAllowedError.js";
import { serializeError } from "../shared/errors/errorSerializer.js";
import { readProgress } from "../shared/progress.js";
import { validatePageRequest } from "../shared/validation.js";

/**
 * ISOLATED-world bridge between the page's MAIN-world shim and the
 * background. Only relays: accepts `ukeylink:request` CustomEvents on this
 * window whose detail is a JSON string, validates them, forwards them with
 * runtime.sendMessage (the background takes the origin from the sender
 * record), and answers with a `ukeylink:response` event on the same window.
 * Pushes from the background (snapshot, host events) become
 * `ukeylink:push` events; so does the progress of a call the page is
 * waiting for (`{kind: "progress", data: {id, stage, done, total}}`, id
 * the page's own for the call), until its response.
 *
 * @param {Window & typeof globalThis} win
 * @param {any} api browser API
 */
export default function installContent(win, api) {
  const P = config.ACTION_PREFIX;
  /**
   * @param {string} action
   * @param {unknown} payload
   * @param {number} [call] this script's number for a page call (its progress comes back with it)
   */
  const send = (action, payload, call) => api.runtime.sendMessage(call === undefined
    ? { action: P + action, payload } : { action: P + action, payload, call });
  /**
   * Calls on their way, by this script's own number → the page's id for the
   * call (a page's ids are its business; ours start at a random point, so a
   * late progress push for the previous page of the tab finds nothing).
   *
   * @type {Map<number, number>}
   */
  const calls = new Map();
  let nextCall = Math.floor(Math.random() * 2 ** 40);
  /**
   * @param {string} type
   * @param {unknown} data
   */
  const toPage = (type, data) => {
    win.dispatchEvent(new win.CustomEvent(P + type, { detail: JSON.stringify(data) }));
  };

  /** Resolves true when the background accepted this page (origin allowed). */
  const hello = send("hello", {}).then((/** @type {any} */ r) => {
    if (!r?.ok) return false;
    toPage("push", { kind: "hello", data: r.result });
    send("se.snapshot", {}).then((/** @type {any} */ s) => {
      if (s?.ok) toPage("push", { kind: "snapshot", data: s.result });
      else toPage("push", { kind: "snapshotError", data: s?.error ?? serializeError(null) });
    }, () => toPage("push", { kind: "snapshotError", data: serializeError(null) }));
    return true;
  }, () => false);

  /**
   * @param {number} id
   * @param {unknown} error
   */
  const replyError = (id, error) => toPage("response", { id, ok: false, error: serializeError(error) });

  win.addEventListener(`${P}request`, (ev) => {
    if (ev.target !== win) return;
    const detail = /** @type {CustomEvent} */ (ev).detail;
    if (typeof detail !== "string") return;
    let msg;
    try {
      msg = JSON.parse(detail);
    } catch {
      return;
    }
    if (!msg || typeof msg !== "object" || !Number.isSafeInteger(msg.id)) return;
    const id = msg.id;
    if (Object.keys(msg).some((k) => !["id", "action", "payload"].includes(k))) {
      replyError(id, new InvalidArgumentError());
      return;
    }
    if (detail.length > config.PAGE_MESSAGE_MAX_BYTES) {
      replyError(id, new MessageTooLargeError());
      return;
    }
    let req;
    try {
      req = validatePageRequest({ action: msg.action, payload: msg.payload });
    } catch (e) {
      replyError(id, e instanceof InvalidArgumentError || e instanceof MessageTooLargeError ? e : new InvalidArgumentError());
      return;
    }
    hello.then((ok) => {
      // https pages must be a secure context; an http origin only gets
      // here when IT listed it explicitly (the background checked).
      const insecure = win.location.protocol === "https:" ? win.isSecureContext === false : win.location.protocol !== "http:";
      if (!ok || insecure) {
        replyError(id, new OriginNotAllowedError());
        return;
      }
      const call = ++nextCall;
      calls.set(call, id);
      send(req.action, req.payload, call).then(
        (/** @type {any} */ r) => {
          calls.delete(call);
          toPage("response", r && typeof r.ok === "boolean" ? { id, ...r } : { id, ok: false, error: serializeError(null) });
        },
        (/** @type {unknown} */ e) => {
          calls.delete(call);
          replyError(id, e);
        },
      );
    });
  });
  win.addEventListener(`${P}ping`, () => toPage("ready", {}));
  api.runtime.onMessage.addListener((/** @type {any} */ msg, /** @type {any} */ sender) => {
    if (sender?.id !== api.runtime.id || sender.tab) return;
    if (msg?.type !== `${P}push` || !["event", "snapshot", "progress"].includes(msg.kind)) return;
    if (msg.kind === "progress") {
      const id = calls.get(msg.data?.call);
      const p = readProgress(msg.data);
      if (id !== undefined && p) toPage("push", { kind: "progress", data: { id, ...p } });
      return;
    }
    toPage("push", { kind: msg.kind, data: msg.data });
  });
  toPage("ready", {});
}

if (browserApi?.runtime?.id && typeof window !== "undefined") installContent(window, browserApi);
