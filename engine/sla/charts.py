"""Small server-rendered SVG charts (no JavaScript): a line, horizontal bars of rates, a histogram.

Each returns SVG markup with escaped labels and a <title> for screen readers.
"""

from __future__ import annotations

from html import escape

INK, MUTED, LINE, BAD, OK, ACCENT = "#1f2933", "#6b7785", "#e3e8ee", "#c0392b", "#1e8449", "#2c6cb0"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def line_chart(points: list[tuple[str, int]], title: str, width: int = 560, height: int = 200) -> str:
    """A line of counts over labelled points (e.g. overdue tasks per day)."""
    left, right, top, bottom = 36, 12, 14, 28
    top_value = max([v for _, v in points] + [1])
    span_x = (width - left - right) / max(len(points) - 1, 1)
    span_y = height - top - bottom

    def xy(i: int, v: int) -> tuple[float, float]:
        return left + i * span_x, top + span_y * (1 - v / top_value)

    body = []
    for frac in (0, 0.5, 1):
        y = top + span_y * (1 - frac)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">'
                    f'{round(top_value * frac)}</text>')
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_, v) in enumerate(points)))
        area = f"{left},{top + span_y} {path} {xy(len(points) - 1, 0)[0]:.1f},{top + span_y}"
        body.append(f'<polygon points="{area}" fill="{BAD}" fill-opacity="0.08"/>')
        body.append(f'<polyline points="{path}" fill="none" stroke="{BAD}" stroke-width="2"/>')
        step = max(len(points) // 6, 1)
        for i, (label, value) in enumerate(points):
            x, y = xy(i, value)
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BAD}"><title>{escape(label)}: {value}'
                        "</title></circle>")
            if i % step == 0 or i == len(points) - 1:
                body.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
                            f'fill="{MUTED}">{escape(label)}</text>')
    return _svg(width, height, title, body)


def rate_bars(items: list[tuple[str, float, str]], title: str, width: int = 560) -> str:
    """Horizontal bars of rates in [0, 1], each labelled, with a note (e.g. "12/15") at the end."""
    row, label_w = 26, 150
    height = max(len(items), 1) * row + 8
    body = []
    for i, (label, rate, note) in enumerate(items):
        y = 4 + i * row
        bar_w = (width - label_w - 90) * max(min(rate, 1.0), 0.0)
        colour = OK if rate >= 0.9 else ACCENT if rate >= 0.7 else BAD
        body.append(f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="{INK}">'
                    f'{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{width - label_w - 90}" height="16" rx="3" '
                    f'fill="{LINE}"/>')
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" height="16" rx="3" fill="{colour}"/>')
        body.append(f'<text x="{width - 84}" y="{y + 15}" font-size="12" fill="{MUTED}">{rate:.0%} · '
                    f'{escape(note)}</text>')
    return _svg(width, height, title, body)


def histogram(buckets: list[tuple[str, int]], title: str, width: int = 560, height: int = 200) -> str:
    """Vertical bars of counts per bucket (e.g. days taken to complete)."""
    left, bottom, top = 12, 28, 18
    top_value = max([v for _, v in buckets] + [1])
    slot = (width - 2 * left) / max(len(buckets), 1)
    body = []
    for i, (label, value) in enumerate(buckets):
        h = (height - top - bottom) * value / top_value
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" rx="3" '
                    f'fill="{ACCENT}"><title>{escape(label)}: {value}</title></rect>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                    f'fill="{INK}">{value}</text>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
                    f'fill="{MUTED}">{escape(label)}</text>')
    return _svg(width, height, title, body)
