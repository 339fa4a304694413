"""The lecture hall: the presenter view fits the four drawings on a projected screen with text readable from
the back, the presenter sees how many students follow, and the join code shows a link students can reach.

"Readable from the back" is measured as the smallest text the drawings draw (canvas text, the network's SVG
text, the legends), in CSS pixels: at least 16 px on a 1280 × 720 screen and 20 px on 1920 × 1080, i.e. at least
1/54 of the screen's height (before: 11 px, 1/65 of 720 lines and 1/98 of 1080).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from browserkit import screenshot, wait_for_app
from liveserver import LiveServer
from playwright.sync_api import expect

from server import Settings, network_addresses

DRAWINGS = {
    "network": "#network-view .bl-network-svg",
    "decision map": "#map-view canvas",
    "loss curve": "#loss-view canvas",
    "loss surface": "#surface-view canvas",
}

# Records the smallest text each canvas draws, from the page's first script on, apart for the desk layout and
# the presenter view (by the page's class at the moment of drawing). A canvas outside the page is a layer a view
# paints and then copies onto its canvas (the loss surface's axes and heatmap): its text counts as drawn.
RECORD_CANVAS_TEXT = """(() => {
  window.canvasText = {desk: {}, presenter: {}};
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (...args) {
    const px = Number(/([\\d.]+)px/.exec(this.font)[1]);
    const name = this.canvas.isConnected ? this.canvas.closest('.view').id : 'layer';
    const seen = window.canvasText[document.body.classList.contains('presenter') ? 'presenter' : 'desk'];
    if (seen[name] === undefined || px < seen[name]) seen[name] = px;
    return fillText.apply(this, args);
  };
})()"""

# The smallest text shown inside the drawings' containers, as drawn on the screen (an SVG's text scaled by its
# view box), and where it is.
SMALLEST_DOM_TEXT = """() => {
  let smallest = {px: Infinity, text: null};
  for (const root of document.querySelectorAll('#network-view, #map-view, #loss-view, #surface-view')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      const box = el.getBoundingClientRect();
      if (!node.textContent.trim() || box.width === 0 || box.height === 0) continue;
      let px = parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGElement) {
        const m = el.getScreenCTM();
        px *= Math.hypot(m.c, m.d);
      }
      if (px < smallest.px) smallest = {px, text: node.textContent.trim().slice(0, 40)};
    }
  }
  return smallest;
}"""

CLASS_NETWORK = {socket.AF_INET: "192.168.1.23"}


class ClassNetwork:
    """This machine as a classroom laptop on 192.168.1.23, for server/network_addresses.py only."""

    AF_INET, AF_INET6, SOCK_DGRAM = socket.AF_INET, socket.AF_INET6, socket.SOCK_DGRAM

    class Udp:
        def __init__(self, family: int) -> None:
            self.address = CLASS_NETWORK.get(family)

        def __enter__(self) -> ClassNetwork.Udp:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def connect(self, address: object) -> None:
            if self.address is None:
                raise OSError(101, "Network is unreachable")

        def getsockname(self) -> tuple[str, int]:
            return (self.address, 40000)

    def socket(self, family: int, kind: int) -> Udp:
        return self.Udp(family)

    def gethostname(self) -> str:
        return "classroom-laptop"

    def getaddrinfo(self, host: str, port: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.1.1", 0))]


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    """This module's pages talk to a server started as `make serve HOST=0.0.0.0` on the classroom laptop (it
    listens on loopback: the pages open it as 127.0.0.1, as a teacher at the projector would)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(network_addresses, "socket", ClassNetwork())
        with LiveServer(Settings(host="0.0.0.0", grace_seconds=600)) as server:
            yield server


def drawing_boxes(page) -> dict[str, dict[str, float]]:
    return {name: page.locator(selector).bounding_box() for name, selector in DRAWINGS.items()}


def train_a_little(page) -> None:
    page.keyboard.press("Space")
    page.wait_for_function("() => window.backpropLab.frame.header.step >= 30")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.backpropLab.frame.header.playing === false")
    page.wait_for_function("() => window.backpropLab.surface !== null")


