// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * SafeEngine numeric codes the extension itself produces when answering
 * from the snapshot or in the page (compat reference, section 4).
 */
const SE_CODES = Object.freeze({
  OK: 0,
  /** 读私钥设备错误: no token plugged / cannot read it. */
  NO_DEVICE: -2113667070,
  /** 证书格式错误. */
  CERT_FORMAT: -2113667057,
  /** 获取证书细目错误: unknown item number. */
  CERT_DETAIL: -2113667039,
  /** 获取证书唯一标识错误. */
  CERT_UNIQUE_ID: -2113667038,
  /** PEM编码错误. */
  PEM_ENCODE: -2113667036,
  /** PEM解码错误. */
  PEM_DECODE: -2113667035,
  /** OID格式错误. */
  OID_FORMAT: -2113667026,
  /** 没有OID对应的扩展项. */
  NO_EXTENSION: -2113667021,
  /** 私钥未载入: no session. */
  NO_SESSION: -2113667018,
});

export default SE_CODES;
