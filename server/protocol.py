"""The wire format, defined once: control messages (page → server) as a discriminated union on ``type``,
the configuration, and the plain-words errors. docs/protocol.md documents these with examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import from_json

from engine import DATASETS, LIMITS, LOSSES, OPTIMIZERS, PRESETS
from engine.activations import ACTIVATIONS
from engine.chartext import MAX_PASTED_CHARS, SOURCES
from engine.owndata import MAX_CLASSES, MAX_ROWS, MAX_VALUE
from engine.rnn_trainer import MAX_SAMPLE, MAX_WINDOW
from engine.schedules import KINDS as SCHEDULE_KINDS
from engine.schedules import LIMITS as SCHEDULE_LIMITS
from engine.schedules import Schedule, make_schedule

DatasetName = Literal[tuple(DATASETS)]  # type: ignore[valid-type]
LossName = Literal[tuple(LOSSES)]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
ActivationName = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
PresetName = Literal[tuple(PRESETS)]  # type: ignore[valid-type]
# Bounds on what a message may carry; the settings (server/settings.py) narrow several of them further.
MAX_ID_LENGTH = 64  # a message id is echoed in its reply, so it stays short
MAX_INT = 2**53  # the largest integer a page's JavaScript numbers hold exactly; no count comes near it
MAX_COUNT = 1_000_000  # n_points, batch_size, example, layer and neuron indices: far above any setting
MAX_LIST = 64  # sizes and activations
MessageId = Annotated[str, Field(max_length=MAX_ID_LENGTH)] | Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)] | None
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class Strict(BaseModel):
    """No coercion: a boolean or a string is never taken for a number, and no number may be NaN or infinite."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _range(name: str) -> dict[str, float]:
    low, high = LIMITS[name]
    return {"ge": low, "le": high}


class Hyper(Strict):
    """Optimizer settings; the ranges are the engine's (engine.optimizers.LIMITS)."""

    lr: Annotated[float, Field(gt=0, le=LIMITS["lr"][1])] | None = None
    momentum: Annotated[float, Field(**_range("momentum"))] | None = None
    beta1: Annotated[float, Field(**_range("beta1"))] | None = None
    beta2: Annotated[float, Field(**_range("beta2"))] | None = None
    eps: Annotated[float, Field(**_range("eps"))] | None = None
    rho: Annotated[float, Field(**_range("rho"))] | None = None
    weight_decay: Annotated[float, Field(**_range("weight_decay"))] | None = None

    def given(self) -> dict[str, float]:
        return self.model_dump(exclude_none=True)


BatchSize = Annotated[int, Field(ge=1, le=MAX_COUNT)] | None


def _schedule_range(name: str) -> dict[str, float]:
    low, high = SCHEDULE_LIMITS[name]
    return {"ge": low, "le": high}


class ScheduleSettings(Strict):
    """A learning-rate schedule (engine/schedules.py): η_t = η·f(t). Settings left out take the engine's
    defaults for the kind; the ranges are the engine's (engine.schedules.LIMITS)."""

    kind: Literal[tuple(SCHEDULE_KINDS)] = "constant"  # type: ignore[valid-type]
    warmup: Annotated[int, Field(**_schedule_range("warmup"))] = 0
    step_size: Annotated[int, Field(**_schedule_range("step_size"))] | None = None
    gamma: Annotated[float, Field(**_schedule_range("gamma"))] | None = None
    period: Annotated[int, Field(**_schedule_range("period"))] | None = None
    min_factor: Annotated[float, Field(**_schedule_range("min_factor"))] | None = None

    def engine(self) -> Schedule:
        return make_schedule(**self.model_dump(exclude_none=True, exclude={"type", "id"}))


class RNNSettings(Strict):
    """The recurrent network's setup (``model: "rnn"``): which text, how many hidden units, the window of
    truncated backpropagation through time, the gradient-norm clip, and the sample panel's temperature."""

    text: Literal[tuple(SOURCES)] = "hello"  # type: ignore[valid-type]
    pasted: Annotated[str, Field(max_length=MAX_PASTED_CHARS)] | None = None  # the text, for text "pasted"
    hidden: Annotated[int, Field(ge=1, le=128)] | None = None  # None: 3 for "hello" (its stated weights), else 32
    window: Annotated[int, Field(ge=1, le=MAX_WINDOW)] = 25
    clip: Annotated[float, Field(gt=0, le=1000)] | None = 5.0
    temperature: Annotated[float, Field(ge=0, le=10)] = 1.0
    sample_length: Annotated[int, Field(ge=1, le=MAX_SAMPLE)] = 200


