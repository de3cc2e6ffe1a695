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


def text_width(text: str, size: float = 11) -> float:
    """About how wide ``text`` is at font ``size`` (CJK characters a full em, others about 0.62 em)."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.62 for ch in text)


def nice_ticks(top_value: int, most: int = 5) -> list[int]:
    """Integer gridline values from 0 to a round top at or above ``top_value``, at most ``most`` steps of 1, 2 or
    5 times a power of ten: 3 -> 0 1 2 3, 7 -> 0 2 4 6 8, 37 -> 0 10 20 30 40."""
    top_value = max(int(top_value), 1)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            count = -(-top_value // step)  # steps needed to reach top_value
            if count <= most:
                return [i * step for i in range(count + 1)]
        power *= 10


def line_chart(points: list[tuple[str, int]], title: str, width: int = 560, height: int = 200) -> str:
    """A line of counts over labelled points (e.g. overdue tasks per day).

    The value axis has integer gridlines labelled with their own values (:func:`nice_ticks`); the first and last
    point labels are kept inside the drawing, and a label that would run into the last one is left out.
    """
    font = 11
    ticks = nice_ticks(max([v for _, v in points] + [1]))
    top_value = ticks[-1]
    first_w = text_width(points[0][0], font) if points else 0
    last_w = text_width(points[-1][0], font) if points else 0
    left = max(36, int(text_width(str(top_value), font)) + 10, int(first_w / 2) + 2)
    right = max(12, int(last_w / 2) + 4)
    top, bottom = 14, 28
    span_x = (width - left - right) / max(len(points) - 1, 1)
    span_y = height - top - bottom

    def xy(i: int, v: int) -> tuple[float, float]:
        return left + i * span_x, top + span_y * (1 - v / top_value)

    body = []
    for value in ticks:
        y = xy(0, value)[1]
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="{font}" text-anchor="end" fill="{MUTED}">'
                    f'{value}</text>')
    if points:
        last = len(points) - 1
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_, v) in enumerate(points)))
        area = f"{left},{top + span_y} {path} {xy(last, 0)[0]:.1f},{top + span_y}"
        body.append(f'<polygon points="{area}" fill="{BAD}" fill-opacity="0.08"/>')
        body.append(f'<polyline points="{path}" fill="none" stroke="{BAD}" stroke-width="2"/>')
        step = max(len(points) // 6, 1)
        last_x = xy(last, 0)[0]
        for i, (label, value) in enumerate(points):
            x, y = xy(i, value)
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BAD}"><title>{escape(label)}: {value}'
                        "</title></circle>")
            clear = last_x - x >= (text_width(label, font) + last_w) / 2 + 6  # no overlap with the last label
            if i == last or (i % step == 0 and clear):
                body.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="{font}" text-anchor="middle" '
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
