// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import browserApi from "../shared/browserApi.js";
import config from "../shared/config.js";

const api = browserApi;
const P = config.ACTION_PREFIX;
const zh = String(api.i18n.getUILanguage?.() ?? "zh").toLowerCase().startsWith("zh");

/**
 * @param {string} key
 * @param {Array<string | number>} [subs]
 * @returns {string}
 */
const t = (key, subs) => api.i18n.getMessage(key, subs?.map(String)) || key;

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [cls]
 * @returns {HTMLElement}
 */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/**
 * @param {string} action
 * @param {Record<string, unknown>} [payload]
 * @returns {Promise<any>}
 */
async function ask(action, payload = {}) {
  const r = await api.runtime.sendMessage({ action: P + action, payload });
  if (!r?.ok) throw r?.error ?? { message: "未知错误", messageEn: "Unknown error" };
  return r.result;
}

/**
 * @param {any} e serialized error
 * @returns {string}
 */
function errorText(e) {
  const text = zh ? e?.message : e?.messageEn;
  const retries = typeof e?.retriesLeft === "number" ? ` ${t("retriesLeft", [e.retriesLeft])}` : "";
  return `${text || e?.message || "?"}${retries}`;
}

/**
 * @param {string} url
 * @param {string} text
 * @returns {HTMLElement}
 */
function link(url, text) {
  const a = /** @type {HTMLAnchorElement} */ (el("a", text));
  a.href = /^https:\/\//.test(url) ? url : "https://issp.sheca.com/";
  a.target = "_blank";
  a.rel = "noopener";
  return a;
}

/** @type {string | undefined} */
let siteUrl;

async function render() {
  $("host").replaceChildren(el("span", t("loading")));
  let status;
  try {
    status = await ask("ui.status", siteUrl ? { siteUrl } : {});
  } catch (e) {
    $("host").replaceChildren(el("span", errorText(e), "error"));
    return;
  }
  $("version").textContent = `UKeyLink ${status.extensionVersion}`;
  if (status.error) {
    const box = el("div", errorText(status.error), "error");
    if (["NATIVE_HOST_NOT_FOUND", "HOST_VERSION_UNSUPPORTED", "NATIVE_HOST_FORBIDDEN"].includes(status.error.code)) {
      box.append(" ", link(status.helpUrl, t("hostHelp")));
    }
    $("host").replaceChildren(box);
  } else {
    $("host").replaceChildren(el("span", `${t("hostStatus")}: ${t("hostOk", [status.host.version])}`, "ok"));
  }
  renderSite(status.site);
  renderKeys(status.tokens ?? []);
  renderCerts(status.certs ?? [], status.portalUrl, status.warningDays);
}

/** @param {any} site */
function renderSite(site) {
  const box = $("site");
  if (!site) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $("site-origin").textContent = site.origin;
  const toggle = /** @type {HTMLInputElement} */ ($("site-toggle"));
  toggle.checked = site.enabled;
  toggle.disabled = !site.canToggle;
  $("site-note").textContent = site.source === "portal" ? t("sitePortal")
    : site.source === "policy" ? t("sitePolicy")
      : site.canToggle ? "" : t("siteUnsupported");
}

/** @param {any[]} tokens */
function renderKeys(tokens) {
  const list = $("keys");
  list.replaceChildren();
  if (!tokens.length) list.append(el("li", t("noKeys"), "note"));
  for (const tk of tokens) {
    const li = el("li");
    li.append(el("div", `${tk.label ?? ""} ${tk.model ?? ""}`.trim() || tk.token));
    li.append(el("div", `${tk.manufacturer ?? ""} · ${t("serial")} ${tk.serial ?? "-"}`, "note mono"));
    if (tk.pin?.locked) li.append(el("div", "PIN locked / 口令已锁定", "error"));
    list.append(li);
  }
  for (const sel of document.querySelectorAll(".token-select")) {
    sel.replaceChildren(...tokens.map((tk) => {
      const o = /** @type {HTMLOptionElement} */ (el("option", `${tk.label ?? tk.token} (${tk.serial ?? ""})`));
      o.value = tk.token;
      return o;
    }));
  }
}

