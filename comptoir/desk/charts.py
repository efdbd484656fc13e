"""Charts drawn on the server as inline SVG (the quality dashboard, issue 12, item 6).

No script, no library, nothing fetched: a chart is a string of SVG that scales with its
``viewBox`` (CSS gives it the width of its column) and follows the page's Content-Security-Policy
(presentation attributes only, no ``style``). The drawing is a ``role="img"`` group named by its
``<title>`` and described by its ``<desc>``; every bar and point carries a ``<title>`` (the
browser's tooltip). Where a bar or point opens the tickets it counts, a transparent twin laid
over it holds the link, in a layer hidden from assistive technologies and out of the keyboard
order (``aria-hidden``, ``tabindex="-1"``): an image cannot hold links, and the table printed
beside each chart holds the same numbers and the same links for keyboards and screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 30, 28
FONT = 12
# Distinct for the common colour-vision deficiencies, each at least 3:1 against white.
PALETTE: tuple[str, ...] = ("#1f5f99", "#c15b12", "#2b7a3d", "#7a4b9a", "#5b6b7b")
MAX_LABELS = 12


@dataclass(frozen=True)
class Series:
    """One row of values across the chart's labels; ``texts`` say how each value reads (the
    tooltip; the number itself when absent) and ``links`` where each bar or point leads."""

    label: str
    values: Sequence[float | None]
    links: Sequence[str | None] = field(default_factory=tuple)
    texts: Sequence[str] = field(default_factory=tuple)

    def text(self, index: int) -> str:
        if index < len(self.texts):
            return self.texts[index]
        value = self.values[index]
        return "—" if value is None else _number(value)

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def nice_top(value: float, *, whole: bool = False) -> float:
    """The top of the axis: four equal steps of 1, 2, 2.5 or 5 times a power of ten reaching
    ``value`` (steps of at least 1 for counts, ``whole``)."""
    if value <= 0:
        return 4.0 if whole else 1.0
    wanted = value / 4
    power = 10 ** math.floor(math.log10(wanted))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= wanted)
    return float(max(math.ceil(step), 1) * 4) if whole else float(step * 4)


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(chart_id: str, title: str, description: str, body: list[str], hits: list[str]) -> SafeString:
    cid = escape(chart_id)
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="xMidYMid meet" '
        f'font-size="{FONT}" font-family="system-ui, sans-serif" data-chart="{cid}">'
        f'<g role="img" aria-labelledby="{cid}-title {cid}-desc">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(description)}</desc>'
    )
    links = f'<g aria-hidden="true">{"".join(hits)}</g>' if hits else ""
    return mark_safe(head + "".join(body) + "</g>" + links + "</svg>")  # noqa: S308 - texts escaped


def _axes(top: float, labels: Sequence[str], tick: Callable[[float], str]) -> list[str]:
    """Horizontal grid lines with their values, the baseline and the labels under each slot."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        colour = "#6b7685" if i == 0 else "#d5dbe3"
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y)}" y2="{_f(y)}" stroke="{colour}"/>')
        out.append(
            f'<text x="{LEFT - 4}" y="{_f(y + FONT / 3)}" text-anchor="end" fill="#3d4753">'
            f"{escape(tick(value))}</text>"
        )
    slot = plot_w / max(1, len(labels))
    every = max(1, math.ceil(len(labels) / MAX_LABELS))
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = LEFT + slot * (index + 0.5)
        out.append(
            f'<text x="{_f(x)}" y="{HEIGHT - BOTTOM + FONT + 4}" text-anchor="middle" fill="#3d4753">'
            f"{escape(label)}</text>"
        )
    return out


def _legend(series: Sequence[Series]) -> list[str]:
    out, x = [], LEFT
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="16" fill="#1f2d3d">{escape(one.label)}</text>')
        x += 28 + int(len(one.label) * FONT * 0.55)
    return out


def _shape(tag: str, geometry: str, colour: str, tooltip: str, href: str | None, hits: list[str]) -> str:
    """A bar or point as drawn, its tooltip on it; or, when it opens tickets, drawn plain with a
    transparent linked twin (holding the tooltip) added to ``hits``."""
    title = f"<title>{escape(tooltip)}</title>"
    if not href:
        return f'<{tag} {geometry} fill="{colour}">{title}</{tag}>'
    hits.append(
        f'<a href="{escape(href)}" tabindex="-1"><{tag} {geometry} fill="transparent">{title}</{tag}></a>'
    )
    return f'<{tag} {geometry} fill="{colour}"/>'


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    tick: Callable[[float], str] = _number,
) -> SafeString:
    """Bars per label, one per series side by side (or stacked), each with its tooltip and link."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(labels)
    if stacked:
        highest = max((sum(s.values[i] or 0 for s in series) for i in range(count)), default=0)
    else:
        highest = max((v or 0 for s in series for v in s.values), default=0)
    top = nice_top(highest, whole=all(float(v or 0).is_integer() for s in series for v in s.values))
    body, hits = _axes(top, labels, tick) + _legend(series), []
    slot = plot_w / max(1, count)
    band = slot * 0.72
    width = band if stacked else band / max(1, len(series))
    for index, label in enumerate(labels):
        base = TOP + plot_h
        for number, one in enumerate(series):
            value = one.values[index] or 0
            height = plot_h * value / top
            x = LEFT + slot * index + (slot - band) / 2 + (0 if stacked else width * number)
            y = base - height
            tooltip = f"{label} · {one.label}: {one.text(index)}"
            geometry = f'x="{_f(x)}" y="{_f(y)}" width="{_f(max(width - 1, 1))}" height="{_f(height)}"'
            colour = PALETTE[number % len(PALETTE)]
            body.append(_shape("rect", geometry, colour, tooltip, one.link(index) if value else None, hits))
            if stacked:
                base = y
    return _frame(chart_id, title, description, body, hits)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    top: float | None = None,
    tick: Callable[[float], str] = _number,
) -> SafeString:
    """A line per series across the labels (a gap where a value is missing), a point on each
    value with its tooltip and link."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    highest = max((v for s in series for v in s.values if v is not None), default=0)
    top = top if top is not None and top >= highest else nice_top(highest)
    body, hits = _axes(top, labels, tick) + _legend(series), []
    slot = plot_w / max(1, len(labels))
    for number, one in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[str]] = [[]]
        points = []
        for index, value in enumerate(one.values):
            if value is None:
                runs.append([])
                continue
            x = LEFT + slot * (index + 0.5)
            y = TOP + plot_h - plot_h * value / top
            runs[-1].append(f"{_f(x)},{_f(y)}")
            tooltip = f"{labels[index]} · {one.label}: {one.text(index)}"
            points.append(
                _shape("circle", f'cx="{_f(x)}" cy="{_f(y)}" r="5"', colour, tooltip, one.link(index), hits)
            )
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
        body.extend(points)
    return _frame(chart_id, title, description, body, hits)
