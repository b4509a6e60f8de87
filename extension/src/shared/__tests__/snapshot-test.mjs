// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import answerFromSnapshot, { normalizeCert } from "../snapshot.js";
import { isSnapshot } from "../validation.js";
import { SNAPSHOT } from "./fixtures.mjs";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\nfirst\n-----END CERTIFICATE-----\n";

describe("answerFromSnapshot", () => {
  const cases = [
    ["SEH_GetSelfCertificate", [10, "com1", ""], { value: "MIIBfirst", errorCode: 0 }],
    ["SEH_GetSelfCertificate", [10, "com2", ""], { value: "MIIBsecond", errorCode: 0 }],
    ["ESE_GetSelfCertificate", [36, "com1", ""], { value: "MIIBfirst", errorCode: 0 }],
    ["SEH_GetCertDetail", ["MIIBfirst", 17], { value: "张三", errorCode: 0 }],
    ["SEH_GetCertDetail", ["MIIBfirst", 14], { value: "上海测试有限公司", errorCode: 0 }],
    ["SEH_GetCertDetail", [PEM, 2], { value: "0A1B2C", errorCode: 0 }],
    ["SEH_GetCertDetail", ["MIIBfirst", 99], { value: "", errorCode: -2113667039 }],
    ["SEH_GetCertInfoByOID", ["MIIBfirst", "1.2.156.10260.4.1.4"], { value: "91310000MA1234567X", errorCode: 0 }],
    ["SEH_GetCertInfoByOID", ["MIIBfirst", "1.2.156.10260.4.1.5"], { value: "", errorCode: -2113667021 }],
    ["SEH_GetCertInfoByOID", ["MIIBfirst", "not.an.oid"], { value: "", errorCode: -2113667026 }],
    ["SEH_GetCertUniqueID", ["MIIBfirst"], { value: "SH0001", errorCode: 0 }],
    ["SEH_GetCertUniqueID", ["MIIBsecond"], { value: "", errorCode: -2113667038 }],
    ["SEH_GetCertValidDate", ["MIIBfirst"], { value: 42, errorCode: 0 }],
    ["SEH_GetCertValidDate", ["MIIBsecond"], { value: -3, errorCode: 0 }],
    ["SEH_GetDeviceList", [], { value: "a$$1;a$$2;", errorCode: 0 }],
    ["SEH_GetDeviceInfo", [], { value: JSON.stringify(SNAPSHOT.devices), errorCode: 0 }],
  ];
  for (const [method, args, want] of cases) {
    it(`answers ${method}(${JSON.stringify(args)})`, () => assert.deepEqual(answerFromSnapshot(SNAPSHOT, method, args), want));
  }

  const misses = [
    ["no snapshot yet", null, "SEH_GetSelfCertificate", [10, "com1", ""]],
    ["a PIN to verify", SNAPSHOT, "SEH_GetSelfCertificate", [10, "com1", "1111"]],
    ["a certificate not on a token", SNAPSHOT, "SEH_GetCertDetail", ["MIIBother", 17]],
    ["a token method", SNAPSHOT, "SEH_SignData", ["x", 3]],
    ["a post method", SNAPSHOT, "SEH_SetConfiguration", [0]],
    ["an unknown method", SNAPSHOT, "SEH_Bogus", []],
  ];
  for (const [name, snap, method, args] of misses) {
    it(`misses on ${name}`, () => assert.equal(answerFromSnapshot(snap, method, args), null));
  }

  it("answers 'no device' when no token is plugged", () => {
    const empty = { devices: [], pluggedTypeList: "", certs: [] };
    assert.deepEqual(answerFromSnapshot(empty, "SEH_GetSelfCertificate", [10, "com1", ""]), { value: "", errorCode: -2113667070 });
    assert.deepEqual(answerFromSnapshot(empty, "SEH_GetDeviceList", []), { value: "", errorCode: 0 });
  });

  it("normalizes PEM armour and whitespace", () => assert.equal(normalizeCert(PEM), "MIIBfirst"));
});

describe("isSnapshot", () => {
  it("accepts the host's shape", () => assert.equal(isSnapshot(SNAPSHOT), true));
  const bad = [
    null, [], {}, { ...SNAPSHOT, devices: "x" }, { ...SNAPSHOT, pluggedTypeList: 1 },
    { ...SNAPSHOT, certs: [{ ...SNAPSHOT.certs[0], validDays: "42" }] },
    { ...SNAPSHOT, certs: [{ ...SNAPSHOT.certs[0], details: { 17: 5 } }] },
    { ...SNAPSHOT, certs: [{ ...SNAPSHOT.certs[0], der: undefined }] },
  ];
  bad.forEach((s, i) => it(`rejects malformed snapshot #${i}`, () => assert.equal(isSnapshot(s), false)));
});
