"""Decision policy: hard rules, cutoff with overlays, limit bands -> one decision per applicant.

A policy is a YAML file (``scorecard/policies/demo.yaml`` is the bundled default), validated on
load; every error names the file and the key at fault. It is evaluated in this order:

1. **hard rules**, in the order written; the first that fires stops evaluation. A rule with
   ``outcome: cannot_evaluate`` (code ``HARD_*``, e.g. identity not verified, profile too
   incomplete) means the application was not assessed; ``outcome: retry_later`` (code
   ``RETRY_LATER*``, e.g. a maintenance flag) means "try again later". Neither is a judgement
   of the applicant's credit, so no score, reasons or plans are reported for them.
2. **the cutoff**: ``score >= cutoff`` approves. A ``cutoff`` overlay whose conditions match
   raises the cutoff for that applicant (a segment, or a period on the profile's date column);
   the effective cutoff is the highest that applies. An overlay may only tighten.
3. **limit bands** by score for approved applicants (the highest band whose ``min_score`` the
   score reaches), then ``limit_cap`` overlays (e.g. a regulatory cap) lower the limit.

What plans aim at (``scorecard.recourse`` obeys it):

* ``margin`` (points, default 0; demo 10): a declined applicant's plans aim at the effective
  cutoff + margin, an approved applicant's at the next limit band's ``min_score`` + margin, so a
  plan survives a small drift of the score. The record states the target (``recourse_target``)
  and the margin (``recourse_margin``); a plan raises the chance, it never promises approval.
* ``affordability: {description: {zh, en}, when_any: [conditions]}``: the guard holds for an
  assessed applicant when ANY of its conditions matches (each condition as in hard rules; a
  missing value does not match unless ``missing: match``). Under the guard no plan aims at a
  higher limit (an approved applicant gets no plan: ``recourse_target`` is None), every plan of
  a declined applicant first brings debt out of the guard (each condition that holds is cleared by
  a move of the factor whose column it reads; ``guard_clearance``), pages list no other lenders
  and put the debt-control lesson first. The record says so (``affordability_guard``).

Decision codes are stable: ``APPROVED``, ``DECLINED_SCORE`` (below the base cutoff),
``DECLINED_OVERLAY`` (at or above the base cutoff, below the cutoff an overlay set: the rules
changed, not the applicant), the hard rules' own ``HARD_*`` codes and ``RETRY_LATER``.
Each overlay that applied is reported with ``changed_outcome``: for a cutoff overlay, true when
the score passes the base cutoff but not this overlay's cutoff (this overlay alone declines);
for a limit cap, true when it lowered the limit.

The policy, each hard rule and each overlay may carry a ``description`` in both site languages
(``{zh: ..., en: ...}``, see ``text.Text``): the site's policy page shows it, and an explanation
page shows a rule's or overlay's own description when the locale files have no sentence of their
own for its code. Optional ``pages`` (``{causes: [slug, ...], remedies: [slug, ...]}``) name the
knowledge-base pages a page links from that rule or overlay; without them an undescribed rule
links to the generic pages of its kind and a described one links to none (no fixed guess).

``context`` says where and for what the policy is deployed (``Context``): the currency and its
words, the product, and the jurisdiction whose rights and channels the pages show. Its defaults are
the demo's (yuan, a credit line in an app, mainland China), so a policy without it reads as before.

``decide`` is pure and works on whole columns (NumPy), so 10^6 rows take well under a second.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scorecard.errors import DataError, PolicyError
from scorecard.languages import page_languages
from scorecard.profile import SLUG, Profile, describe_validation_error, read_yaml_document
from scorecard.scoring import ScoreResult
from scorecard.spec import ScorecardSpec
from scorecard.text import Text

BUNDLED_DIR = Path(__file__).parent / "policies"

Outcome = Literal["approved", "declined", "retry_later", "cannot_evaluate"]
APPROVED = "APPROVED"
DECLINED_SCORE = "DECLINED_SCORE"
DECLINED_OVERLAY = "DECLINED_OVERLAY"
RETRY_LATER = "RETRY_LATER"

HARD_CODE = re.compile(r"^HARD_[A-Z0-9_]+$")
RETRY_CODE = re.compile(r"^RETRY_LATER(?:_[A-Z0-9_]+)?$")
OVERLAY_CODE = re.compile(r"^OVL\.[A-Z0-9_]+$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
BAND_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")

Scalar = float | int | str


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Frozen):
    """One test on one column of the applicant table; a rule or overlay applies when all match.

    ``column`` names a table column; ``profile_column: segment`` / ``profile_column: date`` name
    the profile's segment or date column instead (dates compare as calendar days, ``between`` is inclusive at both ends).
    ``missing`` says how a missing value counts: ``match`` (e.g. no identity flag = not
    verified) or ``no_match`` (the default).
    """

    column: str | None = None
    profile_column: Literal["segment", "date"] | None = None
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between"]
    value: Scalar | tuple[Scalar, ...]
    missing: Literal["match", "no_match"] = "no_match"

    @field_validator("value", mode="before")
    @classmethod
    def _dates_as_text(cls, value: object) -> object:
        # YAML reads an unquoted 2026-07-01 as a date; compare it as the same ISO text.
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list):
            return [v.isoformat() if isinstance(v, dt.date) else v for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Condition:
        if (self.column is None) == (self.profile_column is None):
            raise ValueError("give exactly one of 'column' (a table column) or 'profile_column' (segment or date)")
        listy = isinstance(self.value, tuple)
        if self.op in ("in", "not_in") and not listy:
            raise ValueError(f"op '{self.op}' needs a list of values")
        if self.op == "between" and not (listy and len(self.value) == 2):
            raise ValueError("op 'between' needs a list of two values [from, to]")
        if self.op not in ("in", "not_in", "between") and listy:
            raise ValueError(f"op '{self.op}' needs a single value, not a list")
        if self.op in ("lt", "le", "gt", "ge", "between") and self.profile_column != "date":
            for v in self.value if listy else (self.value,):
                if isinstance(v, str):
                    raise ValueError(f"op '{self.op}' compares numbers; '{v}' is text")
        if self.profile_column == "date":
            for v in self.value if listy else (self.value,):
                try:
                    dt.date.fromisoformat(str(v))
                except ValueError:
                    raise ValueError(f"'{v}' is not a date written YYYY-MM-DD") from None
        return self

    @property
    def is_date(self) -> bool:
        return self.profile_column == "date"


class Pages(_Frozen):
    """Knowledge-base pages a rule or overlay links to on an explanation page (slugs)."""

    causes: tuple[str, ...] = ()
    remedies: tuple[str, ...] = ()

    @field_validator("causes", "remedies")
    @classmethod
    def _slugs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for slug in value:
            if not SLUG.match(slug):
                raise ValueError(f"'{slug}' is not a page slug (lowercase words joined by '-')")
        return value


class Currency(_Frozen):
    """The currency of limits and caps: its ISO code and its words per page language, written
    ``{code: TWD, zh: 新台币, en: NT$}``. A word is printed after the number ("30,000 yuan"); a
    word holding ``{n}`` is a pattern instead ("NT${n}" gives "NT$30,000")."""

    code: str = "CNY"
    words: Text = Text(zh="元", en="yuan")

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, value: object) -> object:
        if isinstance(value, dict) and "words" not in value:
            code = value.get("code", "CNY")
            words = {k: v for k, v in value.items() if k != "code"}
            # Only the default currency has default words: EUR alone must not print "yuan".
            return {"code": code, "words": words} if words or code != "CNY" else {"code": code}
        return value

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CURRENCY_CODE.match(value):
            raise ValueError(f"'{value}' is not a currency code; use three capital letters such as CNY, TWD, EUR")
        return value

    @model_validator(mode="after")
    def _words(self) -> Currency:
        missing = [lang for lang in page_languages().written_in if not self.words.get(lang).strip()]
        if missing and self.code != "CNY":
            raise ValueError(f"currency {self.code} needs its words in {', '.join(missing)} "
                             f"(e.g. {{code: {self.code}, zh: ..., en: ...}})")
        for text in (self.words.model_extra or {}).values():
            if "{" in text.replace("{n}", "") or "}" in text.replace("{n}", ""):
                raise ValueError(f"currency words '{text}' may hold only the placeholder {{n}}")
        return self

    def amount(self, lang: str, n: str, pattern: str) -> str:
        """``n`` (already formatted) with the currency's words of ``lang``; ``pattern`` is the
        locale's "{n} {currency}" for a plain word."""
        word = self.words.get(lang) or self.code
        return word.replace("{n}", n) if "{n}" in word else pattern.format(n=n, currency=word)


