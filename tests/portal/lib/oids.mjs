// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The one place that says which registry number lives in which extension
// (reference/safeengine-compat.md, section 3). The housing-fund account
// has no known public OID: the replica uses a private test arc.

export const OID = Object.freeze({
  personalId: "1.2.156.10260.4.1.1",
  socialNo: "1.2.156.10260.4.1.2",      // 社会保险号
  regNo: "1.2.156.10260.4.1.3",         // 工商注册号
  orgCode: "1.2.156.10260.4.1.4",       // 组织机构代码 / 统一社会信用代码
  taxNo: "1.2.156.10260.4.1.5",         // 纳税人识别号
  fundNo: "1.3.6.1.4.1.59999.1.6",      // 单位公积金账号 (test arc, no public OID)
  uniqueId: "1.2.156.112570.148",       // SHECA unique id of the holder
  enterpriseCode: "1.2.156.112570.11.210",
});

/** Registry fields carried in the certificate, in display order. */
export const NUMBER_FIELDS = Object.freeze([
  ["regNo", "工商注册号"],
  ["taxNo", "纳税人识别号"],
  ["orgCode", "组织机构代码"],
  ["socialNo", "社会保险号"],
  ["fundNo", "单位公积金账号"],
]);
