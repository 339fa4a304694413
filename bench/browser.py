"""The page as a person sees it: epochs/s on the page and frames drawn, ours beside TF Playground, in one run.

One Chromium (Debian's, headless, 1600 × 1600: every view on screen), our server in its own process
(``python -m server``, as a teacher starts it), a local build of TF Playground on loopback (bench/playground.py),
the same setup on both: the circle set without noise, 2-8-8-1 tanh, 250 training points of 500, batch 10,
plain SGD at η = 0.03.

Measured, in each pass:
  - first drawn frame after load: from navigation start to the animation frame that first shows the network
    and the decision map: ours, the animation frame whose draw() draws the first frame and decision map it
    received; Playground, the one after its epoch counter got text (its first updateUI draws network, map and
    counter together). Fresh browser context per load (an empty cache), alternating. Measured twice: as a
    person's browser loads a page (driven over a bare DevTools socket, bench/barecdp.py: the target's figure)
    and under Playwright, whose network events cost every request (ours makes 55, Playground 6 or 7).
    Ours step by step too (HTML parsed, modules loaded, the session's answer arrived, modules run, session
    created, socket open, welcome, first frame, drawn). On the bare socket each page is then visited again in
    the same context, with what the browser kept (a student back in class): its drawn frame and the requests
    that still went to the server;
  - training at full speed, each page's own epoch counter read in Chromium (ours: the epoch of the frame the
    page drew; Playground: #iter-number) over a window: epochs/s on the page, frames drawn per second (ours:
    the page's own draw count; Playground: animation frames in which its counter moved), the browser's
    animation-frame rate, and frames slower than 25 ms. Ours with no surface, a two-weight surface, the random
    plane and the trajectory plane; the engine alone (nothing drawn, this process) as the baseline. Windows are
    interleaved round by round (who goes first rotates); figures are medians over the rounds. The machine's own
    speed swings by a quarter from one second to the next here, so the training target is judged on pairs: each
    window of the page with no surface has an engine window just before and just after it, and the figure is the
    median of its ratios to their mean;
  - a page open with nothing to do (paused, settled): the cores Chromium spends on it, ours and Playground's.
With ``--busy`` the same pass runs again beside two CPU-bound processes the bench starts and stops.
Targets (issue 8): drawn ≥ 60 frames/s on the machine as it is, ≥ 55 beside two CPU-bound processes, with any
surface; training within 10 % of the engine's own speed; first drawn frame no later than Playground's.

    .venv/bin/python bench/browser.py [--busy] [--rounds 3] [--seconds 3] [--loads 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# The project before bench/ (Python put bench/ first): bench/server.py must not stand in for the server package.
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]
import playground  # noqa: E402  (bench/playground.py, found through bench/ on the path)
from barecdp import BareChromium  # noqa: E402
from browserkit import CHROMIUM, FLAGS, SCREENSHOTS, launch, wait_for_app  # noqa: E402

from server.build import build_trainer  # noqa: E402
from server.protocol import Config  # noqa: E402
from server.settings import Settings  # noqa: E402

# The setup both pages train, as our config; the page's link carries it.
CONFIG = {"dataset": "circle", "noise": 0.0, "n_points": 500, "test_fraction": 0.5, "sizes": [8, 8],
          "activations": "tanh", "loss": "mse", "optimizer": "sgd", "hyper": {"lr": 0.03}, "batch_size": 10}
OURS_HASH = ("#dataset=circle&noise=0&n_points=500&test_fraction=0.5&sizes=8,8&activations=tanh&loss=mse"
             "&optimizer=sgd&lr=0.03&batch_size=10&speed=max")
SURFACES = {  # the page's surface choices; the two weights are picked through the link, as a shared link does
    "no surface": None,
    "two-weight surface": "weights",
    "random plane": "random",
    "trajectory plane": "trajectory",
}
# Tall enough that all four views (network, decision map, loss curve, loss surface) are on screen at once:
# what is drawn off screen may skip rasterizing, and "smooth with any surface" is about a surface one sees.
# 1,800 px since each panel's head got a "Save picture" button (the surface's wraps to a line of its own).
VIEWPORT = {"width": 1600, "height": 1800}
VIEWS = ("#network-view", "#map-view", "#loss-view", "#surface-view")
TARGET_FPS = {"quiet": 60.0, "busy": 55.0}
FPS_SLACK = 1.0  # a 60 Hz page measured over seconds reads 59.x: one frame a second of slack for "60"
TARGET_ENGINE_SHARE = 0.9
BUSY_PROCESSES = 2
SLOW_MS = 25

# Before any script of the page runs: note the animation frame that first shows the network and the map.
# rAF callbacks run in the order they were asked for, so this poller runs before the page's own draw() in
# every frame. Ours: a frame or grid counted as received at the poller's turn is drawn by draw() later in
# that same animation frame. Playground: its counter gets text in the same task that draws network and map,
# which the next animation frame paints. Either way the time is that animation frame's timestamp, in ms
# since navigation start.
FIRST_DRAWN = """(() => {
  const first = {network: null, drawn: null};
  window.__benchFirst = first;
  function poll(ts) {
    const app = window.backpropLab;
    if (app && app.connection) {
      const got = app.connection.received;
      if (first.network === null && got.frame > 0) first.network = ts;
      if (first.drawn === null && first.network !== null && got.grid > 0) first.drawn = ts;
    } else if (!app) {
      const counter = document.getElementById('iter-number');
      if (counter && counter.textContent) first.network = first.drawn = ts;
    }
    if (first.drawn === null) requestAnimationFrame(poll);
  }
  requestAnimationFrame(poll);
})();"""

# Ours: when each step on the way to the first frame ended (ms since navigation start), so the report says
# where the time goes: the page's HTML parsed, every module loaded, the session created (its POST answered),
# the socket open, its first message (the welcome). Ours only: Playground's first frame comes before its HTML is
# parsed (its script runs inline while its blocked web fonts hold the parser). Wrapping fetch and WebSocket
# changes nothing they do.
TIMELINE = """(() => {
  const at = {};
  window.__benchSteps = at;
  const mark = (name) => { if (!(name in at)) at[name] = performance.now(); };
  const fetch = window.fetch;
  window.fetch = function (url, init) {
    const created = String(url).endsWith('/api/sessions') && init && init.method === 'POST';
    return fetch.apply(this, arguments).then((r) => { if (created) mark('session'); return r; });
  };
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => mark('socket open'));
      this.addEventListener('message', () => mark('welcome'));
    }
  };
})();"""
# Read once the page has drawn: the navigation's and the modules' own timings.
STEPS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const modules = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('.js'));
  const asked = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/sessions'));
  return {html: nav.domInteractive, modules: Math.max(0, ...modules.map((e) => e.responseEnd)),
          answered: asked ? asked.responseEnd : undefined, scripts: nav.domContentLoadedEventEnd,
          ...window.__benchSteps};
}"""
# "session answered" is when its bytes arrived, "session created" when the page's code got them: between the
# two, the main thread was busy (running the modules, then laying out and painting the page the first time).
STEP_NAMES = [("html", "HTML parsed"), ("modules", "modules loaded"), ("answered", "session answered"),
              ("scripts", "modules run"), ("session", "session created"), ("socket open", "socket open"),
              ("welcome", "welcome"), ("network", "first frame"), ("drawn", "drawn")]

