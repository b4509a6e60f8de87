// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";

/**
 * The toolbar badge for the soonest-expiring certificate: none when every
 * certificate has more than EXPIRY_WARNING_DAYS left (the portal renews
 * three months ahead), orange with the days left from then on, red "!" once
 * expired.
 *
 * @param {number[]} daysLeft of each certificate seen
 * @returns {{text: string, color: string, days: number | null}}
 */
export function computeBadge(daysLeft) {
  const days = daysLeft.filter((d) => Number.isInteger(d));
  if (days.length === 0) return { text: "", color: "#000000", days: null };
  const min = Math.min(...days);
  if (min > config.EXPIRY_WARNING_DAYS) return { text: "", color: "#000000", days: min };
  if (min < 0) return { text: "!", color: "#d32f2f", days: min };
  return { text: String(min), color: "#f57c00", days: min };
}

/** Shows computeBadge on the toolbar button. */
export default class BadgeService {
  /** @param {any} api browser API (action, i18n) */
  constructor(api) {
    this.api = api;
    /** @type {{text: string, color: string, days: number | null}} */
    this.current = { text: "", color: "#000000", days: null };
  }

  /** @param {number[]} daysLeft */
  async update(daysLeft) {
    const b = computeBadge(daysLeft);
    this.current = b;
    const action = this.api?.action;
    if (!action) return;
    await action.setBadgeText({ text: b.text });
    if (b.text) await action.setBadgeBackgroundColor({ color: b.color });
    const title = b.text
      ? this.api.i18n.getMessage(b.days !== null && b.days < 0 ? "badgeExpired" : "badgeExpiring", [String(b.days)])
      : this.api.i18n.getMessage("extName");
    await action.setTitle({ title });
  }
}
