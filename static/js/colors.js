/**
 * Colour scales as pure functions (no DOM): value → [r, g, b] and → CSS string.
 *
 * - Diverging: ColorBrewer's PuOr, 11 classes (Cynthia Brewer, colorbrewer2.org; listed there as colour-blind
 *   safe). Orange for negative (below the middle), purple for positive, near-white at the middle. Used for o, δ,
 *   weights, biases, and the network's output on the decision map.
 * - Sequential: matplotlib's viridis (van der Walt & Smith, 2015), 9 evenly spaced stops, for loss surfaces:
 *   perceptually uniform, readable in greyscale and with colour-vision deficiencies.
 * - Categorical: Okabe & Ito's colour-universal-design palette, for more than two classes.
 */

export const PUOR = [
  "#7f3b08", "#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7",
  "#d8daeb", "#b2abd2", "#8073ac", "#542788", "#2d004b",
];

export const VIRIDIS = [
  "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725",
];

/** Okabe–Ito, black left out (it reads as "no class"); cycles past seven classes. */
export const OKABE_ITO = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"];

/** The colour for a missing or non-finite number. */
export const MISSING = [187, 187, 187];

/** "#rrggbb" → [r, g, b] (0..255). */
export function hexToRgb(hex) {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((k) => Number.parseInt(h.slice(k, k + 2), 16));
}

const PUOR_RGB = PUOR.map(hexToRgb);
const VIRIDIS_RGB = VIRIDIS.map(hexToRgb);
const CLASS_RGB = OKABE_ITO.map(hexToRgb);

/** Piecewise-linear interpolation through evenly spaced RGB stops at t in [0, 1] (clamped); integers 0..255. */
export function interpolateStops(stops, t) {
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  const u = t * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(u));
  const f = u - k;
  const a = stops[k];
  const b = stops[k + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** [r, g, b] → "rgb(r, g, b)". */
export function rgbCss(rgb) {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

/** Mixes `rgb` towards white: amount 0 keeps it, 1 gives white. */
export function mixWithWhite(rgb, amount) {
  return rgb.map((c) => Math.round(c + (255 - c) * amount));
}

/**
 * The diverging scale over domain [lo, hi] (middle at their mean) or [lo, mid, hi].
 * scale(v) → [r, g, b]; scale.css(v) → CSS string; scale.t(v) → position in [0, 1] (0.5 at mid);
 * scale.domain → [lo, mid, hi]. Non-finite values give MISSING.
 */
export function divergingScale(domain = [-1, 1]) {
  const [lo, mid, hi] = domain.length === 3 ? domain : [domain[0], (domain[0] + domain[1]) / 2, domain[1]];
  const t = (v) => {
    if (v < mid) return mid > lo ? Math.max(0, 0.5 * (v - lo) / (mid - lo)) : 0;
    if (v > mid) return hi > mid ? Math.min(1, 0.5 + (0.5 * (v - mid)) / (hi - mid)) : 1;
    return 0.5;
  };
  return makeScale(PUOR_RGB, t, [lo, mid, hi]);
}

/**
 * The sequential (viridis) scale over [lo, hi]; `transform` (optional) maps a value to t in [0, 1] itself,
 * e.g. `excessLogScale` from scales.js for log-scaled loss.
 */
export function sequentialScale(domain = [0, 1], transform = null) {
  const [lo, hi] = domain;
  const t = transform ?? ((v) => (hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0));
  return makeScale(VIRIDIS_RGB, t, [lo, hi]);
}

function makeScale(stops, t, domain) {
  const scale = (v) => (Number.isFinite(v) ? interpolateStops(stops, t(v)) : MISSING.slice());
  scale.t = t;
  scale.css = (v) => rgbCss(scale(v));
  scale.domain = domain;
  scale.stops = stops;
  /**
   * n colours along t = 0..1 as RGBA bytes, then MISSING: ((n + 1) × 4) bytes, for painting a grid in one
   * pass (plotmath.js's tableOffset finds a t's entry). `lighten` mixes every colour towards white.
   */
  scale.table = (n = 256, lighten = 0) => {
    const out = new Uint8ClampedArray((n + 1) * 4);
    for (let k = 0; k <= n; k++) {
      const rgb = mixWithWhite(k < n ? interpolateStops(stops, k / (n - 1)) : MISSING, lighten);
      out.set([rgb[0], rgb[1], rgb[2], 255], k * 4);
    }
    return out;
  };
  return scale;
}

/**
 * The colour of a weight or bias by its sign, its depth growing with |w| up to `ref`; never paler than a
 * quarter of the way from white, so a small weight's sign still shows.
 */
export function signColor(w, ref = 3) {
  if (!Number.isFinite(w)) return MISSING.slice();
  const depth = 0.25 + 0.75 * Math.min(1, Math.abs(w) / ref);
  return interpolateStops(PUOR_RGB, 0.5 + (w < 0 ? -0.5 : 0.5) * depth);
}

/** The colour of class k (0-based). With two classes, the ends of the diverging scale (0 orange, 1 purple). */
export function classColor(k, classes = 3) {
  if (classes <= 2) return k === 0 ? PUOR_RGB[1].slice() : PUOR_RGB[9].slice();
  return CLASS_RGB[k % CLASS_RGB.length].slice();
}

/**
 * The colour of a grid cell whose most likely class is k with probability p among K classes:
 * the class colour, paler as p falls towards 1/K (a coin toss), full at p = 1.
 */
export function confidenceColor(k, p, K) {
  const chance = 1 / K;
  const sure = Math.max(0, Math.min(1, (p - chance) / (1 - chance)));
  return mixWithWhite(classColor(k, K), 0.85 * (1 - sure));
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x (x > 0). */
export function niceCeil(x) {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const v = Number.parseFloat((m * power).toPrecision(12));
    if (v >= x * (1 - 1e-12)) return v;
  }
  return 10 * power;
}

/**
 * A symmetric domain [-m, m] around 0 covering every finite value in `arrays` (array-likes), m rounded up
 * by niceCeil and at least `floor`. Colours stay put while values move within it.
 */
export function symmetricDomain(arrays, floor = 1) {
  let m = 0;
  for (const values of arrays) {
    if (!values) continue;
    for (let k = 0; k < values.length; k++) {
      const a = Math.abs(values[k]);
      if (a > m && Number.isFinite(a)) m = a;
    }
  }
  const top = niceCeil(Math.max(m, floor));
  return [-top, top];
}

/** A CSS linear-gradient (left to right) through n evenly spaced colours of `scale` (by position t, 0..1). */
export function legendGradient(scale, n = 11, lighten = 0) {
  const parts = [];
  for (let k = 0; k < n; k++) {
    const f = k / (n - 1);
    parts.push(`${rgbCss(mixWithWhite(interpolateStops(scale.stops, f), lighten))} ${(f * 100).toFixed(1)}%`);
  }
  return `linear-gradient(to right, ${parts.join(", ")})`;
}

/**
 * Where labelled values sit on a legend bar: [{value, offset}] with offset = scale.t(value) in [0, 1].
 * Without `values`, the domain's ends (and the middle of a diverging scale).
 */
export function legendTicks(scale, values = scale.domain) {
  return values.map((value) => ({ value, offset: scale.t(value) }));
}
