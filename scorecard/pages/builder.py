"""The page builder: one DecisionRecord -> the PageContext of its explanation page, and the page.

Python does the thinking: it picks the sentences from the locale files, fills in values it has
already ranked, rounded and worded (``speaking``), computes chart geometry (``charts``) and
applies the editorial rules (``editorial``); the templates in ``templates/explain/`` only loop and
print. No user-visible sentence lives in this file.

A renderer serves one profile, language and format. Parts that repeat across a batch (a factor
card, a reason, a plan step, a note, the outcome and financing sections) are built once through
its ``PageCache`` and rendered once; a record's page never depends on the pages before it.

Safety: nothing but the record's fields, the profile's labels and the locale wording reaches a
page. Page slugs become links only when they are valid slugs; everything else is escaped.
"""

from __future__ import annotations

import copy
from typing import Any

from scorecard import resources
from scorecard.errors import RenderError
from scorecard.languages import page_languages
from scorecard.pages import charts, editorial, templating
from scorecard.pages.cache import LIMIT, PageCache
from scorecard.pages.speaking import LONG_WAIT_DAYS, Speaker
from scorecard.pages.views import (ActionsView, CardsView, CardView, DontView, FinancingView, LessonView, Link, Note,
                                   OutcomeView, PageContext, PlanView, ReasonView, RightsView, StepView, WhyView)
from scorecard.pages.words import check_language, kb_pages, load_words
from scorecard.policy import Context, Pages, Policy
from scorecard.profile import Factor, Profile
from scorecard.records import Change, DecisionRecord, FactorLine, Overlay, Plan, Reason

FORMATS = templating.FORMATS