# Over a window of animation frames: the page's epoch at the first and last, the frames in which it moved,
# the page's draws, frames and surfaces received (ours), and the gaps between animation frames.
MEASURE = """async ({seconds, ours, slowMs}) => {
  const app = window.backpropLab;
  const epoch = ours ? () => app.frame.header.epoch
                     : () => Number(document.getElementById('iter-number').textContent.replace(/,/g, ''));
  const count = () => ours ? {draws: app.draws, ms: app.drawMs, surfaces: app.connection.received.surface,
                              frames: app.connection.received.frame}
                           : {draws: 0, ms: 0, surfaces: 0, frames: 0};
  let first = null, last = null, e0 = null, e1 = null, c0 = null, c1 = null;
  let ticks = 0, moved = 0, slow = 0, worst = 0, previous = null;
  await new Promise((done) => {
    function tick(now) {
      const e = epoch();
      if (first === null) { first = now; e0 = e; c0 = count(); }
      else {
        ticks++;
        const gap = now - last;
        if (gap > slowMs) slow++;
        worst = Math.max(worst, gap);
        if (e !== previous) moved++;
      }
      last = now; previous = e; e1 = e; c1 = count();
      if (now - first < seconds * 1000) requestAnimationFrame(tick); else done();
    }
    requestAnimationFrame(tick);
  });
  return {elapsed: (last - first) / 1000, ticks, moved, slow, worst, epochs: e1 - e0,
          draws: c1.draws - c0.draws, drawMs: c1.ms - c0.ms, surfaces: c1.surfaces - c0.surfaces,
          received: c1.frames - c0.frames};
}"""


