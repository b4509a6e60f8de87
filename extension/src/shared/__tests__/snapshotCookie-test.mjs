// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { decodeSnapshotCookies, encodeSnapshotCookies, snapshotCookieNames } from "../snapshotCookie.js";
import { SNAPSHOT } from "./fixtures.mjs";

/** @param {Array<{name: string, value: string}>} cookies */
const jar = (cookies) => ["other=1", ...cookies.map((c) => `${c.name}=${c.value}`)].join("; ");

describe("snapshot cookies", () => {
  it("round-trips a snapshot with Chinese text", () => {
    const cookies = encodeSnapshotCookies(SNAPSHOT);
    assert.equal(cookies[0].name, "ukeylink_sn");
    for (const c of cookies) assert.match(c.value, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeSnapshotCookies(jar(cookies)), SNAPSHOT);
  });
  it("splits a larger snapshot into at most two cookies under 4 KB each", () => {
    const big = { ...SNAPSHOT, certs: [{ ...SNAPSHOT.certs[0], der: "M".repeat(3000) }] };
    const cookies = encodeSnapshotCookies(big);
    assert.equal(cookies.length, 3, "count + 2 parts");
    for (const c of cookies) assert.ok(c.name.length + c.value.length < 4000);
    assert.deepEqual(decodeSnapshotCookies(jar([...cookies].reverse())), big);
    for (const c of cookies) assert.ok(snapshotCookieNames().includes(c.name));
  });
  it("keeps only the first certificate when all do not fit", () => {
    const two = { ...SNAPSHOT, certs: [{ ...SNAPSHOT.certs[0], der: "M".repeat(3000) }, { ...SNAPSHOT.certs[1], der: "N".repeat(3000) }] };
    const back = decodeSnapshotCookies(jar(encodeSnapshotCookies(two)));
    assert.deepEqual(back.certs, [two.certs[0]]);
  });
  it("gives up on a snapshot too large for cookies", () => {
    assert.deepEqual(encodeSnapshotCookies({ ...SNAPSHOT, certs: [{ ...SNAPSHOT.certs[0], der: "M".repeat(8000) }] }), []);
  });
  const bad = [
    "", "ukeylink_sn=2; ukeylink_s0=abc", "ukeylink_sn=x", "ukeylink_sn=1; ukeylink_s0=!!!",
    `ukeylink_sn=1; ukeylink_s0=${btoa("{\"devices\":1}")}`, "ukeylink_sn=99",
  ];
  bad.forEach((c, i) => it(`ignores forged or broken cookies #${i}`, () => assert.equal(decodeSnapshotCookies(c), null)));
});
