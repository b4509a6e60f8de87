// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import { FakePort } from "./fakePort.mjs";

/**
 * A fake browser API with a scripted host behind connectNative.
 * @param {(msg: any, port: FakePort) => void} host
 * @param {{managed?: object, local?: object}} [storage]
 */
export function fakeApi(host, storage = {}) {
  const state = {
    ports: [],
    pushed: [],
    cookies: new Map(),
    badge: {},
    registered: [],
    local: { ...(storage.local ?? {}) },
  };
  const api = {
    state,
    runtime: {
      id: "extid",
      lastError: undefined,
      getURL: (p) => `chrome-extension://extid/${p}`,
      getManifest: () => ({ version: "0.1.0" }),
      connectNative: () => {
        const p = new FakePort(host);
        state.ports.push(p);
        return p;
      },
    },
    storage: {
      managed: { get: async () => structuredClone(storage.managed ?? {}) },
      local: {
        get: async (key) => (key in state.local ? { [key]: structuredClone(state.local[key]) } : {}),
        set: async (obj) => Object.assign(state.local, structuredClone(obj)),
      },
    },
    scripting: {
      getRegisteredContentScripts: async ({ ids }) => state.registered.filter((s) => ids.includes(s.id)),
      registerContentScripts: async (list) => { state.registered.push(...structuredClone(list)); },
      unregisterContentScripts: async ({ ids }) => { state.registered = state.registered.filter((s) => !ids.includes(s.id)); },
    },
    tabs: { sendMessage: async (tabId, msg, opts) => { state.pushed.push({ tabId, msg, opts }); } },
    cookies: {
      set: async (c) => { state.cookies.set(`${c.url}|${c.name}`, c); },
      remove: async (c) => { state.cookies.delete(`${c.url}|${c.name}`); },
    },
    action: {
      setBadgeText: async ({ text }) => { state.badge.text = text; },
      setBadgeBackgroundColor: async ({ color }) => { state.badge.color = color; },
      setTitle: async ({ title }) => { state.badge.title = title; },
    },
    i18n: { getMessage: (key, subs) => `${key}:${(subs ?? []).join(",")}` },
  };
  return api;
}

/** A sender record of a tab's top frame. */
export function tabSender(url, tabId = 1, frameId = 0) {
  return { id: "extid", url, origin: new URL(url).origin, tab: { id: tabId }, frameId };
}

export const POPUP = { id: "extid", url: "chrome-extension://extid/popup/popup.html" };
