"""The question open in a session: for one student predicting alone, or for a whole class at once.

The presenter asks; every page shows the question and may answer once (per client id); the presenter's pages see
how many answered and the spread (counts per choice, or a histogram of numbers: no names), updated at most
TALLY_INTERVAL apart however fast answers come; a step, a phase or ``reveal`` shows the true answer, which the
engine computes for the update the question was about (engine/predict.py), with the explainer's working.
Answers never wake the frame senders: 300 viewers answering within a second cost the frames nothing but the
answers' own handling (bench/poll.py).
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.names import neuron_name, param_label
from engine.predict import answer as true_answer

from .explainer import element_of, explanation
from .protocol import Answer, Ask, Explain, FieldError, Question

if TYPE_CHECKING:
    from .clients import Client
    from .session import Session

CHOICES = {"loss": ["down", "up"], "sign": ["-", "0", "+"]}
MAX_ANSWERS = 5000  # one per client id; ids are the pages' own, so a bound keeps made-up ids from piling up
TALLY_INTERVAL = 0.2  # seconds between the presenter's updates while answers arrive
HISTOGRAM_BINS = 10


class Poll:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.number = 0  # the question's id, counting from 1 in this session
        self.question: Question | None = None
        self.element: tuple | None = None
        self.answers: dict[str, Any] = {}
        self.truth: Any = None
        self.revealed = False
        self._tally_pending: asyncio.TimerHandle | None = None

    # -- the presenter ---------------------------------------------------------------------------------------

    def ask(self, m: Ask) -> None:
        q = m.question
        if q is None:
            self.question = None
            self.session.broadcast({"type": "question", "question": None})
            return
        element = None
        if q.element is not None:  # the same checks as ``explain``, with the field named from the question
            try:
                element = element_of(Explain(type="explain", element=q.element), self.session.trainer.model.sizes)
            except FieldError as exc:
                raise FieldError(f"question.{exc.field}", f"question.{exc.message}") from None
        if q.kind in ("sign", "number") and element is None and q.quantity != "loss_after":
            raise FieldError("question.element", "question.element: this question is about one element; name it")
        if q.kind == "number" and q.quantity is None:
            raise FieldError("question.quantity", "question.quantity: a number question says which number "
                             "(delta, gradient, change, new or loss_after)")
        if q.kind != "number" and q.quantity is not None:
            raise FieldError("question.quantity", f"question.quantity: only a number question takes one, not {q.kind}")
        try:  # refuse a question the engine cannot answer now, rather than at the reveal
            true_answer(self.session.trainer, q.kind, element, q.quantity)
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            raise FieldError(f"question.{field}", f"question.{field}: {reason}") from None
        self.number += 1
        self.question, self.element = q, element
        self.answers, self.truth, self.revealed = {}, None, False
        # The explainer previews the next update (Δw, E after): open, it would give the answer away. It opens
        # again on the question's element with the reveal.
        self.session.explainer.element = None
        self.session.changed(grid=False)
        self.session.broadcast(self.question_message())

    def before_update(self) -> None:
        """A step or a phase is about to run: the question is about it, so its answer is taken now."""
        if self.question is not None and not self.revealed:
            self.truth = self._truth()

    def after_update(self) -> None:
        if self.question is not None and not self.revealed and self.truth is not None:
            self._reveal()

    def reveal(self) -> None:
        if self.question is None:
            raise FieldError("type", "type: no question is open")
        if not self.revealed:
            self.truth = self._truth()
            self._reveal()

    # -- every page ------------------------------------------------------------------------------------------

    def answer(self, client: Client, m: Answer) -> None:
        q = self.question
        if q is None or m.question != self.number:
            raise FieldError("question", f"question: question {m.question} is not the one open"
                             + (f" (that is {self.number})" if q is not None else " (none is)"))
        if self.revealed:
            raise FieldError("question", "question: the answer has been shown; answers are closed")
        if client.id in self.answers:
            raise FieldError("question", "question: you have answered this question already")
        choices = CHOICES.get(q.kind)
        if choices is not None and m.value not in choices:
            raise FieldError("value", f"value: expected one of {', '.join(choices)}, got {m.value!r}")
        if choices is None and isinstance(m.value, str):
            raise FieldError("value", f"value: expected a number, got {m.value!r}")
        if len(self.answers) >= MAX_ANSWERS:
            raise FieldError("question", f"question: this question has its {MAX_ANSWERS} answers")
        self.answers[client.id] = m.value if choices is not None else float(m.value)
        self._schedule_tally()

    def greet(self, client: Client) -> None:
        """A page that (re)connects sees the open question, and its own answer and the truth if shown."""
        if self.question is None:
            return
        client.send_json(self.question_message())
        if client.controls:
            client.send_json(self.tally_message())
        if self.revealed:
            client.send_json(self.reveal_message(client))

    # -- messages --------------------------------------------------------------------------------------------

    def question_message(self) -> dict[str, Any]:
        q = self.question
        assert q is not None
        return {"type": "question", "question": {
            "id": self.number, "kind": q.kind, "text": q.text, "choices": CHOICES.get(q.kind),
            "quantity": q.quantity, "tolerance": q.tolerance if q.kind == "number" else None,
            "element": q.element.model_dump() if q.element is not None else None,
            "name": self._name(),
        }}

    def tally(self) -> dict[str, Any]:
        q = self.question
        values = list(self.answers.values())
        out: dict[str, Any] = {"question": self.number, "count": len(values)}
        if q is not None and q.kind in CHOICES:
            out["choices"] = {c: sum(1 for v in values if v == c) for c in CHOICES[q.kind]}
        elif values:
            counts, edges = np.histogram(np.array(values, dtype=float), bins=HISTOGRAM_BINS)
            out["histogram"] = {"counts": counts.tolist(), "edges": edges.tolist()}
            if self.revealed and isinstance(self.truth, float):
                out["right"] = sum(1 for v in values if self._right(v))
        return out

    def tally_message(self) -> dict[str, Any]:
        return {"type": "tally", **self.tally()}

    def reveal_message(self, client: Client) -> dict[str, Any]:
        yours = self.answers.get(client.id)
        q = self.question
        assert q is not None
        working = explanation(self.session.trainer, self.element, self.session.selection) if self.element else None
        return {"type": "reveal", "question": self.number, "truth": _finite(self.truth), "yours": yours,
                "right": None if yours is None else self._right(yours), "tally": self.tally(),
                "working": working}

    # -- inside ----------------------------------------------------------------------------------------------

    def _truth(self) -> Any:
        q = self.question
        assert q is not None
        with np.errstate(all="ignore"):
            return true_answer(self.session.trainer, q.kind, self.element, q.quantity)

    def _reveal(self) -> None:
        self.revealed = True
        session = self.session
        if self.element is not None:  # the explainer opens on the element: its working, beside the answer
            session.explainer.element = self.element
        working = explanation(session.trainer, self.element, session.selection) if self.element else None
        shared = {"type": "reveal", "question": self.number, "truth": _finite(self.truth), "tally": self.tally(),
                  "working": working}
        for client in session.clients.values():
            yours = self.answers.get(client.id)
            client.send_json({**shared, "yours": yours, "right": None if yours is None else self._right(yours)})

    def _right(self, value: Any) -> bool:
        q = self.question
        if q is None or self.truth is None:
            return False
        if q.kind == "number":
            return isinstance(value, float) and isinstance(self.truth, float) and math.isfinite(self.truth) \
                and abs(value - self.truth) <= q.tolerance
        return value == self.truth

    def _schedule_tally(self) -> None:
        if self._tally_pending is not None:
            return
        self._tally_pending = asyncio.get_running_loop().call_later(TALLY_INTERVAL, self._send_tally)

    def _send_tally(self) -> None:
        self._tally_pending = None
        if self.question is None:
            return
        message = self.tally_message()
        for client in self.session.clients.values():
            if client.controls:
                client.send_json(message)
            else:  # viewers see how many have answered, not what: the spread would sway those still thinking
                client.send_json({"type": "tally", "question": self.number, "count": message["count"]})

    def _name(self) -> str | None:
        """The element as a person reads it (w5, h₁, ...), for the question's label."""
        if self.element is None:
            return None
        net = self.session.trainer.model
        if self.element[0] == "neuron":
            return neuron_name(net.sizes, self.element[1], self.element[2])
        return param_label(net, self.element)


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value
