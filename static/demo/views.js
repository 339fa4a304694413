// Feeds the drawing modules with fake but honest data (a small tanh network trained in plain JS) so they can
// be looked at without the server. Not part of the app.
import { createDecisionMap } from "../js/heatmap.js";
import { createLossChart } from "../js/losschart.js";
import { createNetworkView } from "../js/network.js";
import { createSurfaceView } from "../js/surface.js";

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const random = rng(7);
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());

// -- a 2-8-8-1 tanh network, one example per update, phases as the engine runs them ----------------------
const sizes = [2, 8, 8, 1];
const L = sizes.length - 1;
const weights = [];
const biases = [];
for (let l = 0; l < L; l++) {
  weights.push(Float64Array.from({ length: sizes[l] * sizes[l + 1] }, () => gauss() / Math.sqrt(sizes[l]) * 1.4));
  biases.push(Float64Array.from({ length: sizes[l + 1] }, () => gauss() * 0.2));
}
const eta = 0.05;
let picked = [];
let example = { x: [0.4, -0.7], t: 1 };
let net = [];
let o = [];
let delta = new Array(L).fill(undefined);
let gradWeights = new Array(L).fill(undefined);
let gradBiases = new Array(L).fill(undefined);
let changeWeights = new Array(L).fill(undefined);
let changeBiases = new Array(L).fill(undefined);
let phase = { kind: "idle", layer: null };

function forward(x) {
  net = [Float64Array.from(x)];
  o = [Float64Array.from(x)];
  for (let l = 0; l < L; l++) {
    const n = sizes[l + 1];
    const z = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = biases[l][j];
      for (let i = 0; i < sizes[l]; i++) s += weights[l][i * n + j] * o[l][i];
      z[j] = s;
    }
    net.push(z);
    o.push(z.map(Math.tanh));
  }
}

function backwardLayer(l) {
  const n = sizes[l + 1];
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const out = o[l + 1][j];
    let back;
    if (l === L - 1) back = out - example.t;
    else {
      back = 0;
      const m = sizes[l + 2];
      for (let k = 0; k < m; k++) back += weights[l + 1][j * m + k] * delta[l + 1][k];
    }
    d[j] = back * (1 - out * out);
  }
  delta[l] = d;
  gradBiases[l] = Float64Array.from(d);
  gradWeights[l] = new Float64Array(sizes[l] * n);
  for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < n; j++) gradWeights[l][i * n + j] = d[j] * o[l][i];
}

function nextPhase() {
  if (phase.kind === "idle" || phase.kind === "update") {
    const angle = random() * 2 * Math.PI;
    const r = random() * 1.1;
    example = { x: [r * Math.cos(angle), r * Math.sin(angle)], t: r < 0.55 ? 1 : -1 };
    forward(example.x);
    delta = new Array(L).fill(undefined);
    gradWeights = new Array(L).fill(undefined);
    gradBiases = new Array(L).fill(undefined);
    phase = { kind: "forward", layer: null };
  } else if (phase.kind === "forward" || (phase.kind === "backward" && phase.layer > 0)) {
    const l = phase.kind === "forward" ? L - 1 : phase.layer - 1;
    backwardLayer(l);
    phase = { kind: "backward", layer: l };
  } else {
    for (let l = 0; l < L; l++) {
      changeWeights[l] = gradWeights[l].map((g) => -eta * g);
      changeBiases[l] = gradBiases[l].map((g) => -eta * g);
      weights[l] = weights[l].map((w, k) => w + changeWeights[l][k]);
      biases[l] = biases[l].map((b, k) => b + changeBiases[l][k]);
    }
    phase = { kind: "update", layer: null };
  }
}

function networkState() {
  return { sizes, activations: "tanh", weights, biases, net, o, delta, gradWeights, gradBiases, changeWeights, changeBiases, phase, picked };
}

const networkView = createNetworkView(document.getElementById("network"), {
  onPick(param) {
    const key = JSON.stringify(param);
    picked = picked.some((p) => JSON.stringify(p) === key) ? picked.filter((p) => JSON.stringify(p) !== key) : [...picked, param].slice(-2);
    networkView.update(networkState());
  },
});
forward(example.x);
networkView.update(networkState());

const phaseLabel = document.getElementById("phase");
function showPhase() {
  phaseLabel.textContent = phase.kind === "backward" ? `backward, layer ${phase.layer}` : phase.kind;
}
document.getElementById("next-phase").addEventListener("click", () => {
  nextPhase();
  networkView.update(networkState());
  showPhase();
});