class Context(_Frozen):
    """Where and for what a policy is deployed. Defaults: the demo's (yuan, a credit line in an
    app, mainland China). ``jurisdiction`` picks the rights box and the knowledge base: ``cn``
    names mainland China's laws and channels; ``neutral`` tells the reader to look up their local
    law and credit bureau and names none."""

    currency: Currency = Currency()
    product: Literal["app_credit_line", "credit_card", "instalment_loan"] = "app_credit_line"
    jurisdiction: Literal["cn", "neutral"] = "cn"


class HardRule(_Frozen):
    code: str
    outcome: Literal["cannot_evaluate", "retry_later"] = "cannot_evaluate"
    description: Text = Text()
    pages: Pages | None = None
    when: tuple[Condition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _code(self) -> HardRule:
        if self.outcome == "cannot_evaluate" and not HARD_CODE.match(self.code):
            raise ValueError(f"code '{self.code}' of a cannot_evaluate rule must look like HARD_SOMETHING")
        if self.outcome == "retry_later" and not RETRY_CODE.match(self.code):
            raise ValueError(f"code '{self.code}' of a retry_later rule must be RETRY_LATER or RETRY_LATER_SOMETHING")
        return self


class PolicyOverlay(_Frozen):
    code: str
    kind: Literal["cutoff", "limit_cap"]
    description: Text = Text()
    pages: Pages | None = None
    cutoff: int | None = None  # kind cutoff: the tightened cutoff
    cap: int | None = Field(default=None, ge=0)  # kind limit_cap: the highest limit allowed
    when: tuple[Condition, ...] = ()  # empty: applies to everyone

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not OVERLAY_CODE.match(value):
            raise ValueError(f"overlay code '{value}' must look like OVL.SOMETHING (capitals, digits, _)")
        return value

    @model_validator(mode="after")
    def _fields(self) -> PolicyOverlay:
        if self.kind == "cutoff" and (self.cutoff is None or self.cap is not None):
            raise ValueError("a cutoff overlay needs 'cutoff' (and no 'cap')")
        if self.kind == "limit_cap" and (self.cap is None or self.cutoff is not None):
            raise ValueError("a limit_cap overlay needs 'cap' (and no 'cutoff')")
        return self


class Affordability(_Frozen):
    """Above a debt level nobody is steered to a higher limit or to more lenders."""

    description: Text = Text()
    when_any: tuple[Condition, ...] = Field(min_length=1)


class LimitBand(_Frozen):
    name: str
    min_score: int
    limit: int = Field(ge=0)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not BAND_NAME.match(value):
            raise ValueError(f"band name '{value}' may use letters, digits, '.', '_' and '-'")
        return value


class Policy(_Frozen):
    name: str
    version: str = Field(min_length=1)
    description: Text = Text()
    context: Context = Context()
    hard_rules: tuple[HardRule, ...] = ()
    cutoff: int
    overlays: tuple[PolicyOverlay, ...] = ()
    limit_bands: tuple[LimitBand, ...] = Field(min_length=1)
    margin: int = Field(default=0, ge=0)  # points above the cutoff or band that plans aim at
    affordability: Affordability | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        # YAML reads 2026.1 as a float; a version is a label, so insist on quotes.
        if not isinstance(value, str):
            raise ValueError("write the version as quoted text, e.g. version: \"2026.1\"")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        codes = [r.code for r in self.hard_rules] + [o.code for o in self.overlays]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"codes must be unique; repeated: {', '.join(dupes)}")
        for o in self.overlays:
            if o.kind == "cutoff" and o.cutoff is not None and o.cutoff <= self.cutoff:
                raise ValueError(f"overlay {o.code}: cutoff {o.cutoff} does not tighten the base cutoff {self.cutoff}")
        scores = [b.min_score for b in self.limit_bands]
        limits = [b.limit for b in self.limit_bands]
        if any(b <= a for a, b in zip(scores, scores[1:])):
            raise ValueError("limit_bands must be in increasing order of min_score")
        if any(b <= a for a, b in zip(limits, limits[1:])):
            raise ValueError("limit_bands must give a higher limit for each higher band")
        if scores[0] > self.cutoff:
            raise ValueError(f"the lowest limit band starts at {scores[0]}, above the cutoff {self.cutoff}: an approved applicant would have no band")
        names = [b.name for b in self.limit_bands]
        if len(set(names)) != len(names):
            raise ValueError("limit band names must be unique")
        return self

    def rule(self, code: str) -> HardRule | None:
        """The hard rule of ``code`` (None when the policy has none)."""
        return next((r for r in self.hard_rules if r.code == code), None)

    def overlay(self, code: str) -> PolicyOverlay | None:
        """The overlay of ``code`` (None when the policy has none)."""
        return next((o for o in self.overlays if o.code == code), None)


