"""Fuzzing (issue 10): thousands of generated malformed messages over a real socket and over HTTP.

Each message is a valid one with exactly one thing wrong, so the field the error must name is known: a wrong
type, a huge or non-finite number, deep nesting, odd unicode, an unknown field, a binary or oversized frame.
None may drop the connection, and none may get an HTTP 500. The generator is seeded: a failure replays."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx

W = {"kind": "weight", "layer": 0, "i": 0, "j": 0}
CONFIG = {  # every setting a session takes, at valid values
    "dataset": "circle", "noise": 0.1, "n_points": 40, "test_fraction": 0.5, "sizes": [3, 2],
    "activations": "tanh", "loss": "mse", "optimizer": "sgd", "hyper": {"lr": 0.1}, "batch_size": 4,
    "seed": 1, "data_seed": 2,
}
VALID = {  # a valid message of each type (that would change the session, were it not spoilt)
    "configure": {k: v for k, v in CONFIG.items()},
    "speed": {"updates_per_second": 10},
    "set": {"lr": 0.05, "batch_size": 4},
    "select": {"example": 1},
    "surface": {"kind": "weights", "params": [W, {**W, "j": 1}], "seed": 0, "resolution": 10, "span": 1.0},
    "step": {}, "phase": {}, "reset": {}, "play": {}, "pause": {}, "regenerate": {}, "gradcheck": {},
}
FLOATS = {"noise", "test_fraction", "lr", "updates_per_second", "span"}
INTS = {"n_points", "batch_size", "seed", "data_seed", "example", "resolution"}
NAMES = {"dataset", "activations", "loss", "optimizer", "kind"}
DEEP = "[" * 1000 + "]" * 1000
# Raw JSON text for a bad value: (text, field the error names, or None for the field spoilt).
BAD_NUMBER = ["true", "false", '"0.5"', '""', "[]", "{}", "NaN", "Infinity", "-Infinity", "1e400", "-1e400",
              "1e300", str(10**26), str(-(10**26)), '"\u00fc\u00f1\u00ee"', '"\\u0000"']
BAD_INT = [*BAD_NUMBER, "1.5", "-1", str(2**40)]  # 2**40: above every bound (seeds stop at 2**31 - 1)
BAD_NAME = ["5", "true", "[5]", "{}", '"nope"', '"\u00fc"', '"\U0001f600"', '"\\u0000"', '"' + "n" * 5000 + '"']
BAD_ID = ["1.5", "true", "[]", "{}", "NaN", "1e400", '"' + "i" * 65 + '"', str(10**20)]
BAD_TYPE = ["1", "1e400", "NaN", "null", "true", "[]", '"teleport"', '"STEP"', '"' + "t" * 5000 + '"']


def spoilt(rng: random.Random, seq: int) -> tuple[str | bytes, str]:
    """One malformed message (JSON text, or bytes for a binary frame) and the field its error must name."""
    kind = rng.choice(sorted(VALID))
    body = {"type": kind, "id": seq, **json.loads(json.dumps(VALID[kind]))}
    fields = [k for k in body if k not in ("type", "id")]
    how = rng.random()
    if how < 0.04:
        return json.dumps(body).encode(), "message"  # a binary frame
    if how < 0.07:
        return json.dumps({**body, "pad": "x" * 20_000}), "message"  # over the size cap
    if how < 0.10:
        return rng.choice([DEEP, json.dumps(body)[:-1], '{"type":"step","lr":"\\ud800"}', "[1]", "5", "null"]), \
            "message"
    if how < 0.18:
        return with_value(body, "type", rng.choice(BAD_TYPE)), "type"
    if how < 0.26:
        return with_value(body, "id", rng.choice(BAD_ID)), "id"
    if how < 0.36 or not fields:
        name = rng.choice(["extra", "zzz", "speed", "count", "Type", "ïd"])
        return with_value(body, name, rng.choice(["1", "null", "true", '"x"'])), name
    field = rng.choice(fields)
    if field in FLOATS:
        return with_value(body, field, rng.choice(BAD_NUMBER)), field
    if field in INTS:
        return with_value(body, field, rng.choice(BAD_INT)), field
    if field in NAMES:
        text = rng.choice(BAD_NAME)
        if field == "activations" and text == "[5]":
            return with_value(body, field, text), "activations[0]"
        return with_value(body, field, text), field
    if field == "sizes":
        bad = rng.choice([("[3, true]", "sizes[1]"), ('[3, "2"]', "sizes[1]"), ("[3, 0]", "sizes[1]"),
                          (f"[{10**26}]", "sizes[0]"), ("[" + ",".join(["2"] * 65) + "]", "sizes"),
                          ('"3"', "sizes"), ("3", "sizes"), (DEEP, "message")])
        return with_value(body, field, bad[0]), bad[1]
    if field == "params":
        bad = rng.choice([("[1, 2]", "params[0]"), ('[{"kind": "weight", "layer": true, "j": 0}]', "params[0].layer"),
                          ("[" + ",".join([json.dumps(W)] * 3) + "]", "params"), ("{}", "params")])
        return with_value(body, field, bad[0]), bad[1]
    if field == "hyper":
        bad = rng.choice([('{"lr": true}', "hyper.lr"), ('{"lr": NaN}', "hyper.lr"), ('{"warp": 1}', "hyper.warp"),
                          ("5", "hyper")])
        return with_value(body, field, bad[0]), bad[1]
    raise AssertionError(field)


def with_value(body: dict[str, Any], field: str, text: str) -> str:
    """The message as JSON text with ``field`` set to the raw JSON ``text`` (which json.dumps could not write)."""
    marker = "\x00MARK\x00"
    return json.dumps({**body, field: marker}).replace(json.dumps(marker), text)


def messages(n: int, seed: int) -> Iterator[tuple[str | bytes, str]]:
    rng = random.Random(seed)
    for seq in range(n):
        yield spoilt(rng, seq)


def test_5000_malformed_messages_each_get_an_error_naming_its_field_and_no_connection_drops(live):
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    presenter = live.connect(session, token, client="fuzz-presenter")
    viewer = live.connect(session)
    pages = [presenter, viewer]
    sent = list(messages(5000, seed=10))
    wrong: list[tuple[Any, Any]] = []
    batch = 40  # fewer than the replies a connection may queue (max_outbox)
    for start in range(0, len(sent), batch):
        page = pages[(start // batch) % 5 == 4]  # a fifth go through the viewer
        chunk = sent[start : start + batch]
        for raw, _ in chunk:
            page.ws.send(raw)
        for raw, field in chunk:
            reply = next_reply(page)
            if reply["type"] != "error" or reply["field"] != field or not reply["message"].startswith(field):
                wrong.append((raw[:200], reply))
            elif len(json.dumps(reply)) > 600:
                wrong.append((raw[:200], "a long reply"))
    assert not wrong, f"{len(wrong)} of {len(sent)} wrong; first: {wrong[:3]}"
    # No connection dropped, and the session is as it was: the next step is update 1 of the 3-2 network.
    assert presenter.control({"type": "step"})["type"] == "ack"
    header, _ = presenter.expect("frame", step=1)
    assert header["sizes"] == [2, 3, 2, 1]
    assert viewer.expect("frame", step=1)[0]["step"] == 1
    for page in pages:
        page.close()


def next_reply(page: Any) -> dict[str, Any]:
    while True:
        header, _ = page.recv(10)
        if header["type"] in ("ack", "error"):
            return header


def test_1000_malformed_session_requests_over_http_get_a_field_and_never_a_500(live):
    rng = random.Random(11)
    wrong = []
    with httpx.Client(base_url=live.http) as http:
        for _ in range(1000):
            field = rng.choice([*CONFIG, "config", "extra", "body"])
            if field == "config":
                body, expect = rng.choice(["[]", "5", "null", '"x"', DEEP]), "config"
                if body == DEEP:
                    expect = "message"
                text = '{"config": ' + body + "}"
            elif field == "body":
                text, expect = rng.choice([(DEEP, "message"), ("[1]", "message"), ("{", "message"), ("", None),
                                           ('{"config": {}, "x": 1}', "x"), ("x" * 20_000, "body")])
                if expect is None:  # an empty body: the default session
                    assert http.post("/api/sessions", content=text).status_code == 201
                    continue
            elif field == "extra":
                text, expect = '{"config": ' + with_value(CONFIG, "warp", "1") + "}", "warp"
            else:
                raw, expect = spoilt_setting(rng, field)
                text = '{"config": ' + with_value(CONFIG, field, raw) + "}"
            r = http.post("/api/sessions", content=text, headers={"content-type": "application/json"})
            if r.status_code not in (413, 422) or r.json()["field"] != expect or len(r.text) > 600:
                wrong.append((text[:200], r.status_code, r.text[:200]))
    assert not wrong, f"{len(wrong)} wrong; first: {wrong[:3]}"


def spoilt_setting(rng: random.Random, field: str) -> tuple[str, str]:
    if field in FLOATS:
        return rng.choice(BAD_NUMBER), field
    if field in INTS:
        return rng.choice(BAD_INT), field
    if field in NAMES:
        return rng.choice([b for b in BAD_NAME if b != "[5]"]), field
    if field == "sizes":
        return rng.choice([("[3, true]", "sizes[1]"), (f"[{10**26}]", "sizes[0]"), ('"3"', "sizes")])
    if field == "hyper":
        return rng.choice([('{"lr": true}', "hyper.lr"), ('{"lr": 1e400}', "hyper.lr"), ("5", "hyper")])
    raise AssertionError(field)
