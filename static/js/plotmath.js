/**
 * Pure helpers the canvas drawings share (no DOM): painting a grid into RGBA bytes in one pass, placing a
 * grid image so its pixel centres sit on the sample points, reading a sampled curve between samples, and
 * the geometry of an arrow.
 */

/**
 * Where to draw an n-sample image along one axis so that sample k's pixel centre lands on its coordinate:
 * samples at lo + k·(hi − lo)/(n − 1) mapped by `scale`. Returns [start, size] in pixels (size may be
 * negative for a y axis drawn upwards, as the canvas's drawImage accepts).
 */
export function cellAlignedSpan(lo, hi, n, scale) {
  if (n < 2) {
    const a = scale(lo - 0.5);
    return [a, scale(hi + 0.5) - a];
  }
  const half = (hi - lo) / (n - 1) / 2;
  const a = scale(lo - half);
  return [a, scale(hi + half) - a];
}

/**
 * Paints a grid of nx × ny values (row-major, row 0 = the bottom of the picture) into `out`, RGBA bytes of
 * an nx × ny image whose row 0 is the top (as ImageData is): out row (ny − 1 − r) gets grid row r.
 * `colorOffset(index)` returns the byte offset of grid cell `index`'s colour in `table` (RGBA bytes), so
 * each cell costs one lookup.
 */
export function paintGrid(nx, ny, colorOffset, table, out) {
  for (let r = 0; r < ny; r++) {
    const row = (ny - 1 - r) * nx;
    for (let c = 0; c < nx; c++) {
      const src = colorOffset(r * nx + c);
      const dst = (row + c) * 4;
      out[dst] = table[src];
      out[dst + 1] = table[src + 1];
      out[dst + 2] = table[src + 2];
      out[dst + 3] = table[src + 3];
    }
  }
  return out;
}

/**
 * The byte offset of t in [0, 1] in a colour table of n colours (RGBA) followed by one "missing" colour,
 * as colors.js's scale.table(n) builds it; NaN picks the missing colour.
 */
export function tableOffset(t, n) {
  if (Number.isNaN(t)) return n * 4;
  if (!(t >= 0)) return 0;
  return Math.min(n - 1, Math.round(t * (n - 1))) * 4;
}

/** y of a curve sampled at ascending xs, read at x by linear interpolation (clamped to the ends). */
export function interpolate(xs, ys, x) {
  const n = xs.length;
  if (n === 0) return NaN;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const f = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + f * (ys[hi] - ys[lo]);
}

/**
 * An arrow of `length` pixels from (x, y) in the direction (dx, dy) (pixels, y down), with a head of
 * `head` pixels: {tip: [x, y], left: [x, y], right: [x, y]}; null when the direction is zero or not finite, or
 * the tip is not away from (x, y) (a zero or non-finite length): nothing to draw.
 */
export function arrowGeometry(x, y, dx, dy, length, head = 8) {
  const norm = Math.hypot(dx, dy);
  if (!(norm > 0) || !Number.isFinite(norm)) return null;
  const ux = dx / norm;
  const uy = dy / norm;
  const tip = [x + ux * length, y + uy * length];
  if (!(Math.hypot(tip[0] - x, tip[1] - y) > 0)) return null;
  const back = [tip[0] - ux * head, tip[1] - uy * head];
  const side = head * 0.5;
  return { tip, left: [back[0] - uy * side, back[1] + ux * side], right: [back[0] + uy * side, back[1] - ux * side] };
}

/** The path a surface draws, as [[a, b], ...] (or [[x], ...] in 1-D) from a flat Float64Array (k × dims). */
export function pathPoints(flat, dims) {
  const points = [];
  if (!flat) return points;
  for (let k = 0; k + dims <= flat.length; k += dims) points.push(Array.from(flat.subarray ? flat.subarray(k, k + dims) : flat.slice(k, k + dims)));
  return points;
}

/**
 * A short axis name from the engine's labels (engine/names.py): a textbook name alone ("w5 (w from h₁ to ŷ₁)"
 * → "w5"); other labels are kept, or cut with an ellipsis past `max` characters.
 */
export function shortAxisLabel(label, max = 32) {
  const text = String(label ?? "");
  const textbook = /^(w\d+) \(w from /.exec(text);
  if (textbook) return textbook[1];
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}\u2026`;
}

/** The axis value at a fractional grid index f of evenly spaced samples from `first` to `last` (n samples). */
export function gridCoordinate(first, last, n, f) {
  return n > 1 ? first + ((last - first) * f) / (n - 1) : first;
}

/**
 * The length in pixels of a −∇E arrow whose slope is `magnitude` when the steepest on the slice is
 * `steepest`: from `shortest` (a flat spot; still clear of the current point's dot, since the direction is
 * the lesson) up to `longest` at the steepest, growing as the square root of the ratio. 0 (no arrow) only
 * when the slope is zero or not a number.
 */
export function descentArrowLength(magnitude, steepest, shortest = 22, longest = 52) {
  if (!(magnitude > 0) || !Number.isFinite(magnitude)) return 0;
  const ratio = steepest > 0 ? Math.min(1, magnitude / steepest) : 1;
  return shortest + (longest - shortest) * Math.sqrt(ratio);
}

/**
 * The steepest slope on a sampled surface, |∇E| in loss per parameter unit, from differences between
 * neighbouring samples: 1-D when `beta` is missing or has one value (loss has len(alpha) values), else over
 * the (len(beta), len(alpha)) grid. Non-finite samples are skipped; 0 when nothing is finite.
 */
export function steepestSlope(loss, alpha, beta = null) {
  const na = alpha.length;
  const nb = beta && beta.length > 1 ? beta.length : 1;
  let steepest = 0;
  for (let r = 0; r < nb; r++) {
    for (let c = 0; c < na; c++) {
      const v = loss[r * na + c];
      const gx = c + 1 < na ? (loss[r * na + c + 1] - v) / (alpha[c + 1] - alpha[c]) : 0;
      const gy = r + 1 < nb ? (loss[(r + 1) * na + c] - v) / (beta[r + 1] - beta[r]) : 0;
      const g = Math.hypot(gx, gy);
      if (g > steepest && Number.isFinite(g)) steepest = g;
    }
  }
  return steepest;
}
