"""JSON text exactly as `json.dumps` (or a `json.JSONEncoder` of given settings) writes it, made
for many values in a row: an item's 10,000 rows as the store keeps them, or digested.

`json.dumps` builds its C encoder afresh at every call, which costs more than encoding a short
row; here it is built once and reused (the encoder keeps no state between values). The text is
the same byte for byte (tests compare it with `json.dumps` on generated values), so stored rows
and every digest and 验证码 made from them stay as they were.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any


def encoder(*, ensure_ascii: bool = True, separators: tuple[str, str] = (", ", ": "),
            default: Callable[[Any], Any] | None = None) -> Callable[[Any], str]:
    """A function giving `json.JSONEncoder(ensure_ascii=…, separators=…, default=…).encode(value)`
    (the defaults: `json.dumps(value)`), the encoder made once."""
    plain = json.JSONEncoder(ensure_ascii=ensure_ascii, separators=separators, default=default)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator: the encoder's own way
        return plain.encode
    item_separator, key_separator = separators
    strings = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    # As `JSONEncoder.iterencode` builds it for one value, but without the markers of values
    # being encoded: those are state (left behind by a failed call, shared between threads), and
    # rows and digests hold only texts, numbers, None and lists, never a value holding itself
    # (that would raise RecursionError here, not ValueError). allow_nan as json.dumps has it;
    # the C encoder formats floats itself (float.__repr__), as json.dumps's does.
    chunks = make(None, plain.default, strings, None, key_separator, item_separator, False, False, True)
    join = "".join

    def encode(value: Any) -> str:
        if isinstance(value, str):  # (JSONEncoder.encode's own shortcut for a bare string)
            return strings(value)
        return join(chunks(value, 0))
    return encode


# A value as `json.dumps(value)` writes it: what SQLAlchemy's JSON columns store.
dumps = encoder()
