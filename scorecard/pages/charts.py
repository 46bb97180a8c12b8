"""Chart geometry, pure: the score bar and the history chart of an explanation page, and the
factor chart of the site's model pages. Coordinates in px; templates print them (``|n``)."""

from __future__ import annotations

import math
import unicodedata
from typing import Callable

from markupsafe import Markup

from scorecard.pages.speaking import Speaker
from scorecard.pages.views import ChartBar, ChartDot, HistoryRow, HistoryView, Marker, ScoreBar
from scorecard.pages.words import Words
from scorecard.records import DecisionRecord

SPARK = "▁▂▃▄▅▆▇█"
SPARK_MIN = 3  # scored snapshots a sparkline needs
TEXT_BAR_CELLS = 20  # narrow enough that bar, number and label fit a 360 px phone's code block
CLOSE = 150  # px: bar marks closer than this label away from each other
BAR_WIDTH, BAR_LEFT, BAR_RIGHT = 640, 24, 24
CHART_WIDTH, CHART_HEIGHT = 640, 250
# The site's factor chart: 480 wide so that its 13 px text stays readable when a phone shrinks it.
FACTOR_WIDTH, FACTOR_FONT, FACTOR_ROW, FACTOR_TOP, FACTOR_LABEL, FACTOR_BAR = 480, 13, 26, 30, 190, 190
GOOD, BAD = "#26a69a", "#ef6c00"


def score_bar(record: DecisionRecord, w: Words, say: Speaker) -> ScoreBar:
    """The score against the pass mark (and the usual pass mark, the next band): SVG geometry and the
    text lines of the Markdown bar."""
    score = int(record.score)  # type: ignore[arg-type]
    marks: list[tuple[str, int]] = [("cutoff", record.cutoff)]
    if record.base_cutoff != record.cutoff:
        marks.append(("base_cutoff", record.base_cutoff))
    # Under the affordability guard nothing on the page aims at a higher limit, the bar included.
    if record.outcome == "approved" and record.next_band_score is not None and not record.affordability_guard:
        marks.append(("next_band", record.next_band_score))
    values = [score] + [v for _, v in marks]
    lo = int(math.floor((min(values) - 40) / 50) * 50)
    hi = int(math.ceil((max(values) + 40) / 50) * 50)
    track_x, track_w = float(BAR_LEFT), float(BAR_WIDTH - BAR_LEFT - BAR_RIGHT)

    def x_of(v: float) -> float:
        return round(track_x + track_w * (min(max(v, lo), hi) - lo) / (hi - lo), 1)

    def anchor(x: float) -> str:
        return "start" if x < track_x + 60 else "end" if x > track_x + track_w - 60 else "middle"

    # Labels of marks closer than CLOSE px point away from each other (text left of the left
    # mark, right of the right one); a mark crowded on both sides drops to a second row.
    placed = sorted(((x_of(v), kind, v) for kind, v in marks), key=lambda m: (m[0], m[1]))
    markers = []
    rows = 1
    for i, (x, kind, v) in enumerate(placed):
        left = i > 0 and x - placed[i - 1][0] < CLOSE
        right = i + 1 < len(placed) and placed[i + 1][0] - x < CLOSE
        row, anchor_, text_x = 0, anchor(x), x
        if left and right:
            row, anchor_ = 1, "middle"
        elif right:
            anchor_, text_x = "end", x - 5
        elif left:
            anchor_, text_x = "start", x + 5
        rows = max(rows, row + 1)
        label_y = 100.0 + 18 * row
        markers.append(Marker(kind=kind, x=x, text_x=round(text_x, 1), label=f"{w.text('bar', kind)} {v}",
                              label_y=label_y, line_end=label_y - 13, anchor=anchor_))
    score_x, cutoff_x = x_of(score), x_of(record.cutoff)
    gap = record.cutoff - score
    gap_label = (w.text("bar", "gap_below", gap=say.points(gap)) if gap > 0
                 else w.text("bar", "gap_above", gap=say.points(-gap)))
    text = text_bar(w, score, marks, lo, hi)

    return ScoreBar(
        caption=w.text("bar", "caption", score=say.points(score), cutoff=say.points(record.cutoff)),
        width=BAR_WIDTH, height=int(100 + 18 * (rows - 1) + 10), track_x=track_x, track_width=track_w,
        track_y=40.0, fill_width=round(score_x - track_x, 1), passed=score >= record.cutoff,
        score_x=score_x, score_label=f"{w.text('bar', 'score')} {score} · {gap_label}", score_anchor=anchor(score_x),
        gap_x=min(score_x, cutoff_x), gap_width=round(abs(cutoff_x - score_x), 1),
        lo_label=str(lo), hi_label=str(hi), markers=tuple(markers), text=text,
    )

def text_bar(w: Words, score: int, marks: list[tuple[str, int]], lo: int, hi: int) -> tuple[Markup, ...]:
    """Markdown's bar: fixed-width lines of block glyphs (all East-Asian-ambiguous width, so the
    lines stay aligned with any monospace font), then the number and a locale label. The gap
    is not repeated here: the score line above the bar says it."""
    cells = TEXT_BAR_CELLS

    def cell(v: int) -> int:
        return min(cells - 1, max(0, int(round((v - lo) / (hi - lo) * (cells - 1)))))

    # A score below a mark never reaches its cell, a score at or above one always does: 607 must
    # not look as if it had reached the band at 610.
    at = cell(score)
    at = max([at] + [cell(v) for _, v in marks if score >= v])
    at = min([at] + [cell(v) - 1 for _, v in marks if score < v and cell(v) > 0])
    filled = at + 1
    lines = [f"{'█' * filled}{'░' * (cells - filled)} {score:>3} {w.text('bar', 'score')}"]
    for kind, v in marks:
        at = cell(v)
        track = "─" * at + ("┃" if kind == "cutoff" else "┊") + "─" * (cells - at - 1)
        lines.append(f"{track} {v:>3} {w.text('bar', kind)}")
    # Built from digits, bar glyphs and locale labels only: nothing from the record as text.
    return tuple(Markup(line) for line in lines)


