"""Every student can use the page (issue 11): axe-core finds no WCAG 2.1 A/AA violation in the page's states,
the keys do what the focused control expects, a whole update can be walked by keyboard alone (the network
included), Tab follows the screen at 200 % and 400 % zoom, and reduced motion slows the default speed."""

from __future__ import annotations

from browserkit import (
    SCREENSHOTS,
    audit,
    describe_violations,
    frame_header,
    hover_param,
    screenshot,
    wait_for_step,
)
from playwright.sync_api import Page, expect

LAPTOP = {"width": 1280, "height": 800}


def assert_accessible(page: Page, state: str) -> None:
    violations = audit(page)
    assert violations == [], f"{state}:\n{describe_violations(violations)}"


def focused(page: Page) -> dict:
    return page.evaluate("""() => { const el = document.activeElement;
      return { id: el.id, tag: el.tagName.toLowerCase(), key: el.dataset?.key ?? null, name: el.name ?? null,
               value: el.value ?? null, inNetwork: Boolean(el.closest?.('.bl-network-svg')) }; }""")


def tab_until(page: Page, test: str, *, shift: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focused element passes `test` (a JS predicate on it)."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if page.evaluate(f"() => ({test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def tooltip_rows(page: Page) -> dict[str, str]:
    tooltip = page.locator(".bl-tooltip")
    expect(tooltip).to_be_visible()
    rows = tooltip.locator("tr").all()
    return {r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text() for r in rows}


def test_axe_finds_nothing_on_load_mid_update_each_surface_tooltip_explainer_and_table(open_page):
    page = open_page(viewport=LAPTOP)
    assert_accessible(page, "first load")
    page.click("#step")
    wait_for_step(page, 1)
    for phase in ("forward", "backward"):
        page.click("#phase")
        page.wait_for_function(f"() => window.backpropLab.frame.header.phase.kind === '{phase}'")
        assert_accessible(page, f"mid-update, {phase} phase")
    for kind in ("random", "trajectory"):
        page.click(f"#surface-kind input[value={kind}]")
        page.wait_for_function("() => window.backpropLab.surface !== null || "
                               "document.querySelector('#surface-view').textContent.includes('path')")
        assert_accessible(page, f"surface: {kind}")
    page.click("#surface-kind input[value=weights]")
    page.locator('.bl-network-svg [data-key="w:0:0:0"]').focus()
    page.keyboard.press("Enter")  # an axis, and the explainer on that weight
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.backpropLab.surface?.header.params?.length === 2")
    expect(page.locator("#explain-panel")).to_be_visible()
    expect(page.locator(".bl-tooltip")).to_be_visible()
    assert_accessible(page, "surface: two weights, the tooltip and the explainer open")
    page.click("#numbers-table summary")
    expect(page.locator("#numbers-table table").first).to_be_visible()
    assert_accessible(page, "the numbers as a table")


def test_axe_finds_nothing_on_a_viewers_page_and_at_a_phone_width(open_page):
    presenter = open_page(viewport=LAPTOP)
    presenter.click("#step")
    session = presenter.evaluate("() => window.backpropLab.session")
    viewer = open_page(f"#session={session}", viewport={"width": 375, "height": 740})
    expect(viewer.locator("body")).to_have_attribute("data-role", "viewer")
    wait_for_step(viewer, 1)
    assert_accessible(viewer, "a viewer's page at a phone width")
    # The viewer's controls are shown, not usable, and readable: muted text ≥ 4.5:1 on their grey ground.
    colours = viewer.evaluate("""() => { const s = getComputedStyle(document.getElementById('step'));
      return [s.color, s.backgroundColor, s.opacity]; }""")
    assert colours == ["rgb(86, 96, 107)", "rgb(238, 241, 244)", "1"], colours  # 5.65:1 (tests/js/contrast.test.mjs)
    # The personal shortcut switch and the table stay theirs.
    expect(viewer.locator("#shortcuts-on")).to_be_enabled()
    viewer.click("#numbers-table summary")
    expect(viewer.locator("#numbers-table table").first).to_be_visible()
    assert_accessible(viewer, "a viewer's page with the numbers table open")
    screenshot(viewer, "h11_viewer_phone")


def test_a_shortcut_never_takes_a_key_from_the_focused_control(open_page):
    page = open_page(viewport=LAPTOP)
    page.keyboard.press("ArrowRight")  # nothing focused: → steps
    wait_for_step(page, 1)
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 2)
    # Space on a focused Reset button resets (it used to start training).
    page.locator("#reset").focus()
    page.keyboard.press("Space")
    wait_for_step(page, 0)
    assert frame_header(page)["playing"] is False
    # Space ticks a focused checkbox; → moves a focused radio group.
    page.locator("#log-scale").focus()
    page.keyboard.press("Space")
    expect(page.locator("#log-scale")).to_be_checked()
    page.locator("#surface-kind input[value=none]").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#surface-kind input[value=weights]")).to_be_checked()
    # → on a focused button has no other meaning: it still steps.
    page.locator("#step").focus()
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 1)
    # Turned off, the single keys do nothing: the next Step is update 2, so neither → nor R acted.
    page.locator("#shortcuts-on").focus()
    page.keyboard.press("Space")
    expect(page.locator("#shortcuts-on")).not_to_be_checked()
    expect(page.locator("#step")).not_to_have_attribute("aria-keyshortcuts", "ArrowRight")
    page.locator("body").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("r")
    page.click("#step")
    wait_for_step(page, 2)
    assert page.evaluate("() => localStorage.getItem('backprop-lab:shortcuts')") == "off"
    expect(page.locator("#shortcuts")).to_contain_text("play / pause")
    expect(page.locator("#focus-keys")).to_contain_text("Escape")


def test_a_whole_update_by_keyboard_alone(open_page):
    page = open_page(viewport=LAPTOP)
    # Step, then the phases of the next update, from the Run buttons.
    tab_until(page, "(el) => el.id === 'step'")
    page.keyboard.press("Enter")
    wait_for_step(page, 1)
    page.keyboard.press("Shift+ArrowRight")  # a shortcut the focused button does not use
    page.wait_for_function("() => window.backpropLab.frame.header.phase.kind === 'forward'")
    tab_until(page, "(el) => el.id === 'phase'")
    for _ in range(4):  # δ of layers 3, 2, 1, then the update
        page.keyboard.press("Enter")
    page.wait_for_function("() => window.backpropLab.frame.header.step === 2")
    # The live region says it once the keys rest (politely, after a short quiet spell).
    page.wait_for_function("() => document.getElementById('announcer').textContent.startsWith('Update 2 is done')")

    # Into the network: one tab stop, then arrows; the focused connection shows the hover's numbers.
    tab_until(page, "(el) => Boolean(el.closest('.bl-network-svg'))")
    assert focused(page)["key"] == "n:0:0", "the drawing's tab stop is the first input"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert focused(page)["key"] == "w:0:1:0"
    by_focus = tooltip_rows(page)
    assert set(by_focus) >= {"w before", "w after", "∂E/∂w = δ·o", "Δw"}, by_focus
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    expect(page.locator(".bl-tooltip-title")).to_have_text(name)
    assert hover_param(page, "w:0:1:0") == by_focus, "focus shows what a hover shows"
    page.mouse.move(0, 0)
    page.keyboard.press("ArrowRight")  # the bias of the neuron that connection enters
    assert focused(page)["key"] == "b:0:0"
    expect(page.locator(".bl-tooltip")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".bl-tooltip")).to_be_hidden()
    page.keyboard.press("ArrowRight")  # then that neuron: its numbers again
    assert focused(page)["key"] == "n:1:0"
    expect(page.locator(".bl-tooltip")).to_be_visible()
    page.keyboard.press("Enter")  # the explainer on that neuron
    expect(page.locator("#explain-panel")).to_be_visible()
    page.wait_for_function("() => window.backpropLab.frame.header.explain?.element?.kind === 'neuron'")
    page.keyboard.press("Escape")
    expect(page.locator("#explain-panel")).to_be_hidden()

    # Two surface axes: the radio group by arrows, then two connections by Enter.
    tab_until(page, "(el) => el.name === 'surface'")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#surface-kind input[value=weights]")).to_be_checked()
    tab_until(page, "(el) => Boolean(el.closest('.bl-network-svg'))", shift=True)
    assert focused(page)["key"] == "n:1:0", "the drawing remembers where the focus was"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert focused(page)["key"] == "w:0:0:0"
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.backpropLab.surface?.header.params?.length === 2")
    last = page.evaluate("() => window.backpropLab.frame.header.sizes[1] - 1")  # End: the last connection
    assert page.evaluate("() => window.backpropLab.surface.header.params") == [
        {"kind": "weight", "layer": 0, "i": 0, "j": 0}, {"kind": "weight", "layer": 0, "i": 1, "j": last},
    ]
    expect(page.locator(".bl-badge")).to_have_count(2)
    page.wait_for_function("() => document.querySelector('#surface-view canvas').getAttribute('aria-label')"
                           ".startsWith('Loss surface over two weights')")
    page.locator(".bl-network-svg").scroll_into_view_if_needed()
    screenshot(page, "h11_keyboard_focus_on_network", full_page=False)


