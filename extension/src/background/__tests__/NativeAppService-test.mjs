// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import config from "../../shared/config.js";
import HostDisconnectedError from "../../shared/errors/HostDisconnectedError.js";
import HostError from "../../shared/errors/HostError.js";
import HostVersionError from "../../shared/errors/HostVersionError.js";
import MessageTooLargeError from "../../shared/errors/MessageTooLargeError.js";
import NativeHostForbiddenError from "../../shared/errors/NativeHostForbiddenError.js";
import NativeHostNotFoundError from "../../shared/errors/NativeHostNotFoundError.js";
import ProtocolError from "../../shared/errors/ProtocolError.js";
import RequestTimeoutError from "../../shared/errors/RequestTimeoutError.js";
import NativeAppService, { PortState, disconnectError } from "../services/NativeAppService.js";
import { FakePort, VERSION, scriptedHost } from "./fakePort.mjs";

function service(handler, extra = {}) {
  const ports = [];
  const events = [];
  const states = [];
  const svc = new NativeAppService({
    origin: "https://issp.sheca.com",
    connectNative: (name) => {
      assert.equal(name, "cn.sheca.ukeylink");
      const p = new FakePort(handler);
      ports.push(p);
      return p;
    },
    onEvent: (e) => events.push(e),
    onStateChange: (s) => states.push(s),
    ...extra,
  });
  return { svc, ports, events, states };
}

const echo = scriptedHost((msg, port) => port.emit({ id: msg.id, result: { data: msg.params.data ?? null } }));

