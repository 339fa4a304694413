"""Export from the page: each view's "Save picture" downloads a PNG of what the person sees (legends included,
twice the screen's resolution, opaque), named by the view and the update; "Download loss (CSV)" downloads the
loss history with every digit.

Each PNG is checked as a file: its header read with struct (size, colour type), its pixel data inflated with
zlib (it must be whole), and its pixels decoded by Chromium's image decoder in a blank page (opaque, varied,
and drawn where the view's legend is). The saved pictures are kept in test-artifacts/screenshots/ to look at.
"""

from __future__ import annotations

import base64
import csv
import io
import struct
import zlib
from pathlib import Path
from typing import Any

from browserkit import SCREENSHOTS, screenshot, wait_for_step
from playwright.sync_api import Page

VIEWS = {"network": "#network-view", "decision-map": "#map-view", "loss": "#loss-view",
         "loss-surface": "#surface-view"}
# Where each view's legend or key is, as the page lays it out (its pixels must be in the picture).
LEGENDS = {"network": ".bl-legend", "decision-map": ".bl-decision-legend", "loss": ".bl-loss-key",
           "loss-surface": ".bl-surface-legend", "rnn-unrolled": ".row-label"}
CHANNELS = {2: 3, 6: 4}  # PNG colour type → bytes per pixel (8-bit truecolour, with or without alpha)


def png_header(data: bytes) -> dict[str, int]:
    """The PNG's size and colour type (IHDR), and that its compressed pixels inflate to the bytes they must."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0], kind
        chunks[kind] = chunks.get(kind, b"") + body
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and colour in CHANNELS, (depth, colour)
    # One filter byte and the row's pixels per row: a truncated or corrupt file fails here.
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + width * CHANNELS[colour])
    return {"width": width, "height": height, "colour": colour}


# Chromium decodes the file's bytes (not the page's canvas): the share of opaque pixels, of pixels that are not
# white, the count of distinct colours (to 4 bits a channel), and the share of not-white pixels in a region.
PIXELS = """async ([b64, region]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  let opaque = 0, inked = 0, inRegion = 0, regionInked = 0;
  const colours = new Set();
  for (let k = 0, p = 0; k < d.length; k += 4, p++) {
    const x = p % bitmap.width, y = Math.floor(p / bitmap.width);
    const ink = d[k] < 235 || d[k + 1] < 235 || d[k + 2] < 235;
    if (d[k + 3] === 255) opaque++;
    if (ink) inked++;
    colours.add((d[k] >> 4) << 8 | (d[k + 1] >> 4) << 4 | (d[k + 2] >> 4));
    if (x >= region.x && x < region.x + region.w && y >= region.y && y < region.y + region.h) {
      inRegion++;
      if (ink) regionInked++;
    }
  }
  const n = d.length / 4;
  return { opaque: opaque / n, inked: inked / n, colours: colours.size,
           regionInked: regionInked / Math.max(1, inRegion) };
}"""

# The view's full size in CSS pixels, and where its legend sits in it (scrolled-off content included), and the
# white margin the picture puts around it.
GEOMETRY = """async ([view, legend]) => {
  const { PICTURE_MARGIN } = await import('/static/js/picture.js');
  const el = document.querySelector(view);
  const box = el.getBoundingClientRect();
  const key = el.querySelector(legend).getBoundingClientRect();
  return { width: Math.ceil(Math.max(box.width, el.scrollWidth)),
           height: Math.ceil(Math.max(box.height, el.scrollHeight)),
           margin: PICTURE_MARGIN,
           legend: { x: PICTURE_MARGIN + key.left - box.left + el.scrollLeft,
                     y: PICTURE_MARGIN + key.top - box.top + el.scrollTop, w: key.width, h: key.height } };
}"""


def save_picture(page: Page, what: str, view: str, step: int, by_key: bool = False) -> dict[str, Any]:
    """Press the view's "Save picture" (by mouse or by Enter), catch the download, and check the file."""
    button = page.locator(f'button[data-picture="{what}"]')
    saved_before = page.evaluate("() => window.backpropLab.pictures.length")
    with page.expect_download(timeout=30_000) as caught:
        if by_key:
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()
    download = caught.value
    assert download.suggested_filename == f"backprop-lab-{what}-step-{step}.png"
    path = SCREENSHOTS / f"export_{what}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    download.save_as(path)
    data = Path(path).read_bytes()
    header = png_header(data)
    geometry = page.evaluate(GEOMETRY, [view, LEGENDS[what]])
    # Twice the screen's resolution (this browser's device pixel ratio is 1): the view's whole box and a margin.
    size = [2 * (geometry[side] + 2 * geometry["margin"]) for side in ("width", "height")]
    assert [header["width"], header["height"]] == size, (header, geometry)
    legend = {k: 2 * v for k, v in geometry["legend"].items()}
    pixels = page.evaluate(PIXELS, [base64.b64encode(data).decode(), legend])
    assert pixels["opaque"] == 1.0, pixels  # an opaque white ground, not a transparent one
    assert 0.02 < pixels["inked"] < 0.98 and pixels["colours"] >= 12, pixels  # a drawing, not a blank
    assert pixels["regionInked"] > 0.01, pixels  # the legend (HTML beside the drawing) is in the picture
    page.wait_for_function(f"() => window.backpropLab.pictures.length > {saved_before}")
    record = page.evaluate("() => window.backpropLab.pictures.at(-1)")
    assert record["html"] and record["width"] == header["width"], record  # saved with its HTML, as sized
    return {**header, **pixels, "path": path}