class Config(Strict):
    """Everything that defines a training run. Hidden layer sizes only: the data fixes inputs and outputs."""

    dataset: DatasetName = "circle"
    noise: Annotated[float, Field(ge=0, le=1)] = 0.1
    n_points: Annotated[int, Field(ge=4, le=MAX_COUNT)] = 500
    test_fraction: Annotated[float, Field(ge=0, le=0.9)] = 0.5
    sizes: Annotated[list[Annotated[int, Field(ge=1, le=MAX_COUNT)]], Field(max_length=MAX_LIST)] = Field(
        default_factory=lambda: [4, 4]
    )
    activations: ActivationName | Annotated[list[ActivationName], Field(max_length=MAX_LIST)] = "tanh"
    loss: LossName = "mse"
    optimizer: OptimizerName = "momentum"
    hyper: Hyper = Field(default_factory=lambda: Hyper(lr=0.03, momentum=0.9))
    batch_size: BatchSize = 10
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0  # the initial weights
    data_seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0  # the data
    preset: PresetName | None = None
    model: Literal["mlp", "rnn"] = "mlp"  # the feed-forward network, or the character RNN (``rnn`` below)
    rnn: RNNSettings = Field(default_factory=RNNSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)  # the worked examples keep constant


class Message(Strict):
    id: MessageId = None


class Hello(Message):
    type: Literal["hello"]
    token: Annotated[str, Field(max_length=256)] | None = None
    client: Annotated[str, Field(max_length=64)] | None = None


class Configure(Message):
    """Fields left out keep their values."""

    type: Literal["configure"]
    dataset: DatasetName | None = None
    noise: Annotated[float, Field(ge=0, le=1)] | None = None
    n_points: Annotated[int, Field(ge=4, le=MAX_COUNT)] | None = None
    test_fraction: Annotated[float, Field(ge=0, le=0.9)] | None = None
    sizes: Annotated[list[Annotated[int, Field(ge=1, le=MAX_COUNT)]], Field(max_length=MAX_LIST)] | None = None
    activations: ActivationName | Annotated[list[ActivationName], Field(max_length=MAX_LIST)] | None = None
    loss: LossName | None = None
    optimizer: OptimizerName | None = None
    hyper: Hyper | None = None
    batch_size: BatchSize | Literal["keep"] = "keep"
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    data_seed: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    preset: PresetName | Literal["none"] | None = None
    model: Literal["mlp", "rnn"] | None = None
    rnn: RNNSettings | None = None


class Reset(Message):
    type: Literal["reset"]


class Regenerate(Message):
    type: Literal["regenerate"]


class Play(Message):
    type: Literal["play"]


class Pause(Message):
    type: Literal["pause"]


class Speed(Message):
    type: Literal["speed"]
    updates_per_second: Annotated[float, Field(ge=1, le=10000)] | None


class Step(Message):
    type: Literal["step"]


class PhaseStep(Message):
    type: Literal["phase"]


class Set(Hyper):
    type: Literal["set"]
    id: MessageId = None
    batch_size: BatchSize | Literal["keep"] = "keep"


class ScheduleMessage(ScheduleSettings):
    """Live, like ``set``: the next update's η follows this schedule (the whole schedule: fields left out take
    their defaults)."""

    type: Literal["schedule"]
    id: MessageId = None


class CurvatureRequest(Message):
    """Measure λmax now (and answer when done); ``auto`` turns measuring after changes on or off."""

    type: Literal["curvature"]
    auto: bool | None = None


class Select(Message):
    type: Literal["select"]
    example: Count | None


class ParamRef(Strict):
    kind: Literal["weight", "bias"]
    layer: Count
    i: Count | None = None  # the source neuron, for a weight
    j: Count


AxisRange = tuple[Annotated[float, Field(ge=-1000, le=1000)], Annotated[float, Field(ge=-1000, le=1000)]]


class SurfaceRequest(Message):
    type: Literal["surface"]
    kind: Literal["weights", "random", "trajectory", "curve", "line", "none"]
    params: Annotated[list[ParamRef], Field(max_length=2)] = Field(default_factory=list)
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    resolution: Annotated[int, Field(ge=10, le=MAX_COUNT)] = 50
    # A half-width around the current point, or one (low, high) range per axis (a worked example's whole bowl).
    span: Annotated[float, Field(gt=0, le=1000)] | Annotated[list[AxisRange], Field(min_length=1, max_length=2)] \
        | None = None


class Sample(Message):
    """The recurrent network's sample panel: the temperature (and length) of the text it generates."""

    type: Literal["sample"]
    temperature: Annotated[float, Field(ge=0, le=10)]
    length: Annotated[int, Field(ge=1, le=MAX_SAMPLE)] | None = None


class Back(Message):
    """Step back this many updates (an update under way is abandoned, and counts as the first)."""

    type: Literal["back"]
    steps: Annotated[int, Field(ge=1, le=1_000_000)] = 1