class PageRenderer:
    """Explanation pages of one profile in one language and format (``md`` or ``html``).

    ``limit`` bounds what the page cache keeps (``0``: nothing is reused; the pages are the same).
    ``policy`` is the policy the records were decided under: its ``context`` (currency, product,
    jurisdiction) and its rules' and overlays' own descriptions and pages; without one, the demo's
    context and the locale's wording.
    """

    def __init__(self, profile: Profile, lang: str, fmt: str, *, limit: int = LIMIT,
                 policy: Policy | None = None) -> None:
        if fmt not in FORMATS:
            raise RenderError(f"unknown page format '{fmt}'; use md or html")
        self.profile = profile
        self.lang = check_language(lang)
        self.fmt = fmt
        self.policy = policy
        self.setting = policy.context if policy is not None else Context()
        self.neutral = self.setting.jurisdiction == "neutral"
        self.w = load_words(lang)
        self.say = Speaker(self.w, profile, currency=self.setting.currency,
                           pages=kb_pages(self.setting.jurisdiction))
        # Locale wording is part of the product, like the templates: trusted as written in
        # Markdown (escaping it would only add backslashes); HTML still escapes it.
        self.t = templating.trusted(self.w.data) if fmt == "md" else self.w.data
        self.cache = PageCache(fmt, self.t, limit=limit)
        self.template = templating.template(fmt, f"explain/page.{fmt}.j2")
        w = self.w
        product = self.setting.product
        self._product = (lambda key, *path, **fields: w.text("deployment", "product", product, key, **fields)
                         if w.has("deployment", "product", product, key) else w.text(*path, **fields))
        self._title = self._product("title", "meta", "title")
        self._html_lang = w.text("meta", "html_lang")
        self._about_model, self._about_data = w.text("about", "model"), w.text("about", "data")
        self._about_profile = w.text("about", "profile", description=profile.description.get(lang).rstrip("。."))

    def render(self, record: DecisionRecord) -> str:
        return self.template.render(c=self.context(record), pages=self.cache)

    def context(self, record: DecisionRecord) -> PageContext:
        if record.profile != self.profile.name:
            raise RenderError(f"record '{record.applicant_id}' was made with profile '{record.profile}', not "
                              f"'{self.profile.name}'; render it with the profile of its model")
        w = self.w
        hard = editorial.unassessed(record)
        outage = record.outcome == "retry_later"  # nothing was decided: no don'ts, lessons or debt risks
        return PageContext(
            lang=self.lang,
            html_lang=self._html_lang,
            fmt=self.fmt,
            t=self.t,
            title=self._title,
            applicant=w.text("meta", "applicant", id=record.applicant_id),
            assessed=(w.text("meta", "applied_on" if outage else "assessed_on", date=record.snapshot_date)
                      if record.snapshot_date else w.text("meta", "no_date")),
            outcome=self._outcome(record, hard),
            history=charts.history_chart(record, w, self.say, self._decision_label) if len(record.history) > 1 else None,
            why=self._why(record, hard),
            actions=ActionsView(intro=self._actions_intro(record),
                                plans=tuple(self._plan(n, plan, approved=record.outcome == "approved")
                                            for n, plan in enumerate(record.recourse, 1)),
                                notes=self._action_notes(record), dont=None if outage else self._dont()),
            financing=None if outage else self._financing(record),
            cards=CardsView(intro=w.text("cards", "none") if not record.factors else w.text("cards", "intro"),
                            cards=tuple(self._card(line) for line in record.factors)),
            rights=self._rights(outage=outage, approved=record.outcome == "approved"),
            about=self._about(record, outage=outage),
        )

    def _mid(self, text: str) -> str:
        """A profile's sentence placed after a colon, mid-sentence: sentence case (English "supply
        the record: provide proof", not "Provide"); a word in capitals (an acronym) stays as it is."""
        if len(text) > 1 and text[0].isupper() and text[1].islower():
            return text[0].lower() + text[1:]
        return text

    def _note(self, text: str, links: tuple[Link, ...] = (), *, labelled: bool = True) -> Note:
        """A note whose links follow its text, under the "read more" label unless not ``labelled``."""
        return self.cache.view("note", (text, links, labelled), lambda: Note(text, links, labelled))

    # the parts that are the same on every page
    def _dont(self) -> DontView:
        def build() -> DontView:
            say, w = self.say, self.w
            words = ("deployment", "neutral", "dont") if self.neutral else ("dont",)
            return DontView(tuple(
                self._note(w.text(*words, key) if w.has(*words, key) else w.text("dont", key),
                           say.links("remedies" if key != "repair_agencies" else "rights", [slug]))
                for key, slug in editorial.DONT_PAGES.items()))

        return self.cache.view("dont", None, build)

    def _rights(self, *, outage: bool = False, approved: bool = False) -> RightsView:
        """The rights box. An approved page's "what this does not mean" says a limit is not a loan and
        not fixed (not the lines about a decline); an outage (nothing was decided) keeps only the
        report and score lines (no enquiry, nothing "old" to fade) and the channels to ask and complain."""
        full = self._neutral_rights() if self.neutral else self._cn_rights()
        w = self.w
        words = ("deployment", "neutral", "not_mean") if self.neutral else ("not_mean",)
        score = () if self.neutral else (w.text("not_mean", "sesame"),)  # another company's score: mainland only
        if approved:
            return self.cache.view("rights_approved", None, lambda: RightsView(
                not_mean=(w.text(*words, "approved_limit"), w.text(*words, "approved_review")) + score,
                rights=full.rights, last_checked=full.last_checked))
        if not outage:
            return full
        outage_report = "report_outage" if w.has(*words, "report_outage") else "report"  # nothing was decided
        return self.cache.view("rights_outage", None, lambda: RightsView(
            not_mean=(w.text(*words, outage_report),) + score,
            rights=(full.rights[0], full.rights[-1]) if len(full.rights) > 1 else full.rights,
            last_checked=full.last_checked))

    def _neutral_rights(self) -> RightsView:
        """The rights box of the neutral jurisdiction: what rights are common and where to look them
        up, naming no country's law, bureau or channel."""
        def build() -> RightsView:
            w, say, note, pages = self.w, self.say, self._note, editorial.RIGHTS_PAGES
            n = ("deployment", "neutral")
            return RightsView(
                not_mean=(w.join([w.text(*n, "not_mean", "report"), w.text(*n, "not_mean", "report_query")]),
                          w.text(*n, "not_mean", "permanent")),
                rights=(
                    note(w.text(*n, "rights", "explain"), say.links("rights", [pages["pipl"]])),
                    note(w.text(*n, "rights", "report"), say.links("rights", [pages["report"]])),
                    note(w.text(*n, "rights", "lender")),
                    note(w.text(*n, "rights", "look_up"), say.links("rights", ["index"])),
                ),
                last_checked=w.text(*n, "rights", "general"),
            )

        return self.cache.view("rights", None, build)

    def _cn_rights(self) -> RightsView:
        """The rights box of mainland China (``jurisdiction: cn``): the ``not_mean`` and ``rights``
        blocks of the locale files."""
        def build() -> RightsView:
            w, say, note, pages = self.w, self.say, self._note, editorial.RIGHTS_PAGES
            return RightsView(
                not_mean=(w.join([w.text("not_mean", "report"), w.text("not_mean", "report_query")]),
                          w.text("not_mean", "sesame"), w.text("not_mean", "permanent")),
                rights=(
                    note(w.join([w.text("rights", "platform"), w.text("rights", "platform_lender")]),
                         say.links("rights", [pages["lender"]])),
                    note(w.join([w.text("rights", "pipl"), w.text("rights", "pipl_refuse")]),
                         say.links("rights", [pages["pipl"]])),
                    note(w.join([w.text("rights", "report"), w.text("rights", "dispute")]),
                         say.links("rights", [pages["report"]])),
                    note(w.text("rights", "complaints"), say.links("rights", [pages["complaints"]])),
                ),
                last_checked=w.text("rights", "last_checked", date=self._checked_date()),
            )

        return self.cache.view("rights", None, build)

    def _checked_date(self) -> str:
        return self._date("{:04d}-{:02d}-{:02d}".format(*editorial.RIGHTS_LAST_CHECKED))

    def _date(self, iso: str) -> str:
        """An ISO day in the page's words ("2026 年 12 月 31 日", "31 December 2026")."""
        year, month, day = (int(p) for p in iso[:10].split("-"))
        return self.w.text("units", "date", year=year, month=self.w.text("units", "months", str(month)), day=day)

    # outcome
    def _outcome(self, record: DecisionRecord, hard: bool) -> OutcomeView:
        # Keyed on the record fields the section follows from: cheaper to hash than the view.
        key = (record.outcome, record.score, record.cutoff, record.base_cutoff, record.next_band_score, record.limit,
               record.pd, editorial.capped(record), hard, record.affordability_guard,
               editorial.guard_values(record, self.policy, self.profile),
               record.segment in editorial.SMALL_BUSINESS_SEGMENTS)
        # A rule the policy describes may well judge credit (serious arrears), so its page does not say
        # that nothing about the applicant's credit was judged.
        described = hard and record.score is None and bool(self._hard_rule(record)[1])
        return self.cache.view("outcome", (*key, described), lambda: OutcomeView(
            outcome=record.outcome, badge=self.w.text("badge", record.outcome), headline=self._headline(record),
            score_lines=((self.w.text("deployment", "hard", "no_score"),) if described else self._score_lines(record)),
            bar=None if hard else charts.score_bar(record, self.w, self.say)))

    def _headline(self, record: DecisionRecord) -> str:
        if record.outcome == "approved":
            return self._product("approved", "outcome", "approved", limit=self.say.money(record.limit))
        return self.w.text("outcome", record.outcome)

    def _score_lines(self, record: DecisionRecord) -> tuple[str, ...]:
        w, say = self.w, self.say
        if record.score is None:
            return (w.text("outcome", "no_score"),)
        gap = record.score - record.cutoff
        if gap > 0:
            first = w.text("outcome", "score_above", score=say.points(record.score), cutoff=say.points(record.cutoff),
                           gap=say.points(gap))
        elif gap == 0:
            first = w.text("outcome", "score_equal", score=say.points(record.score))
        else:
            first = w.text("outcome", "score_below", score=say.points(record.score), cutoff=say.points(record.cutoff),
                           gap=say.points(-gap))
        lines = [first]
        if record.outcome == "approved":
            if record.affordability_guard:  # nobody over the debt level is steered to a higher limit
                lines.append(self._guard_line(record))
                if record.segment in editorial.SMALL_BUSINESS_SEGMENTS:  # the limit is not for stock or old debt
                    lines.append(w.text("outcome", "guard_business"))
            elif record.next_band_score is not None:
                lines.append(w.text("outcome", "next_band", gap=say.points(record.next_band_score - record.score),
                                    target=say.points(record.next_band_score)))
            elif editorial.capped(record):
                lines.append(w.text("outcome", "capped", limit=say.money(record.limit)))
            else:
                lines.append(w.text("outcome", "top_band"))
        if record.pd is not None:
            chance = [w.text("outcome", "chance", pct=say.percent(record.pd)), w.text("outcome", "chance_note")]
            if record.affordability_guard:  # a low estimate is not a sign that more debt is affordable
                chance.append(w.text("outcome", "chance_guard"))
            lines.append(w.join(chance))
        lines.append(w.text("outcome", "points_note"))
        return tuple(lines)

    def _guard_line(self, record: DecisionRecord) -> str:
        """Why the affordability guard holds: exactly the policy's conditions that this record meets
        ("and" when both do), each with the person's own value ("about 95% of your income", not
        only "half or more"); the general sentence when the policy or the wording does not say."""
        w, say = self.w, self.say
        held = editorial.guard_values(record, self.policy, self.profile)
        if not held or not all(w.has("outcome", "guard_conditions", c) for c, _, _ in held):
            return w.text("outcome", "guard")
        return w.text("outcome", "guard_intro", conditions=w.text("outcome", "guard_and").join(
            w.text("outcome", "guard_conditions", c, value=say.value(say.factor(name), v), percent=say.share(v))
            for c, name, v in held))

    def _decision_label(self, code: str) -> str:
        if self.w.has("decisions", code):
            return self.w.text("decisions", code)
        if code.startswith("RETRY_LATER"):
            return self.w.text("decisions", "generic_retry_later")
        if code.startswith("HARD_"):
            return self.w.text("decisions", "generic_cannot_evaluate")
        return self.w.text("decisions", "generic_declined")

    # why
    def _why(self, record: DecisionRecord, hard: bool) -> WhyView:
        approved = record.outcome == "approved"
        return WhyView(
            rules_notes=tuple(self._overlay_note(o, record, deciding=True) for o in record.overlays if o.changed_outcome),
            hard_note=self._hard_note(record) if hard else None,
            intro=self._why_intro(record, hard),
            reasons=tuple(self._reason(r, record, approved) for r in record.reasons),
            also_rules=tuple(self._overlay_note(o, record, deciding=False) for o in record.overlays
                             if not o.changed_outcome),
        )

    def _overlay_note(self, overlay: Overlay, record: DecisionRecord, *, deciding: bool) -> Note:
        # A fixed factor that is a principal reason and that the overlay's rule also reads (age and
        # the young segment's pass mark): the page says it counts twice.
        twice = tuple(r.factor for r in record.reasons if self.say.factor(r.factor).advice == "fixed"
                      and self.w.has("rules", "twice", overlay.code, r.factor))
        return self.cache.view("overlay", (overlay, deciding, record.score if deciding else None, twice),
                               lambda: self._build_overlay_note(overlay, record.score, deciding, twice))

    def _build_overlay_note(self, overlay: Overlay, score: int | None, deciding: bool,
                            twice: tuple[str, ...] = ()) -> Note:
        w, say = self.w, self.say
        parts: list[str] = []
        if overlay.kind == "cutoff":
            if deciding:
                parts.append(w.text("rules", "cutoff_changed", before=say.points(overlay.before),
                                    after=say.points(overlay.after)))
                if score is not None and score >= overlay.before:
                    parts.append(w.text("rules", "cutoff_would_pass", score=say.points(score)))
            else:
                parts.append(w.text("rules", "cutoff_applied", before=say.points(overlay.before),
                                    after=say.points(overlay.after)))
        else:
            if deciding:
                parts.append(w.text("rules", "cap_changed", before=say.money(overlay.before), after=say.money(overlay.after)))
            else:
                parts.append(w.text("rules", "cap_applied", after=say.money(overlay.after)))
        rule = self.policy.overlay(overlay.code) if self.policy is not None else None
        worded = w.has("rules", "codes", overlay.code)
        described = "" if worded or rule is None else rule.description.get(self.lang)
        if worded:
            parts.append(w.text("rules", "codes", overlay.code))
        elif described:
            parts.append(described)
        end = editorial.overlay_end(rule)
        if end is not None:  # a temporary rule says when it ends
            parts.append(w.text("rules", "until", date=self._date(end)))
            if deciding and overlay.kind == "cutoff" and score is not None and score >= overlay.before:
                # what its end would mean for this score, said as a possibility: the rule may change again
                parts.append(w.text("rules", "until_would_pass", before=say.points(overlay.before),
                                    score=say.points(score)))
        parts.extend(w.text("rules", "twice", overlay.code, factor) for factor in twice)
        if not deciding:
            parts.append(w.text("rules", "no_change"))
        pages = self._rule_pages(rule, editorial.OVERLAY_PAGES[overlay.kind], described)
        links = say.links("causes", pages.causes) + say.links("remedies", pages.remedies) if deciding else say.links(
            "causes", pages.causes)
        return self._note(w.join(parts), links)

    @staticmethod
    def _rule_pages(rule: Any, default: tuple[str, str], described: str) -> Pages:
        """The pages a rule or overlay links to: the policy's own ``pages``; else the generic pages of
        its kind, but only for a rule the policy does not describe (a described rule is its own
        explanation, and a guessed remedy would mislead)."""
        if rule is not None and rule.pages is not None:
            return rule.pages
        if described:
            return Pages()
        return Pages(causes=(default[0],), remedies=(default[1],))

    def _hard_rule(self, record: DecisionRecord) -> tuple[str, str, Pages]:
        """The code of the hard rule that stopped the evaluation, its own description in the page's
        language ("" when the locale has a sentence for the code, or the policy none), its pages."""
        code = record.hard_rule or record.decision
        rule = self.policy.rule(code) if self.policy is not None else None
        # Under neutral, a rule's own description wins over the locale's sentence for its code (those
        # were written for the demo's mainland rules: "real-name verification").
        worded = self.w.has("hard", code) and not (self.neutral and rule is not None and rule.description)
        described = "" if worded or rule is None else rule.description.get(self.lang)
        return code, described, self._rule_pages(rule, editorial.HARD_RULE_PAGES[editorial.hard_kind(record)],
                                                 described)

    def _hard_note(self, record: DecisionRecord) -> Note:
        w = self.w
        code, described, pages = self._hard_rule(record)
        kind = editorial.hard_kind(record)
        if w.has("hard", code) and not described:
            parts = [w.text("hard", code, "why"), w.text("hard", "not_credit")]
        elif described:
            # The policy's own words; whether the rule judges credit (a serious delinquency does) is
            # the policy's to say, so "not a judgement of your credit" is not claimed for it.
            parts = [w.text("deployment", "hard", f"described_{kind}", description=described.rstrip("。."), code=code)]
        else:
            parts = [w.text("hard", f"generic_{kind}", "why", code=code), w.text("hard", "not_credit")]
        return self._note(w.join(parts), self.say.links("causes", pages.causes))

    def _why_intro(self, record: DecisionRecord, hard: bool) -> str:
        if hard:
            return ""
        if record.reasons:
            approved = record.outcome == "approved"
            baseline = record.reason_baseline
            if approved and baseline == "cutoff_average":  # the approved are compared at the next band
                baseline = "cutoff_average_band_guard" if record.affordability_guard else "cutoff_average_band"
            # under the guard nothing is about a higher limit: the reasons pulled the score down
            raising = approved and not record.affordability_guard
            return self.w.join([self.w.text("why", "intro_approved" if raising else "intro_declined"),
                                self.w.text("why", "baseline", baseline)])
        return self.w.text("why", "none_approved" if record.outcome == "approved" else "none_declined")

    def _reason(self, reason: Reason, record: DecisionRecord, approved: bool) -> ReasonView:
        # Keyed on what the sentence shows: the shortfall is printed as whole points.
        members = ()
        lines = {line.factor: line for line in record.factors}
        if reason.group is not None:  # every member's own value and where it would score best
            members = tuple((f, lines[f].value, lines[f].bin_kind, lines[f].better_value)
                            for f in reason.factors if f in lines)
        # the best value the card of the same factor says (one best value per page)
        better = lines[reason.factor].better_value if reason.factor in lines else None
        baseline = record.reason_baseline
        guard = record.affordability_guard
        key = (reason.factor, reason.kind, reason.value, reason.better_bins, reason.cause_pages, reason.group, members,
               max(1, round(reason.points_below_baseline)), baseline, approved, guard, better)
        return self.cache.view("reason", key,
                               lambda: self._build_reason(reason, baseline, approved, members, guard, better))

    def _member_value(self, name: str, value: Any, bin_kind: str, better: Any, *, alone: bool = False) -> str:
        w, say = self.w, self.say
        factor = say.factor(name)
        if bin_kind == "missing" or value is None:
            yours = w.text("values", "missing")
        elif bin_kind == "special":
            yours = say.special_bin(factor, value)
        else:
            yours = say.value(factor, value)
        if alone:  # the group's only scored factor: its value and best, as a one-factor reason says them
            return w.join([w.text("why", "value", value=yours)] +
                          ([w.text("why", "best", best=say.best(factor, better))] if better is not None else []))
        if better is None:
            return w.text("why", "member", label=say.label(factor), value=yours)
        return w.text("why", "member_best", label=say.label(factor), value=yours, best=say.best(factor, better))

    def _build_reason(self, reason: Reason, baseline: str, approved: bool, members: tuple = (),
                      guard: bool = False, better: Any = None) -> ReasonView:
        w, say = self.w, self.say
        factor = say.factor(reason.factor)
        if reason.group is not None:
            group = self.profile.reason_group(reason.group)
            # A group the model scores through one factor only (the others left out) is not "these
            # items": it reads as a one-factor reason ("yours: 60 days. Scores best: 0 days.").
            one = len(members) == 1
            parts = ([self._member_value(*members[0], alone=True)] if one else
                     [self._member_value(*m) for m in members] + [w.text("why", "group")])
            who_key = "cutoff_average_band" if baseline == "cutoff_average" and approved else baseline
            who = w.text("why", "who", who_key) if w.has("why", "who", who_key) else w.text("why", "who", "best_points")
            parts.append(w.text("why", "cost" if one else "cost_group",
                                points=say.points(max(1, round(reason.points_below_baseline))), who=who))
            pages = tuple(dict.fromkeys(p for f in reason.factors for p in say.factor(f).cause_pages))
            label = say.label(say.factor(members[0][0])) if one else group.label.get(self.lang)
            return ReasonView(code=reason.code, label=label, text=w.join(parts),
                              links=say.links("causes", reason.cause_pages or pages))
        if reason.kind == "special":
            meaning = say.special(factor, reason.value)
            first = (w.text("why", "special", meaning=meaning.rstrip("。.")) if meaning
                     else w.text("why", "value", value=say.special_bin(factor, reason.value)))
        elif reason.kind == "missing":
            first = w.text("why", "missing")
        else:
            first = w.text("why", "value", value=say.value(factor, reason.value))
        parts = [first]
        if factor.advice in ("fixed", "never"):  # never a target: no "even reaching X would help"
            parts.append(w.text("why", factor.advice))
        elif reason.kind in ("special", "missing"):  # no record is not a value to aim from
            if factor.supply is not None:
                parts.append(w.text("why", "supply", supply=self._mid(factor.supply.get(self.lang).rstrip("。."))))
        elif reason.better_bins:
            best = say.best(factor, better) if better is not None else say.bin(factor, reason.better_bins[0])
            parts.append(w.text("why", "best", best=best))
            nearer = say.toward(factor, reason.better_bins[-1])
            # under the guard no "even X would help"; nor for a count over a rolling window, which
            # falls to its lowest once the person stops ("even 5 cycles" reads as five being fine)
            if len(reason.better_bins) > 1 and not guard and nearer != best and factor.window_days is None:
                parts.append(w.text("why", "nearer", nearer=nearer))
        who_key = "cutoff_average_band" if baseline == "cutoff_average" and approved else baseline
        who = w.text("why", "who", who_key) if w.has("why", "who", who_key) else w.text("why", "who", "best_points")
        parts.append(w.text("why", "cost", points=say.points(max(1, round(reason.points_below_baseline))), who=who))
        pages = (editorial.SUPPLY_CAUSES if reason.kind in ("special", "missing") and factor.supply is not None
                 else editorial.reason_causes(reason.value, reason.cause_pages or factor.cause_pages))  # a record to supply
        return ReasonView(code=reason.code, label=say.label(factor), text=w.join(parts), links=say.links("causes", pages))

    # what you can do
    def _actions_intro(self, record: DecisionRecord) -> str:
        w, say = self.w, self.say
        status = record.recourse_status
        if status == "found" and record.recourse:
            target = say.points(record.recourse_target or record.cutoff)
            approved = record.outcome == "approved"
            line = (record.next_band_score if approved else record.cutoff) or record.cutoff
            parts = [w.text("actions", "intro_approved" if approved else "intro_declined", target=target,
                            line=say.points(line), margin=say.points(record.recourse_margin))
                     if record.recourse_margin else
                     w.text("actions", "intro_approved_exact" if approved else "intro_declined_exact", target=target)]
            if record.affordability_guard:
                parts += [self._guard_plans(record), w.text("actions", "hardship")]
            parts.append(w.text("actions", "chance_approved" if approved else "chance"))
            end = None if approved else self._rule_wait(record)
            if end is not None:
                parts.append(w.text("actions", "rule_wait", date=self._date(end)))
            return w.join(parts)
        if status == "infeasible":
            infeasible = self._infeasible(record)
            return w.join([infeasible, w.text("actions", "hardship")]) if record.affordability_guard else infeasible
        if status == "not_needed" and record.affordability_guard and record.next_band_score is not None:
            return w.join([w.text("actions", "guard_approved"), w.text("actions", "hardship")])
        if status == "not_needed":
            capped = any(o.kind == "limit_cap" and o.changed_outcome for o in record.overlays) or (
                record.next_band_score is None and editorial.capped(record))
            return w.text("actions", "not_needed_capped" if capped else "not_needed_top")
        if editorial.unassessed(record):
            code, described, _ = self._hard_rule(record)
            kind = editorial.hard_kind(record)
            if w.has("hard", code) and not described:
                if w.has("hard", code, "retry"):  # when and how to try again (an outage)
                    return w.join([w.text("hard", code, "step"), w.text("hard", code, "retry")])
                return w.text("hard", code, "step")
            return w.text("deployment", "hard", f"step_{kind}") if described else w.text("hard", f"generic_{kind}", "step")
        return self._infeasible(record)

    def _rule_wait(self, record: DecisionRecord) -> str | None:
        """The end of a temporary stricter pass mark that alone declined this score (the usual mark
        passes it): waiting for it is an option; None otherwise."""
        for overlay in record.overlays:
            if (overlay.changed_outcome and overlay.kind == "cutoff" and record.score is not None
                    and record.score >= overlay.before):
                end = editorial.overlay_end(self.policy.overlay(overlay.code) if self.policy is not None else None)
                if end is not None:
                    return end
        return None

    def _guard_plans(self, record: DecisionRecord) -> str:
        """What every plan under the guard first reaches: each condition that holds, cleared
        (``recourse.guard_clearance``); the general sentence when the wording does not say."""
        w = self.w
        held = editorial.guard_conditions(record, self.policy, self.profile)
        if not held or not all(w.has("actions", "guard_clear", c) for c in held):
            return w.text("actions", "guard_plans_general")
        return w.text("actions", "guard_plans", conditions=w.text("actions", "guard_and").join(
            w.text("actions", "guard_clear", c) for c in held))

    def _infeasible(self, record: DecisionRecord) -> str:
        """No plan reaches the target: the target, and, with a margin, the line and margin it adds up from."""
        w, say = self.w, self.say
        target = say.points(record.recourse_target or record.cutoff)
        line = (record.next_band_score if record.outcome == "approved" else record.cutoff) or record.cutoff
        if record.recourse_margin and record.recourse_target:
            return w.text("actions", "infeasible_margin", target=target, line=say.points(line),
                          margin=say.points(record.recourse_margin))
        return w.text("actions", "infeasible", target=target)

    def _action_notes(self, record: DecisionRecord) -> tuple[Note, ...]:
        if record.recourse_status == "found" and record.recourse:
            # mainland China's credit-report rules: only where the rights box is mainland China's
            late = not self.neutral and editorial.about_late_payments(record, self.profile)
            # the one-time relief: an option only for a record made before its deadline
            kind = ("found_overdue_closed" if editorial.relief_closed(record) else "found_overdue") if late else "found"
            if record.outcome == "approved":  # someone with a limit is reassessed for a higher one, not applying anew
                kind += "_approved"
            # the late payment's own window in this model, beside the report's five years
            case = (kind, editorial.late_payment_window(record, self.profile) if late else None)
        elif record.recourse_status == "infeasible":
            # A missing record a person can supply comes first; "time helps" only where waiting can.
            missing = tuple(dict.fromkeys(
                r.factor for r in record.reasons if r.kind in ("special", "missing")
                and r.factor in self.say.factors and self.say.factor(r.factor).supply is not None))
            waits = tuple(line.factor for line in record.factors if line.factor in self.say.factors
                          and line.points < line.best_points and self.say.factor(line.factor).advice == "wait")
            case = ("infeasible", missing, waits)  # type: ignore[assignment]
        elif editorial.unassessed(record):
            _, _, pages = self._hard_rule(record)
            return self.cache.view("action_notes", pages, lambda: self._hard_action_notes(pages))
        else:
            return ()
        return self.cache.view("action_notes", case, lambda: self._build_action_notes(case))

    def _hard_action_notes(self, pages: Pages) -> tuple[Note, ...]:
        links = self.say.links("remedies", pages.remedies)
        return (self._note(self.w.text("actions", "how"), links, labelled=False),) if links else ()

    def _build_action_notes(self, case: Any) -> tuple[Note, ...]:
        w, say = self.w, self.say
        if isinstance(case[0], str) and case[0].startswith("found"):
            kind, window = case
            approved = kind.endswith("_approved")
            kind = kind.removesuffix("_approved")
            nxt = self._note(w.text("actions", "next_assessment_approved" if approved else "next_assessment"))
            if kind == "found":
                return (nxt, self._note(w.text("actions", "caveat")))
            # tailored: how long a late payment stays on a report, and how long in this model
            parts = [w.text("rights", "overdue_record")]
            if window is not None:
                parts.append(w.text("rights", "model_window", label=say.label(say.factor(window)),
                                    days=say.factor(window).window_days))
            parts.append(w.text("rights", "relief_closed" if kind == "found_overdue_closed" else "relief_open"))
            return (nxt, self._note(w.text("actions", "caveat")),
                    self._note(w.join(parts), self.say.links("remedies", ["repair-record"])))
        if case[0] == "infeasible":
            _, missing, waits = case
            notes = [self._note(w.text("actions", "infeasible_supply",
                                       supply=self._mid(say.factor(f).supply.get(self.lang).rstrip("。."))))  # type: ignore[union-attr]
                     for f in missing]
            notes.append(self._note(w.text("actions", "infeasible_partial")))
            if waits:
                notes.append(self._note(w.text("actions", "infeasible_time",
                                               labels=say.sep.join(say.label(say.factor(f)) for f in waits))))
            notes.append(self._note(w.text("actions", "infeasible_when")))  # when to try again, not every day
            notes.append(self._note(w.text("actions", "infeasible_other_supply" if missing else "infeasible_other"),
                                    say.links("lessons", ["financing-channels"]), labelled=False))
            return tuple(notes)
        raise RenderError(f"no action notes for '{case}'")

    def _plan(self, n: int, plan: Plan, *, approved: bool = False) -> PlanView:
        # Whole plans rarely repeat; their title, summary and steps do, so those are built once.
        w, say = self.w, self.say
        title = self.cache.view("plan_title", n, lambda: w.text("actions", "plan", n=n))
        # The slowest step's wait, as its own step says it: a count over a rolling window reaches
        # its value within the window ("at the latest"), other waits take about so long.
        window = plan.wait_days is not None and all(
            say.factor(c.factor).window_days is not None for c in plan.changes if c.wait_days == plan.wait_days)
        # Steps a person does take as long as they take (repaying may take months): the summary
        # times only the waits, and says when done steps count.
        acts = any(c.move != "wait" for c in plan.changes)
        summary = self.cache.view("plan_summary", (plan.new_score, plan.wait_days, window, acts), lambda: w.join([
            w.text("actions", "plan_result", score=say.points(plan.new_score)),
            w.text("actions", "plan_now") if plan.wait_days is None
            else w.text("actions", "plan_wait_window", days=plan.wait_days) if window and plan.wait_days < LONG_WAIT_DAYS
            else w.text("actions", "plan_wait_long" if plan.wait_days >= LONG_WAIT_DAYS else "plan_wait",
                        days=say.days(plan.wait_days)),
            *((w.text("actions", "plan_acts"),) if acts and plan.wait_days is not None else ()),
            *((w.text("actions", "plan_counts"),) if acts else ())]))
        return PlanView(title=title, summary=summary, steps=tuple(self._step(c, approved=approved) for c in plan.changes))

    def _step(self, change: Change, *, approved: bool = False) -> StepView:
        return self.cache.view("step", (change, approved), lambda: self._build_step(change, approved))

    def _build_step(self, change: Change, approved: bool = False) -> StepView:
        w, say = self.w, self.say
        factor = say.factor(change.factor)
        gain = w.text("actions", "gain", points=say.points(change.points_gain))
        if change.move == "supply":  # one action; what the record will show is not known
            text = w.text("actions", "step_supply", supply=self._mid(factor.supply.get(self.lang).rstrip("。.")))
            timing = w.text("actions", "supply_note")
            action = w.text("actions", "step_now")
        else:
            from_value = (say.value(factor, change.from_value) if change.from_value is not None
                          else w.text("values", "missing"))
            text = w.text("actions", "step", from_value=from_value, to_value=say.value(factor, change.to_value))
            if change.wait_days is None:
                timing = w.text("actions", "step_now")
            elif factor.window_days is not None:
                timing = w.text("actions", "step_wait_window", days=change.wait_days)
                if editorial.allowance_like(factor, change.to_value):  # "to 3 cycles" is not "3 more are fine"
                    timing = w.join([timing, w.text("actions", "step_window_cap",
                                                    to_value=say.value(factor, change.to_value))])
            else:
                timing = w.text("actions", "step_wait", days=say.days(change.wait_days))
            action = self._factor_action(factor, say.value(factor, change.to_value), at_best=False,
                                         missing=change.from_value is None)
        body = w.join([w.text("actions", "step_line", change=text, gain=gain), timing, action])
        remedies = change.remedy_pages or factor.remedy_pages
        if approved:  # someone with a limit has nothing to appeal
            remedies = tuple(p for p in remedies if p not in editorial.DECLINE_ONLY_REMEDIES)
        return StepView(label=say.label(factor), change=text, gain=gain, timing=timing, action=action,
                        detail=w.join([timing, action]), body=body, links=say.links("remedies", remedies))

    def _factor_action(self, factor: Factor, better: str | None, *, at_best: bool, missing: bool = False) -> str:
        """What to do about a factor; ``missing``: the record has no usable value for it (a factor's
        ``action_missing`` then, e.g. "provide proof of income", said to nobody who has one)."""
        w = self.w
        if at_best and factor.advisable:
            return w.text("cards", "generic_action", "at_best")
        if missing and w.has("factors", self.profile.name, factor.name, "action_missing"):
            return w.text("factors", self.profile.name, factor.name, "action_missing")
        if w.has("factors", self.profile.name, factor.name, "action"):
            return w.text("factors", self.profile.name, factor.name, "action")
        if factor.advice in ("fixed", "never"):
            return w.text("cards", "generic_action", factor.advice)
        if factor.advice == "wait" or better is None:
            return w.text("cards", "generic_action", "time")
        return w.text("cards", "generic_action", factor.helps, better=better)

    # other ways to finance
    def _financing(self, record: DecisionRecord) -> FinancingView:
        small_business = record.segment in editorial.SMALL_BUSINESS_SEGMENTS
        guard = record.affordability_guard  # over the debt level: debt first, no more lenders, plain words
        lessons = tuple(slug for slug in editorial.choose_lessons(record, self.profile)
                        if self.say.link("lessons", slug) is not None)
        if guard:
            intro = self.w.text("financing", "intro_small_business_guard" if small_business else "intro_guard")
        else:
            intro = (self.w.text("financing", "intro_small_business") if small_business
                     else self._product("financing_intro", "financing", "intro"))
        return self.cache.view("financing", (intro, lessons, small_business), lambda: FinancingView(
            intro=intro,
            lessons=tuple(self._lesson(slug, business=small_business) for slug in lessons),
            risks=(self.w.text("financing", "risk_many"), self.w.text("financing", "risk_rollover"),
                   self.w.text("financing", "risk_cost"))))

    def _lesson(self, slug: str, *, business: bool = False) -> LessonView:
        """A lesson's line; ``business``: a business owner's (only they read of business financing)."""
        link = self.say.link("lessons", slug)
        if link is None:  # _financing keeps only the lessons the site's knowledge base has
            raise RenderError(f"lesson '{slug}' is not a page of the knowledge base; fix pages.editorial.LESSONS")
        key = "lessons_business" if business and self.w.has("financing", "lessons_business", slug) else "lessons"
        return LessonView(title=link.title, text=self.w.text("financing", key, slug), link=link)

    # factor cards
    def _card(self, line: FactorLine) -> CardView:
        # Keyed on what the card shows (not the reason baseline, which varies with the threshold).
        key = (line.factor, line.value, line.bin_kind, line.points, line.best_points, line.better_value, line.wait_days)
        return self.cache.view("card", key, lambda: self._build_card(line))

    def _build_card(self, line: FactorLine) -> CardView:
        w, say = self.w, self.say
        factor = say.factor(line.factor)
        below = max(0, line.best_points - line.points)
        level = editorial.impact_level(below)
        at_best = below == 0
        if line.bin_kind == "missing" or line.value is None:
            yours = w.text("values", "missing")
        elif line.bin_kind == "special":
            yours = say.special_bin(factor, line.value)
        else:
            yours = say.value(factor, line.value)
        better_text = None if line.better_value is None else say.best(factor, line.better_value)
        if better_text is not None:
            best = better_text
        elif at_best:
            best = w.text("cards", "at_best")
        elif factor.advice == "fixed":
            best = w.text("cards", "fixed_best")
        elif factor.advice == "never":
            best = w.text("cards", "never_best")
        elif line.bin_kind in ("missing", "special") and factor.supply is not None:
            # no value to aim at before the record exists; which way is better
            best = w.text("cards", "supply_best", "increase" if factor.helps == "increase" else "decrease")
        else:
            best = w.text("cards", "no_better")
        change_level = {"act": "now", "wait": "time", "fixed": "fixed", "never": "never"}[factor.advice]
        if factor.advice in ("fixed", "never"):
            counts = w.text("cards", "counts", factor.advice)
        elif at_best:
            counts = ""
        elif factor.advice == "act":
            counts = w.text("cards", "counts", "now")
        elif line.wait_days and factor.window_days is not None:
            counts = w.text("cards", "counts", "time_window", days=line.wait_days)
        else:
            counts = (w.text("cards", "counts", "time", days=say.days(line.wait_days)) if line.wait_days
                      else w.text("cards", "counts", "time_unknown"))
        note = (w.text("cards", "impact_note", "full") if at_best
                else w.text("cards", "impact_note", "never", points=say.points(below)) if factor.advice == "never"
                else w.text("cards", "impact_note", level, points=say.points(below)))
        # at full points there is nothing to change ("yes, with time" would suggest a wait)
        change = w.text("cards", "change", "at_best" if at_best and factor.advice in ("act", "wait", "never")
                        else change_level)
        impact = w.text("cards", "impact", "none" if at_best else "never" if factor.advice == "never" else level)  # "low" at full points reads as "unimportant"
        missing = line.bin_kind in ("missing", "special") or line.value is None
        if missing and w.has("factors", self.profile.name, factor.name, "why_missing"):
            # no value: not "it can be computed without proof" beside "cannot be computed"
            why = w.text("factors", self.profile.name, factor.name, "why_missing")
        elif w.has("factors", self.profile.name, factor.name, "why"):
            why = w.text("factors", self.profile.name, factor.name, "why")
        else:
            why = w.text("cards", "generic_why", meaning=factor.meaning.get(self.lang).rstrip("。."))
        return CardView(
            factor=factor.name,
            label=say.label(factor),
            points=w.text("cards", "points", points=line.points, best=line.best_points),
            impact_level=level,
            impact=impact,
            impact_line=w.text("cards", "impact_line", impact=impact, note=note),
            yours=yours,
            best=best,
            change_level=change_level,  # type: ignore[arg-type]
            change=change,
            change_line=w.text("cards", "change_line", change=change, counts=counts) if counts else change,
            action=self._factor_action(factor, None if line.better_value is None else say.value(factor, line.better_value),
                                       at_best=at_best, missing=missing),
            why=why,
        )

    # about this page
    def _about(self, record: DecisionRecord, *, outage: bool = False) -> tuple[str, ...]:
        # Two lines vary with the record (sources, codes); each is worded once per distinct value.
        # An outage assessed nothing: the record is of an application, dated when it was made.
        w = self.w
        sha = record.model_sha256[:editorial.SHA_PREFIX]
        sources = self.cache.view("about_sources", (record.model_sha256, record.policy_version, record.snapshot_date,
                                                    outage),
                                  lambda: w.text("about", "sources_outage" if outage else "sources", sha=sha,
                                                 policy=record.policy_version,
                                                 date=record.snapshot_date) if record.snapshot_date
                                  else w.text("deployment", "sources_no_date", sha=sha, policy=record.policy_version))
        codes_key = (record.decision, tuple(r.code for r in record.reasons))
        codes = self.cache.view("about_codes", codes_key, lambda: w.text(
            "about", "codes", decision=record.decision,
            codes=w.text("meta", "list_separator").join(codes_key[1]) or w.text("meta", "none")))
        data = w.text("about", "data_outage") if outage else self._about_data
        return self._about_model, data, sources, self._about_profile, codes


