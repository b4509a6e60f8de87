// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * SEH_PEMEncode / SEH_PEMDecode, computed in the page: base64 of the UTF-8
 * bytes of a string and back. (The engine's documentation calls them
 * "base64 helpers"; line breaks are not inserted.)
 */

/**
 * @param {string} text
 * @returns {string}
 */
export function pemEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * @param {string} b64 base64, whitespace and PEM armour ignored
 * @returns {string | null} the decoded UTF-8 text, or null when invalid
 */
export function pemDecode(b64) {
  const s = b64.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return null;
  let bin;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export default { pemEncode, pemDecode };