class Forward(Message):
    """Replay this many of the updates kept ahead after stepping back."""

    type: Literal["forward"]
    steps: Annotated[int, Field(ge=1, le=1_000_000)] = 1


class Seek(Message):
    """Go to the state after update ``step``, anywhere in the kept history (the scrubber)."""

    type: Literal["seek"]
    step: Annotated[int, Field(ge=0, le=MAX_INT)]


class GradCheckRequest(Message):
    type: Literal["gradcheck"]


class ExplainElement(Strict):
    """A neuron (layer 0..L, as in NOTATION.md), or a weight or bias (layer l of weights[l] / biases[l])."""

    kind: Literal["neuron", "weight", "bias"]
    layer: Count
    i: Count | None = None  # the source neuron, for a weight
    j: Count


class Explain(Message):
    """Open the explainer on an element for every page of the session, or close it (null)."""

    type: Literal["explain"]
    element: ExplainElement | None


# -- predictions and the class poll (server/poll.py). Strict: no coercion, every string and number bounded.

class Question(BaseModel):
    """A prediction about the next update (or the one under way): its true answer comes from the engine
    (engine/predict.py) when it is revealed. ``loss``: will E on the batch go down or up; ``sign``: the sign of
    Δw (or Δb) for ``element``; ``number``: ``quantity`` of ``element``, right within ``tolerance``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["loss", "sign", "number"]
    text: Annotated[str, Field(min_length=1, max_length=300)]
    element: ExplainElement | None = None
    quantity: Literal["delta", "gradient", "change", "new", "loss_after"] | None = None
    tolerance: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] = 1e-3


class Ask(Message):
    """The presenter opens a question to every page of the session (null: take it down)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["ask"]
    question: Question | None


class Answer(Message):
    """One page's answer to the open question (the one control a viewer may send; once per question)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["answer"]
    question: Annotated[int, Field(ge=1, le=2**31 - 1)]
    value: Literal["down", "up", "-", "0", "+"] | Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]


class Reveal(Message):
    """Show the true answer now (a step or a phase reveals it too)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["reveal"]


class Visibility(Message):
    """This page was hidden (another tab, a minimised window) or shown again. Any page may say so: it changes only
    what this page is sent, never the session (server/clients.py)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["visibility"]
    hidden: bool


class PlayUntil(Message):
    """Play until update ``update`` or until E on the training set falls below ``loss_below`` (whichever first;
    at most MAX_UNTIL updates from now). ``at_once``: run them now, without animation (a lesson catching up)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["play_until"]
    update: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    loss_below: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    at_once: bool = False


class LessonPosition(Message):
    """Where the presenter is in a lesson (``name`` null: in none), shown read-only on every viewer page."""

    type: Literal["lesson"]
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] | None
    step: Annotated[int, Field(ge=0, le=99)] = 0  # counting from 0; a lesson has at most 100 steps
    done: bool = False  # the step's action is done: its "after" is shown


# -- the optimizer race (server/race.py): 2-4 contestants in lockstep on one fixed plane.

class Contestant(Strict):
    """One contestant: an optimizer and its settings (those left out take the optimizer's defaults)."""

    optimizer: OptimizerName
    hyper: Hyper | None = None


RacePlaneKind = Literal["random", "endpoints"]


class RaceStart(Message):
    """Start a race from the setup's starting weights: every contestant sees the same batches in the same order.
    The paths are drawn on a seeded random plane (filter-normalised) until race_plane fixes another."""

    type: Literal["race_start"]
    contestants: Annotated[list[Contestant], Field(min_length=2, max_length=4)]
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    resolution: Annotated[int, Field(ge=10, le=MAX_COUNT)] = 40


class RaceFocus(Message):
    """Which contestant the network, the decision map and the numbers show."""

    type: Literal["race_focus"]
    contestant: Annotated[int, Field(ge=0, le=3)]


class RacePlane(Message):
    """Fix the race's plane again: a new random one, or through the start and two contestants' weights now."""

    type: Literal["race_plane"]
    plane: RacePlaneKind
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    through: tuple[Annotated[int, Field(ge=0, le=3)], Annotated[int, Field(ge=0, le=3)]] = (0, 1)


class RaceStop(Message):
    """End the race; the session goes on with the contestant in focus."""

    type: Literal["race_stop"]


# -- your own data: points drawn on the decision map (server/owndata.py). The data set decides which classes and
# indices exist; the session checks those and names the field.

Coordinate = Annotated[float, Field(ge=-MAX_VALUE, le=MAX_VALUE)]
PointIndex = Annotated[int, Field(ge=0, le=MAX_ROWS - 1)]


class AddPoint(Message):
    """A new training point at ``x`` (x₁, x₂): of class ``label`` (classification) or with ``target``."""

    type: Literal["add_point"]
    x: tuple[Coordinate, Coordinate]
    label: Annotated[int, Field(ge=0, le=MAX_CLASSES - 1)] | None = None
    target: Coordinate | None = None


