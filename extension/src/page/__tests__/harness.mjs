// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import { JSDOM, VirtualConsole } from "jsdom";

import installContent from "../../content/content.js";
import { SNAPSHOT } from "../../shared/__tests__/fixtures.mjs";
import installPage from "../page.js";

export const WRONG_PIN = -2113667069;
export const CLSID = "CLSID:B48B9648-E9F0-48A3-90A5-8C588CE0898F";
export const OBJECT = `<object id="SafeEngineCtl" classid="${CLSID}"></object>`;

/**
 * A fake SafeEngine host behind a fake background: answers se.call after
 * `delay` ms, records every call in `calls` (and the content script's call
 * numbers in `callNumbers`). `progress(msg)` may list progress ({stage,
 * done, total}) that the background pushes for the call before answering,
 * `progressGap` ms apart.
 */
export function fakeHost({ delay = 5, snapshot = SNAPSHOT, pin = "1111", snapshotError = null, progress = null, progressGap = 0 } = {}) {
  const calls = [];
  const callNumbers = [];
  const answer = (payload) => {
    const { method, args } = payload;
    const base = method.slice(4);
    switch (base) {
      case "InitialSession": return { value: "", errorCode: args[2] === pin ? 0 : WRONG_PIN };
      case "SignData": return { value: `sig(${args[0]},${args[1]})`, errorCode: 0 };
      case "GetCertDetail": return { value: `detail(${args[1]})`, errorCode: 0 };
      case "VerifyCertificate": return { value: "", errorCode: 0 };
      default: return { value: "", errorCode: 0 };
    }
  };
  const handle = async (msg) => {
    const action = msg.action.replace(/^ukeylink:/, "");
    if (action === "se.call" || action === "portal.call") {
      calls.push(structuredClone(msg.payload));
      callNumbers.push(msg.call);
      for (const p of progress?.(msg) ?? []) {
        push("progress", { call: msg.call, ...p });
        if (progressGap) await new Promise((r) => setTimeout(r, progressGap));
      }
    }
    await new Promise((r) => setTimeout(r, delay));
    switch (action) {
      case "hello": return { ok: true, result: { portal: true, version: "test", helpUrl: "https://issp.sheca.com/" } };
      case "se.snapshot":
        return snapshotError ? { ok: false, error: snapshotError } : { ok: true, result: snapshot };
      case "se.call":
        return { ok: true, result: answer(msg.payload) };
      case "portal.call":
        if (msg.payload.method === "token.login" && msg.payload.params.pin !== pin) {
          return { ok: false, error: { code: "HOST_ERROR", name: "HostError", message: "私钥密码错误", messageEn: "Incorrect PIN", lastError: WRONG_PIN, hostName: "PIN_INCORRECT", retriesLeft: 2 } };
        }
        return { ok: true, result: { echo: msg.payload, tokens: [{ token: "t1" }], certs: [{ certId: "01" }], signature: "c2ln" } };
      default:
        return { ok: false, error: { code: "INVALID_ARGUMENT", lastError: -2113664008 } };
    }
  };
  const pushListeners = [];
  const api = {
    runtime: {
      id: "extid",
      sendMessage: (msg) => handle(msg),
      onMessage: { addListener: (fn) => pushListeners.push(fn) },
    },
  };
  const push = (kind, data) => pushListeners.forEach((fn) => fn({ type: "ukeylink:push", kind, data }, { id: "extid" }));
  return { api, calls, callNumbers, push };
}

/**
 * Loads a page the way the browser would with the extension: ISOLATED
 * bridge and MAIN shim at document_start, then the page's own scripts.
 */
export function loadPage(html, { host = fakeHost(), url = "https://issp.sheca.com/login", cookies = [], engineOptions = {} } = {}) {
  const log = { alerts: [], confirms: [], submits: [], errors: [], notices: 0 };
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("error", (m) => log.errors.push(String(m)));
  virtualConsole.on("jsdomError", (e) => log.errors.push(`jsdom: ${e.message}`));
  let page = null;
  const dom = new JSDOM(`<!doctype html><html><head></head><body>${html}</body></html>`, {
    url,
    runScripts: "dangerously",
    pretendToBeVisual: true,
    virtualConsole,
    beforeParse(window) {
      for (const c of cookies) window.document.cookie = c;
      window.alert = (m) => { log.alerts.push(String(m)); };
      window.confirm = (m) => { log.confirms.push(String(m)); return true; };
      const formProto = window.HTMLFormElement.prototype;
      formProto.submit = function submit() {
        log.submits.push(Object.fromEntries(new window.FormData(this)));
      };
      formProto.requestSubmit = function requestSubmit(submitter) {
        const ev = new window.SubmitEvent("submit", { bubbles: true, cancelable: true, submitter });
        if (this.dispatchEvent(ev)) formProto.submit.call(this);
      };
      installContent(window, host.api);
      page = installPage(window, { version: "test", engineOptions });
    },
  });
  return { dom, window: dom.window, log, host, page };
}

export const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

/** Waits until cond() or fails after `ms`. */
export async function until(cond, ms = 2000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await tick(5);
  }
}
