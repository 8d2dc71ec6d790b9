// Daily lead-to-cash KPIs (the seven factors a sales leader watches) with weekly seasonality,
// bounded noise, and one planted incident: conversion falls ~18% on `dropDay`, past the
// ">10% day over day" alert rule of DOMAIN.md, and recovers the next day.
import { createRng, lognormal, normalish } from './rng.js';
import { DAY, parseDay } from './rows.js';

/**
 * @typedef {object} DailyKpi
 * @property {string} date 'YYYY-MM-DD'
 * @property {number} leads 线索量
 * @property {number} opportunities leads that became opportunities that day
 * @property {number} wins
 * @property {number} revenue CNY, wins × avgDealSize
 * @property {number} collected CNY received (回款)
 * @property {number} conversionRate opportunities / leads (线索转化率)
 * @property {number} winRate wins / opportunities (商机赢率)
 * @property {number} avgDealSize CNY (每单单产)
 * @property {number} cycleDays sales cycle of the deals won
 * @property {number} cost CNY spent on acquisition (资源投入)
 */

// Sunday first, as Date#getUTCDay counts.
const WEEKDAY_VOLUME = [0.45, 1.0, 1.05, 1.05, 1.0, 0.9, 0.55];
const DROP = 0.82;

/** @param {number} x */
const round4 = (x) => Math.round(x * 1e4) / 1e4;

/**
 * Acquisition cost falls through the year so that Q4 runs ~28% below Q1 (DOMAIN.md).
 * @param {number} ms
 */
export function costSeason(ms) {
  const date = new Date(ms);
  const dayOfYear = (ms - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY;
  return 1 - (0.28 * (dayOfYear - 45)) / 275;
}

/**
 * Conversion noise is bounded (±3.5%) and applied to ≥400 leads a day, so no day but `dropDay`
 * can fall more than 10% below the day before.
 * @param {{ seed?: number, start?: string, days?: number, dropDay?: number }} [options]
 *   dropDay: 0-based index of the incident day (default ~2/3 through); -1 for none
 * @returns {DailyKpi[]}
 */
export function generateDailyKpis({ seed = 1, start = '2026-01-05', days = 90, dropDay = Math.round((days * 2) / 3) } = {}) {
  const rng = createRng(seed);
  const startMs = parseDay(start);
  /** @type {DailyKpi[]} */
  const rows = [];

  for (let d = 0; d < days; d++) {
    const ms = startMs + d * DAY;
    const trend = d / days; // gentle growth over the period
    const leads = Math.round(1500 * WEEKDAY_VOLUME[new Date(ms).getUTCDay()] * (1 + 0.15 * trend) * (1 + 0.05 * normalish(rng)));
    const rate = 0.13 * (1 + 0.04 * trend) * (1 + 0.01 * normalish(rng)) * (d === dropDay ? DROP : 1);
    const opportunities = Math.round(leads * rate);
    const wins = Math.round(opportunities * 0.24 * (1 + 0.05 * normalish(rng)));
    const avgDealSize = Math.round(lognormal(rng, 185_000, 0.1) / 1000) * 1000;
    const revenue = wins * avgDealSize;
    rows.push({
      date: new Date(ms).toISOString().slice(0, 10),
      leads,
      opportunities,
      wins,
      revenue,
      collected: Math.round(revenue * (0.78 + 0.03 * normalish(rng))),
      conversionRate: round4(opportunities / leads),
      winRate: opportunities ? round4(wins / opportunities) : 0,
      avgDealSize,
      cycleDays: Math.round((48 + 2.5 * normalish(rng)) * 10) / 10,
      cost: Math.round(leads * 80 * costSeason(ms) * (1 + 0.04 * normalish(rng))),
    });
  }
  return rows;
}
