"""The presenter's place in a lesson, over real WebSockets: every viewer page gets the step's words (read from the
lesson file by the server, maths parsed), a page joining late gets them on its welcome, a kept session comes back
at the same step, and a bad message is refused naming its field while the session goes on."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from liveserver import LiveServer

from server import Settings, lessons

LESSON = "learning-rate-on-a-curve"


@pytest.fixture
def classroom(live):
    session, token = live.create(preset="curve")
    presenter = live.connect(session, token, client="teacher")
    viewers = [live.connect(session, None, client=f"student-{k}") for k in range(2)]
    yield live, session, presenter, viewers
    for page in (presenter, *viewers):
        page.close()


def maths_in(parts: list) -> list:
    return [part["math"] for part in parts if isinstance(part, dict)]


def test_every_viewer_gets_the_step_the_presenter_opens_and_follows_next(classroom):
    live, session, presenter, viewers = classroom
    lesson = lessons.load_lesson(LESSON)
    assert presenter.control({"type": "lesson", "name": LESSON, "step": 0})["type"] == "ack"
    for viewer in viewers:
        place = viewer.expect("lesson")
        assert place["lesson"] == {"name": LESSON, "title": lesson.title, "steps": len(lesson.steps)}
        assert place["step"] == 0 and place["done"] is False
        assert "".join(p for p in place["display"]["text"] if isinstance(p, str)).startswith(" has its minimum")
        first = maths_in(place["display"]["text"])[0]  # f(x) = x⁴ − 3x³ + 2
        assert first[2:6] == [["mi", {}, "f"], ["mo", {}, "("], ["mi", {}, "x"], ["mo", {}, ")"]]
    # Next: the step's words follow; its "after" only once the presenter's action is done.
    presenter.control({"type": "lesson", "name": LESSON, "step": 2})
    place = viewers[0].expect("lesson", step=2)
    assert place["display"]["title"] == [lesson.steps[2].title] and "after" not in place["display"]
    presenter.control({"type": "lesson", "name": LESSON, "step": 2, "done": True})
    place = viewers[1].expect("lesson", step=2, done=True)
    assert maths_in(place["display"]["after"]), "the why, with its maths"
    # A page joining late sees where the class is, right after its welcome.
    late = live.connect(session, None, client="late")
    assert late.expect("lesson")["step"] == 2
    late.close()
    # Leaving the lesson: every page hears there is none; a page joining then hears nothing of it.
    presenter.control({"type": "lesson", "name": None})
    assert viewers[0].expect("lesson", lesson=None)["lesson"] is None
    later = live.connect(session, None, client="later")
    later.expect("frame")
    assert not [m for m in later.seen if m["type"] == "lesson"]
    later.close()


@pytest.mark.parametrize(("message", "field", "says"), [
    ({"type": "lesson", "name": "no-such-lesson"}, "name", "no lesson named 'no-such-lesson'"),
    ({"type": "lesson", "name": LESSON, "step": 5}, "step", "the lesson has 5 steps (0 … 4), got 5"),
    ({"type": "lesson", "name": LESSON, "step": -1}, "step", "greater than or equal to 0"),
    ({"type": "lesson", "name": LESSON, "step": "2"}, "step", "valid integer"),
    ({"type": "lesson", "name": "../server/app"}, "name", "pattern"),
    ({"type": "lesson", "name": LESSON, "done": 1}, "done", "valid boolean"),
    ({"type": "lesson", "step": 0}, "name", "required"),
    ({"type": "lesson", "name": LESSON, "text": "<b>hi</b>"}, "text", "not a setting this message takes"),
])
def test_a_bad_lesson_message_is_refused_naming_the_field_and_the_session_goes_on(classroom, message, field, says):
    _, _, presenter, viewers = classroom
    reply = presenter.control(message)
    assert reply["type"] == "error" and reply["field"] == field and says in reply["message"], reply
    assert presenter.control({"type": "lesson", "name": LESSON, "step": 1})["type"] == "ack"
    assert viewers[0].expect("lesson")["step"] == 1, "no lesson message went out for the refused one"


def test_a_students_own_copy_does_not_follow_the_class_lesson(classroom):
    live, session, presenter, _ = classroom
    presenter.control({"type": "lesson", "name": LESSON, "step": 2})
    fork = httpx.post(f"{live.http}/api/sessions/{session}/fork").json()
    own = live.connect(fork["session"], fork["token"], client="explorer")
    own.expect("frame")
    assert not [m for m in own.seen if m["type"] == "lesson"]
    own.close()


def test_a_viewer_cannot_move_the_lesson(classroom):
    _, _, presenter, viewers = classroom
    reply = viewers[0].control({"type": "lesson", "name": LESSON, "step": 3})
    assert reply["type"] == "error" and "viewers cannot control" in reply["message"]


def test_a_kept_session_comes_back_at_the_same_step(tmp_path):
    db = str(tmp_path / "sessions.db")
    with LiveServer(Settings(db=db, save_every_seconds=0.1)) as live:
        session, token = live.create(preset="curve")
        teacher = live.connect(session, token, client="teacher")
        teacher.control({"type": "lesson", "name": LESSON, "step": 3, "done": True})
        teacher.close()
    # Stopping the server wrote the session, with the place.
    with LiveServer(Settings(db=db)) as live:
        student = live.connect(session, client="student")
        place = student.expect("lesson")
        assert (place["lesson"]["name"], place["step"], place["done"]) == (LESSON, 3, True)
        student.close()
