"""The names a student reads, for every neuron, weight and bias (NOTATION.md, "Names a person reads").

Inputs x₁, x₂, …; hidden neurons h₁, h₂, … (h₁⁽²⁾ when several hidden layers need telling apart); outputs ŷ or
ŷ₁, ŷ₂, …. A weight is named by its ends ("w from x₁ to h₁"), a bias by its neuron ("b of h₁"). Numbering starts
at 1 here; the arrays start at 0. A worked example may carry its textbook names (w1…w8) in ``net.textbook``:
{("weight", l, i, j): "w1", ...}; they lead the label when present.

Every label on the page comes from here: frames' names, surfaces' axes, errors and the gradient check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

ParamRef = tuple  # ("weight", l, i, j) or ("bias", l, j); l indexes weights[l] / biases[l]

# How a label is put together from neuron names: the page fills these in (static/js/names.js) rather than
# receiving a label for each of up to thousands of weights.
TEMPLATES = {"weight": "w from {i} to {j}", "bias": "b of {j}", "textbook": "{textbook} ({plain})"}


def subscript(n: int) -> str:
    return str(n).translate(_SUB)


def neuron_name(sizes: Sequence[int], l: int, j: int) -> str:
    """Neuron j (0-based) of layer l (0 = inputs, L = outputs): 'x₁', 'h₂', 'h₁⁽²⁾', 'ŷ', 'ŷ₂'."""
    L = len(sizes) - 1
    if not (0 <= l <= L and 0 <= j < sizes[l]):
        raise ValueError(f"neuron: layer {l} has no neuron {j + 1}")
    if l == 0:
        return f"x{subscript(j + 1)}"
    if l == L:
        return "ŷ" if sizes[L] == 1 else f"ŷ{subscript(j + 1)}"
    name = f"h{subscript(j + 1)}"
    return name if L == 2 else f"{name}⁽{str(l).translate(_SUP)}⁾"


def weight_name(sizes: Sequence[int], l: int, i: int, j: int) -> str:
    """w_ij of weights[l]: 'w from x₁ to h₁'."""
    return TEMPLATES["weight"].format(i=neuron_name(sizes, l, i), j=neuron_name(sizes, l + 1, j))


def bias_name(sizes: Sequence[int], l: int, j: int) -> str:
    """b_j of biases[l]: 'b of h₁'."""
    return TEMPLATES["bias"].format(j=neuron_name(sizes, l + 1, j))


def param_label(net: Any, ref: ParamRef) -> str:
    """A parameter in plain words, with its textbook name first when the example has one: 'w5 (w from h₁ to ŷ₁)'."""
    sizes = net.sizes
    plain = weight_name(sizes, *ref[1:]) if ref[0] == "weight" else bias_name(sizes, *ref[1:])
    textbook = (getattr(net, "textbook", None) or {}).get(tuple(ref))
    if textbook and getattr(net, "textbook_only", False):  # the curve's one parameter is simply x
        return textbook
    return TEMPLATES["textbook"].format(textbook=textbook, plain=plain) if textbook else plain


def flat_ref(net: Any, k: int) -> ParamRef:
    """Position k of ``net.flat()`` as ("weight", l, i, j) or ("bias", l, j)."""
    for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        if k < w.size:
            i, j = divmod(k, w.shape[1])
            return ("weight", l, i, j)
        k -= w.size
        if k < b.size:
            return ("bias", l, k)
        k -= b.size
    raise ValueError(f"k: expected a position in 0..{net.n_params - 1}")


def flat_label(net: Any, k: int) -> str:
    """The label of position k of ``net.flat()`` (the gradient check's worst parameter, say)."""
    return param_label(net, flat_ref(net, k))


def names_for(net: Any) -> dict[str, Any]:
    """Every name of a network, for the page: neurons[l][j] for l = 0..L; textbook names by the page's parameter
    key ('w:l:i:j'), and the templates that make a parameter's label from them (the same words as
    ``param_label``)."""
    sizes = net.sizes
    book = getattr(net, "textbook", None) or {}
    keys = {f"w:{ref[1]}:{ref[2]}:{ref[3]}" if ref[0] == "weight" else f"b:{ref[1]}:{ref[2]}": name
            for ref, name in book.items()}
    return {
        "neurons": [[neuron_name(sizes, l, j) for j in range(n)] for l, n in enumerate(sizes)],
        "textbook": keys,
        "textbook_only": bool(getattr(net, "textbook_only", False)),
        "templates": TEMPLATES,
    }