_RENDERERS: dict[tuple[int, int, str, str, str], tuple[Profile, Policy | None, PageRenderer]] = {}


def renderer(profile: Profile, lang: str, fmt: str, policy: Policy | None = None) -> PageRenderer:
    """The shared renderer of one profile, policy, language and format, over the templates in use
    (made on first use; ``SCORECARD_RESOURCES`` may point at other templates)."""
    key = (id(profile), id(policy), lang, fmt, str(resources.templates_dir()))
    found = _RENDERERS.get(key)
    if found is None or found[0] is not profile or found[1] is not policy:
        if len(_RENDERERS) > 16:
            _RENDERERS.clear()
        # Keeps the profile and policy alive, so their ids stay their own.
        found = _RENDERERS[key] = (profile, policy, PageRenderer(profile, lang, fmt, policy=policy))
    return found[2]


def page_context(record: DecisionRecord, profile: Profile, *, lang: str, fmt: str,
                 policy: Policy | None = None) -> PageContext:
    """The context one page prints (for tests and other front ends)."""
    return renderer(profile, lang, fmt, policy).context(record)


def render_page(record: DecisionRecord, profile: Profile, *, lang: str, fmt: str, policy: Policy | None = None) -> str:
    """One explanation page: ``lang`` a page language, ``fmt`` "md" (MkDocs) or "html" (standalone);
    ``policy`` the policy the record was decided under (its context and rule descriptions)."""
    if fmt not in FORMATS:
        raise RenderError(f"unknown page format '{fmt}'; use md or html")
    return renderer(profile, lang, fmt, policy).render(record)