def tab_path(page: Page, limit: int = 200) -> list[dict]:
    """Every tab stop from the top of the page, with where it is on the page (document coordinates)."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => { const el = document.activeElement;
          if (!el || el === document.body) return null;
          const r = el.getBoundingClientRect();
          return { id: el.id || el.dataset?.key || el.tagName, top: r.top + scrollY, left: r.left + scrollX,
                   height: r.height, visible: r.width > 0 && r.height > 0 }; }""")
        if stop is None or (stops and stop["id"] == stops[0]["id"] and stop["top"] == stops[0]["top"]):
            break
        stops.append(stop)
    return stops


def test_tab_follows_the_screen_at_200_and_400_percent_zoom(open_page):
    for zoom, viewport in ((200, {"width": 640, "height": 400}), (400, {"width": 320, "height": 200})):
        page = open_page(viewport=viewport)
        stops = tab_path(page)
        assert len(stops) > 30, stops
        visible = [s for s in stops if s["visible"]]
        # One column: each stop is below the previous one or on its row (never a jump back up the page).
        for before, after in zip(visible, visible[1:], strict=False):
            assert after["top"] >= before["top"] - max(before["height"], 40), (zoom, before, after)
        ids = [s["id"] for s in stops]
        assert ids.index("play") < ids.index("n:0:0"), "the controls come first, as they are drawn first"
    # 200 % of a 1280 × 800 laptop: a 640 × 400 viewport at twice the pixels, focus in the network.
    context = page.context.browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    try:
        zoomed = context.new_page()
        zoomed.goto(page.url)
        zoomed.wait_for_function("() => window.backpropLab?.frame !== null")
        zoomed.locator('.bl-network-svg [data-key="n:1:0"]').focus()
        expect(zoomed.locator(".bl-tooltip")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        zoomed.screenshot(path=str(SCREENSHOTS / "h11_zoom200_focus_network.png"))
        zoomed.locator("#skip-drawings").focus()
        zoomed.screenshot(path=str(SCREENSHOTS / "h11_zoom200_skip_link.png"))
    finally:
        context.close()


def test_text_in_the_drawings_is_at_least_12px_at_1280_wide(open_page):
    page = open_page(viewport=LAPTOP)
    page.click("#step")
    wait_for_step(page, 1)
    sizes = page.evaluate("""() => [...document.querySelectorAll('.bl-network-svg text')]
      .filter((t) => t.textContent.trim() !== '')
      .map((t) => ({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a }))""")
    assert sizes, "the network has labels"
    small = [s for s in sizes if s["px"] < 12 - 1e-6]
    assert small == [], small


def test_reduced_motion_slows_the_default_speed(browser, live):
    context = browser.new_context(viewport=LAPTOP, reduced_motion="reduce")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live.http}/")
        page.wait_for_function("() => window.backpropLab?.frame?.header.speed === 1")
        expect(page.locator("#speed")).to_have_value("1")
        assert errors == []
    finally:
        context.close()
