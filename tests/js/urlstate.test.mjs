import assert from "node:assert/strict";
import { test } from "node:test";

import { linkableConfig, parseHash, parseParam, PROPERTIES, serializeHash, viewerHash } from "../../static/js/urlstate.js";

const FULL = {
  session: "k3J-x_9",
  config: {
    dataset: "spiral",
    noise: 0.15,
    n_points: 400,
    test_fraction: 0.3,
    sizes: [8, 8],
    activations: ["tanh", "relu", "sigmoid"],
    loss: "bce",
    optimizer: "adam",
    batch_size: 10,
    seed: 42,
    hyper: { lr: 0.003, beta1: 0.85, beta2: 0.999, eps: 1e-8, weight_decay: 0 },
  },
  view: {
    speed: 30,
    show_test: false,
    log_scale: true,
    surface: "weights",
    surface_params: [{ kind: "weight", layer: 0, i: 1, j: 2 }, { kind: "bias", layer: 1, j: 0 }],
  },
};

test("a full setup survives serialize then parse unchanged", () => {
  const back = parseHash(serializeHash(FULL));
  assert.deepEqual(back.problems, []);
  assert.equal(back.session, FULL.session);
  assert.deepEqual(back.config, FULL.config);
  assert.deepEqual(back.view, FULL.view);
});

test("the hash reads as plain words a person could edit", () => {
  const hash = serializeHash({ config: { dataset: "xor", sizes: [4, 2], batch_size: null, hyper: { lr: 0.03 } } });
  assert.equal(hash, "#dataset=xor&sizes=4,2&batch_size=all&lr=0.03");
});

test("the full batch, the fastest speed and no hidden layers round-trip", () => {
  const setup = { config: { batch_size: null, sizes: [], activations: "linear" }, view: { speed: null } };
  const back = parseHash(serializeHash(setup));
  assert.deepEqual(back.config, setup.config);
  assert.deepEqual(back.view, setup.view);
});

test("an empty hash means the server's defaults", () => {
  assert.deepEqual(parseHash(""), { session: null, key: null, config: {}, view: {}, problems: [] });
  assert.deepEqual(parseHash("#"), { session: null, key: null, config: {}, view: {}, problems: [] });
  assert.equal(serializeHash({}), "");
});

test("bad values and unknown keys are ignored and named", () => {
  const back = parseHash("#lr=fast&sizes=8,x&colour=red&noise=3&dataset=circle&batch_size=0");
  assert.deepEqual(back.config, { dataset: "circle" });
  assert.equal(back.problems.length, 5);
  assert.match(back.problems.join("\n"), /lr: "fast" is not a valid value/);
  assert.match(back.problems.join("\n"), /colour: not a setting/);
});

test("names with markup or spaces are refused", () => {
  const back = parseHash("#dataset=%3Cscript%3E&session=a%20b");
  assert.deepEqual(back.config, {});
  assert.equal(back.session, null);
});

test("a viewer link carries the session id and never a token", () => {
  assert.equal(viewerHash("abc_D-9"), "#session=abc_D-9");
  assert.ok(!PROPERTIES.some((p) => p.name === "token"));
});

test("surface axes are written w<layer>.<i>.<j> and b<layer>.<j>", () => {
  assert.deepEqual(parseParam("w2.0.7"), { kind: "weight", layer: 2, i: 0, j: 7 });
  assert.deepEqual(parseParam("b0.3"), { kind: "bias", layer: 0, j: 3 });
  assert.equal(parseParam("w1.2"), undefined);
});

test("linkableConfig keeps the table's fields and the optimizer's own settings", () => {
  const server = {
    dataset: "circle", sizes: [8, 8], preset: null, extra: 1,
    hyper: { lr: 0.1, momentum: 0.9, beta1: 0.9, weight_decay: 0, eps: null },
  };
  assert.deepEqual(linkableConfig(server, ["lr", "momentum", "weight_decay"]), {
    dataset: "circle", sizes: [8, 8], hyper: { lr: 0.1, momentum: 0.9, weight_decay: 0 },
  });
});

test("settings the server reports as null (never given) stay out of the link", () => {
  const server = { dataset: "circle", batch_size: null, hyper: { lr: 0.03, momentum: 0.9, weight_decay: null } };
  const config = linkableConfig(server, ["lr", "momentum", "weight_decay"]);
  assert.deepEqual(config, { dataset: "circle", batch_size: null, hyper: { lr: 0.03, momentum: 0.9 } });
  assert.equal(serializeHash({ config }), "#dataset=circle&batch_size=all&lr=0.03&momentum=0.9");
});

test("every property has a parser and a formatter that agree", () => {
  const samples = { string: "abc", number: 0.5, int: 5, bool: true, ints: [1, 2], names: "tanh", batch: 5, speed: 10,
    params: [{ kind: "bias", layer: 0, j: 1 }] };
  for (const p of PROPERTIES) {
    const value = samples[p.type];
    assert.notEqual(value, undefined, `no sample for type ${p.type}`);
    const setup = p.group === "session" ? { session: value }
      : p.group === "config" ? { config: { [p.name]: value } }
        : p.group === "hyper" ? { config: { hyper: { [p.name]: value } } } : { view: { [p.name]: value } };
    const back = parseHash(serializeHash(setup));
    assert.deepEqual(back.problems, [], p.name);
  }
});
