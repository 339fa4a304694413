/**
 * The loss chart's data (pure; no DOM): a history of (step, train, test) that never grows past `capacity`.
 * When full it keeps every other point and from then on records every second one (then every fourth…),
 * as the engine's DecimatingLog does, so a long run keeps its whole shape in a bounded number of points.
 * The newest point is always kept as `last`, so the line reaches the present.
 */
export class DecimatingSeries {
  constructor(capacity = 4000) {
    if (!(capacity >= 4)) throw new Error(`capacity: expected at least 4 points, got ${capacity}`);
    // Even, so that after halving the point being added still falls on the doubled stride.
    capacity = 2 * Math.ceil(capacity / 2);
    this.capacity = capacity;
    this.steps = new Float64Array(capacity);
    this.train = new Float64Array(capacity);
    this.test = new Float64Array(capacity);
    this.clear();
  }

  clear() {
    this.length = 0;
    this.stride = 1;
    this.seen = 0;
    this.last = null;
  }

  /** Adds one point; non-finite losses are kept as NaN (a gap in the line). */
  push(step, train, test) {
    this.last = { step, train: finiteOrNaN(train), test: finiteOrNaN(test) };
    const keep = this.seen % this.stride === 0;
    this.seen += 1;
    if (!keep) return;
    if (this.length === this.capacity) this.halve();
    const k = this.length++;
    this.steps[k] = step;
    this.train[k] = this.last.train;
    this.test[k] = this.last.test;
  }

  halve() {
    const half = Math.ceil(this.length / 2);
    for (let k = 0; k < half; k++) {
      this.steps[k] = this.steps[2 * k];
      this.train[k] = this.train[2 * k];
      this.test[k] = this.test[2 * k];
    }
    this.length = half;
    this.stride *= 2;
    // The point being added sits on the doubled stride; the next one kept is `stride` pushes later.
    this.seen = 1;
  }

  /** The points to draw, the newest appended when decimation skipped it: {steps, train, test, length}. */
  view() {
    const n = this.length;
    const lastKept = n > 0 ? this.steps[n - 1] : NaN;
    if (!this.last || this.last.step === lastKept) {
      return { steps: this.steps.subarray(0, n), train: this.train.subarray(0, n), test: this.test.subarray(0, n), length: n };
    }
    const steps = new Float64Array(n + 1);
    const train = new Float64Array(n + 1);
    const test = new Float64Array(n + 1);
    steps.set(this.steps.subarray(0, n));
    train.set(this.train.subarray(0, n));
    test.set(this.test.subarray(0, n));
    steps[n] = this.last.step;
    train[n] = this.last.train;
    test[n] = this.last.test;
    return { steps, train, test, length: n + 1 };
  }
}

function finiteOrNaN(v) {
  return Number.isFinite(v) ? v : NaN;
}

/** The index in ascending `sorted` (first `length` entries) whose value is nearest to `x`; -1 when empty. */
export function nearestIndex(sorted, x, length = sorted.length) {
  if (length === 0) return -1;
  let lo = 0;
  let hi = length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(sorted[hi] - x) < Math.abs(sorted[lo] - x) ? hi : lo;
}

/**
 * The y range of the loss chart over the finite values of the given arrays. Linear: from 0 (loss is never
 * negative) to the maximum. Log: from the smallest positive value to the maximum; null when nothing to show.
 */
export function lossRange(arrays, log) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) return null;
  if (log) return [lo, hi];
  return [Math.min(0, lo), hi > 0 ? hi : 1];
}
