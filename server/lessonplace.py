"""Where the presenter is in a lesson: part of the session, so every viewer page shows the step's title and text
(read-only) as the presenter moves through it, a page joining late sees the step on its welcome, and a kept
session comes back at the same step. The presenter's page says where it is (the ``lesson`` control message); the
server reads the step from the lesson file itself, validated, so what viewers read is the lesson's own words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import lessons
from .protocol import FieldError, LessonPosition

if TYPE_CHECKING:
    from .clients import Client
    from .session import Session


class LessonPlace:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.name: str | None = None
        self.step = 0
        self.done = False
        self._message: dict[str, Any] = {"type": "lesson", "lesson": None}

    def follow(self, m: LessonPosition) -> None:
        """The presenter opened step ``m.step`` of lesson ``m.name`` (or left the lesson): tell every page."""
        self._message = self._describe(m.name, m.step, m.done)
        self.name, self.step, self.done = m.name, m.step, m.done
        self.session.broadcast(self._message)
        self.session.changed(grid=False)  # so storage keeps the new place (it writes changed sessions)

    def greet(self, client: Client) -> None:
        """A page joining (or coming back) sees the step the presenter is at."""
        if self.name is not None:
            client.send_json(self._message)

    def kept(self) -> dict[str, Any] | None:
        """What storage keeps: the place, not the words (they are read again from the file)."""
        return None if self.name is None else {"name": self.name, "step": self.step, "done": self.done}

    def restore(self, kept: dict[str, Any] | None) -> None:
        """A kept place, if its lesson still has that step (a lesson file edited or removed since is let go)."""
        if not kept:
            return
        try:
            m = LessonPosition.model_validate({**kept, "type": "lesson"})
            self._message = self._describe(m.name, m.step, m.done)
        except (ValueError, FieldError):
            return
        self.name, self.step, self.done = m.name, m.step, m.done

    def _describe(self, name: str | None, k: int, done: bool) -> dict[str, Any]:
        if name is None:
            return {"type": "lesson", "lesson": None}
        try:
            lesson = lessons.load_lesson(name)
        except KeyError:
            raise FieldError("name", f"name: no lesson named {name!r}") from None
        except lessons.LessonError as exc:
            raise FieldError("name", f"name: that lesson cannot be played ({exc})") from None
        if k >= len(lesson.steps):
            raise FieldError("step", f"step: the lesson has {len(lesson.steps)} steps (0 … {len(lesson.steps) - 1}), "
                             f"got {k}")
        step = lesson.steps[k]
        return {"type": "lesson", "lesson": {"name": name, "title": lesson.title, "steps": len(lesson.steps)},
                "step": k, "done": done, "poll": step.poll and step.predict is not None,
                "display": lesson.display(k, done)}