// -- the worked 2-2-2 example: its real numbers after the forward pass and the output layer's δ ----------
{
  const w = [Float64Array.from([0.15, 0.25, 0.2, 0.3]), Float64Array.from([0.4, 0.5, 0.45, 0.55])];
  const b = [Float64Array.from([0.35, 0.35]), Float64Array.from([0.6, 0.6])];
  const logistic = (z) => 1 / (1 + Math.exp(-z));
  const x = Float64Array.from([0.05, 0.1]);
  const t = [0.01, 0.99];
  const nets = [x];
  const outs = [x];
  for (let l = 0; l < 2; l++) {
    const z = Float64Array.from([0, 1], (j) => b[l][j] + outs[l][0] * w[l][j] + outs[l][1] * w[l][2 + j]);
    nets.push(z);
    outs.push(z.map(logistic));
  }
  const d1 = Float64Array.from([0, 1], (j) => (outs[2][j] - t[j]) * outs[2][j] * (1 - outs[2][j]));
  const g1 = Float64Array.from([0, 1, 2, 3], (k) => d1[k % 2] * outs[1][Math.floor(k / 2)]);
  const view = createNetworkView(document.getElementById("network222"));
  view.update({
    sizes: [2, 2, 2], activations: "logistic", weights: w, biases: b, net: nets, o: outs,
    delta: [undefined, d1], gradWeights: [undefined, g1], gradBiases: [undefined, d1], changeWeights: [], changeBiases: [],
    phase: { kind: "backward", layer: 1 }, picked: [{ kind: "weight", layer: 1, i: 0, j: 0 }],
  });
  window.worked = view;
}

// -- decision maps ----------------------------------------------------------------------------------------
const r = 64;
const domain = [-1.2, 1.2, -1.2, 1.2];
const at = (k) => domain[0] + ((domain[1] - domain[0]) * k) / (r - 1);
function gridOf(f, K = 1) {
  const values = new Float32Array(r * r * K);
  for (let row = 0; row < r; row++) {
    for (let col = 0; col < r; col++) {
      const v = f(at(col), at(row));
      if (K === 1) values[row * r + col] = v;
      else values.set(v, (row * r + col) * K);
    }
  }
  return values;
}
function sample(n, label) {
  const x = [];
  const y = [];
  for (let k = 0; k < n; k++) {
    const p = [random() * 2.2 - 1.1, random() * 2.2 - 1.1];
    x.push(p);
    y.push(label(p));
  }
  return { x, y };
}

const decision = createDecisionMap(document.getElementById("decision"));
const circle = ([a, b]) => (Math.hypot(a, b) + 0.08 * gauss() < 0.6 ? 1 : 0);
decision.setPoints({ train: sample(160, circle), test: sample(50, circle), classes: 2, kind: "classification" });
decision.update({ resolution: r, domain, values: gridOf((a, b) => Math.tanh(5 * (0.6 - Math.hypot(a, b - 0.05)))), classes: 2, outputRange: [-1, 1] });
document.getElementById("show-test").addEventListener("change", (e) => decision.showTest(e.target.checked));

const decision3 = createDecisionMap(document.getElementById("decision3"));
const centres = [[-0.5, -0.4], [0.55, -0.3], [0, 0.6]];
const nearest = (p) => centres.map((c) => -Math.hypot(p[0] - c[0], p[1] - c[1]));
const softmax = (z) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const blob = (n) => {
  const x = [];
  const y = [];
  for (let k = 0; k < n; k++) {
    const c = k % 3;
    x.push([centres[c][0] + 0.25 * gauss(), centres[c][1] + 0.25 * gauss()]);
    y.push(c);
  }
  return { x, y };
};
decision3.setPoints({ train: blob(150), test: blob(45), classes: 3, kind: "classification" });
decision3.showTest(true);
decision3.update({ resolution: r, domain, values: gridOf((a, b) => softmax(nearest([a, b]).map((v) => 6 * v)), 3), classes: 3, outputRange: [0, 1] });

const regression = createDecisionMap(document.getElementById("decision-reg"));
const wave = (a, b) => Math.sin(2.2 * a) * Math.cos(1.8 * b);
const regSample = (n) => {
  const s = sample(n, ([a, b]) => [wave(a, b) + 0.05 * gauss()]);
  return s;
};
regression.setPoints({ train: regSample(120), test: regSample(30), classes: 0, kind: "regression" });
regression.update({ resolution: r, domain, values: gridOf((a, b) => 0.9 * wave(a, b)), classes: 0, outputRange: [-1, 1] });

// -- loss charts ------------------------------------------------------------------------------------------
const loss = createLossChart(document.getElementById("loss"), { capacity: 2000 });
let step = 0;
function lossAt(k) {
  const train = 0.45 * Math.exp(-k / 700) + 0.03 + 0.015 * Math.abs(gauss()) * Math.exp(-k / 3000);
  const test = 0.47 * Math.exp(-k / 800) + 0.05 + 0.01 * Math.abs(gauss());
  return [train, test];
}
function appendLoss(n) {
  const steps = [];
  const train = [];
  const test = [];
  for (let k = 0; k < n; k++) {
    step += 1;
    const [a, b] = lossAt(step);
    steps.push(step);
    train.push(a);
    test.push(b);
  }
  loss.append(steps, train, test);
}
appendLoss(5000);
document.getElementById("log-scale").addEventListener("change", (e) => loss.setLogScale(e.target.checked));