# -- our server, the engine alone, and load beside -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/options", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def engine_epochs_per_second(seconds: float) -> float:
    """The baseline: the engine trains the same setup in this process, nothing drawn, nothing sent."""
    trainer = build_trainer(Config(**CONFIG), Settings())
    block = 10 * trainer.updates_per_epoch  # ten epochs a call: a few ms, as the server's slices of training
    trainer.run(block)  # warm up
    e0, start = trainer.epoch_progress, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(block)
    return (trainer.epoch_progress - e0) / (time.perf_counter() - start)


def start_busy(limit: float) -> list[subprocess.Popen]:
    """CPU-bound processes that end by themselves after ``limit`` seconds, should the bench not stop them."""
    burn = f"import time\nend = time.monotonic() + {limit}\nwhile time.monotonic() < end:\n    pass\n"
    return [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(BUSY_PROCESSES)]


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.wait(10)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _stat(pid: int | str) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None  # gone meanwhile


class CpuMeter:
    """CPU seconds of our server and of the browser (every process under this one but the server and the
    busy processes: Chromium and Playwright's driver) and of this process, from /proc: where the cores go."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.server = server.pid
        self.excluded: set[int] = set()  # the busy processes
        self.tick = os.sysconf("SC_CLK_TCK")

    def _seconds(self, fields: list[str]) -> float:
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def sample(self) -> dict[str, float]:
        parent, cpu = {}, {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (fields := _stat(entry.name)) is not None:
                parent[int(entry.name)], cpu[int(entry.name)] = int(fields[1]), self._seconds(fields)
        me = os.getpid()
        out = {"server": 0.0, "browser": 0.0, "bench": cpu.get(me, 0.0)}
        for pid in cpu:
            chain, p = [], pid
            while p in parent and p not in (me, 0, 1):
                chain.append(p)
                p = parent[p]
            if p != me or not chain:
                continue
            top = chain[-1]  # this process's child the pid descends from
            if top == self.server:
                out["server"] += cpu[pid]
            elif top not in self.excluded:
                out["browser"] += cpu[pid]
        return out


# -- the pages -------------------------------------------------------------------------------------------


@dataclass
class Contender:
    name: str
    page: Page
    ours: bool
    play: Callable[[], None]
    pause: Callable[[], None]


def watch_errors(page: Page, errors: list[str], name: str) -> None:
    page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
    page.on("console", lambda m: errors.append(f"{name}: {m.text}") if m.type == "error" else None)


def blocked_font(error: str) -> bool:
    """Playground's console reports the web font this bench blocks (bench/playground.py): expected."""
    return error == "TF Playground: Failed to load resource: net::ERR_FAILED"


def ours_play(page: Page) -> None:
    page.click("#play")
    page.wait_for_function("() => window.backpropLab.frame.header.playing")


def ours_pause(page: Page) -> None:
    page.click("#play")
    page.wait_for_function("() => document.getElementById('play').textContent.includes('Play')")


