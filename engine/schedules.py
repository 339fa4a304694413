"""Learning-rate schedules: the η in force at each update, from the η a person set.

η_t = η · f(t), where t counts the updates made before this one (t = 0 for the first), as
torch.optim.lr_scheduler gives when ``scheduler.step()`` follows every ``optimizer.step()``:

  constant     f(t) = 1
  step         f(t) = γ^⌊t / step_size⌋                               (torch StepLR)
  exponential  f(t) = γ^t                                            (torch ExponentialLR)
  cosine       f(t) = m + (1 − m)·(1 + cos(π t / T))/2 for t ≤ T, then m  (torch CosineAnnealingLR with
               η_min = m·η, up to T; it then rises again, this holds at η_min)

Warm-up, with any of them: f(t) = (t + 1)/w for the first w updates (torch LinearLR from 1/w to 1), then the
schedule from its own start, f(t − w). Constant with a warm-up is the plain "warm-up" schedule.

Because f multiplies the η set now, moving the η slider while a schedule runs scales the whole curve; the clock t
is the optimizer's step count, so a reset starts the schedule again and stepping back returns to its η.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

KINDS = ("constant", "step", "exponential", "cosine")

# Ranges a user may set; the server and the page read them from here.
LIMITS: dict[str, tuple[float, float]] = {
    "warmup": (0, 1_000_000),
    "step_size": (1, 1_000_000),
    "gamma": (1e-6, 1.0),
    "period": (1, 1_000_000),
    "min_factor": (0.0, 1.0),
}
WHOLE = ("warmup", "step_size", "period")  # counts of updates
DEFAULTS = {"exponential": {"gamma": 0.99}}  # halving at every update (the step decay's γ) is too steep a start
USES = {"constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",), "cosine": ("period", "min_factor")}


@dataclass(frozen=True)
class Schedule:
    kind: str = "constant"
    warmup: int = 0  # updates of linear warm-up before the schedule starts
    step_size: int = 100  # step: updates between two decays
    gamma: float = 0.5  # step: the factor at each decay; exponential: the factor per update
    period: int = 1000  # cosine: updates from η down to η_min
    min_factor: float = 0.0  # cosine: η_min as a share of η

    def factor(self, t: int) -> float:
        """f(t): the share of the η set that update t + 1 uses."""
        if t < self.warmup:
            return (t + 1) / self.warmup
        t -= self.warmup
        if self.kind == "step":
            return self.gamma ** (t // self.step_size)
        if self.kind == "exponential":
            return self.gamma**t
        if self.kind == "cosine":
            m = self.min_factor
            return m + (1.0 - m) * (1.0 + math.cos(math.pi * min(t, self.period) / self.period)) / 2.0
        return 1.0

    def eta(self, lr: float, t: int) -> float:
        """The η in force for update t + 1 (t updates made before it) when the η set is ``lr``."""
        return lr if self.is_constant else lr * self.factor(t)

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant" and self.warmup == 0

    def settings(self) -> dict[str, float | int | str]:
        """The kind and the settings it uses (what the wire and a stored session carry)."""
        values = asdict(self)
        return {"kind": self.kind, "warmup": self.warmup, **{k: values[k] for k in USES[self.kind]}}

    def describe(self) -> str:
        """The schedule in plain words."""
        text = {
            "constant": "constant η",
            "step": f"η × {self.gamma:g} every {self.step_size:,} updates",
            "exponential": f"η × {self.gamma:g} at every update",
            "cosine": f"cosine from η down to {self.min_factor:g}·η over {self.period:,} updates",
        }[self.kind]
        if self.warmup:
            return f"warm-up from η/{self.warmup:,} to η over {self.warmup:,} updates, then {text}"
        return text


CONSTANT = Schedule()


def make_schedule(kind: str = "constant", **settings: float) -> Schedule:
    """``make_schedule("cosine", period=500, warmup=50)``; settings left out take their defaults. ValueError
    names the field of a bad one."""
    if kind not in KINDS:
        raise ValueError(f"kind: unknown schedule {kind!r}; expected one of {', '.join(KINDS)}")
    checked: dict[str, float | int] = {}
    for name, value in settings.items():
        if name not in LIMITS:
            raise ValueError(f"{name}: not a setting of a schedule; they are {', '.join(LIMITS)}")
        low, high = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or not low <= value <= high:
            raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}], got {value!r}")
        if name in WHOLE:
            if value != int(value):
                raise ValueError(f"{name}: expected a whole number of updates, got {value!r}")
            value = int(value)
        checked[name] = value
    # Settings another kind uses are dropped, so that two schedules that act alike compare equal.
    kept = {**DEFAULTS.get(kind, {}), **{k: v for k, v in checked.items() if k == "warmup" or k in USES[kind]}}
    return Schedule(kind, **kept)  # type: ignore[arg-type]
