// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Stages of the host's progress events (host/doc/protocol.md, "Events"):
 * upload (chunks of a request on its way to the host), download (bytes),
 * pinpad (0 of 1 while the PIN pad waits, 1 of 1 when it answered).
 */
export const PROGRESS_STAGES = Object.freeze(["upload", "download", "pinpad"]);

/**
 * @typedef {object} Progress what a call's onProgress receives
 * @property {"upload" | "download" | "pinpad"} stage
 * @property {number} done
 * @property {number} total
 */

/**
 * Checks the progress members of v (host event, background push, bridge
 * message: each side checks again) and returns a copy of just them, or
 * null. stage: one of PROGRESS_STAGES; done, total: non-negative safe
 * integers, done ≤ total — except a download whose length the server did
 * not announce (total 0).
 *
 * @param {unknown} v
 * @returns {Progress | null}
 */
export function readProgress(v) {
  if (!v || typeof v !== "object") return null;
  const { stage, done, total } = /** @type {Record<string, unknown>} */ (v);
  if (typeof stage !== "string" || !PROGRESS_STAGES.includes(stage)) return null;
  if (!Number.isSafeInteger(done) || !Number.isSafeInteger(total)) return null;
  const d = /** @type {number} */ (done);
  const t = /** @type {number} */ (total);
  if (d < 0 || t < 0 || (d > t && !(stage === "download" && t === 0))) return null;
  return { stage: /** @type {Progress["stage"]} */ (stage), done: d, total: t };
}

export default readProgress;