# --- loading ------------------------------------------------------------------------------------


def parse_policy(data: object, source: str) -> Policy:
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a policy must be a YAML mapping with keys name, version, cutoff, limit_bands")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"{source}: {describe_validation_error(exc, data)}; fix the policy and try again") from exc


def load_policy(name_or_path: str | Path = "demo") -> Policy:
    """Load a bundled policy by name (``demo``) or a policy YAML file by path."""
    data, path = read_yaml_document(name_or_path, BUNDLED_DIR, "policy", PolicyError,
                                    "give an existing YAML file or leave --policy out for the demo policy")
    return parse_policy(data, str(path))


def default_policy() -> Policy:
    """The bundled policy for the demo population."""
    return load_policy("demo")


# --- the policy against its model ---------------------------------------------------------------


def misfits(policy: Policy, spec: ScorecardSpec) -> tuple[str, ...]:
    """Where ``policy`` does not fit the scorecard it decides with, one sentence each: a cutoff
    (base or overlay) or a limit band outside the scores the scorecard can give, and a base cutoff
    that approves or declines every applicant of the reference population (the training rows,
    ``spec.reference``) on the score alone. Empty when it fits."""
    low, high = spec.min_score, spec.max_score
    found = []
    cutoffs = [("the cutoff", policy.cutoff)] + [(f"overlay {o.code}'s cutoff", o.cutoff) for o in policy.overlays
                                                 if o.cutoff is not None]
    for what, cutoff in cutoffs:
        if cutoff > high:
            found.append(f"{what} {cutoff} is above the highest score the scorecard gives ({high}): it declines everyone")
        elif cutoff <= low:
            found.append(f"{what} {cutoff} is at or below the lowest score the scorecard gives ({low}): "
                         "it approves everyone")
    for band in policy.limit_bands[1:]:
        if band.min_score > high:
            found.append(f"limit band {band.name} starts at {band.min_score}, above the highest score ({high}): "
                         "nobody can reach it")
    bands = (spec.reference or {}).get("bands") or []
    if bands and low < policy.cutoff <= high:
        width = int(spec.reference.get("band_width", 1))
        counted = sum(int(b["count"]) for b in bands)
        above = sum(int(b["count"]) for b in bands if b["lower"] >= policy.cutoff)
        below = sum(int(b["count"]) for b in bands if b["lower"] + width <= policy.cutoff)
        if above == counted:
            found.append(f"the cutoff {policy.cutoff} approves all {counted:,} applicants of the reference population "
                         "on their score (the lowest scored at least the cutoff)")
        elif below == counted:
            found.append(f"the cutoff {policy.cutoff} declines all {counted:,} applicants of the reference population "
                         "(the highest scored below it)")
    return tuple(found)


