// The setup in the URL hash, driven from one table of properties (as TF Playground's state.ts): each row names
// a property, its type, and where it lives (the session's config, its hyperparameters, or the page's view).
// parseHash and serializeHash are pure, so a link reproduces the setup and a test can round-trip it.

/**
 * type: "string" | "number" | "int" | "bool" | "ints" (comma list) | "names" (one name or a comma list) |
 *       "batch" (a whole number, or "all" for the full batch) | "params" (surface axes, e.g. "w0.1.2,b1.0") |
 *       "speed" (updates per second, or "max")
 * group: "config" (a field of `configure`), "hyper" (config.hyper), "view" (the page only).
 */
export const PROPERTIES = [
  { name: "session", type: "string", group: "session" },
  { name: "key", type: "string", group: "key" }, // a presenter link's secret: read, never written back
  { name: "preset", type: "string", group: "config" },
  { name: "dataset", type: "string", group: "config" },
  { name: "noise", type: "number", group: "config", min: 0, max: 1 },
  { name: "n_points", type: "int", group: "config", min: 4 },
  { name: "test_fraction", type: "number", group: "config", min: 0, max: 0.9 },
  { name: "sizes", type: "ints", group: "config", min: 1 },
  { name: "activations", type: "names", group: "config" },
  { name: "loss", type: "string", group: "config" },
  { name: "optimizer", type: "string", group: "config" },
  { name: "batch_size", type: "batch", group: "config", min: 1 },
  { name: "seed", type: "int", group: "config", min: 0, max: 2 ** 31 - 1 },
  { name: "data_seed", type: "int", group: "config", min: 0, max: 2 ** 31 - 1 },
  { name: "lr", type: "number", group: "hyper", min: 0 },
  { name: "momentum", type: "number", group: "hyper", min: 0, max: 1 },
  { name: "beta1", type: "number", group: "hyper", min: 0, max: 1 },
  { name: "beta2", type: "number", group: "hyper", min: 0, max: 1 },
  { name: "eps", type: "number", group: "hyper", min: 0 },
  { name: "rho", type: "number", group: "hyper", min: 0, max: 1 },
  { name: "weight_decay", type: "number", group: "hyper", min: 0 },
  { name: "speed", type: "speed", group: "view", min: 1 },
  { name: "show_test", type: "bool", group: "view" },
  { name: "log_scale", type: "bool", group: "view" },
  { name: "surface", type: "string", group: "view" },
  { name: "surface_params", type: "params", group: "view" },
  { name: "presenter_view", type: "bool", group: "view" },
];

const BY_NAME = new Map(PROPERTIES.map((p) => [p.name, p]));

function inRange(p, x) {
  return (p.min === undefined || x >= p.min) && (p.max === undefined || x <= p.max);
}

const NAME = /^[A-Za-z0-9_-]+$/;

// Each parser returns the value, or undefined when the text does not fit the type.
const PARSERS = {
  string: (text) => (NAME.test(text) ? text : undefined),
  number: (text, p) => {
    const x = text.trim() === "" ? NaN : Number(text);
    return Number.isFinite(x) && inRange(p, x) ? x : undefined;
  },
  int: (text, p) => {
    const x = /^-?\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(x) && inRange(p, x) ? x : undefined;
  },
  bool: (text) => ({ true: true, "1": true, false: false, "0": false })[text],
  ints: (text, p) => {
    if (text === "") return [];
    const xs = text.split(",").map((t) => PARSERS.int(t, p));
    return xs.every((x) => x !== undefined) ? xs : undefined;
  },
  names: (text) => {
    const names = text.split(",");
    if (!names.every((n) => NAME.test(n))) return undefined;
    return names.length === 1 ? names[0] : names;
  },
  batch: (text, p) => (text === "all" ? null : PARSERS.int(text, p)),
  speed: (text, p) => (text === "max" ? null : PARSERS.number(text, p)),
  params: (text) => {
    if (text === "") return [];
    const params = text.split(",").map(parseParam);
    return params.every((x) => x !== undefined) ? params : undefined;
  },
};

