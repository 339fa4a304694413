"""Binary messages: a small JSON header, then the arrays' raw bytes.

    [uint32 LE header length H][H bytes JSON, space-padded so 4 + H is a multiple of 8][payload]

Measured (see docs/protocol.md): a frame of a 2-8-8-1 network packs in tens of microseconds this way, where
Starlette's ``send_json`` with the standard json module takes milliseconds for the same numbers; and the
browser reads the arrays as typed-array views with no parsing at all.
"""

from __future__ import annotations

import functools
import json
import math
import struct
from typing import Any

import numpy as np

DTYPES = {"f8": np.dtype("<f8"), "f4": np.dtype("<f4")}


def finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity: such a scalar becomes null (the page shows "—")."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def pack(header: dict[str, Any], arrays: dict[str, tuple[str, np.ndarray]]) -> bytes:
    """``arrays`` maps a name to (dtype code, array); each starts at a multiple of 8 bytes in the payload."""
    listing, chunks, offset = [], [], 0
    for name, (code, array) in arrays.items():
        dtype = DTYPES[code]
        if not isinstance(array, np.ndarray) or array.dtype != dtype or not array.flags.c_contiguous:
            array = np.ascontiguousarray(array, dtype=dtype)
        # The arrays go into the join as they are (buffers): one copy of their bytes, not two.
        listing.append(_listed(name, code, array.shape) + str(offset) + "}")
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
def _listed(name: str, code: str, shape: tuple[int, ...]) -> str:
    """An array's entry in the listing up to its offset; the same few names and shapes recur every frame."""
    return json.dumps({"name": name, "dtype": code, "shape": list(shape)}, separators=(",", ":"))[:-1] + ',"offset":'


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
    return header, arrays
