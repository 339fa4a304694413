"""Binary messages: a small JSON header, then the arrays' raw bytes.

    [uint32 LE header length H][H bytes JSON, space-padded so 4 + H is a multiple of 8][payload]

Measured (see docs/protocol.md): a frame of a 2-8-8-1 network packs in tens of microseconds this way, where
Starlette's ``send_json`` with the standard json module takes milliseconds for the same numbers; and the
browser reads the arrays as typed-array views with no parsing at all.

An array may travel in parts: one flat array whose listing names consecutive pieces of it, each with a shape of
its own (every layer's weights inside the flat parameter vector, say). The decoders give back each piece under
its name, a view like any other array. A frame of 36 small arrays costs the server per array, in Python, more
than for the numbers in them; as seven flat ones with parts it packs in half the time (docs/protocol.md).
"""

from __future__ import annotations

import functools
import json
import math
import struct
from typing import Any

import numpy as np

DTYPES = {"f8": np.dtype("<f8"), "f4": np.dtype("<f4")}

Shape = tuple[int, ...]
Parts = tuple[tuple[str, Shape], ...]  # (name, shape) of consecutive pieces of a flat array, from its start
# name -> (dtype code, array) or (dtype code, flat array, its parts)
Arrays = dict[str, tuple[str, np.ndarray] | tuple[str, np.ndarray, Parts]]


def finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity: such a scalar becomes null (the page shows "—")."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def pack(header: dict[str, Any], arrays: Arrays) -> bytes:
    """``arrays`` maps a name to (dtype code, array), or to (dtype code, flat array, parts); each starts at a
    multiple of 8 bytes in the payload."""
    listing, chunks, offset = [], [], 0
    for name, (code, array, *parts) in arrays.items():
        dtype = DTYPES[code]
        if not isinstance(array, np.ndarray) or array.dtype != dtype or not array.flags.c_contiguous:
            array = np.ascontiguousarray(array, dtype=dtype)
        # The arrays go into the join as they are (buffers): one copy of their bytes, not two.
        listing.append(_listed(name, code, array.shape, *parts) + str(offset) + "}")
        chunks.append(array)
        pad = -array.nbytes % 8
        if pad:
            chunks.append(b"\0" * pad)
        offset += array.nbytes + pad
    # The header's own fields, then the listing spliced in as text: a frame lists some thirty arrays, and
    # json.dumps of thirty small dicts cost more than all the rest of packing (py-spy, bench/server.py).
    fields = json.dumps(header, separators=(",", ":"), allow_nan=False)
    text = (fields[:-1] + ("," if len(fields) > 2 else "") + '"arrays":[' + ",".join(listing) + "]}").encode()
    text += b" " * (-(4 + len(text)) % 8)
    return b"".join([struct.pack("<I", len(text)), text, *chunks])


@functools.lru_cache(maxsize=1024)
def _listed(name: str, code: str, shape: Shape, parts: Parts = ()) -> str:
    """An array's entry in the listing up to its offset; the same few names and shapes recur every frame."""
    entry: dict[str, Any] = {"name": name, "dtype": code, "shape": list(shape)}
    if parts:
        if len(shape) != 1 or sum(math.prod(s) for _, s in parts) > shape[0]:
            raise ValueError(f"{name}: parts of {sum(math.prod(s) for _, s in parts)} values in an array {shape}")
        entry["parts"] = [[part, list(s)] for part, s in parts]
    return json.dumps(entry, separators=(",", ":"))[:-1] + ',"offset":'


def unpack_header(message: bytes) -> dict[str, Any]:
    """Only the JSON header of a binary message, for a reader that needs no arrays."""
    (length,) = struct.unpack_from("<I", message)
    return json.loads(message[4 : 4 + length])


def unpack(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The inverse of ``pack`` (for tests and tools; the page has its own in static/js/protocol.js)."""
    header = unpack_header(message)
    start = 4 + struct.unpack_from("<I", message)[0]
    arrays = {}
    for a in header["arrays"]:
        dtype = DTYPES[a["dtype"]]
        count = int(np.prod(a["shape"], dtype=np.int64))
        arrays[a["name"]] = np.frombuffer(message, dtype, count, start + a["offset"]).reshape(a["shape"])
        at = 0
        for part, shape in a.get("parts", ()):
            size = int(np.prod(shape, dtype=np.int64))
            if at + size > count:
                raise ValueError(f"{a['name']}: its part {part} runs past its end")
            arrays[part] = arrays[a["name"]][at : at + size].reshape(shape)
            at += size
    return header, arrays
