/**
 * Contour lines by marching squares, and the choice of levels (pure; no DOM).
 *
 * A grid is `values` (array-like, row-major) of ny rows by nx columns: values[row * nx + col], row 0 first
 * (for a loss surface, row k is beta[k] and column k is alpha[k]). Lines come back in grid coordinates:
 * x = fractional column, y = fractional row; map them to the axes with the axes' own scale.
 * A cell with a non-finite corner (a diverged region) draws nothing, so lines end at its edge.
 */

import { excessLogScale, extent } from "./scales.js";

/**
 * The contour lines of the grid at `level`: [{points: [[x, y], ...], closed}] where a closed ring repeats
 * its first point at the end. A corner counts as inside when its value is ≥ level. Saddle cells are split
 * by the mean of their four corners.
 */
export function contourLines(values, nx, ny, level) {
  if (nx < 2 || ny < 2) return [];
  const segments = cellSegments(values, nx, ny, level);
  return linkSegments(segments, nx, ny);
}

/** contourLines for each level: [{level, lines}]. */
export function contours(values, nx, ny, levels) {
  return levels.map((level) => ({ level, lines: contourLines(values, nx, ny, level) }));
}

// Edge ids: the horizontal edge from (c, r) to (c + 1, r) is r * nx + c; the vertical edge from (c, r) to
// (c, r + 1) is nx * ny + r * nx + c. Each crossing lies on one edge shared by at most two cells.
function cellSegments(values, nx, ny, level) {
  const segments = [];
  const vertical = nx * ny;
  for (let r = 0; r < ny - 1; r++) {
    for (let c = 0; c < nx - 1; c++) {
      const bl = values[r * nx + c];
      const br = values[r * nx + c + 1];
      const tl = values[(r + 1) * nx + c];
      const tr = values[(r + 1) * nx + c + 1];
      if (!(Number.isFinite(bl) && Number.isFinite(br) && Number.isFinite(tl) && Number.isFinite(tr))) continue;
      const index = (tl >= level ? 8 : 0) | (tr >= level ? 4 : 0) | (br >= level ? 2 : 0) | (bl >= level ? 1 : 0);
      if (index === 0 || index === 15) continue;
      const bottom = r * nx + c;
      const top = (r + 1) * nx + c;
      const left = vertical + r * nx + c;
      const right = vertical + r * nx + c + 1;
      const pairs = CASES[index];
      if (pairs === SADDLE_5 || pairs === SADDLE_10) {
        const centreInside = (bl + br + tl + tr) / 4 >= level;
        // Case 5 (bl, tr inside): a centre inside joins them, so the lines cut off tl and br.
        const join = index === 5 ? centreInside : !centreInside;
        const cut = join ? [["left", "top"], ["bottom", "right"]] : [["left", "bottom"], ["top", "right"]];
        for (const [e1, e2] of cut) segments.push(segment(e1, e2));
      } else {
        for (const [e1, e2] of pairs) segments.push(segment(e1, e2));
      }

      function segment(e1, e2) {
        return [crossing(e1), crossing(e2)];
      }
      function crossing(edge) {
        switch (edge) {
          case "bottom": return { id: bottom, x: c + fraction(bl, br), y: r };
          case "top": return { id: top, x: c + fraction(tl, tr), y: r + 1 };
          case "left": return { id: left, x: c, y: r + fraction(bl, tl) };
          default: return { id: right, x: c + 1, y: r + fraction(br, tr) };
        }
      }
    }
  }
  return segments;

  function fraction(a, b) {
    return a === b ? 0.5 : (level - a) / (b - a);
  }
}

const SADDLE_5 = "saddle5";
const SADDLE_10 = "saddle10";
// Bits: tl 8, tr 4, br 2, bl 1. Each entry lists the edge pairs a line crosses in that cell.
const CASES = [
  [],
  [["left", "bottom"]],
  [["bottom", "right"]],
  [["left", "right"]],
  [["top", "right"]],
  SADDLE_5,
  [["bottom", "top"]],
  [["left", "top"]],
  [["left", "top"]],
  [["bottom", "top"]],
  SADDLE_10,
  [["top", "right"]],
  [["left", "right"]],
  [["bottom", "right"]],
  [["left", "bottom"]],
  [],
];

function linkSegments(segments) {
  const byEdge = new Map();
  segments.forEach((seg, k) => {
    for (const p of seg) {
      const list = byEdge.get(p.id);
      if (list) list.push(k);
      else byEdge.set(p.id, [k]);
    }
  });
  const used = new Uint8Array(segments.length);
  const lines = [];
  const walk = (start, fromId) => {
    // Follows segments from `start`, entering it at edge `fromId`, until the chain ends or closes.
    const points = [];
    let k = start;
    let enter = fromId;
    const first = segments[start].find((p) => p.id === fromId);
    points.push([first.x, first.y]);
    for (;;) {
      used[k] = 1;
      const seg = segments[k];
      const exit = seg[0].id === enter ? seg[1] : seg[0];
      points.push([exit.x, exit.y]);
      const next = (byEdge.get(exit.id) || []).find((m) => !used[m]);
      if (next === undefined) {
        const closed = exit.id === fromId && points.length > 2;
        return { points, closed };
      }
      k = next;
      enter = exit.id;
    }
  };
  // Open lines first: they start at an edge crossed by only one segment (the grid's border, or a NaN cell).
  for (const [id, list] of byEdge) {
    if (list.length === 1 && !used[list[0]]) lines.push(walk(list[0], id));
  }
  for (let k = 0; k < segments.length; k++) {
    if (!used[k]) {
      const line = walk(k, segments[k][0].id);
      line.closed = true;
      lines.push(line);
    }
  }
  return lines;
}

/** `count` levels spaced evenly in log between lo and hi (both > 0), ends included. */
export function logLevels(lo, hi, count) {
  if (count === 1) return [Math.sqrt(lo * hi)];
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: count }, (_, k) => Math.exp(a + ((b - a) * k) / (count - 1)));
}

/** `count` levels spaced evenly strictly inside (lo, hi). */
export function linearLevels(lo, hi, count) {
  return Array.from({ length: count }, (_, k) => lo + ((hi - lo) * (k + 1)) / (count + 1));
}

/**
 * Contour levels for a loss surface: `count` levels strictly between its minimum and maximum, evenly spaced in
 * the log of the excess over the minimum (scales.js's excessLogScale, the same map the heatmap's colours use),
 * so the valley floor, where descent happens, gets its share of lines. [] for a flat or empty surface.
 */
export function surfaceLevels(values, count = 12, floorRatio = 1e-3) {
  const range = extent(values);
  if (!range || !(range[1] > range[0])) return [];
  const map = excessLogScale(range[0], range[1], floorRatio);
  return Array.from({ length: count }, (_, k) => map.invert((k + 1) / (count + 1)));
}