@pytest.mark.parametrize("width, height, readable", [(1280, 720, 16), (1920, 1080, 20)])
def test_presenter_view_shows_the_four_drawings_on_one_screen_with_large_text(open_page, width, height, readable):
    page = open_page("#dataset=xor&sizes=4,4&speed=100&surface=random", wait=False,
                     viewport={"width": width, "height": height})
    page.add_init_script(RECORD_CANVAS_TEXT)
    page.reload()
    wait_for_app(page)
    train_a_little(page)
    at_desk = page.evaluate("() => window.canvasText.desk")
    assert min(at_desk.values()) < readable, "the desk layout keeps its small text (this test would see a change)"

    page.keyboard.press("KeyP")
    expect(page.locator("body")).to_have_class("presenter")
    expect(page.locator("#presenter-view")).to_have_attribute("aria-pressed", "true")
    assert "presenter_view=1" in page.evaluate("() => location.hash"), "the view is kept in the link"
    page.wait_for_function("() => ['map-view', 'loss-view', 'layer']"
                           ".every((id) => window.canvasText.presenter[id] !== undefined)")

    for name, box in drawing_boxes(page).items():
        assert box is not None, name
        assert box["x"] >= 0 and box["y"] >= 0, (name, box)
        assert box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5, (name, box)
        assert box["width"] >= 0.2 * width and box["height"] >= 0.2 * height, f"{name} is too small: {box}"
    scroll = page.evaluate("() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
    assert scroll[0] <= height and scroll[1] <= width, f"the page scrolls: {scroll}"

    screenshot(page, f"40_presenter_view_{width}x{height}", full_page=False)
    canvas_text = page.evaluate("() => window.canvasText.presenter")
    assert min(canvas_text.values()) >= readable, canvas_text
    smallest = page.evaluate(SMALLEST_DOM_TEXT)
    assert smallest["px"] >= readable, smallest
    screenshot(page, f"40_presenter_view_{width}x{height}", full_page=False)

    # P again: back at the desk, and the link says so.
    page.keyboard.press("KeyP")
    expect(page.locator("body")).not_to_have_class("presenter")
    assert "presenter_view" not in page.evaluate("() => location.hash")


@pytest.mark.parametrize("preset", ["curve", "worked_222"])
def test_the_worked_examples_read_from_the_back_too(open_page, preset):
    # The curve has a 1-D surface and no decision map; the 2-2-2 network shows each neuron's value.
    page = open_page(f"#preset={preset}&presenter_view=1", wait=False, viewport={"width": 1280, "height": 720})
    page.add_init_script(RECORD_CANVAS_TEXT)
    page.reload()
    wait_for_app(page)
    page.wait_for_function("() => window.backpropLab.surface !== null")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.backpropLab.frame.header.step === 1"
                           " && window.canvasText.presenter.layer !== undefined")
    assert min(page.evaluate("() => window.canvasText.presenter").values()) >= 16
    smallest = page.evaluate(SMALLEST_DOM_TEXT)
    assert smallest["px"] >= 16, smallest
    for name in ("network", "loss surface"):
        box = page.locator(DRAWINGS[name]).bounding_box()
        assert box["y"] + box["height"] <= 720 + 0.5 and box["height"] >= 0.2 * 720, (name, box)
    screenshot(page, f"45_presenter_view_{preset}", full_page=False)


def test_a_link_with_the_presenter_view_opens_in_it_for_viewers_too(open_page):
    presenter = open_page("#dataset=gauss&sizes=2&presenter_view=1", viewport={"width": 1280, "height": 720})
    expect(presenter.locator("body")).to_have_class("presenter")
    session = presenter.evaluate("() => window.backpropLab.session")
    viewer = open_page(f"#session={session}&presenter_view=1", viewport={"width": 1280, "height": 720})
    expect(viewer.locator("body")).to_have_class("presenter")
    expect(viewer.locator("#controls")).to_be_hidden()
    assert viewer.evaluate("() => location.hash") == f"#session={session}&presenter_view=1"
    for name, box in drawing_boxes(viewer).items():
        assert box["y"] + box["height"] <= 720 + 0.5, (name, box)
    screenshot(viewer, "41_presenter_view_viewer", full_page=False)


def test_the_presenter_sees_how_many_students_follow(open_page):
    presenter = open_page("#dataset=gauss&sizes=2&presenter_view=1", viewport={"width": 1280, "height": 720})
    following = presenter.locator("#following")
    expect(following).to_have_text("No students following yet")
    session = presenter.evaluate("() => window.backpropLab.session")
    viewers = [open_page(f"#session={session}") for _ in range(3)]
    expect(following).to_have_attribute("data-count", "3")
    expect(following).to_have_text("3 students following")
    assert following.bounding_box()["height"] >= 24, "prominent: larger than the page's text"
    screenshot(presenter, "42_presenter_three_students", full_page=False)
    for viewer in viewers:
        expect(viewer.locator("#following")).to_be_hidden()
    viewers[0].context.close()
    expect(following).to_have_text("2 students following")


def test_the_join_code_shows_a_qr_code_of_a_link_students_can_reach(open_page, live):
    page = open_page("#dataset=xor&sizes=3", viewport={"width": 1280, "height": 720})
    session = page.evaluate("() => window.backpropLab.session")
    assert page.evaluate("() => location.hostname") == "127.0.0.1"
    page.keyboard.press("KeyJ")
    dialog = page.locator("#join-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#join-qr")).to_have_attribute("data-state", "shown")
    expected = f"http://192.168.1.23:{live.port}/#session={session}"
    expect(page.locator("#join-link")).to_have_text(expected)
    expect(page.locator("#join-advice")).to_be_hidden()
    qr = page.locator("#join-qr svg")
    assert qr.evaluate("(svg) => svg.namespaceURI") == "http://www.w3.org/2000/svg"
    assert qr.locator("path").count() >= 1
    box = qr.bounding_box()
    assert box["height"] >= 0.5 * 720 and box["y"] + box["height"] <= 720, f"large enough to scan: {box}"
    screenshot(page, "43_join_code", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The viewer link it shows is the one "Share viewer link" copies.
    page.click("#share")
    assert page.evaluate("() => window.backpropLab.shareLink") == expected


def test_a_server_on_loopback_only_says_students_cannot_reach_it_instead_of_a_code(browser):
    with LiveServer(Settings(host="127.0.0.1")) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.http}/#dataset=gauss&sizes=2")
        wait_for_app(page)
        page.click("#join")
        expect(page.locator("#join-advice")).to_contain_text("students on other machines cannot reach it")
        expect(page.locator("#join-advice")).to_contain_text("make serve HOST=0.0.0.0")
        expect(page.locator("#join-qr")).to_have_attribute("data-state", "unreachable")
        assert page.locator("#join-qr svg").count() == 0
        screenshot(page, "44_join_code_loopback_only", full_page=False)
        context.close()
        assert errors == []
