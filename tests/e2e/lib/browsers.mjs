// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// Debian's Chromium through playwright-core and Debian's Firefox ESR through
// puppeteer-core (WebDriver BiDi), each with the real extension, behind one
// small page interface so that the flows are written once.
// Never downloads a browser: the executables are /usr/bin/chromium and
// /usr/bin/firefox-esr (override: UK_CHROMIUM, UK_FIREFOX).

import fs from "node:fs";
import path from "node:path";

import { MissingComponent } from "./world.mjs";

const CHROMIUM = process.env.UK_CHROMIUM || "/usr/bin/chromium";
const FIREFOX = process.env.UK_FIREFOX || "/usr/bin/firefox-esr";

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/** One tab, the same methods in both browsers. */
class Tab {
  constructor(session, page) {
    this.s = session;
    this.page = page;
    this.dialogs = [];
    this.console = [];
    page.on("dialog", (d) => { this.dialogs.push(d.message()); d.accept().catch(() => {}); });
    page.on("console", (m) => { try { this.console.push(`[${m.type()}] ${m.text()}`); } catch { /* ignore */ } });
    page.on("pageerror", (e) => this.console.push(`[pageerror] ${e?.message || e}`));
  }

  async goto(url) {
    await this.page.goto(url, { waitUntil: "load", timeout: 30_000 });
  }

  url() { return this.page.url(); }

  eval(fn, arg) { return this.page.evaluate(fn, arg); }

  async click(sel) {
    await this.waitVisible(sel);
    await this.page.click(sel);
  }

  async fill(sel, value) {
    await this.waitVisible(sel);
    await this.eval(({ sel, value }) => {
      const el = document.querySelector(sel);
      el.value = value;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }, { sel, value });
  }

  /** Sets a file input's file from disk (DataTransfer, the same in both browsers). */
  async upload(sel, file, type = "image/png") {
    const b64 = fs.readFileSync(file).toString("base64");
    await this.eval(({ sel, b64, name, type }) => {
      const bin = atob(b64);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([u], name, { type }));
      const el = document.querySelector(sel);
      el.files = dt.files;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }, { sel, b64, name: path.basename(file), type });
  }

  text(sel) {
    return this.eval((sel) => { const e = document.querySelector(sel); return e ? e.textContent.trim() : null; }, sel);
  }

  attr(sel, name) {
    return this.eval(({ sel, name }) => { const e = document.querySelector(sel); return e ? e.getAttribute(name) : null; }, { sel, name });
  }

  /** Polls fn(page) in the page until it returns a truthy value. */
  async until(what, fn, arg, timeout = 30_000) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try { last = await this.eval(fn, arg); if (last) return last; } catch (e) { last = e.message; }
      if (Date.now() > end) {
        const body = await this.eval(() => document.body ? document.body.innerText.slice(0, 1500) : "").catch(() => "");
        throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})\nURL ${this.url()}\n--- page text ---\n${body}`
          + `\n--- console ---\n${this.console.slice(-15).join("\n")}`);
      }
      await sleep(150);
    }
  }

  waitVisible(sel, timeout) {
    return this.until(`${sel} visible`, (sel) => {
      const e = document.querySelector(sel);
      if (!e) return false;
      const r = e.getBoundingClientRect();
      return !e.closest("[hidden]") && (r.width > 0 || r.height > 0);
    }, sel, timeout);
  }

  waitUrl(re, timeout = 30_000) {
    return this.until(`URL ${re}`, (src) => new RegExp(src).test(location.href) && document.readyState !== "loading", re.source, timeout);
  }

  /** Waits for #status to settle on ok or error; returns {state, text}. */
  waitStatus(timeout = 60_000, states = ["ok", "error"]) {
    return this.until(`#status in ${states}`, (states) => {
      const s = document.getElementById("status");
      const st = s && s.getAttribute("data-state");
      return states.includes(st) ? { state: st, text: s.textContent } : false;
    }, states, timeout);
  }

  async shot(name) {
    const file = path.join(this.s.artifacts, `${this.s.name}-${String(++this.s.shots).padStart(2, "0")}-${name}.png`);
    try {
      await this.page.screenshot({ path: file, fullPage: true });
    } catch (e) {
      this.s.log(`  (screenshot ${name} failed: ${e.message})`);
      return null;
    }
    return file;
  }

  /** Calls the portal API from the page (only on portal origins). */
  uk(method, params = {}) {
    return this.eval(({ method, params }) => {
      if (!window.UKeyLink) return { error: "window.UKeyLink is missing (extension not injected)" };
      return window.UKeyLink.call(method, params).then((result) => ({ result }),
        (e) => ({ error: e && (e.message + " " + (e.code || "") + " " + (e.lastError ?? "")) }));
    }, { method, params });
  }

  close() { return this.page.close().catch(() => {}); }
}