def test_each_view_saves_a_picture_for_slides(open_page):
    page = open_page("#dataset=circle&sizes=4,4&surface=random")
    page.evaluate("() => window.backpropLab.connection.request({type: 'play_until', update: 40, at_once: true})")
    wait_for_step(page, 40, timeout=30_000)
    # Every view has drawn: the map its grid, the surface its slice, the loss chart its points.
    page.wait_for_function("() => { const s = window.backpropLab; return s.surface !== null"
                           " && s.connection.received.grid >= 1 && !s.surface.header.waiting; }", timeout=30_000)
    screenshot(page, "export_page_with_save_buttons", full_page=False)
    for what, view in VIEWS.items():
        save_picture(page, what, view, 40, by_key=(what == "loss"))  # the loss chart's by the keyboard
    page.keyboard.press("p")  # presenter view: the projector shows the drawings, not the desk's buttons
    page.wait_for_function("() => document.body.classList.contains('presenter')")
    assert page.locator(".save-picture:visible, #loss-csv:visible").count() == 0


def test_a_worked_example_without_a_plane_offers_no_map_picture(open_page):
    page = open_page("#preset=worked_222")
    page.wait_for_function("() => document.getElementById('map-view').hidden")
    assert page.locator('button[data-picture="decision-map"]').is_hidden()
    assert page.locator('button[data-picture="network"]').is_visible()


def test_a_viewer_saves_pictures_too(open_page):
    presenter = open_page("#dataset=xor&sizes=3")
    session = presenter.evaluate("() => window.backpropLab.session")
    presenter.evaluate("() => window.backpropLab.connection.request({type: 'play_until', update: 7, at_once: true})")
    viewer = open_page(f"#session={session}")
    wait_for_step(viewer, 7, timeout=30_000)
    assert viewer.evaluate("() => window.backpropLab.role") == "viewer"
    assert not viewer.locator('button[data-picture="network"]').is_disabled()
    save_picture(viewer, "network", VIEWS["network"], 7)


def test_without_its_html_a_picture_still_holds_the_drawings(open_page):
    """What a browser that refuses an SVG <foreignObject> on a canvas (Safari) gets: the canvases and the
    network's SVG, each at its place, on white."""
    page = open_page("#dataset=circle&sizes=4")
    page.evaluate("() => window.backpropLab.connection.request({type: 'play_until', update: 5, at_once: true})")
    wait_for_step(page, 5, timeout=30_000)
    shares = page.evaluate("""async () => {
      const { PICTURE_MARGIN, pictureOf } = await import('/static/js/picture.js');
      const out = {};
      for (const id of ['network-view', 'loss-view']) {
        const el = document.getElementById(id);
        const canvas = await pictureOf(el, { html: false });
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let k = 0; k < d.length; k += 4) if (d[k] < 235 || d[k + 1] < 235 || d[k + 2] < 235) inked++;
        const box = Math.ceil(el.getBoundingClientRect().width);
        out[id] = { inked: inked / (d.length / 4), width: canvas.width, box: box + 2 * PICTURE_MARGIN };
      }
      return out;
    }""")
    for id_, share in shares.items():
        assert share["width"] == 2 * share["box"] and share["inked"] > 0.01, (id_, share)


def test_the_unrolled_rnn_saves_its_whole_width(open_page):
    page = open_page()
    page.select_option("#rnn-text", "hello")
    page.click("#rnn-start")
    page.wait_for_function("() => window.backpropLab.frame?.header.model === 'rnn'", timeout=30_000)
    step = page.evaluate("() => window.backpropLab.frame.header.step")
    save_picture(page, "rnn-unrolled", "#unrolled-view", step)


def test_the_loss_downloads_as_csv_with_every_digit(open_page):
    page = open_page("#dataset=circle&sizes=4")
    page.evaluate("() => window.backpropLab.connection.request({type: 'play_until', update: 25, at_once: true})")
    wait_for_step(page, 25, timeout=30_000)
    link = page.locator("#loss-csv")
    assert link.inner_text() == "Download loss (CSV)"
    with page.expect_download(timeout=30_000) as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == "backprop-lab-loss-step-25.csv"
    text = Path(download.path()).read_text()
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["update", "training loss", "test loss"]
    assert rows[0][0] == "0" and rows[-1][0] == "25"
    # The page's readout shows the training loss after update 25 to 10 significant digits: the CSV's last row
    # is that number with all of its digits (so it agrees to the readout's rounding, half a unit in the 10th).
    readout = float(page.locator("#readout-train-loss").inner_text())
    assert abs(float(rows[-1][1]) - readout) <= 5e-10 * abs(readout), (rows[-1], readout)
