// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

/** A snapshot as the host's se.snapshot returns it (two plugged tokens). */
export const SNAPSHOT = Object.freeze({
  devices: [{ type: 10, slot: 1, reader: "Virtual PCD 00 00" }, { type: 10, slot: 2, reader: "Virtual PCD 00 01" }],
  pluggedTypeList: "a$$1;a$$2;",
  certs: [
    {
      der: "MIIBfirst",
      details: { 2: "0A1B2C", 13: "CN", 14: "上海测试有限公司", 17: "张三" },
      oids: { "1.2.156.10260.4.1.4": "91310000MA1234567X", "1.2.156.112570.148": "SH0001" },
      uniqueId: "SH0001",
      validDays: 42,
    },
    { der: "MIIBsecond", details: { 17: "李四" }, oids: {}, uniqueId: "", validDays: -3 },
  ],
});
