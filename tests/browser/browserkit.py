"""What the browser tests and bench/browser.py share: how to launch Debian's Chromium, wait for the app,
read what the page shows, and keep screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1600, "height": 1000}


def launch(playwright: Any) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def wait_for_app(page: Page, timeout: float = 10_000) -> None:
    """Until the page is connected and has drawn a frame."""
    page.wait_for_function(
        "() => window.backpropLab && window.backpropLab.frame !== null"
        " && document.getElementById('connection').dataset.state === 'open'",
        timeout=timeout,
    )


def server_caught_up(page: Page) -> None:
    """Until the server has handled every control message this page sent so far: one socket's messages are
    handled in order, so the reply to a request it refuses (η = −1) comes after all of theirs."""
    refused = page.evaluate(
        "() => window.backpropLab.connection.request({type: 'set', lr: -1}).then(() => null, (e) => e.field)"
    )
    assert refused in ("lr", "type"), refused  # a presenter's η is refused, a viewer's every control


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def frame_header(page: Page) -> dict[str, Any]:
    """The header of the newest frame the page has drawn."""
    return page.evaluate("() => window.backpropLab.frame.header")


def wait_for_step(page: Page, step: int, timeout: float = 10_000) -> None:
    page.wait_for_function(f"() => window.backpropLab.frame && window.backpropLab.frame.header.step === {step}",
                           timeout=timeout)


def painted_share(page: Page, selector: str) -> float:
    """The share of the pixels of the canvas `selector` that are not transparent."""
    return page.evaluate("""(selector) => {
      const c = document.querySelector(selector);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let k = 3; k < d.length; k += 4) if (d[k] > 0) painted++;
      return painted / (d.length / 4);
    }""", selector)


def drawn_arrays(page: Page, prefix: str) -> list[list[float]]:
    """The arrays `prefix` (weights, biases, ...) of the network state the page drew, one list per layer."""
    return page.evaluate(
        "(prefix) => window.backpropLab.network[prefix].map((a) => a ? Array.from(a) : null)", prefix
    )


# Finds a point on a connection (or bias) where the pointer lands on that element and no other, in page
# coordinates, so a test can hover it as a person would.
_HOVER_POINT = """(param) => {
  const els = [...document.querySelectorAll(`#network-view [data-param="${param}"]`)];
  const owns = (x, y) => document.elementFromPoint(x, y)?.closest('[data-kind]')?.dataset.param === param;
  for (const el of els) {
    if (el.getTotalLength) {
      const length = el.getTotalLength();
      const m = el.getScreenCTM();
      for (const t of [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85, 0.45, 0.55]) {
        const p = el.getPointAtLength(length * t);
        const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
        if (owns(x, y)) return {x, y};
      }
    } else {
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (owns(x, y)) return {x, y};
    }
  }
  return null;
}"""


def point_on(page: Page, param: str) -> dict[str, float]:
    """Where to put the pointer to touch the connection or bias `param` ("w:0:1:2", "b:1:0")."""
    point = page.evaluate(_HOVER_POINT, param)
    assert point is not None, f"no point of {param} is free to hover"
    return point


def hover_param(page: Page, param: str) -> dict[str, str]:
    """Hover a connection or bias; return the tooltip's rows as {label: text}."""
    page.mouse.move(0, 0)
    point = point_on(page, param)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".bl-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    rows = tooltip.locator("tr").all()
    return {r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text() for r in rows}


def click_param(page: Page, param: str) -> None:
    point = point_on(page, param)
    page.mouse.click(point["x"], point["y"])


# axe-core, installed for the tests only by `make test` (tests/browser/axe/package-lock.json pins it).
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def audit(page: Page, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, each with the elements it names."""
    assert AXE.exists(), f"{AXE} is missing: `make test` installs axe-core (npm ci --prefix tests/browser/axe)"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async ([context, tags]) => {
          const result = await axe.run(context === 'document' ? document : context,
                                       { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
          }));
        }""",
        [context, WCAG21_AA],
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"  {n['target']}: {n['summary']}" for n in v["nodes"])
        for v in violations
    )
