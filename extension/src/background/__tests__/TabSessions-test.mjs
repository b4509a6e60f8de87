// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import HostDisconnectedError from "../../shared/errors/HostDisconnectedError.js";
import { PortState } from "../services/NativeAppService.js";
import TabSessions from "../services/TabSessions.js";
import { FakePort, scriptedHost } from "./fakePort.mjs";

function sessions(extra = {}) {
  const ports = [];
  const seen = { reconnected: [], errors: [], events: [] };
  const s = new TabSessions({
    connectNative: () => {
      const p = new FakePort(scriptedHost((msg, port) => port.emit({ id: msg.id, result: {} })));
      ports.push(p);
      return p;
    },
    onEvent: (key, e) => seen.events.push([key, e.event]),
    onReconnected: (key) => seen.reconnected.push(key),
    onError: (key, e) => seen.errors.push([key, e.constructor.name]),
    reconnectDelays: [5, 5],
    ...extra,
  });
  return { s, ports, seen };
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

describe("TabSessions", () => {
  it("reconnects after the host exits unexpectedly, and tells the tab", async () => {
    const { s, ports, seen } = sessions();
    const t = s.get(1, "https://issp.sheca.com");
    await t.service.request("host.ping", {});
    ports[0].hostExit(null);
    assert.deepEqual(seen.errors, [[1, "HostDisconnectedError"]]);
    await wait(40);
    assert.equal(ports.length, 2);
    assert.equal(t.service.state, PortState.READY);
    assert.deepEqual(seen.reconnected, [1]);
  });

  it("does not reconnect after a deliberate close or a port that never came up", async () => {
    const { s, ports } = sessions();
    const t = s.get(1, "https://issp.sheca.com");
    await t.service.request("host.ping", {});
    s.close(1);
    await wait(30);
    assert.equal(ports.length, 1);
    const t2 = s.get(2, "https://issp.sheca.com");
    const p = t2.service.connect();
    ports[1].hostExit("No such native application cn.sheca.ukeylink");
    await assert.rejects(p);
    await wait(30);
    assert.equal(ports.length, 2);
  });

  it("gives each tab its own port and a new one when the tab's origin changes", async () => {
    const { s, ports } = sessions();
    await s.get(1, "https://issp.sheca.com").service.request("host.ping", {});
    await s.get(2, "https://issp.sheca.com").service.request("host.ping", {});
    await s.get(1, "https://issp.shcca.com").service.request("host.ping", {});
    assert.equal(ports.length, 3);
    assert.ok(ports[0].disconnected);
    assert.equal(ports[0].sent[0].origin, "https://issp.sheca.com");
    assert.equal(ports[2].sent[0].origin, "https://issp.shcca.com");
  });

  it("serialises a tab's operations, also after a failure", async () => {
    const { s } = sessions();
    const t = s.get(1, "https://issp.sheca.com");
    const order = [];
    const a = s.serialize(t, async () => { await wait(15); order.push("a"); throw new HostDisconnectedError(); });
    const b = s.serialize(t, async () => { order.push("b"); return 2; });
    await assert.rejects(a, HostDisconnectedError);
    assert.equal(await b, 2);
    assert.deepEqual(order, ["a", "b"]);
  });
});