describe("NativeAppService", () => {
  it("handshakes first, then sends requests with ids and the sender origin", async () => {
    const { svc, ports, states } = service(echo);
    assert.equal(svc.state, PortState.IDLE);
    assert.deepEqual(await svc.request("host.ping", { data: "x" }), { data: "x" });
    assert.deepEqual(await svc.request("host.ping", { data: "y" }), { data: "y" });
    assert.equal(ports.length, 1);
    assert.deepEqual(ports[0].sent.map((m) => [m.id, m.method, m.origin]), [
      [1, "host.version", "https://issp.sheca.com"], [2, "host.ping", "https://issp.sheca.com"], [3, "host.ping", "https://issp.sheca.com"],
    ]);
    assert.deepEqual(states, [PortState.CONNECTING, PortState.READY]);
    assert.equal(svc.hostInfo.version, "0.1.0");
  });

  it("shares one handshake between concurrent requests", async () => {
    const { svc, ports } = service(echo);
    const r = await Promise.all([svc.request("host.ping", { data: 1 }), svc.request("host.ping", { data: 2 })]);
    assert.deepEqual(r, [{ data: 1 }, { data: 2 }]);
    assert.equal(ports[0].sent.filter((m) => m.method === "host.version").length, 1);
  });

  const versions = [[{ major: 2, minor: 0 }, HostVersionError], [{ major: 0, minor: 9 }, HostVersionError]];
  for (const [protocol, Err] of versions) {
    it(`refuses protocol ${protocol.major}.${protocol.minor}`, async () => {
      const { svc, ports } = service(scriptedHost(undefined, { name: "h", version: "9", protocol }));
      await assert.rejects(svc.request("host.ping", {}), Err);
      assert.equal(svc.state, PortState.CLOSED);
      assert.ok(ports[0].disconnected);
      assert.ok(svc.lastError instanceof HostVersionError);
    });
  }

  it("refuses a malformed handshake reply", async () => {
    const { svc } = service((msg, port) => port.emit({ id: msg.id, result: { name: "h" } }));
    await assert.rejects(svc.request("host.ping", {}), ProtocolError);
  });

  const notFound = [
    ["Chromium", { lastErrorMessage: () => "Specified native messaging host not found." }, undefined, NativeHostNotFoundError],
    ["Firefox", {}, "No such native application cn.sheca.ukeylink", NativeHostNotFoundError],
    ["Chromium forbidden", { lastErrorMessage: () => "Access to the specified native messaging host is forbidden." }, undefined, NativeHostForbiddenError],
    ["exit", { lastErrorMessage: () => "Native host has exited." }, undefined, HostDisconnectedError],
  ];
  for (const [name, extra, ffMessage, Err] of notFound) {
    it(`detects ${name} disconnect during the handshake as ${Err.name}`, async () => {
      const { svc } = service((msg, port) => port.hostExit(ffMessage), extra);
      await assert.rejects(svc.request("token.list", {}), Err);
      assert.ok(svc.lastError instanceof Err);
      assert.equal(svc.state, PortState.CLOSED);
    });
  }

  it("maps disconnect messages", () => {
    assert.ok(disconnectError("Specified native messaging host not found.") instanceof NativeHostNotFoundError);
    assert.ok(disconnectError("No such native application cn.sheca.ukeylink") instanceof NativeHostNotFoundError);
    assert.ok(disconnectError(undefined) instanceof HostDisconnectedError);
  });

  it("times out a request the host never answers (Chrome drops invalid JSON) and ignores the late answer", async () => {
    let unanswered = null;
    const { svc } = service(scriptedHost((msg) => { unanswered = msg; }));
    await assert.rejects(svc.request("token.list", {}, 30), RequestTimeoutError);
    svc.onMessage({ id: unanswered.id, result: { tokens: [] } });
    assert.equal(svc.pending.size, 0);
    assert.equal(svc.state, PortState.READY);
  });

  it("rejects every waiting request when the host exits, then reconnects on the next request", async () => {
    let first = true;
    const { svc, ports, states } = service(scriptedHost((msg, port) => {
      if (first) { first = false; port.hostExit(null); return; }
      port.emit({ id: msg.id, result: { data: "again" } });
    }));
    await assert.rejects(svc.request("host.ping", {}), HostDisconnectedError);
    assert.equal(svc.state, PortState.CLOSED);
    assert.deepEqual(await svc.request("host.ping", {}), { data: "again" });
    assert.equal(ports.length, 2);
    assert.deepEqual(states, ["connecting", "ready", "closed", "connecting", "ready"]);
  });

  it("passes host errors with their numeric code", async () => {
    const { svc } = service(scriptedHost((msg, port) => port.emit({ id: msg.id,
      error: { code: -2113667069, name: "PIN_INCORRECT", message: "私钥密码错误", message_en: "Incorrect PIN", retriesLeft: 2 } })));
    await assert.rejects(svc.request("token.login", { token: "t", pin: "1" }), (e) => e instanceof HostError && e.lastError === -2113667069);
  });

  it("turns a reply of the wrong shape into ProtocolError", async () => {
    const { svc } = service(scriptedHost((msg, port) => port.emit({ id: msg.id, result: { tokens: "nope" } })));
    await assert.rejects(svc.request("token.list", {}), ProtocolError);
  });

  it("reassembles a chunked response (out of order)", async () => {
    const big = { tokens: [{ token: "t1", label: "签名".repeat(1000) }] };
    const { svc } = service(scriptedHost((msg, port) => {
      const text = JSON.stringify({ id: msg.id, result: big });
      const third = Math.ceil(text.length / 3);
      const parts = [0, 1, 2].map((i) => ({ id: msg.id, chunk: i, of: 3, data: text.slice(i * third, (i + 1) * third) }));
      port.emit(parts[1]);
      port.emit(parts[2]);
      port.emit(parts[0]);
    }));
    assert.deepEqual(await svc.request("token.list", {}), big);
  });

  it("fails the request on a duplicate chunk", async () => {
    const { svc } = service(scriptedHost((msg, port) => {
      port.emit({ id: msg.id, chunk: 0, of: 2, data: "{\"id\":" });
      port.emit({ id: msg.id, chunk: 0, of: 2, data: "{\"id\":" });
    }));
    await assert.rejects(svc.request("token.list", {}), ProtocolError);
  });

  it("passes events (also between chunks) to onEvent", async () => {
    const { svc, events } = service(scriptedHost((msg, port) => {
      port.emit({ event: "token.inserted", reader: "r", atr: "3B" });
      port.emit({ id: msg.id, chunk: 0, of: 2, data: `{"id":${msg.id},` });
      port.emit({ event: "progress", id: 77, done: 1, total: 2, stage: "download" }); // not a request of ours
      port.emit({ id: msg.id, chunk: 1, of: 2, data: '"result":{"data":1}}' });
    }));
    assert.deepEqual(await svc.request("host.ping", {}), { data: 1 });
    assert.deepEqual(events.map((e) => e.event), ["token.inserted", "progress"]);
  });

  describe("progress events", () => {
    /** A host that sends `before(msg)` events for each request, then its answer, then `after(msg)`. */
    const progressHost = (before, after = () => []) => scriptedHost((msg, port) => {
      for (const e of before(msg)) port.emit(e);
      port.emit({ id: msg.id, result: { data: msg.params.data ?? null } });
      for (const e of after(msg)) port.emit(e);
    });
    const up = (id, done, total) => ({ event: "progress", id, done, total, stage: "upload" });

    it("go to the onProgress of the request whose host id they carry, in order, never to onEvent", async () => {
      const { svc, events, ports } = service(progressHost((msg) => [up(msg.id, 1, 3), up(msg.id, 2, 3)]));
      const seen = { a: [], b: [] };
      await svc.connect();
      const [ra, rb] = await Promise.all([
        svc.request("host.ping", { data: "a" }, 1000, { onProgress: (p) => seen.a.push(p) }),
        svc.request("host.ping", { data: "b" }, 1000, { onProgress: (p) => seen.b.push(p) }),
      ]);
      assert.deepEqual([ra, rb], [{ data: "a" }, { data: "b" }]);
      assert.deepEqual(ports[0].sent.map((m) => m.id), [1, 2, 3], "the service numbers the requests itself");
      const want = [{ stage: "upload", done: 1, total: 3 }, { stage: "upload", done: 2, total: 3 }];
      assert.deepEqual(seen.a, want);
      assert.deepEqual(seen.b, want);
      assert.deepEqual(events, [], "nothing to onEvent");
    });

    it("of a request that did not ask for them are dropped (not passed on with the host id)", async () => {
      const { svc, events } = service(progressHost((msg) => [up(msg.id, 1, 2)]));
      assert.deepEqual(await svc.request("host.ping", { data: 1 }), { data: 1 });
      assert.deepEqual(events, []);
    });

    it("for an id that is not pending go to onEvent as before (checked, only the known members)", async () => {
      const { svc, events } = service(progressHost(() => [
        { event: "progress", id: 99, done: 3, total: 9, stage: "download", extra: "x" },
        { event: "progress", id: 98, done: 5, total: 0, stage: "download" }, // length unknown
      ]));
      const seen = [];
      await svc.request("host.ping", {}, 1000, { onProgress: (p) => seen.push(p) });
      assert.deepEqual(seen, []);
      assert.deepEqual(events, [
        { event: "progress", id: 99, done: 3, total: 9, stage: "download" },
        { event: "progress", id: 98, done: 5, total: 0, stage: "download" },
      ]);
    });

    it("stop when the request settles: a late one goes to onEvent, not to onProgress", async () => {
      const { svc, events } = service(progressHost((msg) => [up(msg.id, 1, 2)], (msg) => [up(msg.id, 2, 2)]));
      const seen = [];
      await svc.request("host.ping", {}, 1000, { onProgress: (p) => seen.push(p) });
      await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(seen, [{ stage: "upload", done: 1, total: 2 }]);
      assert.deepEqual(events.map((e) => [e.id, e.done]), [[2, 2]]);
    });

    it("stop after a timeout as well", async () => {
      let port = null;
      let pendingId = null;
      const { svc } = service(scriptedHost((msg, p) => { port = p; pendingId = msg.id; }));
      const seen = [];
      await assert.rejects(svc.request("sign.cms", {}, 20, { onProgress: (p) => seen.push(p) }), RequestTimeoutError);
      port.emit(up(pendingId, 1, 2));
      assert.deepEqual(seen, []);
    });

    const bad = [
      ["an unknown stage", { stage: "decrypt", done: 1, total: 2 }],
      ["no stage", { done: 1, total: 2 }],
      ["a stage that is not a string", { stage: ["upload"], done: 1, total: 2 }],
      ["done > total", { stage: "upload", done: 3, total: 2 }],
      ["done > total for a pinpad", { stage: "pinpad", done: 2, total: 1 }],
      ["a negative done", { stage: "upload", done: -1, total: 2 }],
      ["a negative total", { stage: "download", done: 0, total: -5 }],
      ["a fraction", { stage: "upload", done: 1.5, total: 2 }],
      ["a string number", { stage: "upload", done: "1", total: 2 }],
      ["an unsafe integer", { stage: "download", done: 1, total: 2 ** 53 }],
      ["Infinity", { stage: "download", done: 1, total: Infinity }],
      ["null", { stage: "upload", done: null, total: 2 }],
    ];
    for (const [name, fields] of bad) {
      it(`with ${name} are dropped, for a pending request and for an unknown id`, async () => {
        const { svc, events } = service(progressHost((msg) => [
          { event: "progress", id: msg.id, ...fields }, { event: "progress", id: 1234, ...fields }, up(msg.id, 1, 2)]));
        const seen = [];
        await svc.request("host.ping", {}, 1000, { onProgress: (p) => seen.push(p) });
        assert.deepEqual(seen, [{ stage: "upload", done: 1, total: 2 }], "only the good one");
        assert.deepEqual(events, []);
      });
    }

    it("with an id that is not a safe integer ≥ 0 are dropped", async () => {
      const { svc, events } = service(progressHost(() => [-1, 1.5, "2", null, 2 ** 53].map((id) => up(id, 1, 2))));
      await svc.request("host.ping", {});
      assert.deepEqual(events, []);
    });

    it("are passed on at most MAX_PROGRESS_EVENTS times per request (a flood grows nothing)", async () => {
      const n = config.MAX_PROGRESS_EVENTS + 500;
      const { svc } = service(progressHost((msg) => Array.from({ length: n }, (_, k) => up(msg.id, k, n))));
      let count = 0;
      let last = null;
      await svc.request("host.ping", {}, 5000, { onProgress: (p) => { count++; last = p; } });
      assert.equal(count, config.MAX_PROGRESS_EVENTS);
      assert.equal(last.done, config.MAX_PROGRESS_EVENTS - 1);
    });

    it("a listener that throws does not fail the request", async () => {
      const { svc } = service(progressHost((msg) => [up(msg.id, 1, 2)]));
      assert.deepEqual(await svc.request("host.ping", { data: 5 }, 1000, { onProgress: () => { throw new Error("page bug"); } }), { data: 5 });
    });
  });

  it("refuses an outgoing message over NATIVE_MESSAGE_MAX_BYTES (UTF-8 bytes)", async () => {
    const { svc, ports } = service(echo);
    await svc.connect();
    // fewer characters than the limit, more UTF-8 bytes
    const chinese = "签".repeat(Math.ceil(config.NATIVE_MESSAGE_MAX_BYTES / 3));
    await assert.rejects(svc.request("host.ping", { data: chinese }), MessageTooLargeError);
    assert.equal(ports[0].sent.length, 1);
  });

  describe("big requests in chunks", () => {
    const MAX = config.REQUEST_CHUNK_BYTES;
    const utf8 = (s) => Buffer.byteLength(s, "utf8");
    // Characters of 1 to 4 UTF-8 bytes (emoji: a surrogate pair), so that cuts fall inside them.
    const mixed = (n) => "a签😀é\"\\\n".repeat(Math.ceil(n / 7)).slice(0, n);
    const sentChunks = (port) => port.sent.filter((m) => Object.hasOwn(m, "chunk"));

    it("sends a request over REQUEST_CHUNK_BYTES as ordered chunks whose data is its JSON text", async () => {
      const { svc, ports } = service(echo);
      await svc.connect();
      const data = mixed(3 * MAX);
      assert.deepEqual(await svc.request("host.ping", { data }), { data });
      const chunks = sentChunks(ports[0]);
      const text = JSON.stringify({ id: 2, method: "host.ping", params: { data }, origin: "https://issp.sheca.com" });
      assert.ok(chunks.length >= 4);
      assert.deepEqual(chunks.map((c) => [c.id, c.chunk, c.of]), chunks.map((c, k) => [2, k, chunks.length]));
      assert.deepEqual(chunks.map((c) => Object.keys(c)), chunks.map(() => ["id", "chunk", "of", "data"]));
      assert.equal(chunks.map((c) => c.data).join(""), text);
      for (const [k, c] of chunks.entries()) {
        assert.ok(utf8(c.data) <= MAX);
        if (k < chunks.length - 1) assert.ok(utf8(c.data) > MAX - 4, "only a character's bytes short");
        // no split character: no lone surrogate, and the UTF-8 round trip is exact
        assert.ok(c.data.isWellFormed());
        assert.equal(Buffer.from(c.data, "utf8").toString("utf8"), c.data);
      }
      assert.equal(ports[0].sent.length, 1 + chunks.length); // the handshake, then only chunks
    });

    it("posts the chunks back to back, nothing in between", async () => {
      const { svc, ports } = service(echo);
      await svc.connect();
      const big = svc.request("host.ping", { data: "签".repeat(MAX) });
      const small = svc.request("host.ping", { data: "s" });
      assert.deepEqual(await small, { data: "s" });
      await big;
      const kinds = ports[0].sent.map((m) => (Object.hasOwn(m, "chunk") ? `c${m.id}` : m.method));
      assert.deepEqual(kinds, ["host.version", "c2", "c2", "c2", "c2", "host.ping"]);
    });

    it("cuts a text of only emoji (4 bytes, surrogate pairs) between characters", async () => {
      const { svc, ports } = service(echo);
      await svc.connect();
      const data = "😀".repeat(MAX / 2);
      assert.deepEqual(await svc.request("host.ping", { data }), { data });
      const chunks = sentChunks(ports[0]);
      assert.equal(chunks.length, 3);
      for (const c of chunks) assert.ok(c.data.isWellFormed(), "no lone surrogate");
      // ASCII before the emoji, then whole emoji of 4 bytes each
      const head = utf8('{"id":2,"method":"host.ping","params":{"data":"');
      assert.deepEqual(chunks.slice(0, 2).map((c) => utf8(c.data) % 4), [head % 4, 0]);
      assert.equal(chunks.map((c) => c.data).join("").length, JSON.stringify({ id: 2, method: "host.ping", params: { data }, origin: "https://issp.sheca.com" }).length);
    });

    it("sends a request of exactly REQUEST_CHUNK_BYTES (and smaller ones) in one message", async () => {
      const { svc, ports } = service(echo);
      await svc.connect();
      const envelope = utf8(JSON.stringify({ id: 2, method: "host.ping", params: { data: "" }, origin: "https://issp.sheca.com" }));
      const data = "x".repeat(MAX - envelope);
      await svc.request("host.ping", { data });
      await svc.request("host.ping", { data: "small" });
      assert.equal(sentChunks(ports[0]).length, 0);
      assert.deepEqual(ports[0].sent[1], { id: 2, method: "host.ping", params: { data }, origin: "https://issp.sheca.com" });
      assert.deepEqual(ports[0].sent[2].params, { data: "small" });
    });

    it("sends big requests in one message to a host of protocol 1.0", async () => {
      const { svc, ports } = service(scriptedHost((msg, port) => port.emit({ id: msg.id, result: { data: msg.params.data } }),
        { ...VERSION, protocol: { major: 1, minor: 0 } }));
      await svc.connect();
      const data = mixed(2 * MAX);
      assert.deepEqual(await svc.request("host.ping", { data }), { data });
      assert.equal(sentChunks(ports[0]).length, 0);
      assert.equal(ports[0].sent[1].params.data, data);
    });

    it("still refuses a request over NATIVE_MESSAGE_MAX_BYTES, sending nothing", async () => {
      const { svc, ports } = service(echo);
      await svc.connect();
      await assert.rejects(svc.request("host.ping", { data: "x".repeat(config.NATIVE_MESSAGE_MAX_BYTES) }), MessageTooLargeError);
      assert.equal(ports[0].sent.length, 1);
    });
  });

  it("refuses to send when not connected and close() ends the port", async () => {
    const { svc, ports } = service(echo);
    await assert.rejects(svc.send("host.ping", {}, 100), HostDisconnectedError);
    await svc.connect();
    svc.close();
    assert.equal(svc.state, PortState.CLOSED);
    assert.ok(ports[0].disconnected);
    await assert.rejects(svc.send("host.ping", {}, 100), HostDisconnectedError);
  });
});