# --- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decisions:
    """Decisions of a batch, rows in the order of the ScoreResult; column i of the overlay
    arrays is ``policy.overlays[i]``."""

    code: np.ndarray  # (rows,) object: decision code
    outcome: np.ndarray  # (rows,) object: approved / declined / retry_later / cannot_evaluate
    hard_rule: np.ndarray  # (rows,) int16: index into policy.hard_rules, -1 when none fired
    base_cutoff: int
    cutoff: np.ndarray  # (rows,) int64: effective cutoff (base when a hard rule fired)
    limit: np.ndarray  # (rows,) int64: 0 unless approved
    band: np.ndarray  # (rows,) int16: index into policy.limit_bands, -1 unless approved
    next_band_score: np.ndarray  # (rows,) int64: score of the next band that raises the limit, -1 if none
    overlay_applied: np.ndarray  # (rows, overlays) bool
    overlay_changed: np.ndarray  # (rows, overlays) bool
    overlay_before: np.ndarray  # (rows, overlays) int64: cutoff or limit without the overlay
    overlay_after: np.ndarray  # (rows, overlays) int64
    guard: np.ndarray  # (rows,) bool: the affordability guard holds (assessed rows only)
    target: np.ndarray  # (rows,) int64: the score plans aim at (cutoff or next band, + margin), -1: no plan

    def __len__(self) -> int:
        return len(self.code)