/**
 * @param {any[]} certs
 * @param {string} portalUrl
 * @param {number} warningDays
 */
function renderCerts(certs, portalUrl, warningDays) {
  const list = $("certs");
  list.replaceChildren();
  if (!certs.length) list.append(el("li", t("noCerts"), "note"));
  for (const c of certs) {
    const days = Number(c.daysLeft);
    const cls = days < 0 ? "expired" : days <= warningDays ? "warn" : "";
    const li = el("li", undefined, cls);
    li.append(el("div", `${t("holder")}: ${c.cn}`));
    li.append(el("div", `${t("org")}: ${c.o}`));
    li.append(el("div", `${t("serial")}: ${c.serial}`, "mono"));
    li.append(el("div", `${t("validity")}: ${String(c.notBefore).slice(0, 10)} – ${String(c.notAfter).slice(0, 10)} (${days < 0 ? t("expired") : t("daysLeft", [days])})`));
    if (cls) li.append(link(portalUrl, t("renew")));
    list.append(li);
  }
}

$("refresh").addEventListener("click", () => render());

$("site-toggle").addEventListener("change", async (ev) => {
  const toggle = /** @type {HTMLInputElement} */ (ev.target);
  const origin = $("site-origin").textContent ?? "";
  try {
    await ask("ui.setSiteEnabled", { origin, enabled: toggle.checked });
    $("site-note").textContent = t("reloadHint");
  } catch (e) {
    toggle.checked = !toggle.checked;
    $("site-note").textContent = errorText(e);
  }
});

$("verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const pinInput = /** @type {HTMLInputElement} */ ($("verify-pin"));
  const token = /** @type {HTMLSelectElement} */ ($("verify-token")).value;
  const pin = pinInput.value;
  pinInput.value = "";
  const out = $("verify-result");
  try {
    await ask("ui.verifyPin", { token, pin });
    out.textContent = t("pinOk");
    out.className = "result ok";
  } catch (e) {
    out.textContent = errorText(e);
    out.className = "result error";
  }
});

$("change-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const inputs = ["change-old", "change-new", "change-new2"].map((id) => /** @type {HTMLInputElement} */ ($(id)));
  const [oldPin, newPin, newPin2] = inputs.map((i) => i.value);
  for (const i of inputs) i.value = "";
  const out = $("change-result");
  if (newPin !== newPin2) {
    out.textContent = t("pinMismatch");
    out.className = "result error";
    return;
  }
  try {
    await ask("ui.changePin", { token: /** @type {HTMLSelectElement} */ ($("change-token")).value, oldPin, newPin });
    out.textContent = t("pinChanged");
    out.className = "result ok";
  } catch (e) {
    out.textContent = errorText(e);
    out.className = "result error";
  }
});

$("diagnostics").addEventListener("click", async () => {
  const out = $("diagnostics-result");
  try {
    const { text } = await ask("ui.diagnostics");
    await navigator.clipboard.writeText(text);
    out.textContent = t("copied");
  } catch (e) {
    out.textContent = errorText(e);
  }
});

for (const node of document.querySelectorAll("[data-i18n]")) {
  node.textContent = t(/** @type {string} */ (node.getAttribute("data-i18n")));
}
for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
  node.setAttribute("placeholder", t(/** @type {string} */ (node.getAttribute("data-i18n-placeholder"))));
}
document.documentElement.lang = zh ? "zh-CN" : "en";

api.tabs.query({ active: true, currentWindow: true }).then((/** @type {any[]} */ tabs) => {
  const url = tabs?.[0]?.url;
  siteUrl = typeof url === "string" && /^https?:/.test(url) ? url : undefined;
}, () => {}).finally(render);
