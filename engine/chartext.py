"""Texts for the character RNN: the vocabulary, the text as indices, and where a text comes from.

Three sources: the word "hello" (vocabulary h, e, l, o, the char-RNN texts' example), a short text shipped with
the project (Lincoln's Gettysburg Address, public domain), and a text a person pastes (capped in size).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

Array = np.ndarray

# A pasted text's cap. It travels in one control message, which the server caps at 16 KB (server/settings.py,
# max_message_bytes); at up to 4 bytes a character in UTF-8, 4,000 characters always fit.
MAX_PASTED_CHARS = 4_000
MAX_VOCABULARY = 100  # distinct characters: the page draws a row per character
HELLO = "hello"
SHIPPED = {"gettysburg": Path(__file__).with_name("texts") / "gettysburg.txt"}
SOURCES = ("hello", "gettysburg", "pasted")


@dataclass(frozen=True)
class CharText:
    """A text and its vocabulary: ``chars`` the distinct characters in order of first appearance (so "hello"
    gives h, e, l, o), ``codes`` the text as indices into it."""

    name: str
    text: str
    chars: tuple[str, ...]
    codes: Array

    @classmethod
    def from_text(cls, name: str, text: str) -> CharText:
        chars = tuple(dict.fromkeys(text))
        index = {c: k for k, c in enumerate(chars)}
        return cls(name, text, chars, np.array([index[c] for c in text], dtype=np.int64))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> Array:
        index = {c: k for k, c in enumerate(self.chars)}
        missing = sorted(set(text) - set(index))
        if missing:
            raise ValueError(f"text: {missing[0]!r} is not in this text's vocabulary")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, codes) -> str:
        return "".join(self.chars[int(k)] for k in codes)


def check_pasted(text: object) -> str:
    """A pasted text, or a plain error naming what is wrong with it."""
    if not isinstance(text, str):
        raise ValueError("text: expected the text as a string")
    if len(text) > MAX_PASTED_CHARS:
        raise ValueError(f"text: at most {MAX_PASTED_CHARS:,} characters, got {len(text):,}; paste a shorter part")
    if len(text) < 2:
        raise ValueError("text: paste at least 2 characters (the network learns which character follows which)")
    distinct = len(set(text))
    if distinct < 2:
        raise ValueError("text: needs at least 2 different characters (with one, the next is always the same)")
    if distinct > MAX_VOCABULARY:
        raise ValueError(f"text: at most {MAX_VOCABULARY} different characters, this one has {distinct}")
    return text


def load_text(source: str, text: str | None = None) -> CharText:
    """'hello', 'gettysburg' (shipped) or 'pasted' (with ``text``)."""
    if source == "hello":
        return CharText.from_text("hello", HELLO)
    if source in SHIPPED:
        return CharText.from_text(source, SHIPPED[source].read_text(encoding="utf-8"))
    if source == "pasted":
        return CharText.from_text("pasted", check_pasted(text))
    raise ValueError(f"text: expected one of {list(SOURCES)}, got {source!r}")