const FORMATTERS = {
  string: String,
  number: (x) => String(x),
  int: String,
  bool: (x) => (x ? "1" : "0"),
  ints: (xs) => xs.join(","),
  names: (x) => (Array.isArray(x) ? x.join(",") : x),
  batch: (x) => (x === null ? "all" : String(x)),
  speed: (x) => (x === null ? "max" : String(x)),
  params: (xs) => xs.map(formatParam).join(","),
};

/** "w0.1.2" is weights[0][1, 2] (w_ij from neuron 1 to neuron 2); "b1.0" is biases[1][0]. */
export function parseParam(text) {
  let m = /^w(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (m) return { kind: "weight", layer: Number(m[1]), i: Number(m[2]), j: Number(m[3]) };
  m = /^b(\d+)\.(\d+)$/.exec(text);
  if (m) return { kind: "bias", layer: Number(m[1]), j: Number(m[2]) };
  return undefined;
}

export function formatParam(p) {
  return p.kind === "weight" ? `w${p.layer}.${p.i}.${p.j}` : `b${p.layer}.${p.j}`;
}

/**
 * Read a location hash ("#dataset=xor&lr=0.03") into {session, config, view, problems}.
 * config holds `configure` fields (with `hyper` nested); only the properties present are set, so a short
 * link leaves the rest to the server's defaults. problems lists what was ignored, in plain words.
 */
export function parseHash(hash) {
  const out = { session: null, key: null, config: {}, view: {}, problems: [] };
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (text === "") return out;
  for (const part of text.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    let raw;
    try {
      raw = decodeURIComponent(eq < 0 ? "" : part.slice(eq + 1));
    } catch {
      out.problems.push(`${key}: could not read the value in the link`);
      continue;
    }
    const p = BY_NAME.get(key);
    if (!p) {
      out.problems.push(`${key}: not a setting this page knows; ignored`);
      continue;
    }
    const value = PARSERS[p.type](raw, p);
    if (value === undefined) {
      out.problems.push(`${key}: "${raw}" is not a valid value; ignored`);
      continue;
    }
    if (p.group === "session") out.session = value;
    else if (p.group === "key") out.key = value;
    else if (p.group === "config") out.config[p.name] = value;
    else if (p.group === "hyper") (out.config.hyper ??= {})[p.name] = value;
    else out.view[p.name] = value;
  }
  return out;
}

/** Write {session, config, view} as a hash, in the table's order; undefined values are left out. */
export function serializeHash({ session = null, config = {}, view = {} } = {}) {
  const parts = [];
  for (const p of PROPERTIES) {
    let value;
    if (p.group === "key") continue; // the presenter's secret stays out of the address bar
    if (p.group === "session") value = session ?? undefined;
    else if (p.group === "config") value = config[p.name];
    else if (p.group === "hyper") value = config.hyper?.[p.name];
    else value = view[p.name];
    if (value === undefined) continue;
    const text = encodeURIComponent(FORMATTERS[p.type](value)).replace(/%2C/g, ",");
    parts.push(`${p.name}=${text}`);
  }
  return parts.length ? `#${parts.join("&")}` : "";
}

/** The hash of a viewer link to a running session: its id and nothing else, never the control token. */
export function viewerHash(session) {
  return serializeHash({ session });
}

/**
 * Keep only the fields of a server config the URL carries (the server may report more, e.g. derived sizes).
 * `hyper` is restricted to the settings the optimizer takes when `hyperNames` is given.
 */
export function linkableConfig(config, hyperNames) {
  const out = {};
  for (const p of PROPERTIES) {
    if (p.group === "config" && config[p.name] !== undefined && config[p.name] !== "") out[p.name] = config[p.name];
    if (p.group === "hyper" && config.hyper?.[p.name] != null) { // null: a setting never given
      if (!hyperNames || hyperNames.includes(p.name)) (out.hyper ??= {})[p.name] = config.hyper[p.name];
    }
  }
  if (out.preset === null) delete out.preset;
  return out;
}