def _column(table: pd.DataFrame, cond: Condition, profile: Profile, owner: str) -> pd.Series:
    if cond.profile_column is not None:
        role = cond.profile_column
        name = profile.segment_column if role == "segment" else profile.date_column
        if name is None:
            raise DataError(f"policy {owner} reads the {role} column, but profile '{profile.name}' names none; add {role}_column to the profile")
    else:
        name = cond.column
    if name not in table.columns:
        raise DataError(f"the table has no column '{name}', which policy {owner} reads; add it or use another --policy")
    return table[name]


def _dates(column: pd.Series) -> np.ndarray:
    """Calendar days since 1970 as float (NaN when missing or not a date)."""
    parsed = pd.to_datetime(column.astype("string"), errors="coerce", format="ISO8601")
    days = parsed.dt.tz_localize(None) if getattr(parsed.dt, "tz", None) is not None else parsed
    out = days.dt.floor("D").to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
    out[parsed.isna().to_numpy()] = np.nan
    return out


def _day(value: Scalar) -> float:
    return float((dt.date.fromisoformat(str(value)) - dt.date(1970, 1, 1)).days)


def _matches(cond: Condition, column: pd.Series) -> np.ndarray:
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if cond.is_date:
        x = _dates(column)
        wanted = [_day(v) for v in values]
        missing = np.isnan(x)
    elif all(not isinstance(v, str) for v in values):
        x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        wanted = [float(v) for v in values]
        missing = np.isnan(x)
    else:
        text = column.astype("string").str.strip()
        missing = (text.isna() | (text == "")).to_numpy()
        x = text.fillna("").to_numpy(dtype=object)
        wanted = [str(v) for v in values]
    with np.errstate(invalid="ignore"):
        if cond.op == "eq":
            hit = x == wanted[0]
        elif cond.op == "ne":
            hit = x != wanted[0]
        elif cond.op == "lt":
            hit = x < wanted[0]
        elif cond.op == "le":
            hit = x <= wanted[0]
        elif cond.op == "gt":
            hit = x > wanted[0]
        elif cond.op == "ge":
            hit = x >= wanted[0]
        elif cond.op == "between":
            hit = (x >= wanted[0]) & (x <= wanted[1])
        else:
            hit = np.isin(x, np.asarray(wanted, dtype=x.dtype))
            if cond.op == "not_in":
                hit = ~hit
    hit = np.asarray(hit, dtype=bool)
    return np.where(missing, cond.missing == "match", hit)


def _all_match(conditions: tuple[Condition, ...], table: pd.DataFrame, profile: Profile, owner: str) -> np.ndarray:
    out = np.ones(len(table), dtype=bool)
    for cond in conditions:
        out &= _matches(cond, _column(table, cond, profile, owner))
    return out


