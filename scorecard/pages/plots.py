"""The analyst's plots as SVG: a binning plot per factor, the score distributions of goods and bads,
the ROC curve and the KS curve. Pure: numbers in, SVG text out.

One way of drawing for every plot (and no plotting library): Python computes the geometry here
(rectangles, lines, polylines, dots and texts, every number formatted), and one template,
``templates/site/plot.svg.j2``, prints it with XML escaping. The same SVG goes into the site's
model pages and next to the analyst's report (``scorecard report --plots DIR``); the same numbers
give the same bytes. The curves come from the spec's score bands (``metrics.score_bands``): the
count of goods and bads per band of scores on the evaluated rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scorecard.pages import templating
from scorecard.pages.charts import fit_label
from scorecard.spec import FactorSpec

WIDTH, HEIGHT, FONT = 640, 340, 12
LEFT, RIGHT, TOP = 64, 64, 40
BOTTOM = 48
BAR = "#90a4ae"  # counts
BAD = "#d84315"  # bad rates, bads
GOOD = "#00897b"  # goods
GRID = "#e0e0e0"
INK = "#333333"
MUTED = "#666666"


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class Canvas:
    """The primitives of one plot, as the template prints them."""

    title: str
    height: int = HEIGHT
    rects: list[dict[str, str]] = field(default_factory=list)
    lines: list[dict[str, str]] = field(default_factory=list)
    polylines: list[dict[str, str]] = field(default_factory=list)
    dots: list[dict[str, str]] = field(default_factory=list)
    texts: list[dict[str, str]] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0) -> None:
        self.rects.append({"x": _n(x), "y": _n(y), "w": _n(max(w, 0.0)), "h": _n(max(h, 0.0)), "fill": fill,
                           "opacity": f"{opacity:g}"})

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1.0,
             dash: str = "none") -> None:
        self.lines.append({"x1": _n(x1), "y1": _n(y1), "x2": _n(x2), "y2": _n(y2), "stroke": stroke,
                           "width": f"{width:g}", "dash": dash})

    def polyline(self, points: list[tuple[float, float]], stroke: str, width: float = 2.0) -> None:
        self.polylines.append({"points": " ".join(f"{_n(x)},{_n(y)}" for x, y in points), "stroke": stroke,
                               "width": f"{width:g}"})

    def dot(self, x: float, y: float, fill: str, r: float = 3.5) -> None:
        self.dots.append({"x": _n(x), "y": _n(y), "r": f"{r:g}", "fill": fill})

    def text(self, x: float, y: float, text: str, *, anchor: str = "middle", fill: str = INK, bold: bool = False,
             rotate: float = 0.0) -> None:
        self.texts.append({"x": _n(x), "y": _n(y), "text": text, "anchor": anchor, "fill": fill,
                           "weight": "bold" if bold else "normal",
                           "transform": f"rotate({rotate:g} {_n(x)} {_n(y)})" if rotate else "translate(0 0)"})

    def render(self) -> str:
        return templating.template("html", "site/plot.svg.j2").render(
            width=WIDTH, height=self.height, font=FONT, title=self.title, rects=self.rects, lines=self.lines,
            polylines=self.polylines, dots=self.dots, texts=self.texts)


def _percent(value: float) -> str:
    return f"{round(value * 100, 1):g}%"


def _nice_top(value: float) -> float:
    """The axis top for a share whose quarters read as round numbers (at most 1)."""
    for top in (0.02, 0.04, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0):
        if value <= top:
            return top
    return 1.0


def _frame(c: Canvas, bottom: float, *, left_top: float, right_top: float | None, left_label: str,
           right_label: str | None) -> None:
    """Horizontal grid lines at quarters of the axes, their labels, the axis titles."""
    for i in range(5):
        y = bottom - (bottom - TOP) * i / 4
        c.line(LEFT, y, WIDTH - RIGHT, y)
        c.text(LEFT - 6, y + 4, _percent(left_top * i / 4), anchor="end", fill=MUTED)
        if right_top is not None:
            c.text(WIDTH - RIGHT + 6, y + 4, _percent(right_top * i / 4), anchor="start", fill=BAD)
    c.text(LEFT, TOP - 12, left_label, anchor="start", fill=MUTED)
    if right_label is not None:
        c.text(WIDTH - RIGHT, TOP - 12, right_label, anchor="end", fill=BAD)


def binning_plot(factor: FactorSpec, labels: list[str], words: dict[str, str], title: str) -> str:
    """One bar per bin for its share of the rows, and the bad rate of each bin as a line."""
    bins = list(factor.bins)
    rows = sum(b.count for b in bins) or 1
    longest = max((len(fit_label(label, 110)) for label in labels), default=4)
    bottom = HEIGHT - BOTTOM - min(70, 6 * longest)
    c = Canvas(title, height=HEIGHT)
    share_top = _nice_top(max(b.count / rows for b in bins))
    rate_top = _nice_top(max((b.event_rate for b in bins if b.count), default=0.0))
    _frame(c, bottom, left_top=share_top, right_top=rate_top, left_label=words["share"], right_label=words["bad_rate"])
    slot = (WIDTH - LEFT - RIGHT) / len(bins)
    line: list[tuple[float, float]] = []
    for i, (b, label) in enumerate(zip(bins, labels)):
        x = LEFT + i * slot
        h = (bottom - TOP) * (b.count / rows) / share_top
        c.rect(x + slot * 0.15, bottom - h, slot * 0.7, h, BAR)
        cx = x + slot / 2
        c.text(cx + 4, bottom + 14, fit_label(label, 110), anchor="end", rotate=-35)
        if b.count:
            point = (cx, bottom - (bottom - TOP) * b.event_rate / rate_top)
            line.append(point)
            c.dot(*point, BAD)
        else:
            c.text(cx, bottom - 6, words["empty"], fill=MUTED)
    c.line(LEFT, bottom, WIDTH - RIGHT, bottom, stroke=MUTED)
    if len(line) > 1:
        c.polyline(line, BAD)
    c.text(WIDTH / 2, HEIGHT - 8, words["bins_axis"], fill=MUTED)
    return c.render()


def _bands(bands: dict[str, Any]) -> tuple[list[int], list[int], list[int]]:
    first, width = int(bands["first"]), int(bands["width"])
    lowers = [first + i * width for i in range(len(bands["goods"]))]
    return lowers, [int(v) for v in bands["goods"]], [int(v) for v in bands["bads"]]


def distribution_plot(bands: dict[str, Any], words: dict[str, str], title: str) -> str:
    """The share of goods and of bads in each band of scores, as two outlines over the same axis."""
    lowers, goods, bads = _bands(bands)
    width = int(bands["width"])
    total_good, total_bad = sum(goods) or 1, sum(bads) or 1
    top = _nice_top(max([g / total_good for g in goods] + [b / total_bad for b in bads]))
    bottom = HEIGHT - BOTTOM
    c = Canvas(title)
    _frame(c, bottom, left_top=top, right_top=None, left_label=words["share_of_group"], right_label=None)
    slot = (WIDTH - LEFT - RIGHT) / len(lowers)
    for counts, total, color in ((goods, total_good, GOOD), (bads, total_bad, BAD)):
        for i, count in enumerate(counts):
            h = (bottom - TOP) * (count / total) / top
            c.rect(LEFT + i * slot + 1, bottom - h, slot - 2, h, color, opacity=0.45)
    c.line(LEFT, bottom, WIDTH - RIGHT, bottom, stroke=MUTED)
    step = max(1, len(lowers) // 8)
    for i in range(0, len(lowers) + 1, step):
        c.text(LEFT + i * slot, bottom + 16, str(lowers[0] + i * width), fill=MUTED)
    c.text(WIDTH / 2, HEIGHT - 8, words["score_axis"], fill=MUTED)
    _legend(c, [(words["goods"], GOOD), (words["bads"], BAD)])
    return c.render()


def _legend(c: Canvas, items: list[tuple[str, str]]) -> None:
    x = WIDTH - RIGHT
    for label, color in reversed(items):
        c.text(x, TOP - 12, label, anchor="end", fill=color, bold=True)
        x -= 14 + 7 * len(label) * (2 if any(ord(ch) > 0x2e80 for ch in label) else 1)


def _cumulative(counts: list[int]) -> list[float]:
    total, run, out = sum(counts) or 1, 0, [0.0]
    for count in counts:
        run += count
        out.append(run / total)
    return out


def roc_plot(bands: dict[str, Any], auc: float | None, words: dict[str, str], title: str) -> str:
    """Declining everyone below a score, for every band edge: the share of bads declined against the
    share of goods declined. The diagonal is a model that knows nothing."""
    _, goods, bads = _bands(bands)
    fpr, tpr = _cumulative(goods), _cumulative(bads)
    side = HEIGHT - TOP - BOTTOM
    left = (WIDTH - side) / 2
    bottom = TOP + side
    c = Canvas(title)
    for i in range(5):
        v = i / 4
        c.line(left, bottom - side * v, left + side, bottom - side * v)
        c.line(left + side * v, TOP, left + side * v, bottom)
        c.text(left - 6, bottom - side * v + 4, _percent(v), anchor="end", fill=MUTED)
        c.text(left + side * v, bottom + 16, _percent(v), fill=MUTED)
    c.line(left, bottom, left + side, TOP, stroke=MUTED, dash="4 4")
    c.polyline([(left + side * x, bottom - side * y) for x, y in zip(fpr, tpr)], BAD)
    c.text(left, TOP - 12, words["bads_declined"], anchor="start", fill=BAD)
    c.text(left + side / 2, HEIGHT - 8, words["goods_declined"], fill=GOOD)
    if auc is not None:
        c.text(left + side - 8, bottom - 12, f"AUC {auc:.3f}", anchor="end", bold=True)
    return c.render()


def ks_plot(bands: dict[str, Any], ks: float | None, words: dict[str, str], title: str) -> str:
    """The share of bads and of goods scoring below each score; KS is the widest gap between them."""
    lowers, goods, bads = _bands(bands)
    width = int(bands["width"])
    edges = [lowers[0] + i * width for i in range(len(lowers) + 1)]
    cum_good, cum_bad = _cumulative(goods), _cumulative(bads)
    bottom = HEIGHT - BOTTOM
    c = Canvas(title)
    _frame(c, bottom, left_top=1.0, right_top=None, left_label=words["share_below"], right_label=None)
    span = edges[-1] - edges[0] or 1

    def x_of(score: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (score - edges[0]) / span

    def y_of(share: float) -> float:
        return bottom - (bottom - TOP) * share

    c.polyline([(x_of(s), y_of(v)) for s, v in zip(edges, cum_good)], GOOD)
    c.polyline([(x_of(s), y_of(v)) for s, v in zip(edges, cum_bad)], BAD)
    gap = max(range(len(edges)), key=lambda i: (cum_bad[i] - cum_good[i], -i))
    c.line(x_of(edges[gap]), y_of(cum_good[gap]), x_of(edges[gap]), y_of(cum_bad[gap]), stroke=INK, width=2, dash="3 3")
    if ks is not None:
        c.text(x_of(edges[gap]) + 6, (y_of(cum_good[gap]) + y_of(cum_bad[gap])) / 2, f"KS {ks:.3f}", anchor="start",
               bold=True)
    step = max(1, len(edges) // 8)
    for i in range(0, len(edges), step):
        c.text(x_of(edges[i]), bottom + 16, str(edges[i]), fill=MUTED)
    c.line(LEFT, bottom, WIDTH - RIGHT, bottom, stroke=MUTED)
    c.text(WIDTH / 2, HEIGHT - 8, words["score_axis"], fill=MUTED)
    _legend(c, [(words["goods"], GOOD), (words["bads"], BAD)])
    return c.render()