def history_chart(record: DecisionRecord, w: Words, say: Speaker, decision_label: Callable[[str], str]) -> HistoryView:
    """How score and limit moved over the snapshots: table rows and sparkline (Markdown), chart
    geometry (HTML): the score line on top (y 30..120), limit bars below (y 150..210)."""
    snaps = record.history
    no_score = w.text("history", "no_score")
    rows = tuple(HistoryRow(date=s.date or "", score=no_score if s.score is None else str(s.score),
                            decision=decision_label(s.decision), limit=say.money(s.limit)) for s in snaps)
    first, last = snaps[0], snaps[-1]
    summary = w.text("history", "summary", first_date=first.date, last_date=last.date,
                     first_score=no_score if first.score is None else say.points(first.score),
                     last_score=no_score if last.score is None else say.points(last.score))
    summary = w.join([summary, w.text("history", "limit_summary", first_limit=say.money(first.limit),
                                         last_limit=say.money(last.limit))])
    scores = [s.score for s in snaps if s.score is not None]
    lo_s, hi_s = (min(scores), max(scores)) if scores else (0, 1)
    spark = "".join(
        " " if s.score is None else SPARK[0 if hi_s == lo_s else int(round((s.score - lo_s) / (hi_s - lo_s) * 7))]
        for s in snaps
    )
    # A trend needs at least three scores: two bars, lowest and highest, read as a broken chart.
    sparkline = (w.text("history", "trend", sparkline=f"{spark} ({' → '.join(r.score for r in rows)})")
                 if len(scores) >= SPARK_MIN else "")
    # chart: score line on top (y 30..120), limit bars below (y 150..210)
    n = len(snaps)
    left, right = 70.0, CHART_WIDTH - 40.0
    xs = [left + (right - left) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    pad = max(10, (hi_s - lo_s) * 0.15)
    s_lo, s_hi = lo_s - pad, hi_s + pad

    def y_score(v: float) -> float:
        return round(120 - 90 * (v - s_lo) / (s_hi - s_lo), 1)

    dots = tuple(ChartDot(x=round(x, 1), y=y_score(s.score), label=str(s.score))
                 for x, s in zip(xs, snaps) if s.score is not None)
    max_limit = max((s.limit for s in snaps), default=0) or 1
    bar_w = min(60.0, (right - left) / max(n, 1) * 0.5)
    bars = []
    for x, s in zip(xs, snaps):
        h = round(60 * s.limit / max_limit, 1)
        bars.append(ChartBar(x=round(x - bar_w / 2, 1), y=round(210 - h, 1), width=round(bar_w, 1), height=h,
                             label=f"{s.limit:,}", label_y=round(210 - h - 4, 1)))
    x_labels = tuple(ChartDot(x=round(x, 1), y=232.0, label=s.date or "") for x, s in zip(xs, snaps))
    axis = (ChartDot(x=8.0, y=24.0, label=w.text("history", "score")),
            ChartDot(x=8.0, y=150.0, label=w.text("history", "limit")))
    return HistoryView(
        summary=summary, sparkline=sparkline, rows=rows, width=CHART_WIDTH,
        height=CHART_HEIGHT, score_points=" ".join(f"{d.x:g},{d.y:g}" for d in dots), dots=dots,
        bars=tuple(bars), x_labels=x_labels, score_axis=axis, divider_y=135.0,
    )



def fit_label(text: str, room: float, font: float = FACTOR_FONT) -> str:
    """``text`` cut to ``room`` pixels at ``font`` size (CJK characters are twice as wide)."""
    used, kept = 0.0, []
    for char in text:
        width = font if unicodedata.east_asian_width(char) in "WF" else font * 0.55
        if used + width > room:
            return "".join(kept).rstrip() + "…"
        used += width
        kept.append(char)
    return text


def factor_chart(rows: list[tuple[str, float, int]], percent: Callable[[float], str]) -> dict:
    """The site's chart of one factor: one row per bin (its words, bad rate, points), a bar as long
    as its bad rate, green for the best points. Rows rather than columns, so long labels never
    collide and the chart stays legible on a phone. Returns the template's geometry."""
    top_rate = max((rate for _, rate, _ in rows), default=0.0) or 1.0
    best = max((points for _, _, points in rows), default=0)
    drawn = []
    for i, (label, rate, points) in enumerate(rows):
        y = FACTOR_TOP + i * FACTOR_ROW
        length = FACTOR_BAR * rate / top_rate
        drawn.append({
            "label": fit_label(label, FACTOR_LABEL - 8),
            "y": f"{y:.1f}", "text_y": f"{y + FACTOR_ROW * 0.62:.1f}", "bar_y": f"{y + 4:.1f}",
            "bar_h": f"{FACTOR_ROW - 8:.1f}", "bar_w": f"{max(length, 1.0):.1f}", "rate_x": f"{FACTOR_LABEL + length + 6:.1f}",
            "rate": percent(rate), "points": str(points), "color": GOOD if points == best else BAD,
        })
    return {"width": FACTOR_WIDTH, "height": FACTOR_TOP + len(drawn) * FACTOR_ROW + 8, "font": FACTOR_FONT,
            "label_x": FACTOR_LABEL - 8, "bar_x": FACTOR_LABEL, "points_x": FACTOR_WIDTH - 8, "head_y": FACTOR_TOP - 8,
            "rows": drawn}
