/**
 * Pure numeric helpers shared by the drawings: linear and log maps, tick values, number formatting,
 * and the "log of the excess over the minimum" map the loss surface uses for colour and contour levels.
 * No DOM here, so `node --test` can import it.
 */

/** A linear map from domain [d0, d1] to range [r0, r1]; `map.invert(p)` goes back. A zero-width domain maps to the range's middle. */
export function linearScale([d0, d1], [r0, r1]) {
  const span = d1 - d0;
  const map = (v) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
  map.invert = (p) => (r1 === r0 ? d0 : d0 + ((p - r0) / (r1 - r0)) * span);
  map.domain = [d0, d1];
  map.range = [r0, r1];
  return map;
}

/** A base-10 log map from a positive domain [d0, d1] to [r0, r1]; values ≤ 0 are clamped to d0. */
export function logScale([d0, d1], [r0, r1]) {
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const inner = linearScale([l0, l1], [r0, r1]);
  const map = (v) => inner(Math.log10(v > 0 ? v : d0));
  map.invert = (p) => 10 ** inner.invert(p);
  map.domain = [d0, d1];
  map.range = [r0, r1];
  return map;
}

/** The step between about `count` ticks in [lo, hi]: 1, 2 or 5 times a power of ten. */
export function tickStep(lo, hi, count = 5) {
  const raw = Math.abs(hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 0;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= 7.07 ? 10 : error >= 3.16 ? 5 : error >= 1.41 ? 2 : 1;
  return cleanFloat(factor * power);
}

/** Round tick values inside [lo, hi] (both ends included when they fall on a tick), ascending. */
export function niceTicks(lo, hi, count = 5) {
  if (lo > hi) [lo, hi] = [hi, lo];
  const step = tickStep(lo, hi, count);
  if (step === 0) return Number.isFinite(lo) ? [lo] : [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks = [];
  for (let k = first; k <= last; k++) ticks.push(cleanFloat(k * step));
  return ticks;
}

/** [lo, hi] widened outwards to the nearest ticks, for an axis that should start and end on a label. */
export function niceDomain(lo, hi, count = 5) {
  const step = tickStep(lo, hi, count);
  if (step === 0) return lo === 0 ? [-1, 1] : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  return [cleanFloat(Math.floor(lo / step + 1e-9) * step), cleanFloat(Math.ceil(hi / step - 1e-9) * step)];
}

/** Ticks for a log axis over [lo, hi] (lo > 0): powers of ten, with 2 and 5 between them when few decades show. */
export function logTicks(lo, hi) {
  const e0 = Math.floor(Math.log10(lo) + 1e-9);
  const e1 = Math.ceil(Math.log10(hi) - 1e-9);
  const decades = e1 - e0;
  const mantissas = decades <= 1 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
  const stride = Math.max(1, Math.ceil(decades / 6));
  const ticks = [];
  for (let e = e0; e <= e1; e++) {
    if ((e - e0) % stride !== 0 && mantissas.length === 1) continue;
    for (const m of mantissas) {
      const v = cleanFloat(m * 10 ** e);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/** The decade-aligned domain around a positive [lo, hi], for a log axis. */
export function logDomain(lo, hi) {
  const e0 = Math.floor(Math.log10(lo) + 1e-9);
  let e1 = Math.ceil(Math.log10(hi) - 1e-9);
  if (e1 <= e0) e1 = e0 + 1;
  return [10 ** e0, 10 ** e1];
}

/** Finite minimum and maximum of `values` (any array-like), or null when none is finite. */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi && Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : finiteExtent(values);
}

function finiteExtent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Maps v in [min, max] to t in [0, 1] by the log of its excess over the minimum:
 * t = log(1 + (v - min)/floor) / log(1 + (max - min)/floor), floor = (max - min) · floorRatio.
 * A loss surface's valley floor gets as much colour (and as many contour levels) as its steep walls.
 * `map.invert(t)` gives the value at t. Non-finite v maps to 1 (off the top).
 */
export function excessLogScale(min, max, floorRatio = 1e-3) {
  const span = max - min;
  const floor = span > 0 ? span * floorRatio : 1;
  const top = Math.log1p(span / floor);
  const map = (v) => {
    if (!Number.isFinite(v)) return 1;
    if (span <= 0) return 0;
    const t = Math.log1p(Math.max(0, v - min) / floor) / top;
    return t > 1 ? 1 : t;
  };
  map.invert = (t) => min + floor * Math.expm1(t * top);
  map.domain = [min, max];
  return map;
}

/** Drops binary noise from a computed tick (0.30000000000000004 → 0.3). */
export function cleanFloat(v) {
  return v === 0 ? 0 : Number.parseFloat(v.toPrecision(12));
}

const MINUS = "\u2212";

/** A tick label: as many decimals as `step` needs, a typographic minus; exponents for very small or large steps. */
export function formatTick(v, step = 0) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  let text;
  if (a >= 1e5 || (a < 1e-3 && a > 0)) {
    text = v.toExponential(Math.max(0, Math.min(3, significantDecimals(a)))).replace("e+", "e");
    text = text.replace(/\.?0+e/, "e");
  } else {
    const decimals = step > 0 ? Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9))) : 3;
    text = v.toFixed(decimals);
  }
  return text.replaceAll("-", MINUS);
}

function significantDecimals(a) {
  const digits = a.toPrecision(4).replace(/e.*/, "").replace(".", "").replace(/0+$/, "");
  return Math.max(0, digits.replace(/^0+/, "").length - 1);
}

/** A readable number with about `digits` significant digits (no trailing zeros; exponent when tiny or huge). */
export function formatNumber(v, digits = 4) {
  if (v === null || v === undefined) return "\u2014";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "\u221e" : "-\u221e";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number.parseFloat(v.toPrecision(digits)));
}

/** The number as a person checks it against a textbook: up to 10 significant digits, ASCII minus, no trailing zeros. */
export function formatExact(v) {
  return formatNumber(v, 10);
}

/** Whole numbers with thin grouping (12 345), for step counts. */
export function formatCount(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
}
