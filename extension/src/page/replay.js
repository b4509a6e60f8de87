// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Suspend and replay for synchronous SafeEngineCtl pages
 * (reference/legacy-replay.md, DESIGN.md "Legacy synchronous pages").
 *
 * Every place where page code is entered (event listeners, on* handlers,
 * timers, javascript: URLs, XHR handlers) is wrapped into a "run". A token
 * call without a result yet starts the operation, marks the run suspended
 * and throws a private signal. When the operation completes, the same
 * function is invoked again with the same `this`, arguments and Event
 * object; recorded calls now return their results synchronously. Dialogs,
 * Math.random, Date and synchronous XHR are journaled so a replay sees the
 * same values; after the signal, the rest of the suspended run is doomed
 * (SafeEngine calls, ErrorCode, dialogs, submits, fetch/XHR, window.open
 * rethrow it). At most maxRuns runs; the journal (it may hold a PIN) is
 * wiped after the last one.
 */

/**
 * @typedef {object} Run
 * @property {Function} fn
 * @property {unknown} thisArg
 * @property {unknown[]} args
 * @property {"listener" | "handler" | "timer" | "url"} kind
 * @property {Event | null} event
 * @property {unknown} currentTarget
 * @property {number} eventPhase
 * @property {Array<{key: string, done: boolean, result?: unknown}>} calls
 * @property {Array<{kind: string, value: unknown}>} journal
 * @property {number} callIndex
 * @property {number} jpos
 * @property {number} runs
 * @property {boolean} suspended
 * @property {Promise<unknown> | null} pending
 * @property {boolean} held default action held back after the first run
 * @property {boolean} prevented the page cancelled the event in this run
 *
 * @typedef {object} ReplayOptions
 * @property {number} [maxRuns]
 * @property {(zh: string, en: string) => void} [notice]
 * @property {(run: Run) => void} [onFinish] test hook: the run after wiping
 * @property {(run: Run) => void} [onGiveUp] the run hit maxRuns
 */

/** Event types whose on* handlers are wrapped lazily from a window capture listener. */
export const HANDLER_TYPES = Object.freeze([
  "click", "dblclick", "submit", "reset", "change", "input", "select", "keydown", "keyup", "keypress",
  "mousedown", "mouseup", "load", "focus", "blur", "beforeunload", "readystatechange",
]);

/** @typedef {ReturnType<typeof createReplayEngine>} ReplayEngine */

/**
 * @param {Window & typeof globalThis} win
 * @param {ReplayOptions} [options]
 */
