"""Maths in a lesson's text: a small TeX-like subset between dollar signs, parsed here into a MathML Core tree.

    "The update is $w_5^+ = w_5 - \\eta \\frac{\\partial E}{\\partial w_5}$."

The server parses once, when the lesson is validated (a bad formula is a plain error naming the step and the
field), and sends the page the tree: ``[tag, {attributes}, children...]`` with text only inside token elements
(mi, mn, mo, mtext). The page builds it element by element from an allow-list (static/js/mathml.js) and never
parses markup, so a lesson file cannot inject HTML. docs/lessons.md lists what the subset takes.
"""

from __future__ import annotations

import unicodedata
from typing import Any

Tree = list[Any]  # [tag, attributes, *children]; a child is a Tree, or a string inside a token element
Part = str | dict[str, Tree]  # plain text, or {"math": tree}

MAX_NODES = 400  # elements in one text's formulas together: far above any sentence of maths
MAX_DEPTH = 10  # nesting of groups, fractions, roots and accents (the page takes trees up to 32 deep)

# Commands that stand for one symbol: identifiers (mi) and operators (mo).
IDENTIFIERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
    "sigma": "σ", "tau": "τ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "partial": "∂", "nabla": "∇", "infty": "∞", "ell": "ℓ",
}
UPRIGHT = {"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
           "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}  # capital Greek is upright, as in TeX
OPERATORS = {
    "cdot": "·", "times": "×", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠",
    "neq": "≠", "approx": "≈", "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "sum": "∑",
    "prod": "∏", "ldots": "…", "cdots": "⋯", "in": "∈", "mid": "|",
}
SPACES = {",": "0.17em", ";": "0.28em"}  # \, and \;
ESCAPED = {"{": "{", "}": "}", "$": "$", "_": "_", "^": "^", "\\": "\\", "%": "%"}
STRUCTURES = ("frac", "sqrt", "hat", "bar", "text", "mathrm")
ASCII_OPERATORS = {"-": "−", "*": "·", "'": "′"}  # typeset as a mathematician would


class MathError(ValueError):
    """A formula the subset does not take: what, in plain words, and where in the text."""


def parse_rich(text: str) -> list[Part]:
    """A text with ``$…$`` formulas: its plain runs as strings and each formula as {"math": tree}.
    ``\\$`` is a dollar sign in plain text."""
    parts: list[Part] = []
    plain: list[str] = []
    nodes = [0]
    k = 0
    while k < len(text):
        c = text[k]
        if c == "\\" and text[k + 1 : k + 2] == "$":
            plain.append("$")
            k += 2
        elif c == "$":
            end = _closing_dollar(text, k + 1)
            if end < 0:
                raise MathError(f"the $ at character {k + 1} opens maths that is not closed "
                                "(write \\$ for a dollar sign)")
            source = text[k + 1 : end]
            if not source.strip():
                raise MathError(f"the maths at character {k + 1} is empty")
            if plain:
                parts.append("".join(plain))
                plain = []
            try:
                parts.append({"math": _Parser(source, nodes).formula()})
            except MathError as exc:
                raise MathError(f"the maths ${_short(source)}$ at character {k + 1}: {exc}") from None
            k = end + 1
        else:
            plain.append(c)
            k += 1
    if plain:
        parts.append("".join(plain))
    return parts


def has_maths(text: str) -> bool:
    return "$" in text


def _closing_dollar(text: str, k: int) -> int:
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text[k] == "$":
            return k
        k += 1
    return -1


def _short(source: str, limit: int = 30) -> str:
    return source if len(source) <= limit else source[: limit - 1] + "…"


class _Parser:
    def __init__(self, source: str, nodes: list[int]) -> None:
        self.s, self.k, self.nodes, self.depth = source, 0, nodes, 0

    def formula(self) -> Tree:
        children = self.sequence(closing=None)
        return self.node("math", {}, *children)

    def node(self, tag: str, attributes: dict[str, str], *children: Any) -> Tree:
        self.nodes[0] += 1
        if self.nodes[0] > MAX_NODES:
            raise MathError(f"more than {MAX_NODES} symbols of maths in one text")
        return [tag, attributes, *children]

    def peek(self) -> str:
        return self.s[self.k] if self.k < len(self.s) else ""

    def skip_spaces(self) -> None:
        while self.peek().isspace():
            self.k += 1

    def sequence(self, closing: str | None) -> list[Tree]:
        """Atoms (each with its scripts) until ``closing`` (a ``}``) or the end."""
        out: list[Tree] = []
        while True:
            self.skip_spaces()
            c = self.peek()
            if c == "":
                if closing is not None:
                    raise MathError("a { is not closed")
                return out
            if c == "}":
                if closing is None:
                    raise MathError("a } closes nothing")
                self.k += 1
                return out
            if c in "^_":
                if not out:
                    raise MathError(f"{c} needs something before it (write {{}}{c}… for nothing)")
                out[-1] = self.scripts(out[-1])
                continue
            out.append(self.atom(single=False))

    def scripts(self, base: Tree) -> Tree:
        """x_a, x^b, x_a^b or x^b_a: at most one of each."""
        if base[0] in ("msub", "msup", "msubsup"):
            raise MathError("a symbol takes at most one _ and one ^ (group them: {x_a}^b)")
        sub = sup = None
        while self.peek() in ("^", "_"):
            mark = self.peek()
            self.k += 1
            if (sub if mark == "_" else sup) is not None:
                raise MathError(f"two {mark} on one symbol (group them with {{ }})")
            self.skip_spaces()
            if self.peek() in ("", "}", "^", "_"):
                raise MathError(f"{mark} needs something after it")
            arg = self.atom(single=True)
            if mark == "_":
                sub = arg
            else:
                sup = arg
            self.skip_spaces()
        if sub is not None and sup is not None:
            return self.node("msubsup", {}, base, sub, sup)
        return self.node("msub", {}, base, sub) if sub is not None else self.node("msup", {}, base, sup)

    def group(self) -> Tree:
        children = self.sequence(closing="}")
        if len(children) == 1 and children[0][0] not in ("msub", "msup", "msubsup"):  # {x_a}^b scripts the group
            return children[0]
        return self.node("mrow", {}, *children)

    def argument(self, command: str) -> Tree:
        self.skip_spaces()
        if self.peek() in ("", "}", "^", "_"):
            raise MathError(f"\\{command} needs {{…}} after it")
        return self.atom(single=True)

    def atom(self, single: bool) -> Tree:
        """One symbol, a {group}, a command; a run of letters or digits (one character of it as a script)."""
        self.depth += 1  # every nesting (\frac\frac…, {{…}}, x^{y^…}) passes here: the recursion stays bounded
        if self.depth > MAX_DEPTH:
            raise MathError(f"nested more than {MAX_DEPTH} deep")
        try:
            return self._atom(single)
        finally:
            self.depth -= 1

    def _atom(self, single: bool) -> Tree:
        c = self.peek()
        if c == "{":
            self.k += 1
            return self.group()
        if c == "\\":
            return self.command()
        if c.isascii() and c.isalpha():
            return self.node("mi", {}, self.run(str.isalpha, single))
        if c.isascii() and (c.isdigit() or c == "."):
            if c == "." and not self.s[self.k + 1 : self.k + 2].isdigit():
                self.k += 1
                return self.node("mo", {}, ".")
            return self.node("mn", {}, self.run(lambda ch: ch.isdigit() or ch == ".", single))
        self.k += 1
        return self.symbol(c)

    def run(self, takes: Any, single: bool) -> str:
        start = self.k
        self.k += 1
        while not single and self.k < len(self.s) and self.s[self.k].isascii() and takes(self.s[self.k]):
            self.k += 1
        return self.s[start : self.k]

    def symbol(self, c: str) -> Tree:
        if c in ASCII_OPERATORS:
            return self.node("mo", {}, ASCII_OPERATORS[c])
        category = unicodedata.category(c)
        if category.startswith("L"):
            return self.node("mi", {}, c)
        if category == "No" or category == "Nd":  # ², ₁, digits of other scripts
            return self.node("mn", {}, c)
        if category[0] in "SP" and c not in "$":
            return self.node("mo", {}, c)
        raise MathError(f"{unicodedata.name(c, repr(c))} cannot stand in maths")

    def command(self) -> Tree:
        self.k += 1  # the backslash
        c = self.peek()
        if c == "":
            raise MathError("a \\ ends the maths")
        if not (c.isascii() and c.isalpha()):
            self.k += 1
            if c in SPACES:
                return self.node("mspace", {"width": SPACES[c]})
            if c in ESCAPED:
                return self.node("mo", {}, ESCAPED[c])
            raise MathError(f"\\{c} is not a command the lessons know")
        start = self.k
        while self.k < len(self.s) and self.s[self.k].isascii() and self.s[self.k].isalpha():
            self.k += 1
        name = self.s[start : self.k]
        if name in IDENTIFIERS:
            return self.node("mi", {}, IDENTIFIERS[name])
        if name in UPRIGHT:
            return self.node("mi", {"mathvariant": "normal"}, UPRIGHT[name])
        if name in OPERATORS:
            return self.node("mo", {}, OPERATORS[name])
        if name in ("text", "mathrm"):
            return self.text(name)
        if name == "frac":
            return self.node("mfrac", {}, self.argument(name), self.argument(name))
        if name == "sqrt":
            return self.node("msqrt", {}, self.argument(name))
        if name in ("hat", "bar"):
            mark = "^" if name == "hat" else "¯"
            return self.node("mover", {"accent": "true"}, self.argument(name), self.node("mo", {}, mark))
        raise MathError(f"\\{name} is not a command the lessons know (docs/lessons.md lists them)")

    def text(self, name: str) -> Tree:
        """\\text{words} (upright words, spaces kept) and \\mathrm{d} (an upright name)."""
        self.skip_spaces()
        if self.peek() != "{":
            raise MathError(f"\\{name} needs {{…}} after it")
        end = self.s.find("}", self.k)
        if end < 0:
            raise MathError(f"the {{ of \\{name} is not closed")
        words = self.s[self.k + 1 : end]
        if "{" in words or "\\" in words:
            raise MathError(f"\\{name}{{…}} takes plain words, without {{ or \\")
        self.k = end + 1
        if name == "mathrm":
            return self.node("mi", {"mathvariant": "normal"}, words)
        return self.node("mtext", {}, words)
