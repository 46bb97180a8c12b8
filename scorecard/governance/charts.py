"""Small inline SVG charts of the model document and the monitor: geometry only, pure.

One chart shape serves all of them: an x-y plot with axes, ticks, polylines (and dots) per series,
an optional diagonal and horizontal marks. ``roc``, ``ks``, ``calibration`` and ``periods`` turn
measurements into it; ``templates/governance/xy_chart.svg.j2`` prints it. Plots from the workbench
(binning, ROC/KS) can replace these one by one: each chart is one function returning SVG text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scorecard.pages.charts import fit_label

WIDTH, HEIGHT = 620, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 190, 30, 40  # the legend sits right of the plot
FONT = 11
MAX_X_TICKS = 6
COLORS = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#c62828", "#00838f", "#5d4037", "#455a64")
MAX_POINTS = 200


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[float, float], ...]
    dots: bool = False


@dataclass(frozen=True)
class XYChart:
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    diagonal: bool = False
    marks: tuple[tuple[float, str], ...] = field(default_factory=tuple)  # horizontal lines (y, label)


def geometry(chart: XYChart) -> dict:
    """Pixel coordinates of everything the SVG template draws."""
    (x0, x1), (y0, y1) = chart.x_range, chart.y_range
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + plot_w * (x - x0) / ((x1 - x0) or 1), 1)

    def py(y: float) -> float:
        return round(TOP + plot_h * (1 - (min(max(y, y0), y1) - y0) / ((y1 - y0) or 1)), 1)

    series = []
    for i, s in enumerate(chart.series):
        pts = [(px(x), py(y)) for x, y in s.points if np.isfinite(y)]
        series.append({"name": fit_label(s.name, RIGHT - 30, FONT), "color": COLORS[i % len(COLORS)], "dots": s.dots, "points": pts,
                       "path": " ".join(f"{x:g},{y:g}" for x, y in pts), "legend_y": TOP + 9 + 18 * i})
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "top": TOP, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM,
        "title": chart.title, "x_label": chart.x_label, "y_label": chart.y_label,
        "x_mid": round((LEFT + WIDTH - RIGHT) / 2, 1), "y_mid": round((TOP + HEIGHT - BOTTOM) / 2, 1),
        "label_y": HEIGHT - 4, "tick_y": HEIGHT - BOTTOM + 16,
        "x_ticks": [{"x": px(v), "label": t} for v, t in chart.x_ticks],
        "y_ticks": [{"y": py(v), "label": t} for v, t in chart.y_ticks],
        "diagonal": ({"x1": px(x0), "y1": py(y0), "x2": px(x1), "y2": py(y1)} if chart.diagonal else None),
        "marks": [{"y": py(v), "label": t} for v, t in chart.marks],
        "series": series, "legend_x": WIDTH - RIGHT + 12, "legend_text_x": WIDTH - RIGHT + 26, "tick_x": LEFT - 6,
    }


def render(chart: XYChart) -> str:
    """The chart as inline SVG text (``templates/governance/xy_chart.svg.j2``, XML-escaped)."""
    from scorecard.pages import templating  # the package's one Jinja setup

    return templating.template("html", "governance/xy_chart.svg.j2").render(c=geometry(chart))


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, float], ...]:
    if len(x) > MAX_POINTS:
        keep = np.unique(np.r_[np.linspace(0, len(x) - 1, MAX_POINTS).round().astype(int)])
        x, y = x[keep], y[keep]
    return tuple((round(float(a), 4), round(float(b), 4)) for a, b in zip(x, y))


_UNIT = tuple((v, f"{v:.1f}") for v in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0))


def roc(y: np.ndarray, pd_: np.ndarray, words: dict) -> XYChart:
    """The ROC curve: share of bad against share of good applicants above each PD."""
    order = np.argsort(-np.asarray(pd_, dtype=float), kind="stable")
    yy = np.asarray(y, dtype=float)[order]
    bad, good = np.cumsum(yy), np.cumsum(1 - yy)
    tpr = np.r_[0.0, bad / max(bad[-1], 1)]
    fpr = np.r_[0.0, good / max(good[-1], 1)]
    return XYChart(words["roc_title"], words["roc_x"], words["roc_y"], (Series(words["roc_series"], _thin(fpr, tpr)),),
                   (0.0, 1.0), (0.0, 1.0), _UNIT, _UNIT, diagonal=True)


def ks(y: np.ndarray, scores: np.ndarray, words: dict) -> XYChart:
    """Cumulative shares of bad and of good applicants by score; KS is the largest gap."""
    scores = np.asarray(scores, dtype=float)
    yy = np.asarray(y, dtype=float)
    grid = np.unique(scores)
    bad = np.searchsorted(np.sort(scores[yy == 1]), grid, side="right") / max((yy == 1).sum(), 1)
    good = np.searchsorted(np.sort(scores[yy == 0]), grid, side="right") / max((yy == 0).sum(), 1)
    lo, hi = float(grid.min()), float(grid.max())
    ticks = tuple((float(v), str(int(v))) for v in np.linspace(lo, hi, 5).round())
    return XYChart(words["ks_title"], words["ks_x"], words["ks_y"],
                   (Series(words["ks_bad"], _thin(grid, bad)), Series(words["ks_good"], _thin(grid, good))),
                   (lo, hi if hi > lo else lo + 1), (0.0, 1.0), ticks, _UNIT)


def calibration(bands: list[dict], words: dict) -> XYChart:
    """Observed against predicted bad rate per score band, with the line where they are equal."""
    top = max([b["observed_bad_rate"] or 0 for b in bands] + [b["predicted_bad_rate"] or 0 for b in bands] + [0.01])
    ticks = _share_ticks(top)
    top = ticks[-1][0]
    points = tuple((float(b["predicted_bad_rate"]), float(b["observed_bad_rate"])) for b in bands
                   if b["predicted_bad_rate"] is not None and b["observed_bad_rate"] is not None)
    return XYChart(words["cal_title"], words["cal_x"], words["cal_y"], (Series(words["cal_series"], points, dots=True),),
                   (0.0, top), (0.0, top), ticks, ticks, diagonal=True)


def _share_ticks(top: float) -> tuple[tuple[float, str], ...]:
    """Ticks at round shares (1, 2, 5, 10, 20 or 25 %) from 0 to at least ``top``, at most six."""
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if top / s <= 5)
    count = int(np.ceil(top / step - 1e-9))
    return tuple((round(i * step, 4), f"{round(i * step * 100):d}%") for i in range(count + 1))


def periods(title: str, y_label: str, labels: list[str], series: dict[str, list[float | None]], *,
            marks: tuple[tuple[float, str], ...] = (), percent: bool = False) -> XYChart:
    """A value per period for one or more series (None: not measured), with optional threshold lines."""
    values = [v for vs in series.values() for v in vs if v is not None] + [v for v, _ in marks]
    top = max(values + [0.01])
    if percent:
        y_ticks = _share_ticks(min(top, 1.0))
    else:
        top = float(np.ceil(top * 10) / 10)
        y_ticks = tuple((round(float(v), 4), f"{v:.2f}") for v in np.linspace(0, top, 5))
    top = y_ticks[-1][0]
    step = max(1, -(-len(labels) // MAX_X_TICKS))
    x_ticks = tuple((float(i), labels[i]) for i in range(0, len(labels), step))
    lines = tuple(Series(name, tuple((float(i), float(v)) for i, v in enumerate(vs) if v is not None), dots=True)
                  for name, vs in series.items())
    return XYChart(title, "", y_label, lines, (0.0, float(max(len(labels) - 1, 1))), (0.0, top), x_ticks, y_ticks,
                   marks=marks)
