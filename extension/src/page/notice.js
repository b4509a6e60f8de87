// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Shows a visible notice on the page (bottom right, closed shadow root so
 * page styles do not reach it) and logs it to the console. Used when a
 * legacy call cannot be answered correctly: never silently wrong.
 *
 * @param {Window & typeof globalThis} win
 * @param {string} zh Chinese text
 * @param {string} en English text
 * @param {string} [link] help URL
 * @param {{level?: "error" | "info", timeoutMs?: number}} [opts] info: a hint, not a failure
 * @returns {(() => void) & {update: (zh: string, en: string) => void}} removes the notice;
 *   `.update(zh, en)` replaces its text (progress), not logged again
 */
export default function showNotice(win, zh, en, link, opts = {}) {
  const level = opts.level ?? "error";
  if (level === "error") win.console.error(`[UKeyLink] ${zh} / ${en}`);
  else win.console.info(`[UKeyLink] ${zh} / ${en}`);
  const doc = win.document;
  const hostEl = doc.createElement("ukeylink-notice");
  hostEl.setAttribute("role", level === "error" ? "alert" : "status");
  const root = hostEl.attachShadow ? hostEl.attachShadow({ mode: "closed" }) : hostEl;
  const box = doc.createElement("div");
  box.setAttribute("style", "position:fixed;right:16px;bottom:16px;z-index:2147483647;max-width:420px;"
    + "background:#fff8e1;color:#4e342e;border:1px solid #f57c00;border-radius:6px;padding:12px 14px;"
    + "font:14px/1.5 system-ui,'Microsoft YaHei',sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.2)");
  const title = doc.createElement("div");
  title.textContent = `UKeyLink: ${zh}`;
  const sub = doc.createElement("div");
  sub.setAttribute("style", "font-size:12px;opacity:.8");
  sub.textContent = en;
  box.append(title, sub);
  if (link && /^https:\/\//.test(link)) {
    const a = doc.createElement("a");
    a.href = link;
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = link;
    box.append(a);
  }
  const close = doc.createElement("button");
  close.textContent = "×";
  close.setAttribute("aria-label", "close");
  close.setAttribute("style", "position:absolute;top:2px;right:6px;border:0;background:none;font-size:16px;cursor:pointer");
  close.addEventListener("click", () => hostEl.remove());
  box.append(close);
  root.append(box);
  (doc.body ?? doc.documentElement)?.append(hostEl);
  const timer = win.setTimeout(() => hostEl.remove(), opts.timeoutMs ?? 30000);
  const remove = () => {
    win.clearTimeout(timer);
    hostEl.remove();
  };
  remove.update = (/** @type {string} */ zh2, /** @type {string} */ en2) => {
    title.textContent = `UKeyLink: ${zh2}`;
    sub.textContent = en2;
  };
  return remove;
}
