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
import { FakePort, scriptedHost } from "./fakePort.mjs";

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
      port.emit({ event: "progress", id: msg.id, done: 1, total: 2 });
      port.emit({ id: msg.id, result: { data: 1 } });
    }));
    await svc.request("host.ping", {});
    assert.deepEqual(events.map((e) => e.event), ["token.inserted", "progress"]);
  });

  it("refuses an outgoing message over NATIVE_MESSAGE_MAX_BYTES (UTF-8 bytes)", async () => {
    const { svc, ports } = service(echo);
    await svc.connect();
    // fewer characters than the limit, more UTF-8 bytes
    const chinese = "签".repeat(Math.ceil(config.NATIVE_MESSAGE_MAX_BYTES / 3));
    await assert.rejects(svc.request("host.ping", { data: chinese }), MessageTooLargeError);
    assert.equal(ports[0].sent.length, 1);
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