def decide(result: ScoreResult, policy: Policy, table: pd.DataFrame, profile: Profile) -> Decisions:
    """Decide every row of ``table`` (the rows ``result`` scored, same order). Pure."""
    n = len(result)
    if len(table) != n:
        raise DataError(f"the table has {len(table)} rows but {n} were scored; score the same table you decide")
    score = np.asarray(result.total, dtype=np.int64)

    hard = np.full(n, -1, dtype=np.int16)
    for i, rule in enumerate(policy.hard_rules):
        fired = _all_match(rule.when, table, profile, f"rule {rule.code}") & (hard < 0)
        hard[fired] = i
    evaluated = hard < 0

    n_ov = len(policy.overlays)
    applies = np.zeros((n, n_ov), dtype=bool)
    for i, overlay in enumerate(policy.overlays):
        applies[:, i] = _all_match(overlay.when, table, profile, f"overlay {overlay.code}") & evaluated

    base = policy.cutoff
    cutoff = np.full(n, base, dtype=np.int64)
    for i, overlay in enumerate(policy.overlays):
        if overlay.kind == "cutoff":
            cutoff = np.where(applies[:, i], np.maximum(cutoff, overlay.cutoff), cutoff)
    approved = evaluated & (score >= cutoff)
    declined = evaluated & ~approved

    band_scores = np.array([b.min_score for b in policy.limit_bands], dtype=np.int64)
    band_limits = np.array([b.limit for b in policy.limit_bands], dtype=np.int64)
    band = np.searchsorted(band_scores, score, side="right").astype(np.int16) - 1
    band = np.where(approved, band, -1).astype(np.int16)
    band_limit = np.where(approved, band_limits[np.maximum(band, 0)], 0)

    cap = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for i, overlay in enumerate(policy.overlays):
        if overlay.kind == "limit_cap":
            applies[:, i] &= approved  # a cap only applies to someone who gets a limit
            cap = np.where(applies[:, i], np.minimum(cap, overlay.cap), cap)
    limit = np.minimum(band_limit, cap)

    before = np.zeros((n, n_ov), dtype=np.int64)
    after = np.zeros((n, n_ov), dtype=np.int64)
    changed = np.zeros((n, n_ov), dtype=bool)
    for i, overlay in enumerate(policy.overlays):
        if overlay.kind == "cutoff":
            before[:, i] = base
            after[:, i] = overlay.cutoff
            changed[:, i] = applies[:, i] & (score >= base) & (score < overlay.cutoff)
        else:
            before[:, i] = band_limit
            after[:, i] = np.minimum(band_limit, overlay.cap)
            changed[:, i] = applies[:, i] & (band_limit > overlay.cap)
    before = np.where(applies, before, 0)
    after = np.where(applies, after, 0)

    # The next band raises the limit only while no cap holds the limit down (limits increase by band).
    top = len(policy.limit_bands) - 1
    has_next = approved & (band < top) & (limit < cap)
    next_band_score = np.where(has_next, band_scores[np.minimum(band + 1, top)], -1)

    guard = np.zeros(n, dtype=bool)
    if policy.affordability is not None:
        for cond in policy.affordability.when_any:
            guard |= _matches(cond, _column(table, cond, profile, "affordability"))
        guard &= evaluated
    # Plans: a declined applicant aims at the cutoff, an approved one below the top band at the next
    # band (never under the affordability guard); both plus the margin.
    target = np.where(declined, cutoff, np.where(guard, -1, next_band_score))
    target = np.where(target >= 0, target + policy.margin, -1)

    code = np.empty(n, dtype=object)
    outcome = np.empty(n, dtype=object)
    code[approved] = APPROVED
    outcome[approved] = "approved"
    code[declined] = np.where(score[declined] >= base, DECLINED_OVERLAY, DECLINED_SCORE)
    outcome[declined] = "declined"
    for i, rule in enumerate(policy.hard_rules):
        hit = hard == i
        code[hit] = rule.code
        outcome[hit] = rule.outcome
    return Decisions(
        code=code,
        outcome=outcome,
        hard_rule=hard,
        base_cutoff=base,
        cutoff=np.where(evaluated, cutoff, base),
        limit=np.where(approved, limit, 0),
        band=band,
        next_band_score=next_band_score.astype(np.int64),
        overlay_applied=applies,
        overlay_changed=changed,
        overlay_before=before,
        overlay_after=after,
        guard=guard,
        target=target.astype(np.int64),
    )


def guard_holds(policy: Policy, table: pd.DataFrame, profile: Profile) -> list[tuple[Condition, np.ndarray]]:
    """Each affordability condition with the rows (bool) it holds for; [] without a guard."""
    if policy.affordability is None:
        return []
    return [(cond, _matches(cond, _column(table, cond, profile, "affordability")))
            for cond in policy.affordability.when_any]


def condition_holds(cond: Condition, values: np.ndarray) -> np.ndarray:
    """``cond`` on an array of plain values (any shape): where it holds, as in ``decide``."""
    values = np.asarray(values)
    return _matches(cond, pd.Series(values.ravel())).reshape(values.shape)

