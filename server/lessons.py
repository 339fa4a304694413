"""Lessons: data files (static/lessons/*.json, docs/lessons.md) that walk a student through the page step by step.

A lesson is validated here, by pydantic models that also export the JSON Schema teachers' editors use
(static/lessons/lesson.schema.json). A malformed file gets one plain error naming the step and the field:
"step 3, action.until.update: input should be greater than or equal to 1, got 0".

    python -m server.lessons check static/lessons/*.json   # validate lessons, as the page will
    python -m server.lessons schema                        # print the JSON Schema
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from engine import make_preset
from engine.explain import check_element

from .folders import page_folder
from .mathtext import MathError, parse_rich
from .protocol import AxisRange, Configure, ExplainElement, Hyper, ParamRef, Question

LESSONS = page_folder("static") / "lessons"  # a checkout's, or an installed wheel's
FORMAT = 1
MAX_BYTES = 200_000  # a lesson file; a longer one is refused before it is parsed
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CONTROL_GROUPS = ("run", "learning", "data", "network", "presets", "check")

Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Setup(Configure):
    """The state to set: a worked example (``preset``) or a setup, as the ``configure`` message takes them."""

    type: Literal["configure"] = "configure"


class Until(Strict):
    """Play until this update, or until E on the training set falls below ``loss_below`` (whichever first)."""

    update: Annotated[int, Field(ge=1, le=100_000)] | None = None
    loss_below: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> Until:
        if self.update is None and self.loss_below is None:
            raise ValueError("give update, loss_below or both")
        return self


class Action(Strict):
    """What the student does to go on: one update, one phase, play until a condition, or only read (none)."""

    do: Literal["step", "phase", "play", "none"]
    until: Until | None = None
    label: Annotated[str, Field(min_length=1, max_length=80)] | None = None  # the button's words

    @model_validator(mode="after")
    def _play_needs_until(self) -> Action:
        if self.do == "play" and self.until is None:
            raise ValueError("a play action says until when: {\"update\": 50} or {\"loss_below\": 0.01}")
        if self.do != "play" and self.until is not None:
            raise ValueError(f"only a play action takes until, not {self.do}")
        return self


class Surface(Strict):
    """The loss-surface slice to show, as the page's picker offers them (and the ``surface`` message takes):
    off, two weights (``params``), the random plane, the trajectory plane, or the curve (its worked example)."""

    kind: Literal["none", "weights", "random", "trajectory", "curve"]
    params: Annotated[list[ParamRef], Field(min_length=2, max_length=2)] | None = None  # the two weights
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None  # which random plane
    # A half-width around the current point, or one (low, high) range per axis.
    span: Annotated[float, Field(gt=0, le=1000)] | Annotated[list[AxisRange], Field(min_length=1, max_length=2)] \
        | None = None

    @model_validator(mode="after")
    def _params_for_weights(self) -> Surface:
        if self.kind == "weights" and self.params is None:
            raise ValueError("a two-weight slice names its two weights in params")
        if self.kind != "weights" and self.params is not None:
            raise ValueError(f"only the two-weight slice takes params, not {self.kind}")
        if self.kind != "random" and self.seed is not None:
            raise ValueError(f"only the random plane takes a seed, not {self.kind}")
        if self.kind == "none" and self.span is not None:
            raise ValueError("no surface (none) takes no span")
        return self


class LessonStep(Strict):
    title: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    text: Text
    setup: Setup | None = None  # applied when the step opens; null keeps the state the last step left
    set: Hyper | None = None  # settings changed after the setup (η, α, …), as the ``set`` message
    speed: Annotated[float, Field(ge=1, le=10000)] | None = None  # updates per second while playing
    surface: Surface | None = None  # the slice shown once the step is set (null: as the setup left it)
    explain: ExplainElement | None = None  # the element the explainer opens on
    action: Action = Field(default_factory=lambda: Action(do="none"))
    predict: Question | None = None  # asked before the action; the action reveals the answer
    poll: bool = False  # when presenting: open the prediction to the class, and wait for the presenter's reveal
    controls: list[Literal[CONTROL_GROUPS]] | None = None  # type: ignore[valid-type]  # groups not quieted
    after: Text | None = None  # shown once the action is done (why it went that way)


class Lesson(Strict):
    format: Literal[1]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    summary: Annotated[str, Field(min_length=1, max_length=500)]
    steps: Annotated[list[LessonStep], Field(min_length=1, max_length=100)]
    # Each step's title, text and after with their maths parsed (server/mathtext.py), as the page shows them.
    _display: list[dict[str, list[Any]]] = PrivateAttr(default_factory=list)

    def display(self, k: int, done: bool = True) -> dict[str, list[Any]]:
        """Step k's words as parts (plain strings and {"math": tree}); ``after`` only once its action is done."""
        shown = self._display[k]
        return shown if done else {key: parts for key, parts in shown.items() if key != "after"}


