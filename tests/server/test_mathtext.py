"""Maths in lesson text: the TeX-like subset parsed into MathML Core trees, and plain errors for what it does not
take (server/mathtext.py; the page builds the trees from an allow-list, tests/js/mathml.test.mjs)."""

from __future__ import annotations

import pytest

from server.mathtext import MAX_DEPTH, MAX_NODES, MathError, parse_rich


def math(text: str) -> list:
    (part,) = parse_rich(f"${text}$")
    return part["math"]


def test_the_update_rule_of_w5():
    assert math(r"w_5^+ = w_5 - \eta \frac{\partial E}{\partial w_5}") == [
        "math", {},
        ["msubsup", {}, ["mi", {}, "w"], ["mn", {}, "5"], ["mo", {}, "+"]], ["mo", {}, "="],
        ["msub", {}, ["mi", {}, "w"], ["mn", {}, "5"]], ["mo", {}, "−"], ["mi", {}, "η"],
        ["mfrac", {}, ["mrow", {}, ["mi", {}, "∂"], ["mi", {}, "E"]],
         ["mrow", {}, ["mi", {}, "∂"], ["msub", {}, ["mi", {}, "w"], ["mn", {}, "5"]]]],
    ]


def test_the_curve_and_its_derivative():
    assert math("x^4 - 3x^3 + 2") == [
        "math", {}, ["msup", {}, ["mi", {}, "x"], ["mn", {}, "4"]], ["mo", {}, "−"], ["mn", {}, "3"],
        ["msup", {}, ["mi", {}, "x"], ["mn", {}, "3"]], ["mo", {}, "+"], ["mn", {}, "2"],
    ]
    assert math("f'(x)")[1:4] == [{}, ["mi", {}, "f"], ["mo", {}, "′"]]


def test_scripts_take_one_character_as_in_tex_or_a_group():
    assert math("x^10")[2:] == [["msup", {}, ["mi", {}, "x"], ["mn", {}, "1"]], ["mn", {}, "0"]]
    assert math("e^{-0.3775}")[2] == ["msup", {}, ["mi", {}, "e"], ["mrow", {}, ["mo", {}, "−"], ["mn", {}, "0.3775"]]]
    assert math("w_{ij}")[2] == ["msub", {}, ["mi", {}, "w"], ["mi", {}, "ij"]]
    x_a = ["msub", {}, ["mi", {}, "x"], ["mi", {}, "a"]]
    assert math("{x_a}^b")[2] == ["msup", {}, ["mrow", {}, x_a], ["mi", {}, "b"]]


def test_names_words_greek_accents_and_spaces():
    assert math(r"\mathrm{net}_j")[2] == ["msub", {}, ["mi", {"mathvariant": "normal"}, "net"], ["mi", {}, "j"]]
    assert math(r"\text{if } x")[2] == ["mtext", {}, "if "]
    assert math(r"\Delta w")[2] == ["mi", {"mathvariant": "normal"}, "Δ"]
    assert math(r"\hat{y}")[2] == ["mover", {"accent": "true"}, ["mi", {}, "y"], ["mo", {}, "^"]]
    assert math(r"a\,b")[3] == ["mspace", {"width": "0.17em"}]
    assert math("δ_{ŷ_1}")[2][2] == ["mi", {}, "δ"]  # Unicode letters are identifiers


def test_plain_text_around_the_maths_and_an_escaped_dollar():
    assert parse_rich(r"costs \$5, while $x$ is free") == ["costs $5, while ", {"math": ["math", {}, ["mi", {}, "x"]]},
                                                          " is free"]
    assert parse_rich("no maths at all") == ["no maths at all"]


@pytest.mark.parametrize(("text", "says"), [
    ("the price is $5", "not closed (write \\$ for a dollar sign)"),
    ("$x^$", "^ needs something after it"),
    ("$^2$", "^ needs something before it"),
    ("$x_a_b$", "two _ on one symbol"),
    ("$x_a^b^c$", "two ^ on one symbol"),
    ("$\\etta$", "\\etta is not a command the lessons know"),
    ("${x$", "a { is not closed"),
    ("$x}$", "a } closes nothing"),
    ("$\\frac{a}$", "\\frac needs {…} after it"),
    ("$ $", "is empty"),
    ("$\\text{a{b}}$", "takes plain words"),
    ("$a \u0301$", "cannot stand in maths"),
    ("$" + "\\frac" * 50 + "ab$", f"nested more than {MAX_DEPTH} deep"),
    ("$" + "{" * 50 + "x" + "}" * 50 + "$", f"nested more than {MAX_DEPTH} deep"),
    ("$" + "a+" * 300 + "b$", f"more than {MAX_NODES} symbols"),
])
def test_what_the_subset_does_not_take_is_a_plain_error(text, says):
    with pytest.raises(MathError) as caught:
        parse_rich(text)
    assert says in str(caught.value)
