// Text in a scaled SVG drawing stays readable: the network diagram is drawn in its own units (a viewBox) and
// scaled to its box, so a 13-unit label is only 8 px on screen when the box is 400 px wide. The stylesheet
// writes the diagram's font sizes as calc(N px * var(--bl-unit)); this keeps --bl-unit at the number of
// diagram units per screen pixel, so a label of N px is N px on screen at every size.

/** Diagram units per CSS pixel for a viewBox of vw × vh shown in a box of bw × bh (preserveAspectRatio meet). */
export function unitsPerPixel(vw, vh, bw, bh) {
  if (!(vw > 0 && vh > 0 && bw > 0 && bh > 0)) return 1;
  return Math.max(vw / bw, vh / bh);
}

/** Keep `svg`'s --bl-unit up to date as its box or its viewBox changes; returns a function that stops. */
export function keepTextReadable(svg) {
  const apply = () => {
    const box = svg.viewBox?.baseVal;
    const unit = unitsPerPixel(box?.width, box?.height, svg.clientWidth, svg.clientHeight);
    const text = unit.toFixed(3);
    if (svg.style.getPropertyValue("--bl-unit") !== text) svg.style.setProperty("--bl-unit", text);
  };
  const resize = new ResizeObserver(apply);
  resize.observe(svg);
  const viewBox = new MutationObserver(apply);
  viewBox.observe(svg, { attributes: true, attributeFilter: ["viewBox"] });
  apply();
  return () => {
    resize.disconnect();
    viewBox.disconnect();
  };
}