class LessonError(ValueError):
    """A lesson that cannot be played: where (step and field) and why, in plain words."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not str(p).startswith(("literal[", "constrained", "function-", "list["))]
    parts = [p for p in parts if p not in ("float", "int", "str", "bool", "Until", "Action")]
    prefix = ""
    if len(parts) >= 2 and parts[0] == "steps" and parts[1].isdigit():
        prefix, parts = f"step {int(parts[1]) + 1}", parts[2:]
    field = ""
    for part in parts:
        field += f"[{part}]" if part.isdigit() else (f".{part}" if field else part)
    return ", ".join(x for x in (prefix, field) if x) or "lesson"


def _plain(exc: ValidationError) -> LessonError:
    error = max(exc.errors(include_url=False), key=lambda e: len(e["loc"]))
    where = _where(error["loc"])
    kind, got = error["type"], error.get("input")
    if kind == "json_invalid":
        return LessonError("lesson", f"not valid JSON ({error['msg']})")
    if kind == "missing":
        return LessonError(where, "is required")
    if kind == "extra_forbidden":
        return LessonError(where, "is not a field a lesson takes (see docs/lessons.md)")
    message = error["msg"][0].lower() + error["msg"][1:]
    message = message.removeprefix("value error, ")
    tail = f", got {got!r}" if not isinstance(got, dict | list) else ""
    return LessonError(where, f"{message}{tail}")


def parse_lesson(text: str | bytes) -> Lesson:
    """Validate a lesson file's text; LessonError naming the step and the field when it is malformed."""
    if len(text) > MAX_BYTES:
        raise LessonError("lesson", f"the file has {len(text)} bytes; a lesson has at most {MAX_BYTES}")
    try:
        lesson = Lesson.model_validate_json(text)
    except ValidationError as exc:
        raise _plain(exc) from None
    _check_elements(lesson)
    lesson._display = [_parse_maths(k, step) for k, step in enumerate(lesson.steps, 1)]
    return lesson


RICH_FIELDS = ("title", "text", "after")  # the step's words that may carry $…$ maths


def _parse_maths(k: int, step: LessonStep) -> dict[str, list[Any]]:
    out = {}
    for field in RICH_FIELDS:
        text = getattr(step, field)
        if text is None:
            continue
        try:
            out[field] = parse_rich(text)
        except MathError as exc:
            raise LessonError(f"step {k}, {field}", str(exc)) from None
    return out


def _check_elements(lesson: Lesson) -> None:
    """Each element named (explain, predict, the surface's weights) must exist in the network of the worked
    example in force, and the curve's slice needs the curve."""
    sizes: list[int] | None = None
    preset: str | None = None
    for k, step in enumerate(lesson.steps, 1):
        if step.setup is not None:
            preset = step.setup.preset
            sizes = make_preset(preset).model.sizes if preset not in (None, "none") else None
        surface = step.surface
        if surface is not None and surface.kind == "curve" and preset != "curve":
            raise LessonError(f"step {k}, surface.kind", "the curve slice needs the curve worked example in force "
                              "(a setup with \"preset\": \"curve\" at this step or before)")
        named = [(f"surface.params[{n}]", param) for n, param in enumerate(surface.params or [])] if surface else []
        named += [("explain", step.explain), ("predict.element", step.predict and step.predict.element)]
        for field, element in named:
            if element is not None and sizes is not None:
                _check_element(sizes, f"step {k}, {field}", element)


def _check_element(sizes: list[int], where: str, element: ExplainElement | ParamRef) -> None:
    if element.kind == "weight" and element.i is None:
        raise LessonError(f"{where}.i", "a weight names its source neuron i")
    ref = (element.kind, element.layer, element.i, element.j) if element.kind == "weight" \
        else (element.kind, element.layer, element.j)
    try:
        check_element(sizes, ref)
    except ValueError as exc:
        name, _, reason = str(exc).partition(": ")
        raise LessonError(f"{where}.{name}", reason) from None


def lesson_names(folder: Path = LESSONS) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.json") if NAME.match(p.stem) and not p.stem.endswith(".schema"))


def load_lesson(name: str, folder: Path = LESSONS) -> Lesson:
    if not NAME.match(name) or name not in lesson_names(folder):
        raise KeyError(name)
    return parse_lesson((folder / f"{name}.json").read_bytes())


def for_page(name: str, lesson: Lesson) -> dict[str, Any]:
    """The lesson as the page plays it: the file's fields, and each step's words with their maths parsed."""
    out = {"name": name, **lesson.model_dump(exclude_none=True)}
    for k, step in enumerate(out["steps"]):
        step["display"] = lesson.display(k)
    return out


def catalogue(folder: Path = LESSONS) -> dict[str, Any]:
    """Every lesson's title and summary; a malformed file is listed with its error (the others still play)."""
    lessons, problems = [], []
    for name in lesson_names(folder):
        try:
            lesson = load_lesson(name, folder)
        except LessonError as exc:
            problems.append({"name": name, "message": str(exc)})
            continue
        lessons.append({"name": name, "title": lesson.title, "summary": lesson.summary, "steps": len(lesson.steps)})
    return {"lessons": lessons, "problems": problems}


def schema() -> dict[str, Any]:
    out = Lesson.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = "Backprop Lab lesson (format 1)"
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["schema"]:
        print(json.dumps(schema(), indent=2, ensure_ascii=False))
        return 0
    if argv[:1] == ["check"] and argv[1:]:
        bad = 0
        for path in argv[1:]:
            try:
                lesson = parse_lesson(Path(path).read_bytes())
                print(f"{path}: ok, {len(lesson.steps)} steps")
            except LessonError as exc:
                bad += 1
                print(f"{path}: {exc}")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