def open_ours(browser: Browser, port: int, surface: str | None, errors: list[str], name: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    watch_errors(page, errors, name)
    params = "&surface_params=w0.0.0,w0.1.0" if surface == "weights" else ""
    page.goto(f"http://127.0.0.1:{port}/{OURS_HASH}{params}")
    wait_for_app(page)
    if surface is not None:
        # The trajectory plane needs a path: train a little, then choose the slice as a person does.
        ours_play(page)
        page.wait_for_function("() => window.backpropLab.frame.header.step >= 250")
        page.locator(f'input[name="surface"][value="{surface}"]').check()
        page.wait_for_function("() => window.backpropLab.surface !== null", timeout=30_000)
        ours_pause(page)
    for selector in VIEWS:
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= VIEWPORT["height"], f"{selector} is not on screen"
    return page


def open_contenders(browser: Browser, port: int, anchor: playground.PlaygroundServer | None,
                    errors: list[str]) -> list[Contender]:
    out = []
    for name, surface in SURFACES.items():
        page = open_ours(browser, port, surface, errors, name)
        out.append(Contender(f"Backprop Lab, {name}", page, True, lambda p=page: ours_play(p),
                             lambda p=page: ours_pause(p)))
    if anchor is not None:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        watch_errors(page, errors, "TF Playground")
        playground.prepare(context)
        playground.load(page, anchor)
        out.append(Contender("TF Playground", page, False, lambda p=page: playground.play(p),
                             lambda p=page: playground.pause(p)))
    return out


FIRST_DONE = "window.__benchFirst && window.__benchFirst.drawn !== null"
# Pause before leaving: a session whose page left trains on for a few seconds (unwatched_pause_seconds), and the
# next loads, ours and Playground's, would share the CPU with it.
PAUSE = "window.backpropLab.connection.request({type: 'pause'})"


def first_drawn(browser: Browser, url: str, ours: bool) -> dict[str, float]:
    """One load in a fresh context (an empty cache, as a first visit): ms to the network and to both drawn."""
    context: BrowserContext = browser.new_context(viewport=VIEWPORT)
    blocked = [] if ours else playground.prepare(context)
    context.add_init_script(FIRST_DRAWN)
    if ours:
        context.add_init_script(TIMELINE)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(f"() => {FIRST_DONE}", timeout=30_000)
    first = page.evaluate("() => window.__benchFirst")
    steps = page.evaluate(STEPS) if ours else {}
    if ours:
        page.evaluate(f"() => {PAUSE}")
    context.close()
    return {"network": first["network"], "drawn": first["drawn"], "requests": len(requests),
            "blocked": ", ".join(sorted(set(blocked))) or "none", "steps": {**steps, **first}}


def first_drawn_bare(chromium: BareChromium, url: str, ours: bool) -> dict[str, float]:
    """The same load as first_drawn, as a person's browser makes it: no DevTools events per request. Then the
    same page visited again in that context, with what the browser kept from the first (a student back in
    class): its drawn frame is "again"."""
    init = FIRST_DRAWN + (TIMELINE if ours else playground.STUB_GA)
    steps = f"({STEPS})()" if ours else "{}"
    # Asked of the server: a file the cache kept without asking has no response start (transferSize 0).
    read = (f"({{first: window.__benchFirst, steps: {steps}, "
            "requests: performance.getEntriesByType('resource').length + 1, "
            "asked: performance.getEntriesByType('resource').filter((e) => e.transferSize > 0).length + 1})")
    got, again = chromium.visits(url, init, FIRST_DONE, read, 2, before_leaving=PAUSE if ours else None)
    first = got["first"]
    return {"network": first["network"], "drawn": first["drawn"], "requests": got["requests"],
            "again": again["first"]["drawn"], "asked_again": again["asked"],
            "blocked": "every host not on loopback (they resolve nowhere)", "steps": {**got["steps"], **first}}


# -- one pass: first frames, then training windows -------------------------------------------------------


def report_first_loads(loads: dict[str, list[dict]], target: bool) -> None:
    def med(name: str, key: str) -> float:
        return statistics.median(x[key] for x in loads[name])

    def steps(name: str) -> str:
        """Where the time goes: when each step ended, median (the session is asked for while modules run)."""
        ends = {label: statistics.median(x["steps"][key] for x in loads[name]) for key, label in STEP_NAMES
                if all(key in x["steps"] for x in loads[name])}
        return ", ".join(f"{label} {ms:.0f}" for label, ms in ends.items())

    ours_ms = med("ours", "drawn")
    print(f"    Backprop Lab   {ours_ms:6.0f} ms  (its first network frame at {med('ours', 'network'):.0f} ms; "
          f"{med('ours', 'requests'):.0f} requests)")
    print(f"      step by step (ms since navigation start): {steps('ours')}")
    if "Playground" in loads:
        pg_ms = med("Playground", "drawn")
        print(f"    TF Playground  {pg_ms:6.0f} ms  ({med('Playground', 'requests'):.0f} requests; blocked, "
              f"not on loopback: {loads['Playground'][0]['blocked']})")
        verdict = ("met" if ours_ms <= pg_ms else "NOT met") if target else "(not the target's figure)"
        print(f"    ours / Playground = {ours_ms / pg_ms:.2f}; target ≤ 1 (no later than Playground): {verdict}")
    if "again" in loads["ours"][0]:
        print("    visited again with the browser's cache kept: "
              + "; ".join(f"{name} {med(name, 'again'):.0f} ms ({med(name, 'asked_again'):.0f} requests asked of "
                          "its server)" for name in loads))


def measure_pass(browser: Browser, bare: BareChromium, port: int, anchor: playground.PlaygroundServer | None,
                 args: argparse.Namespace, label: str, errors: list[str], meter: CpuMeter) -> None:
    print(f"\n== {label}: load average at start {load_average()} (1, 5, 15 min)")
    urls = {"ours": (f"http://127.0.0.1:{port}/{OURS_HASH}", True)}
    if anchor is not None:
        urls["Playground"] = (anchor.url, False)
    ways = {"bare": lambda url, ours: first_drawn_bare(bare, url, ours),
            "Playwright": lambda url, ours: first_drawn(browser, url, ours)}
    loads = {(way, name): [] for way in ways for name in urls}
    for load in ways.values():
        for url, ours in urls.values():
            load(url, ours)  # a first load warms the servers and Chromium; not counted
    for _ in range(args.loads):
        for way, load in ways.items():
            for name, (url, ours) in urls.items():
                loads[way, name].append(load(url, ours))
    print(f"first drawn frame after load (network and decision map on screen), median of {args.loads} fresh "
          "loads each, alternating:")
    for way, title in (("bare", "as a person's browser loads it (no DevTools events per request): the target's"),
                       ("Playwright", "under Playwright (its network events cost each request)")):
        print(f"  {title}")
        report_first_loads({name: loads[way, name] for name in urls}, target=way == "bare")

    report_idle(idle_cost(browser, port, anchor, errors, meter, args.seconds))

    contenders = open_contenders(browser, port, anchor, errors)
    samples: dict[str, list[dict]] = {c.name: [] for c in contenders}
    engine: list[dict] = []
    paired: list[float] = []  # the page with no surface ÷ the mean of the engine windows beside it

    def engine_window() -> float:
        before = meter.sample()
        rate = engine_epochs_per_second(args.seconds)
        engine.append({"epochs": rate, "cpu": cpu_shares(before, meter.sample(), args.seconds)})
        return rate

    order: list[Contender | None] = [None, *contenders]  # None: the engine alone
    for r in range(args.rounds):
        for c in order[r % len(order):] + order[: r % len(order)]:
            if c is None:
                engine_window()
                continue
            plain = c.name == PAIRED
            engine_before = engine_window() if plain else None
            c.play()
            time.sleep(args.warmup)  # past the start-up of playing, into the steady state
            window = {"seconds": args.seconds, "ours": c.ours, "slowMs": SLOW_MS}
            before, wall = meter.sample(), time.perf_counter()
            result = c.page.evaluate(MEASURE, window)
            result["cpu"] = cpu_shares(before, meter.sample(), time.perf_counter() - wall)
            samples[c.name].append(result)
            c.pause()
            if plain:
                paired.append(result["epochs"] / result["elapsed"] / ((engine_before + engine_window()) / 2))
    if label.startswith("quiet"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for c in contenders:
            slug = c.name.lower().replace(",", "").replace(" ", "-")
            c.page.screenshot(path=str(SCREENSHOTS / f"bench-{slug}.png"))
    for c in contenders:
        c.page.context.close()
    report(label, args, engine, samples, paired)


PAIRED = "Backprop Lab, no surface"  # the page the training target is about


def idle_cost(browser: Browser, port: int, anchor: playground.PlaygroundServer | None, errors: list[str],
              meter: CpuMeter, seconds: float) -> dict[str, float]:
    """Chromium's cores over a window with one page open and nothing to do: loaded, paused, settled."""
    pages: dict[str, Callable[[], Page]] = {"Backprop Lab": lambda: open_ours(browser, port, None, errors, "idle")}
    if anchor is not None:
        def open_playground() -> Page:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            playground.prepare(context)
            playground.load(page, anchor)
            return page
        pages["TF Playground"] = open_playground
    out = {}
    for name, open_page in pages.items():
        page = open_page()
        time.sleep(1.0)  # past the first frames' drawing
        before, wall = meter.sample(), time.perf_counter()
        time.sleep(seconds)
        out[name] = cpu_shares(before, meter.sample(), time.perf_counter() - wall)["browser"]
        page.context.close()
    return out


def report_idle(cores: dict[str, float]) -> None:
    print("a page open with nothing to do (paused, settled): Chromium's cores, "
          + ", ".join(f"{name} {value:.3f}" for name, value in cores.items()))


def cpu_shares(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Cores used over a window by each part."""
    return {key: (after[key] - before[key]) / seconds for key in before}


def spread(values: list[float], digits: int = 0) -> str:
    """The median, and the range when there is more than one value: '131 (75–160)'."""
    mid = f"{statistics.median(values):,.{digits}f}"
    return mid if len(values) < 2 else f"{mid} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(label: str, args: argparse.Namespace, engine: list[dict], samples: dict[str, list[dict]],
           paired: list[float]) -> None:
    engine_rate = statistics.median(x["epochs"] for x in engine)
    pg_runs = samples.get("TF Playground")
    pg = statistics.median(x["epochs"] / x["elapsed"] for x in pg_runs) if pg_runs else None
    print(f"\ntraining at full speed: medians of {args.rounds} windows of {args.seconds:g} s each, interleaved, "
          f"range in brackets (load average now {load_average()})")
    print(f"  {'':32}{'epochs/s':>20}{'×Playgr.':>9}{'×engine':>8}{'drawn fps':>17}{'recv/s':>7}{'rAF/s':>6}"
          f"{'slow':>5}{'worst':>6}{'surf/s':>7}{'ms/draw':>8}{'server':>7}{'browser':>8}")
    vs_pg = f"{engine_rate / pg:.1f}×" if pg else "-"
    bench_cpu = statistics.median(x["cpu"]["bench"] for x in engine)
    print(f"  {'engine alone, nothing drawn':32}{spread([x['epochs'] for x in engine]):>20}{vs_pg:>9}{'1.000':>8}"
          f"{'':>17}{'':>7}{'':>6}{'':>5}{'':>6}{'':>7}{'':>8}{bench_cpu:>7.2f}{'':>8}")
    rows = {}
    for name, runs in samples.items():
        ours = "Lab" in name

        def per_s(key: str, runs: list[dict] = runs) -> list[float]:
            return [x[key] / x["elapsed"] for x in runs]

        epochs = per_s("epochs")
        drawn = per_s("draws" if ours else "moved")
        rows[name] = x = {"epochs": statistics.median(epochs), "drawn": statistics.median(drawn)}
        vs_pg = f"{x['epochs'] / pg:.1f}×" if pg else "-"
        surfaces = f"{statistics.median(per_s('surfaces')):.2f}" if ours else "-"
        received = f"{statistics.median(per_s('received')):.1f}" if ours else "-"
        per_draw = f"{statistics.median(r['drawMs'] / max(1, r['draws']) for r in runs):.2f}" if ours else "-"
        cpu = {key: statistics.median(r["cpu"][key] for r in runs) for key in ("server", "browser")}
        server = f"{cpu['server']:.2f}" if ours else "-"
        print(f"  {name:32}{spread(epochs):>20}{vs_pg:>9}{x['epochs'] / engine_rate:>8.3f}{spread(drawn):>17}"
              f"{received:>7}{statistics.median(per_s('ticks')):>6.1f}{median_of(runs, 'slow'):>5.0f}"
              f"{median_of(runs, 'worst'):>6.0f}{surfaces:>7}{per_draw:>8}{server:>7}{cpu['browser']:>8.2f}")
    print("  epochs/s: the page's own epoch counter, read in Chromium. drawn fps: ours, animation frames in which "
          "the page drew (its own count); Playground, those in which its epoch counter moved. recv/s: frames our "
          "server sent that the page received (it draws the newest once per animation frame). rAF/s: the "
          f"browser's animation frames. slow: frames more than {SLOW_MS} ms after the one before, and the worst "
          "gap (ms), per window. surf/s: surfaces received. ms/draw: the page's main-thread time per drawn frame. "
          "server, browser: cores used by our server process and by Chromium (all its processes); the engine "
          "alone's is this process's.")
    # Wall-clock rates follow whatever else the machine runs; per CPU-second they say what each side's work costs.
    engine_per_cpu = statistics.median(x["epochs"] / max(x["cpu"]["bench"], 1e-9) for x in engine)
    print(f"epochs per CPU-second (the cost of the work, whatever else runs): engine alone {engine_per_cpu:,.0f}")
    for name, runs in samples.items():
        part = "server" if "Lab" in name else "browser"
        per_cpu = statistics.median(r["epochs"] / r["elapsed"] / max(r["cpu"][part], 1e-9) for r in runs)
        print(f"  {name:32} {per_cpu:>9,.0f} per CPU-second of {'our server' if part == 'server' else 'Chromium'}"
              f"  ({per_cpu / engine_per_cpu:.2f} of the engine's)")
    target = TARGET_FPS["busy" if label.startswith("busy") else "quiet"]
    print(f"targets ({label}):")
    for name, x in rows.items():
        if "Lab" not in name:
            continue
        ok = x["drawn"] >= target - FPS_SLACK
        print(f"  {'met    ' if ok else 'MISSED '} {name}: {x['drawn']:.1f} frames drawn/s, target ≥ {target:g} "
              f"(met at ≥ {target - FPS_SLACK:g})")
    plain = statistics.median(paired)
    print(f"  {'met    ' if plain >= TARGET_ENGINE_SHARE else 'MISSED '} training on the page with no surface at "
          f"{plain:.0%} of the engine's own speed (median of {len(paired)} windows, each against the engine "
          f"just before and after it: {', '.join(f'{x:.2f}' for x in paired)}), target ≥ {TARGET_ENGINE_SHARE:.0%}; "
          f"against the median of all the pass's engine windows: "
          f"{rows[PAIRED]['epochs'] / engine_rate:.0%}")
    print(f"load average at the end {load_average()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--busy", action="store_true",
                        help=f"measure again beside {BUSY_PROCESSES} CPU-bound processes (started and stopped here)")
    parser.add_argument("--rounds", type=int, default=3, help="measured windows per page (and for the engine)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measured window")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of playing before each window")
    parser.add_argument("--loads", type=int, default=5, help="page loads for the first drawn frame, each page")
    args = parser.parse_args()

    print("circle set, no noise, 2-8-8-1 tanh, 250 training points of 500, batch 10, plain SGD η = 0.03; "
          f"{os.cpu_count()} cores; Chromium headless at {VIEWPORT['width']}×{VIEWPORT['height']}")
    missing = playground.available()
    if missing:
        print(f"SKIPPED: the comparison with TF Playground ({missing}); ours is measured alone")
    anchor = None if missing else playground.PlaygroundServer()
    port = free_port()
    server = start_server(port)
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            bare = BareChromium(CHROMIUM, FLAGS, VIEWPORT)
            try:
                meter = CpuMeter(server)
                measure_pass(browser, bare, port, anchor, args, "quiet (the machine as it is, other work included)",
                             errors, meter)
                if args.busy:
                    # A pass takes two to three minutes; the processes end by themselves well after that.
                    busy = start_busy(limit=900)
                    meter.excluded = {proc.pid for proc in busy}
                    try:
                        measure_pass(browser, bare, port, anchor, args,
                                     f"busy ({BUSY_PROCESSES} CPU-bound processes beside)", errors, meter)
                    finally:
                        stop(busy)
            finally:
                bare.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        if anchor is not None:
            anchor.close()
    errors = [e for e in errors if not blocked_font(e)]
    if errors:
        print("page errors:", *errors, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