def render_in_site(record: DecisionRecord, profile: Profile, template: Any, *, lang: str, policy: Policy | None = None,
                   **context: Any) -> str:
    """A record's Markdown explanation inside another page of the site: ``template`` (a site
    template that includes ``explain/_partials/body.md.j2``) rendered with ``c``, the record's
    context, and ``context``."""
    chosen = renderer(profile, lang, "md", policy)
    return template.render(c=chosen.context(record), pages=chosen.cache, **context)


def render_rights(profile: Profile, *, lang: str, policy: Policy | None = None) -> Any:
    """The Markdown section every explanation page ends with (what this does not mean, rights and
    channels), for a site page that explains without a record (the calculator); ``policy``'s
    jurisdiction picks it."""
    chosen = renderer(profile, lang, "md", policy)
    return chosen.cache.partial("rights", chosen._rights())


def context_wording(lang: str, policy: Policy | None = None, profile: Profile | None = None) -> dict[str, Any]:
    """The page wording of ``lang`` as a page under ``policy``'s context reads it, for a front end
    that words pages itself (the calculator): ``units.money`` in the policy's currency (``{n}`` the
    amount), the product's title, approval and financing sentences, and under ``neutral`` the
    don'ts, rights and "does not mean" lines that name no mainland law or product; the factor
    wording of ``profile`` only, and no sentence by code for a rule the policy describes under
    ``neutral`` (those sentences were written for the demo's mainland rules)."""
    w = load_words(lang)
    setting = policy.context if policy is not None else Context()
    data = copy.deepcopy(w.data)
    data["units"]["money"] = setting.currency.amount(lang, "{n}", w.get("units", "money"))
    product = w.get("deployment", "product").get(setting.product, {})
    for key, path in (("title", ("meta", "title")), ("approved", ("outcome", "approved")),
                      ("financing_intro", ("financing", "intro"))):
        if key in product:
            data[path[0]][path[1]] = product[key]
    if setting.jurisdiction == "neutral":  # no file of a neutral site carries mainland China's rights box
        neutral = w.get("deployment", "neutral")
        data["dont"].update(neutral["dont"])
        data["not_mean"], data["rights"] = copy.deepcopy(neutral["not_mean"]), copy.deepcopy(neutral["rights"])
        data["deployment"] = {key: value for key, value in data["deployment"].items() if key != "neutral"}
        rules = policy.hard_rules if policy is not None else ()
        worded = {r.code for r in rules if not r.description}  # sentences by code only for undescribed rules
        data["hard"] = {key: value for key, value in data["hard"].items()
                        if key in worded or not isinstance(value, dict) or key.startswith("generic_")}
    if profile is not None:
        data["factors"] = {key: value for key, value in data["factors"].items() if key == profile.name}
    return data


def page_name(stem: str, *, lang: str, fmt: str) -> str:
    """``<stem>.md`` / ``<stem>.<lang>.md`` (mkdocs-static-i18n suffix structure; the default language
    has none) or ``<stem>.<lang>.html``."""
    if fmt == "md":
        return f"{stem}{page_languages().suffix(lang)}.md"
    return f"{stem}.{lang}.html"