class MovePoint(Message):
    """Point ``index`` (over the data message's training points, then its test points) moved to ``x``."""

    type: Literal["move_point"]
    index: PointIndex
    x: tuple[Coordinate, Coordinate]


class RemovePoint(Message):
    type: Literal["remove_point"]
    index: PointIndex


Control = Annotated[
    Hello | Configure | Reset | Regenerate | Play | Pause | Speed | Step | PhaseStep | Set | Select
    | SurfaceRequest | GradCheckRequest | Back | Forward | Seek | Explain | Ask | Answer | Reveal | PlayUntil | Sample
    | LessonPosition | RaceStart | RaceFocus | RacePlane | RaceStop | ScheduleMessage | CurvatureRequest
    | AddPoint | MovePoint | RemovePoint | Visibility,
    Field(discriminator="type"),
]
CONTROL = TypeAdapter(Control)
CONTROL_TYPES = sorted(
    m.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in (Hello, Configure, Reset, Regenerate, Play, Pause, Speed, Step, PhaseStep, Set, Select,
              SurfaceRequest, GradCheckRequest, Back, Forward, Seek, Explain, Ask, Answer, Reveal, PlayUntil, Sample,
              LessonPosition, RaceStart, RaceFocus, RacePlane, RaceStop, ScheduleMessage, CurvatureRequest,
              AddPoint, MovePoint, RemovePoint, Visibility)
)


class FieldError(ValueError):
    """A control message that cannot be carried out: which field, and why, in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


_PLAIN = {
    "extra_forbidden": "is not a setting this message takes",
    "missing": "is required",
}


def _field_name(loc: list[str]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "type"


def plain_error(exc: ValidationError) -> FieldError:
    """pydantic's most specific error, made plain: the field's name and a sentence about it."""
    errors = exc.errors(include_url=False)
    # A union (e.g. one activation or a list of them) reports every branch; the deepest path is the useful one.
    error = max(errors, key=lambda e: len(e["loc"]))
    loc = [str(p) for p in error["loc"]]
    if loc and loc[0] in CONTROL_TYPES:  # union members put their tag first ("set.lr"); people need the field
        loc = loc[1:]
    loc = [p for p in loc if not p.startswith(("literal[", "constrained", "list[", "function-"))]
    field = _field_name(loc)
    kind, got = error["type"], error.get("input")
    if kind == "json_invalid":  # pydantic says why ("recursion limit exceeded at line 1 column 206")
        reason = str(error.get("ctx", {}).get("error", ""))[:80]
        return FieldError("message", f"message: not valid JSON{f' ({reason})' if reason else ''}")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = got.get("type") if isinstance(got, dict) else None
        said = "is missing" if tag is None else f"{shown(tag)} is not a message type"
        return FieldError("type", f"type: {said}; expected one of {', '.join(CONTROL_TYPES)}")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return FieldError(field if loc else "message", f"{field if loc else 'message'}: expected a JSON object")
    message = _PLAIN.get(kind, error["msg"][0].lower() + error["msg"][1:])
    tail = f", got {shown(got)}" if kind not in ("missing", "extra_forbidden") and not isinstance(got, dict) else ""
    return FieldError(field, f"{field}: {message}{tail}")


def shown(value: Any, limit: int = 40) -> str:
    """A value as an error repeats it: short, so that a huge input is never sent back."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 12]}… ({len(text)} characters)"


_ECHO_ID = TypeAdapter(MessageId, config=ConfigDict(strict=True))


def error_reply(msg_id: Any, of: str | None, error: FieldError) -> dict[str, Any]:
    """The ``error`` message (docs/protocol.md): the request's id and type as reply_tags gives them, the field
    at fault and why, in plain words."""
    return {"type": "error", "id": msg_id, "of": of, "field": error.field, "message": error.message}


def reply_tags(raw: str | bytes) -> tuple[Any, str | None]:
    """The ``id`` and ``type`` a reply to a malformed message repeats: only an id that is itself valid and a
    known type, so that a bad message never makes the server echo something large, non-finite or unprintable."""
    try:
        said = from_json(raw)  # depth-limited, like the validation itself
    except ValueError:
        return None, None
    if not isinstance(said, dict):
        return None, None
    try:
        msg_id = _ECHO_ID.validate_python(said.get("id"))
    except ValidationError:
        msg_id = None
    kind = said.get("type")
    return msg_id, kind if isinstance(kind, str) and kind in CONTROL_TYPES else None


def parse_control(raw: str | bytes) -> Any:
    """Validate one control message; raise FieldError naming the field when it is malformed."""
    try:
        return CONTROL.validate_json(raw)
    except ValidationError as exc:
        raise plain_error(exc) from None