const lossNoTest = createLossChart(document.getElementById("loss-notest"));
lossNoTest.setLogScale(true);
lossNoTest.append(
  Array.from({ length: 400 }, (_, k) => k * 5),
  Array.from({ length: 400 }, (_, k) => 2 * Math.exp(-k / 40) + 1e-4),
  Array.from({ length: 400 }, () => Number.NaN),
);

// -- loss surfaces ----------------------------------------------------------------------------------------
const surface = createSurfaceView(document.getElementById("surface"));
{
  const na = 81;
  const nb = 71;
  const alpha = Float64Array.from({ length: na }, (_, k) => -2 + (5 * k) / (na - 1));
  const beta = Float64Array.from({ length: nb }, (_, k) => -2 + (4.5 * k) / (nb - 1));
  const E = (a, b) => 0.5 * (a + b - 1) ** 2 + 0.04 * (a - b) ** 2 + 0.15 * Math.sin(2 * a) ** 2 + 0.02;
  const grad = (a, b) => [(a + b - 1) + 0.08 * (a - b) + 0.6 * Math.sin(2 * a) * Math.cos(2 * a), (a + b - 1) - 0.08 * (a - b)];
  const lossGrid = new Float32Array(na * nb);
  for (let j = 0; j < nb; j++) for (let i = 0; i < na; i++) lossGrid[j * na + i] = E(alpha[i], beta[j]);
  const pathList = [];
  let p = [-1.6, 2.1];
  let v = [0, 0];
  for (let k = 0; k < 9; k++) {
    pathList.push(...p);
    const g = grad(...p);
    v = [0.8 * v[0] - 0.12 * g[0], 0.8 * v[1] - 0.12 * g[1]];
    p = [p[0] + v[0], p[1] + v[1]];
  }
  surface.update({
    kind: "weights",
    description: "E over weights[0][0, 2] (across) and weights[1][2, 0] (up); every other weight and bias held at its current value, so this slice moves as they move.",
    axes: ["weights[0][0, 2], from neuron 0 of layer 0 to neuron 2 of layer 1", "weights[1][2, 0], from neuron 2 of layer 1 to neuron 0 of layer 2"],
    alpha, beta, loss: lossGrid, path: Float64Array.from(pathList), current: pathList.slice(-2),
  });
  const g = grad(...p);
  surface.setPoint(p, [-g[0], -g[1]]);
  window.surfaceDemo = { E, grad, p, v };
}

const curve = createSurfaceView(document.getElementById("surface-curve"));
{
  const f = (x) => x ** 4 - 3 * x ** 3 + 2;
  const df = (x) => 4 * x ** 3 - 9 * x ** 2;
  const n = 240;
  const alpha = Float64Array.from({ length: n }, (_, k) => -1 + (5.5 * k) / (n - 1));
  const lossRow = Float32Array.from(alpha, f);
  const iterates = [];
  let x = 4;
  for (let k = 0; k < 5; k++) {
    iterates.push(x);
    x -= 0.004 * df(x);
  }
  curve.update({
    kind: "curve",
    description: "f(x) = x⁴ − 3x³ + 2 and gradient descent on it from x = 4; the minimum is at x = 9/4.",
    axes: ["x"], alpha, beta: null, loss: lossRow, path: Float64Array.from(iterates), current: [iterates.at(-1)],
  });
  curve.setPoint([x], [-df(x)]);
}

createSurfaceView(document.getElementById("surface-empty"));

// -- play: phases at display rate, the loss chart and surface path growing -------------------------------
let playing = false;
function tick() {
  if (!playing) return;
  nextPhase();
  networkView.update(networkState());
  showPhase();
  appendLoss(3);
  const s = window.surfaceDemo;
  const g = s.grad(...s.p);
  s.v = [0.8 * s.v[0] - 0.12 * g[0], 0.8 * s.v[1] - 0.12 * g[1]];
  s.p = [s.p[0] + s.v[0], s.p[1] + s.v[1]];
  const g2 = s.grad(...s.p);
  surface.setPoint(s.p, [-g2[0], -g2[1]]);
  requestAnimationFrame(tick);
}
document.getElementById("play").addEventListener("click", (e) => {
  playing = !playing;
  e.target.textContent = playing ? "pause" : "play";
  if (playing) requestAnimationFrame(tick);
});

window.demo = { networkView, decision, loss, surface, curve, nextPhase: () => document.getElementById("next-phase").click() };