export default function createReplayEngine(win, options = {}) {
  const maxRuns = options.maxRuns ?? 8;
  const doc = win.document;
  const ET = win.EventTarget.prototype;
  const origAdd = ET.addEventListener;
  const origRemove = ET.removeEventListener;
  const origSetTimeout = win.setTimeout;
  const origSetInterval = win.setInterval;
  const origAlert = win.alert;
  const origConfirm = win.confirm;
  const origPrompt = win.prompt;
  const origRandom = win.Math.random;
  const OrigDate = win.Date;
  const origNow = OrigDate.now;
  const XHRProto = win.XMLHttpRequest.prototype;
  const origXhrOpen = XHRProto.open;
  const origXhrSend = XHRProto.send;
  const FormProto = win.HTMLFormElement.prototype;
  const origSubmit = FormProto.submit;
  const origRequestSubmit = FormProto.requestSubmit;
  const origFetch = win.fetch;
  const origOpen = win.open;
  const origPreventDefault = win.Event.prototype.preventDefault;
  const eventDesc = Object.getOwnPropertyDescriptor(win, "event");

  /** @type {Run | null} */
  let current = null;
  /** Runs waiting for an operation. */
  const suspendedRuns = new Set();
  /** @type {WeakMap<object, Function>} */
  const wrappers = new WeakMap();
  /** @type {WeakSet<Function>} */
  const ours = new WeakSet();
  /** @type {WeakMap<XMLHttpRequest, {async: boolean, key: string}>} */
  const xhrInfo = new WeakMap();

  const SIGNAL_TEXT = "UKeyLink: waiting for the USB key";
  /**
   * The private signal. Reading anything from it while its run is
   * suspended rethrows it (a page that logs or inspects the error in a
   * catch block cannot continue with a wrong state).
   */
  const signal = Object.create(null);
  for (const key of ["message", "name", "number", "description", "stack", "code", "toString", "valueOf", Symbol.toPrimitive]) {
    Object.defineProperty(signal, key, {
      get() {
        if (current && current.suspended) throw signal;
        return typeof key === "string" && ["message", "name", "description", "stack"].includes(key) ? SIGNAL_TEXT
          : key === "number" || key === "code" ? 0 : () => SIGNAL_TEXT;
      },
    });
  }
  Object.freeze(signal);

  /** Throws the signal when the current run is suspended. */
  function checkDoom() {
    if (current && current.suspended) throw signal;
  }

  /**
   * Journals a non-repeatable value: live on the first run, from the
   * journal on replays; a mismatch truncates the journal there.
   *
   * @template T
   * @param {string} kind
   * @param {() => T} live
   * @returns {{value: T, live: boolean}}
   */
  function journal(kind, live) {
    const run = current;
    if (!run) return { value: live(), live: true };
    const entry = run.journal[run.jpos];
    if (entry && entry.kind === kind) {
      run.jpos += 1;
      return { value: /** @type {T} */ (entry.value), live: false };
    }
    run.journal.length = run.jpos;
    const value = live();
    if (current !== run) return { value, live: true };
    run.journal.push({ kind, value });
    run.jpos += 1;
    return { value, live: true };
  }

  /**
   * The result of the run's next host call, or starts it and suspends.
   * Outside a run: returns {replayable: false}. fireAndForget calls (no
   * answer needed) are started once and recorded, so replays do not send
   * them again.
   *
   * @param {string} key identifies the call (method and arguments)
   * @param {() => Promise<unknown>} start
   * @param {{fireAndForget?: boolean}} [opts]
   * @returns {{replayable: boolean, result?: unknown}}
   */
  function hostCall(key, start, opts = {}) {
    checkDoom();
    const run = current;
    if (!run) {
      if (opts.fireAndForget) start().catch(() => {});
      return { replayable: false };
    }
    const idx = run.callIndex++;
    const entry = run.calls[idx];
    if (entry && entry.key === key && entry.done) return { replayable: true, result: entry.result };
    run.calls.length = idx;
    if (opts.fireAndForget) {
      start().catch(() => {});
      run.calls.push({ key, done: true, result: undefined });
      return { replayable: true, result: undefined };
    }
    /** @type {{key: string, done: boolean, result?: unknown}} */
    const rec = { key, done: false };
    run.calls.push(rec);
    suspend(start().then((r) => {
      rec.result = r;
      rec.done = true;
    }, (e) => {
      rec.result = e;
      rec.done = true;
    }));
    return { replayable: true }; // not reached
  }

  /**
   * Suspends the current run until `promise` settles, then replays it.
   *
   * @param {Promise<unknown>} promise
   * @returns {never}
   */
  function suspend(promise) {
    const run = current;
    if (!run) throw new win.Error("UKeyLink: suspend outside a run");
    run.suspended = true;
    run.pending = promise;
    throw signal;
  }

  /**
   * @param {Function} fn
   * @param {unknown} thisArg
   * @param {unknown[]} args
   * @param {Run["kind"]} kind
   * @returns {unknown}
   */
  function enter(fn, thisArg, args, kind) {
    if (current) return fn.apply(thisArg, args); // nested: part of the outer run
    const ev = args[0];
    const event = ev instanceof win.Event ? ev : null;
    /** @type {Run} */
    const run = {
      fn, thisArg, args, kind, event,
      currentTarget: event ? event.currentTarget : null,
      eventPhase: event ? event.eventPhase : 0,
      calls: [], journal: [], callIndex: 0, jpos: 0, runs: 0,
      suspended: false, pending: null, held: false, prevented: false,
    };
    return runOnce(run);
  }

  /**
   * @param {Run} run
   * @returns {unknown}
   */
  function runOnce(run) {
    run.callIndex = 0;
    run.jpos = 0;
    run.suspended = false;
    run.pending = null;
    run.prevented = false;
    run.runs += 1;
    const replaying = run.runs > 1;
    const restore = replaying && run.event ? restoreEvent(run) : null;
    let ret;
    let error;
    let threw = false;
    current = run;
    try {
      ret = run.fn.apply(run.thisArg, run.args);
    } catch (e) {
      if (e !== signal && !run.suspended) {
        threw = true;
        error = e;
      }
    } finally {
      current = null;
      restore?.();
    }
    if (run.suspended) {
      if (!replaying) hold(run);
      suspendedRuns.add(run);
      const p = /** @type {Promise<unknown>} */ (run.pending);
      p.then(() => afterOperation(run), () => afterOperation(run));
      return undefined;
    }
    finish(run, ret);
    if (threw) {
      if (!replaying) throw error;
      origSetTimeout.call(win, () => {
        throw error;
      }, 0);
    }
    return ret;
  }

  /** @param {Run} run */
  function afterOperation(run) {
    suspendedRuns.delete(run);
    if (run.runs >= maxRuns) {
      options.notice?.("页面在一次操作中调用 USB Key 次数过多，操作已停止",
        "The page called the USB key too many times in one action; it was stopped");
      options.onGiveUp?.(run);
      wipe(run);
      return;
    }
    runOnce(run);
  }

  /**
   * Holds back the default action of the event of a suspended first run:
   * following a link and submitting a form. (Other defaults, e.g. a
   * checkbox toggling, happen normally.)
   *
   * @param {Run} run
   */
  function hold(run) {
    const ev = run.event;
    if (!ev || ev.defaultPrevented || !ev.cancelable) return;
    if (ev.type === "submit" || (ev.type === "click" && defaultTarget(ev))) {
      origPreventDefault.call(ev);
      run.held = true;
    }
  }

  /**
   * @param {Event} ev
   * @returns {{kind: "submit", control: Element, form: HTMLFormElement} | {kind: "link", link: HTMLAnchorElement} | null}
   */
  function defaultTarget(ev) {
    const t = /** @type {Element | null} */ (ev.target);
    if (!t || typeof t.closest !== "function") return null;
    const control = t.closest("button, input");
    const form = control ? /** @type {HTMLButtonElement} */ (control).form : null;
    if (control && form) {
      const type = (control.getAttribute("type") ?? (control.tagName === "BUTTON" ? "submit" : "text")).toLowerCase();
      if (type === "submit" || type === "image") return { kind: "submit", control, form };
    }
    const link = /** @type {HTMLAnchorElement | null} */ (t.closest("a[href], area[href]"));
    if (link && !/^\s*javascript:/i.test(link.getAttribute("href") ?? "")) return { kind: "link", link };
    return null;
  }

  /**
   * @param {Run} run
   * @param {unknown} ret
   */
  function finish(run, ret) {
    const prevented = run.prevented || (run.kind === "handler" && ret === false);
    if (run.held && !prevented && run.event) performDefault(run.event);
    wipe(run);
  }

  /** @param {Event} ev */
  function performDefault(ev) {
    if (ev.type === "submit") {
      const form = /** @type {HTMLFormElement} */ (ev.target);
      if (form instanceof win.HTMLFormElement) origSubmit.call(form);
      return;
    }
    const d = defaultTarget(ev);
    if (!d) return;
    if (d.kind === "submit") {
      if (origRequestSubmit) origRequestSubmit.call(d.form, d.control);
      else origSubmit.call(d.form);
      return;
    }
    const target = d.link.target;
    if (target && target !== "_self") origOpen.call(win, d.link.href, target);
    else win.location.assign(d.link.href);
  }

  /**
   * Wipes what a run recorded (call keys hold arguments, e.g. a PIN).
   *
   * @param {Run} run
   */
  function wipe(run) {
    run.calls.length = 0;
    run.journal.length = 0;
    run.args = [];
    options.onFinish?.(run);
  }

  /**
   * Makes the Event look as it did during dispatch for a replay.
   *
   * @param {Run} run
   * @returns {() => void} undo
   */
  function restoreEvent(run) {
    const ev = /** @type {Event} */ (run.event);
    const props = {
      currentTarget: { value: run.currentTarget, configurable: true },
      eventPhase: { value: run.eventPhase, configurable: true },
      defaultPrevented: { get: () => run.prevented, configurable: true },
      returnValue: {
        get: () => !run.prevented,
        set: (/** @type {unknown} */ v) => {
          if (v === false) run.prevented = true;
        },
        configurable: true,
      },
      preventDefault: { value: () => { run.prevented = true; }, configurable: true, writable: true },
      stopPropagation: { value: () => {}, configurable: true, writable: true },
      stopImmediatePropagation: { value: () => {}, configurable: true, writable: true },
    };
    Object.defineProperties(ev, props);
    let eventRestored = false;
    if (!eventDesc || eventDesc.configurable) {
      Object.defineProperty(win, "event", { get: () => ev, configurable: true });
      eventRestored = true;
    }
    return () => {
      for (const k of Object.keys(props)) delete /** @type {any} */ (ev)[k];
      if (eventRestored) {
        if (eventDesc) Object.defineProperty(win, "event", eventDesc);
        else delete /** @type {any} */ (win).event;
      }
    };
  }

  /**
   * @param {Function} fn
   * @param {Run["kind"]} kind
   * @returns {Function}
   */
  function wrapFunction(fn, kind) {
    const w = function (/** @type {unknown[]} */ ...args) {
      // @ts-ignore this is the page's `this`
      return enter(fn, this, args, kind);
    };
    ours.add(w);
    return w;
  }

  /**
   * @param {unknown} listener
   * @returns {Function | null}
   */
  function listenerWrapper(listener) {
    if (!listener || (typeof listener !== "function" && typeof listener !== "object")) return null;
    const l = /** @type {object} */ (listener);
    let w = wrappers.get(l);
    if (!w) {
      w = typeof listener === "function"
        ? wrapFunction(listener, "listener")
        : function (/** @type {unknown[]} */ ...args) {
          const obj = /** @type {{handleEvent?: Function}} */ (listener);
          if (typeof obj.handleEvent !== "function") return undefined;
          return enter(obj.handleEvent, obj, args, "listener");
        };
      ours.add(w);
      wrappers.set(l, w);
    }
    return w;
  }

  /**
   * Wraps the on* handler of each node on the event's path (once).
   *
   * @param {Event} ev
   */
  function wrapHandlersOnPath(ev) {
    const prop = `on${ev.type}`;
    const path = typeof ev.composedPath === "function" ? ev.composedPath() : [];
    const nodes = path.includes(win) ? path : [...path, win];
    for (const node of nodes) {
      const n = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node));
      let h;
      try {
        h = n[prop];
      } catch {
        continue;
      }
      if (typeof h === "function" && !ours.has(h)) {
        try {
          n[prop] = wrapFunction(h, "handler");
        } catch {
          // read-only: leave it
        }
      }
    }
  }

  /**
   * @param {Element} el
   * @returns {Function | null} the code of a javascript: URL as a function
   */
  function compileJavascriptUrl(el) {
    const href = el.getAttribute("href") ?? "";
    const m = /^\s*javascript:([\s\S]*)$/i.exec(href);
    if (!m) return null;
    let code = m[1];
    try {
      code = decodeURIComponent(code);
    } catch {
      // keep as is
    }
    const holder = doc.createElement("div");
    holder.setAttribute("onclick", code);
    const fn = /** @type {any} */ (holder).onclick;
    return typeof fn === "function" ? fn : null;
  }

  let installed = false;

  /**
   * Installs the wrappers. `shouldTakeJavascriptUrls()` decides whether a
   * javascript: link is run by the engine (only on pages that use the
   * SafeEngine object).
   *
   * @param {{shouldTakeJavascriptUrls?: () => boolean}} [opts]
   */
  function install(opts = {}) {
    if (installed) return;
    installed = true;
    ET.addEventListener = function (type, listener, options2) {
      const w = listenerWrapper(listener);
      return origAdd.call(this, type, /** @type {any} */ (w ?? listener), options2);
    };
    ET.removeEventListener = function (type, listener, options2) {
      const w = listener && (typeof listener === "function" || typeof listener === "object") ? wrappers.get(listener) : null;
      return origRemove.call(this, type, /** @type {any} */ (w ?? listener), options2);
    };
    for (const type of HANDLER_TYPES) origAdd.call(win, type, wrapHandlersOnPath, true);

    origAdd.call(win, "click", (/** @type {Event} */ ev) => {
      if (ev.defaultPrevented || !opts.shouldTakeJavascriptUrls?.()) return;
      const t = /** @type {Element | null} */ (ev.target);
      const a = t && typeof t.closest === "function" ? t.closest("a[href]") : null;
      if (!a) return;
      const fn = compileJavascriptUrl(a);
      if (!fn) return;
      origPreventDefault.call(ev);
      enter(fn, win, [], "url");
    });

    origAdd.call(win, "error", (/** @type {ErrorEvent} */ ev) => {
      if (ev.error === signal) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
      }
    }, true);
    origAdd.call(win, "unhandledrejection", (/** @type {PromiseRejectionEvent} */ ev) => {
      if (ev.reason === signal) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
      }
    }, true);

    /**
     * @param {typeof win.setTimeout} orig
     * @returns {typeof win.setTimeout}
     */
    const wrapTimer = (orig) => /** @type {any} */ (function (/** @type {unknown} */ handler, /** @type {number} */ delay, /** @type {unknown[]} */ ...rest) {
      if (typeof handler !== "function") return orig.call(win, /** @type {any} */ (handler), delay, ...rest);
      const h = handler;
      return orig.call(win, () => enter(h, win, rest, "timer"), delay);
    });
    win.setTimeout = wrapTimer(origSetTimeout);
    win.setInterval = wrapTimer(origSetInterval);

    win.alert = function (message) {
      checkDoom();
      journal("alert", () => origAlert.call(win, message));
    };
    win.confirm = function (message) {
      checkDoom();
      return journal("confirm", () => origConfirm.call(win, message)).value;
    };
    win.prompt = function (message, value) {
      checkDoom();
      return journal("prompt", () => origPrompt.call(win, message, value)).value;
    };
    win.Math.random = function () {
      return journal("random", () => origRandom.call(win.Math)).value;
    };
    const now = () => journal("now", () => origNow.call(OrigDate)).value;
    const PatchedDate = /** @type {DateConstructor} */ (/** @type {unknown} */ (function (/** @type {any[]} */ ...a) {
      if (!new.target) return new OrigDate(now()).toString();
      return Reflect.construct(OrigDate, a.length ? a : [now()], new.target === PatchedDate ? OrigDate : new.target);
    }));
    Object.defineProperties(PatchedDate, {
      prototype: { value: OrigDate.prototype },
      now: { value: now, writable: true, configurable: true },
      parse: { value: OrigDate.parse, writable: true, configurable: true },
      UTC: { value: OrigDate.UTC, writable: true, configurable: true },
    });
    win.Date = PatchedDate;

    XHRProto.open = function (/** @type {any[]} */ ...a) {
      xhrInfo.set(this, { async: a[2] !== false, key: `${a[0]} ${a[1]}` });
      return /** @type {any} */ (origXhrOpen).apply(this, a);
    };
    XHRProto.send = function (body) {
      checkDoom();
      const info = xhrInfo.get(this);
      if (!current || !info || info.async) return origXhrSend.call(this, body);
      const xhr = this;
      const r = journal(`xhr ${info.key}`, () => {
        origXhrSend.call(xhr, body);
        return {
          status: xhr.status, statusText: xhr.statusText, responseText: xhr.responseText,
          headers: xhr.getAllResponseHeaders(),
        };
      });
      if (!r.live) {
        const rec = /** @type {{status: number, statusText: string, responseText: string, headers: string}} */ (r.value);
        Object.defineProperties(xhr, {
          readyState: { value: 4, configurable: true },
          status: { value: rec.status, configurable: true },
          statusText: { value: rec.statusText, configurable: true },
          responseText: { value: rec.responseText, configurable: true },
          response: { value: rec.responseText, configurable: true },
          getAllResponseHeaders: { value: () => rec.headers, configurable: true },
          getResponseHeader: {
            value: (/** @type {string} */ name) => {
              const line = rec.headers.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
              return line ? line.slice(line.indexOf(":") + 1).trim() : null;
            },
            configurable: true,
          },
        });
      }
      return undefined;
    };
    for (const prop of ["onreadystatechange", "onload", "onerror"]) {
      const proto = prop === "onreadystatechange" ? XHRProto : Object.getPrototypeOf(XHRProto);
      const d = Object.getOwnPropertyDescriptor(proto, prop);
      if (!d || !d.set || !d.get) continue;
      const { get, set } = d;
      Object.defineProperty(proto, prop, {
        configurable: true,
        enumerable: d.enumerable,
        get() {
          return get.call(this);
        },
        set(v) {
          set.call(this, typeof v === "function" && !ours.has(v) ? wrapFunction(v, "handler") : v);
        },
      });
    }
    FormProto.submit = function () {
      checkDoom();
      return origSubmit.call(this);
    };
    if (origRequestSubmit) {
      FormProto.requestSubmit = function (submitter) {
        checkDoom();
        return origRequestSubmit.call(this, submitter);
      };
    }
    if (origFetch) {
      win.fetch = function (/** @type {any[]} */ ...a) {
        checkDoom();
        return /** @type {any} */ (origFetch).apply(win, a);
      };
    }
    win.open = function (/** @type {any[]} */ ...a) {
      checkDoom();
      return /** @type {any} */ (origOpen).apply(win, a);
    };
  }

  return {
    install,
    checkDoom,
    hostCall,
    suspend,
    signal,
    /** @returns {boolean} whether page code is running inside a replayable run */
    inRun: () => current !== null,
    /** @returns {number} runs waiting for an operation */
    suspendedCount: () => suspendedRuns.size,
  };
}