class Session {
  constructor(name, artifacts, log) {
    this.name = name;
    this.artifacts = artifacts;
    this.log = log;
    this.shots = 0;
  }

  async newTab() {
    const page = await this._newPage();
    return new Tab(this, page);
  }
}

/** Chromium with the unpacked extension (persistent context: extensions need one). */
export class ChromiumSession extends Session {
  static check() {
    if (!fs.existsSync(CHROMIUM)) throw new MissingComponent(CHROMIUM, "apt-get install chromium");
  }

  async launch({ extDir, userDataDir, proxyPort, headless = true }) {
    ChromiumSession.check();
    const { chromium } = await import("playwright-core");
    this.userDataDir = userDataDir;
    this.ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless, ignoreHTTPSErrors: true, viewport: { width: 1100, height: 900 },
      locale: "zh-CN", env: { ...process.env, LANGUAGE: "zh_CN:zh", LANG: "zh_CN.UTF-8" },
      proxy: proxyPort ? { server: `http://127.0.0.1:${proxyPort}` } : undefined,
      args: [`--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`, "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu",
        "--lang=zh-CN", "--remote-debugging-port=0"],
    });
    this.extDir = extDir;
    return this;
  }

  async _newPage() { return this.ctx.newPage(); }

  /**
   * The extension's real popup (chrome.action.openPopup() from the service
   * worker, over the active tab), reached through a second CDP client
   * (puppeteer-core on --remote-debugging-port): Playwright does not list
   * popup targets. A popup opened as an ordinary tab is not the same thing:
   * the background then sees a tab sender.
   */
  async popupTab(extId) {
    const man = JSON.parse(fs.readFileSync(path.join(this.extDir, "manifest.json"), "utf8"));
    const popup = man.action?.default_popup || man.browser_action?.default_popup;
    if (!popup) throw new MissingComponent("the extension popup (manifest action.default_popup)", "Branch ext.");
    if (!this.cdp) {
      const port = fs.readFileSync(path.join(this.userDataDir, "DevToolsActivePort"), "utf8").split("\n")[0];
      const puppeteer = (await import("puppeteer-core")).default;
      this.cdp = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}`, defaultViewport: null });
    }
    const isPopup = (t) => t.url().startsWith(`chrome-extension://${extId}/${popup}`);
    const before = new Set(this.cdp.targets().filter(isPopup));
    const sw = this.ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extId}/`))
      || await this.ctx.waitForEvent("serviceworker", { timeout: 10_000 });
    const r = await sw.evaluate(() => chrome.action.openPopup().then(() => "ok", (e) => String(e && e.message)));
    if (r !== "ok") throw new Error("chrome.action.openPopup() failed: " + r);
    const target = await this.cdp.waitForTarget((t) => isPopup(t) && !before.has(t), { timeout: 10_000 });
    const page = (await target.page()) || (await target.asPage());
    if (!page) throw new Error(`the popup target (${target.type()}) has no page`);
    const tab = new Tab(this, page);
    await tab.until("popup loaded", () => document.readyState === "complete", null, 10_000);
    return tab;
  }

  async close() {
    await this.cdp?.disconnect().catch(() => {});
    this.cdp = null;
    await this.ctx?.close().catch(() => {});
  }
}

/** Firefox ESR with the extension installed as a temporary add-on. */
export class FirefoxSession extends Session {
  static check() {
    if (!fs.existsSync(FIREFOX)) throw new MissingComponent(FIREFOX, "apt-get install firefox-esr");
  }

  async launch({ extDir, home, proxyPort, headless = true }) {
    FirefoxSession.check();
    const puppeteer = (await import("puppeteer-core")).default;
    fs.mkdirSync(home, { recursive: true });
    const prefs = { "intl.accept_languages": "zh-CN", "app.update.enabled": false, "browser.shell.checkDefaultBrowser": false,
      "datareporting.policy.dataSubmissionEnabled": false, "toolkit.telemetry.enabled": false,
      "network.captive-portal-service.enabled": false, "network.connectivity-service.enabled": false,
      "extensions.autoDisableScopes": 0 };
    if (proxyPort) Object.assign(prefs, { "network.proxy.type": 1, "network.proxy.ssl": "127.0.0.1",
      "network.proxy.ssl_port": proxyPort, "network.proxy.http": "127.0.0.1", "network.proxy.http_port": proxyPort,
      "network.proxy.no_proxies_on": "", "network.proxy.allow_hijacking_localhost": false });
    this.browser = await puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless,
      acceptInsecureCerts: true, env: { ...process.env, HOME: home }, extraPrefsFirefox: prefs,
      defaultViewport: { width: 1100, height: 900 }, protocolTimeout: 180_000 });
    this.addonId = await this.browser.installExtension(extDir);
    this.extDir = extDir;
    return this;
  }

  async _newPage() { return this.browser.newPage(); }

  async close() { await this.browser?.close().catch(() => {}); }
}
