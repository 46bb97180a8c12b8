"""The monitor's data in words: one language's tables and charts (HTML page) and the terminal table."""

from __future__ import annotations

import math
from typing import Any

from scorecard.governance import charts
from scorecard.pages.words import site_words
from scorecard.profile import Profile

TOP_REASONS = 4  # reason codes charted besides the flagged ones: the commonest in the reference periods


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.{digits}f}%"


def _dec(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or not math.isfinite(float(value)) else f"{value:.{digits}f}"


def flag_text(flag: dict[str, Any], w: dict[str, Any], label: dict[str, str]) -> str:
    if flag["kind"] == "psi":
        name = w["score"] if flag["name"] == "score" else label.get(flag["name"], flag["name"])
        return w["flag_psi"].format(name=name, psi=_dec(flag["value"]), level=w["levels"][flag["level"]])
    if flag["kind"] == "reason":
        return w["flag_reason"].format(code=flag["name"], share=_pct(flag["value"]), reference=_pct(flag["reference"]))
    return w["flag_bad_rate"].format(ratio=_dec(flag["value"], 2))


def summary_rows(data: dict[str, Any], w: dict[str, Any], label: dict[str, str]) -> list[list[str]]:
    rows = []
    for p in data["periods"]:
        flags = "; ".join(flag_text(f, w, label) for f in p["flags"])
        if p["too_few_rows"]:
            flags = w["too_few"].format(rows=data["thresholds"]["min_rows"])
        rows.append([p["period"], f"{p['rows']:,}", _pct(p["approval_rate"]), _dec(p["score_psi"]),
                     f"{p['matured']:,}", f"{_pct(p['actual_bad_rate'], 2)} / {_pct(p['expected_bad_rate'], 2)}",
                     _dec(p["auc"]), _dec(p["ks"]), flags or "–"])
    return rows


def _table(head: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"head": head, "rows": rows, "right": [i in right for i in range(len(head))]}


def monitor_view(data: dict[str, Any], profile: Profile, *, lang: str, source: str, sha: str, policy: str) -> dict[str, Any]:
    """One language's monitor page: what it prints, formatted."""
    w = site_words(lang)["monitor"]
    label = {f.name: f.label.get(lang) for f in profile.factors}
    t = data["thresholds"]
    periods = [p["period"] for p in data["periods"]]
    flagged_factors = sorted({f["name"] for p in data["periods"] for f in p["flags"]
                              if f["kind"] == "psi" and f["name"] != "score"}, key=data["factors"].index)
    flagged_codes = sorted({f["name"] for p in data["periods"] for f in p["flags"] if f["kind"] == "reason"})
    common = sorted(data["reference"]["reason_shares"].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
    codes = list(dict.fromkeys(flagged_codes + [c for c, _ in common]))
    marks = ((t["psi_watch"], w["levels"]["watch"]), (t["psi_shift"], w["levels"]["shift"]))
    figures = [
        charts.periods(w["chart_psi"], "PSI", periods,
                       {w["score"]: [p["score_psi"] for p in data["periods"]],
                        **{label.get(n, n): [p["factor_psi"][n] for p in data["periods"]] for n in flagged_factors}},
                       marks=marks),
        charts.periods(w["chart_approval"], w["approval_rate"], periods,
                       {w["approval_rate"]: [p["approval_rate"] for p in data["periods"]]}, percent=True),
        charts.periods(w["chart_bad"], w["bad_rate"], periods,
                       {w["actual"]: [p["actual_bad_rate"] for p in data["periods"]],
                        w["expected"]: [p["expected_bad_rate"] for p in data["periods"]]}, percent=True),
        charts.periods(w["chart_reasons"], w["share"], periods,
                       {c: [p["reason_shares"].get(c, 0.0) for p in data["periods"]] for c in codes}, percent=True),
    ]
    factor_rows = []
    for name in data["factors"]:
        values = [(p["period"], p["factor_psi"][name]) for p in data["periods"] if p["factor_psi"][name] is not None]
        worst = max(values, key=lambda pv: pv[1], default=(None, None))
        hit = [p["period"] for p in data["periods"] for f in p["flags"] if f["kind"] == "psi" and f["name"] == name]
        factor_rows.append([label.get(name, name), _dec(worst[1]), worst[0] or "–", ", ".join(hit) or "–"])
    last = data["periods"][-1]
    reason_rows = []
    all_codes = sorted(set(data["reference"]["reason_shares"]) | {c for p in data["periods"] for c in p["reason_shares"]})
    for code in all_codes:
        hit = [p["period"] for p in data["periods"] for f in p["flags"] if f["kind"] == "reason" and f["name"] == code]
        reason_rows.append([code, _pct(data["reference"]["reason_shares"].get(code)),
                            _pct(last["reason_shares"].get(code, 0.0)),
                            _pct(max(p["reason_shares"].get(code, 0.0) for p in data["periods"])), ", ".join(hit) or "–"])
    protected = []
    for g in data["protected"]:
        rows = [[e["group"], f"{e['applicants']:,}", _pct(e["approval_rate"]),
                 _dec(e["adverse_impact_ratio"], 2) + (" ⚠" if e["adverse_impact_ratio"] is not None
                                                       and e["adverse_impact_ratio"] < t["adverse_impact"] else ""),
                 _pct(e.get("bad_rate"), 2), _dec(e.get("auc"))] for e in g["groups"]]
        by_period = [[p["period"], _dec(p["lowest_adverse_impact"].get(g["factor"]), 2)] for p in data["periods"]]
        protected.append({"label": label.get(g["factor"], g["factor"]), "name": g["factor"],
                          "status": w["in_model"] if g["in_model"] else w["not_in_model"],
                          "table": _table(w["protected_head"], rows, (1, 2, 3, 4, 5)),
                          "periods": _table([w["period"], w["lowest_air"]], by_period, (1,))})
    flags = sum(len(p["flags"]) for p in data["periods"])
    return {
        "lang": lang, "t": w,
        "title": w["title"].format(profile=profile.name),
        "subtitle": w["subtitle"].format(sha=sha[:12], policy=policy, source=source, by=w["by"][data["by"]],
                                         reference=", ".join(data["reference"]["periods"])),
        "verdict": w["flags_found"].format(count=flags) if flags else w["no_flags"],
        "summary": _table(w["summary_head"], summary_rows(data, w, label), (1, 2, 3, 4, 5, 6, 7)),
        "figures": [charts.render(f) for f in figures],
        "factors": _table(w["factor_head"], factor_rows, (1,)),
        "reasons": _table(w["reason_head"], reason_rows, (1, 2, 3)),
        "protected": protected,
        "thresholds": _table([w["threshold"], w["value"]], [[w["threshold_names"][k], f"{v:g}"] for k, v in t.items()], (1,)),
        "undated": w["undated"].format(rows=f"{data['undated_rows']:,}") if data["undated_rows"] else "",
    }
