"""Values into words: numbers, units, bins, a person's own value, knowledge-base links, in one
language for one profile. A bin is said from its kind and numbers (a range's bounds, a group's
categories, a special code), never from its label."""

from __future__ import annotations

import math
from typing import Any, Iterable, Protocol

from markupsafe import Markup

from scorecard.errors import RenderError
from scorecard.languages import page_languages
from scorecard.pages.views import Link
from scorecard.pages.words import Words
from scorecard.policy import Currency
from scorecard.profile import SLUG, Factor, Profile


class BinShape(Protocol):
    """What a bin is, as numbers: ``spec.Bin`` and ``records.BinBounds`` both are one."""

    kind: str
    lower: float | None
    upper: float | None
    categories: tuple[str, ...]


def plain_number(value: float | int) -> str:
    """Whole numbers without a decimal point; others with at most four decimals."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == round(value) and abs(value) < 1e15:
        return str(int(round(value)))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def code_text(code: float | int | str) -> str:
    """A special or category code as written: numbers plain (-1, not -1.0)."""
    return plain_number(code) if isinstance(code, (int, float)) else str(code)


# From a year and a half (always "2 years" or more) a wait is said in years and its plan called a long one.
LONG_WAIT_DAYS = 548


def monotone(factor: Factor) -> bool:
    """The factor's points only grow in its helping direction (a monotonic trend, a numeric factor
    that helps by increasing or decreasing): its better values can be said as one threshold."""
    return (factor.kind == "numeric" and factor.trend in ("ascending", "descending")
            and factor.helps in ("increase", "decrease"))


class Speaker:
    """Turns numbers, values, bins and slugs into words of one language, for one profile."""

    def __init__(self, words: Words, profile: Profile, *, currency: Currency = Currency(),
                 pages: frozenset[tuple[str, str]] | None = None) -> None:
        self.w = words
        self.currency = currency
        self.pages = pages  # the knowledge base's (section, slug) pages; None: any page
        self._money = words.get("units", "money")
        self.lang = page_languages().get(words.lang)
        self.site_root = "" if words.lang == page_languages().default else f"{words.lang}/"
        self.factors = {f.name: f for f in profile.factors}
        self.profile = profile
        self.sep = words.text("meta", "list_separator")
        self._bins: dict[tuple, str] = {}  # a page names the same few bins again and again

    # units
    def points(self, n: float) -> str:
        n = int(round(n))
        return self.w.text("units", "point_one" if abs(n) == 1 else "point_other", n=n)

    def money(self, n: int) -> str:
        return self.currency.amount(self.w.lang, f"{int(n):,}", self._money)

    def days(self, n: float) -> str:
        """A wait in words: days, with months from 60 days on; from a year and a half on only
        years, to the half year ("about 2.5 years": a count of days that long reads as false precision)."""
        n = int(math.ceil(n))
        if n >= LONG_WAIT_DAYS:
            return self.w.text("units", "years", n=f"{math.floor(n / 365 * 2 + 0.5) / 2:g}")
        if n >= 60:
            months = int(round(n / 30))
            month = self.w.text("units", "month_one" if months == 1 else "month_other", n=months)
            return self.w.text("units", "days_months", n=n, months=month)
        return self.w.text("units", "days", n=n)

    def percent(self, p: float) -> str:
        if p < 0.001:
            return self.w.text("units", "percent_small")
        return self.w.text("units", "percent", n=f"{p * 100:.1f}")

    def share(self, ratio: Any) -> str:
        """A ratio as a whole percentage ("95%" for 0.95); "" when it is not a number."""
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or ratio != ratio:
            return ""
        return self.w.text("units", "percent", n=f"{ratio * 100:.0f}")

    def factor(self, name: str) -> Factor:
        found = self.factors.get(name)
        if found is None:
            raise RenderError(f"the record names factor '{name}', which profile '{self.profile.name}' does not have; "
                              "render with the profile the model was trained on")
        return found

    def label(self, factor: Factor) -> str:
        return factor.label.get(self.w.lang)

    @staticmethod
    def number(factor: Factor, value: float | int) -> str:
        """A value of ``factor`` as a plain number: a ratio the profile shows as a percentage in
        hundredths (0.45 -> "45")."""
        return plain_number(value * 100 if factor.percent else value)

    def with_unit(self, factor: Factor, number: str, *, span: bool = False) -> str:
        """``number`` with the factor's unit; ``span``: the upper end of a range such as "0–1 times"."""
        if factor.percent:  # said as a share ("45%"); the unit is for raw values (inputs, model pages)
            return self.w.text("units", "percent", n=number)
        if factor.unit is None:
            return number
        unit = factor.unit.get(self.w.lang)
        if unit == "%":
            return f"{number}%"
        if number == "1" and not span:
            unit = self.lang.unit_for_one(unit)
        return self.w.text("values", "unit", n=number, unit=unit)

    def special(self, factor: Factor, value: Any) -> str | None:
        """What a special code means (the profile's words), or None when it is not one."""
        for special in factor.special_values:
            if special.value == value or (isinstance(value, (int, float)) and isinstance(special.value, (int, float))
                                          and float(special.value) == float(value)):
                return special.meaning.get(self.w.lang)
        return None

    def special_bin(self, factor: Factor, code: Any) -> str:
        """A special bin by its code: the code's meaning, else "special code <code>"."""
        meaning = self.special(factor, code)
        return meaning if meaning is not None else self.w.text("values", "special_code", code=code_text(code))

    def value(self, factor: Factor, value: Any) -> str:
        """The applicant's own value in words: 'Yes', '3 times', '95%', a special value's meaning."""
        if value is None:
            return self.w.text("values", "missing")
        special = self.special(factor, value)
        if special is not None:
            return special
        if factor.kind == "categorical" or isinstance(value, str):  # codes may be numbers (HELOC's 0-9)
            return factor.category_label(value if isinstance(value, str) else plain_number(value), self.w.lang)
        if factor.kind == "flag" and value in (0, 1):
            return self.w.text("values", "yes" if value == 1 else "no")
        return self.with_unit(factor, self.number(factor, value))

    def bin(self, factor: Factor, bounds: BinShape) -> str:
        """A bin in words from its kind and numbers: '2–3 times', 'Yes', 'A, B', 'no record', a
        special code's meaning (``spec.Bin``: its first code)."""
        codes = getattr(bounds, "special_values", ())
        key = (factor.name, bounds.kind, bounds.lower, bounds.upper, bounds.categories, codes)
        said = self._bins.get(key)
        if said is None:
            said = self._bins[key] = self._bin(factor, bounds, codes)
        return said

    def _bin(self, factor: Factor, bounds: BinShape, codes: tuple) -> str:
        if bounds.kind == "missing":
            return self.w.text("values", "missing")
        if bounds.kind == "special":
            return self.special_bin(factor, codes[0]) if codes else self.w.text("values", "missing")
        if bounds.kind == "categories":
            words = (factor.category_label(code, self.w.lang) for code in bounds.categories)
            return self.sep.join(dict.fromkeys(words))  # codes with the same words (HELOC's 5, 6) say them once
        return self.range(factor, bounds.lower, bounds.upper)

    def range(self, factor: Factor, lower: float | None, upper: float | None) -> str:
        """``lower <= x < upper`` (None: unbounded) in words, whole numbers for whole-number factors."""
        if factor.kind == "flag":
            holds_one = (lower is None or lower <= 1) and (upper is None or upper > 1)
            return self.w.text("values", "yes" if holds_one else "no")
        if factor.integer:
            if lower is None and factor.min_value is not None and upper is not None:
                lower = math.ceil(factor.min_value)
            last = None if upper is None else math.ceil(upper) - 1  # the largest whole number in the bin
            if upper is not None and factor.max_value is not None and last is not None and last >= factor.max_value:
                last = int(factor.max_value)
            if lower is not None:
                lower = math.ceil(lower)
            if lower is not None and last is not None:
                if lower == last:
                    return self.with_unit(factor, self.number(factor, lower))
                return self.w.text("values", "between", lower=self.number(factor, lower),
                                   upper=self.with_unit(factor, self.number(factor, last), span=True))
            if last is not None:
                return self.w.text("values", "at_most", upper=self.with_unit(factor, self.number(factor, last)))
            if lower is not None:
                if factor.max_value is not None and lower >= factor.max_value:
                    return self.with_unit(factor, self.number(factor, lower))
                return self.w.text("values", "at_least", lower=self.with_unit(factor, self.number(factor, lower)))
            return self.w.text("values", "any")
        if lower is not None and upper is not None:
            return self.w.text("values", "between_open", lower=self.number(factor, lower),
                               upper=self.with_unit(factor, self.number(factor, upper), span=True))
        if upper is not None:
            return self.w.text("values", "below", upper=self.with_unit(factor, self.number(factor, upper)))
        if lower is not None:
            return self.w.text("values", "at_least", lower=self.with_unit(factor, self.number(factor, lower)))
        return self.w.text("values", "any")

    def best(self, factor: Factor, value: Any) -> str:
        """The best value a person can aim for, said once for every part of a page (reasons, cards,
        a group's members, the calculator): as a threshold in the helping direction where the
        factor's points only grow that way ("不超过 1 次", "97%及以上"; the end of the range as it
        is: "0 次"), else the value itself."""
        if not monotone(factor) or value is None or isinstance(value, str) or self.special(factor, value) is not None:
            return self.value(factor, value)
        if factor.helps == "decrease":
            if factor.min_value is not None and value <= factor.min_value:
                return self.value(factor, value)
            return self.w.text("values", "at_most", upper=self.value(factor, value))
        if factor.max_value is not None and value >= factor.max_value:
            return self.value(factor, value)
        return self.w.text("values", "at_least_aim", lower=self.value(factor, value))

    def toward(self, factor: Factor, bounds: BinShape) -> str:
        """A better bin as the threshold a person must cross, in the helping direction where the
        factor's points only grow that way ("低于 0.635 倍", "不超过 3 笔", "15 个月及以上"), not
        as a range with an open end ("0.525–0.635 倍（不含 0.635 倍）"); else the bin in words."""
        if not monotone(factor) or bounds.kind != "range":
            return self.bin(factor, bounds)
        if factor.helps == "decrease" and bounds.upper is not None:
            if factor.integer:
                return self.best(factor, math.ceil(bounds.upper) - 1)
            return self.w.text("values", "below", upper=self.with_unit(factor, self.number(factor, bounds.upper)))
        if factor.helps == "increase" and bounds.lower is not None:
            return self.best(factor, math.ceil(bounds.lower) if factor.integer else bounds.lower)
        return self.bin(factor, bounds)

    def link(self, section: str, slug: str) -> Link | None:
        """A knowledge-base page; None for text that is not a slug (it never becomes a URL) and for a
        page the site's knowledge base does not have."""
        if not isinstance(slug, str) or not SLUG.match(slug):
            return None
        if self.pages is not None and (section, slug) not in self.pages:
            return None  # the site of this jurisdiction has no such page
        title = self.page_title(section, slug)
        # A checked slug only, so the URL is trusted and printed as it is (Markup).
        site_path = f"{self.site_root}{section}/{slug}.html"
        return Link(title=title, href=Markup(f"../{section}/{slug}.md"), site_path=site_path,
                    text=self.w.text("links", "site_page", title=title, path=site_path))

    def page_title(self, section: str, slug: str) -> str:
        """A knowledge-base page's title as the locale gives it (the slug when it gives none)."""
        return self.w.text("pages", section, slug) if self.w.has("pages", section, slug) else slug

    def links(self, section: str, slugs: Iterable[str]) -> tuple[Link, ...]:
        seen: list[Link] = []
        for slug in slugs:
            found = self.link(section, slug)
            if found is not None and found not in seen:
                seen.append(found)
        return tuple(seen)
