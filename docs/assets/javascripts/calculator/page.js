/* The calculator page: a form generated from the scorecard's factors and the policy's inputs,
 * and, after every change, the explanation the persona pages give, drawn from the record that
 * ScorecardEngine computes. Every sentence comes from the locale files through the data script
 * (window.SCORECARD_CALCULATOR); this file holds no wording. Everything the reader types stays in
 * the page: nothing is sent, nothing is stored. Text goes into the page as text (textContent),
 * never as HTML. A classic script, so that the page works opened from file://. */
(function (global) {
  "use strict";

  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

  // --- words (pages/words.py, pages/speaking.py) --------------------------------------------------

  function Words(data, lang) {
    this.lang = lang;
    this.w = data.words[lang];
    this.page = this.w.page;
    this.calc = this.w.site.calculator;
    this.gap = this.page.meta.sentence_gap;
    this.sep = this.page.meta.list_separator;
  }

  function fill(template, fields) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return fields && Object.prototype.hasOwnProperty.call(fields, key) ? String(fields[key]) : all;
    });
  }

  Words.prototype.has = function (path) {
    var node = this.page;
    for (var i = 0; i < path.length; i++) {
      if (node === null || typeof node !== "object" || !(path[i] in node)) return false;
      node = node[path[i]];
    }
    return true;
  };
  // words.Words.text: with the values filled in, Chinese drops a blank between two characters.
  var CJK_BLANK = /([\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])/g;
  Words.prototype.t = function (path, fields) {
    var node = this.page;
    for (var i = 0; i < path.length; i++) node = node[path[i]];
    if (typeof node !== "string") throw new Error("no wording for " + path.join("."));
    if (!fields) return node;
    var text = fill(node, fields);
    return this.page.meta.tight_cjk === "yes" ? text.replace(CJK_BLANK, "$1") : text;
  };
  Words.prototype.c = function (key, fields) { return fill(this.calc[key], fields); };
  Words.prototype.join = function (parts) { return parts.filter(Boolean).join(this.gap); };

  function plainNumber(x) {
    if (Number.isInteger(x)) return String(x);
    if (!isFinite(x)) return String(x);
    return x.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
  }

  Words.prototype.points = function (n) {
    n = Math.round(n);
    return this.t(["units", Math.abs(n) === 1 ? "point_one" : "point_other"], { n: n });
  };
  Words.prototype.money = function (n) {
    return this.t(["units", "money"], { n: String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",") });
  };
  var LONG_WAIT_DAYS = 548;  // speaking.LONG_WAIT_DAYS: from here a wait is said in years
  Words.prototype.days = function (n) {
    n = Math.ceil(n);
    if (n >= LONG_WAIT_DAYS) return this.t(["units", "years"], { n: String(Math.floor(n / 365 * 2 + 0.5) / 2) });
    if (n >= 60) {
      var months = Math.round(n / 30);
      var month = this.t(["units", months === 1 ? "month_one" : "month_other"], { n: months });
      return this.t(["units", "days_months"], { n: n, months: month });
    }
    return this.t(["units", "days"], { n: n });
  };
  // An ISO day in words (builder._date).
  Words.prototype.date = function (iso) {
    var p = String(iso).slice(0, 10).split("-").map(Number);
    return this.t(["units", "date"], { year: p[0], month: this.t(["units", "months", String(p[1])]), day: p[2] });
  };
  Words.prototype.percent = function (p) {
    if (p < 0.001) return this.t(["units", "percent_small"]);
    return this.t(["units", "percent"], { n: (p * 100).toFixed(1) });
  };
  // Speaker.number: a ratio the profile says as a percentage, in hundredths (0.45 -> "45").
  function num(fw, x) { return plainNumber(fw.percent ? x * 100 : x); }
  Words.prototype.withUnit = function (fw, number, span) {
    if (fw.percent) return this.t(["units", "percent"], { n: number });
    if (!fw.unit) return number;
    if (fw.unit === "%") return number + "%";
    var unit = number === "1" && !span ? fw.unit_one : fw.unit;
    return this.t(["values", "unit"], { n: number, unit: unit });
  };
  Words.prototype.special = function (fw, value) {
    for (var i = 0; i < fw.specials.length; i++) {
      var code = fw.specials[i][0];
      if (code === value || (typeof value === "number" && typeof code === "number" && code === value)) return fw.specials[i][1];
    }
    return null;
  };
  // The applicant's own value in words (Speaker.value).
  Words.prototype.value = function (f, fw, value) {
    if (value === null || value === undefined) return this.t(["values", "missing"]);
    var special = this.special(fw, value);
    if (special !== null) return special;
    if (f.kind === "categorical" || typeof value === "string") {
      var code = typeof value === "string" ? value : plainNumber(value);
      return Object.prototype.hasOwnProperty.call(fw.categories, code) ? fw.categories[code] : code;
    }
    if (f.kind === "flag" && (value === 0 || value === 1)) return this.t(["values", value === 1 ? "yes" : "no"]);
    return this.withUnit(fw, num(fw, value));
  };
  // The best value to aim for, as a threshold where the points only grow one way (Speaker.best).
  Words.prototype.best = function (f, fw, value) {
    if (!f.monotone || value === null || value === undefined || typeof value === "string" || this.special(fw, value) !== null) {
      return this.value(f, fw, value);
    }
    if (f.helps === "decrease") {
      if (f.min !== null && value <= f.min) return this.value(f, fw, value);
      return this.t(["values", "at_most"], { upper: this.value(f, fw, value) });
    }
    if (f.max !== null && value >= f.max) return this.value(f, fw, value);
    return this.t(["values", "at_least_aim"], { lower: this.value(f, fw, value) });
  };
  // A better bin as the threshold to cross (Speaker.toward); else its words.
  Words.prototype.toward = function (f, fw, i) {
    var b = f.bins[i];
    if (!f.monotone || b.kind !== "range") return fw.bins[i];
    if (f.helps === "decrease" && b.upper !== null) {
      if (f.integer) return this.best(f, fw, Math.ceil(b.upper) - 1);
      return this.t(["values", "below"], { upper: this.withUnit(fw, num(fw, b.upper)) });
    }
    if (f.helps === "increase" && b.lower !== null) return this.best(f, fw, f.integer ? Math.ceil(b.lower) : b.lower);
    return fw.bins[i];
  };
  Words.prototype.pageTitle = function (section, slug) {
    return this.has(["pages", section, slug]) ? this.t(["pages", section, slug]) : slug;
  };

  // --- small DOM helpers --------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // --- the page -----------------------------------------------------------------------------------

  function Calculator(root, data) {
    this.root = root;
    this.data = data;
    this.lang = root.getAttribute("data-lang") || data.default_language;
    this.words = new Words(data, this.lang);
    this.engine = global.ScorecardEngine.create(data);
    this.inputs = [];  // {column, read(): value or null, error node}
    this.touched = false;
  }

  Calculator.prototype.start = function () {
    this.root.textContent = "";
    var form = el("form", { className: "sc-calc__form", novalidate: "novalidate" });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var w = this.words, self = this;
    var mine = el("fieldset", { className: "sc-calc__group" }, [el("legend", { text: w.c("inputs_title") })]);
    // What the hard rules ask first (such as identity), then the scorecard's factors in its order.
    this.data.policy_factors.forEach(function (f) { mine.appendChild(self.field(f, w.w.policy_factors[f.name])); });
    this.data.factors.forEach(function (f) { mine.appendChild(self.field(f, w.w.factors[f.name])); });
    form.appendChild(mine);
    var cols = this.data.columns;
    if (cols.segment && cols.segments.length || cols.date) {
      var rules = el("fieldset", { className: "sc-calc__group" }, [el("legend", { text: w.c("policy_title") })]);
      if (cols.segment && cols.segments.length) rules.appendChild(this.segmentField(cols.segment, cols.segments));
      if (cols.date) rules.appendChild(this.dateField(cols.date));
      form.appendChild(rules);
    }
    this.status = el("p", { className: "sc-calc__status", role: "status", "aria-live": "polite" });
    this.results = el("div", { className: "sc-calc__results", id: "sc-results" });
    this.root.appendChild(form);
    this.root.appendChild(el("h2", { text: w.c("results_title"), id: "sc-results-title" }));
    this.root.appendChild(this.status);
    this.root.appendChild(this.results);
    this.results.appendChild(el("p", { text: w.c("waiting") }));
    var update = function () { self.touched = true; self.update(); };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
  };

  Calculator.prototype.id = function (column) { return "sc-in-" + column.replace(/[^A-Za-z0-9_-]/g, "_"); };

  // A labelled field: its help lines (the profile's meaning, then the allowed range), the control,
  // and the place where a problem with the entry is said.
  Calculator.prototype.wrap = function (id, label, help, control, extra) {
    var err = el("p", { className: "sc-calc__error", id: id + "-error", "aria-live": "polite" });
    var lines = (Array.isArray(help) ? help : [help]).filter(Boolean);
    var helpNode = lines.length ? el("div", { className: "sc-calc__help", id: id + "-help" },
      lines.map(function (line) { return el("p", { text: line }); })) : null;
    control.setAttribute("aria-describedby", (helpNode ? id + "-help " : "") + id + "-error");
    var row = el("div", { className: "sc-calc__field" }, [el("label", { "for": id, text: label }), helpNode, control]
      .concat(extra || []).concat([err]));
    return { row: row, error: err };
  };

  Calculator.prototype.field = function (f, fw) {
    var w = this.words, id = this.id(f.column), self = this;
    var help = [fw.meaning];
    var choices = [];  // [value, words]
    if (f.kind === "flag") {
      choices = [[1, w.t(["values", "yes"])], [0, w.t(["values", "no"])]];
    } else if (f.kind === "categorical") {
      var codes = f.categories || Object.keys(f.lookup || {});
      choices = codes.map(function (c) { return [c, Object.prototype.hasOwnProperty.call(fw.categories, c) ? fw.categories[c] : c]; });
    }
    fw.specials.forEach(function (s) { choices.push([s[0], s[1]]); });
    if (f.kind === "flag" || f.kind === "categorical") {
      var select = el("select", { id: id, name: f.column, className: "sc-calc__select" });
      select.appendChild(el("option", { value: "", text: w.c("unknown") }));
      choices.forEach(function (c, i) { select.appendChild(el("option", { value: String(i), text: c[1] })); });
      var parts = this.wrap(id, fw.label, help, select);
      this.inputs.push({ column: f.column, read: function () {
        return select.value === "" ? null : choices[+select.value][0];
      }, error: parts.error });
      return parts.row;
    }
    // A number, or (when the factor has them) one of its special codes, or no record.
    var input = el("input", { id: id, name: f.column, type: "text", inputmode: f.integer ? "numeric" : "decimal",
                              autocomplete: "off", className: "sc-calc__number" });
    var range = "";
    if (f.min !== null && f.max !== null) range = w.c("range_hint", { min: plainNumber(f.min), max: plainNumber(f.max) });
    else if (f.min !== null) range = w.c("min_hint", { min: plainNumber(f.min) });
    else if (f.max !== null) range = w.c("max_hint", { max: plainNumber(f.max) });
    var hints = [range];
    var kindSelect = null, extra = [];
    if (fw.specials.length) {
      var kid = id + "-kind";
      kindSelect = el("select", { id: kid, className: "sc-calc__select", "aria-label": fw.label });
      kindSelect.appendChild(el("option", { value: "number", text: w.c("number") }));
      fw.specials.forEach(function (s, i) { kindSelect.appendChild(el("option", { value: String(i), text: s[1] })); });
      kindSelect.appendChild(el("option", { value: "none", text: w.c("unknown") }));
      extra.push(kindSelect);
    } else {
      hints.push(w.c("empty_hint"));
    }
    help.push(w.join(hints));
    var labelText = fw.unit ? fw.label + " (" + fw.unit + ")" : fw.label;
    var parts = this.wrap(id, labelText, help, input, extra);
    this.inputs.push({ column: f.column, read: function () {
      parts.error.textContent = "";
      input.removeAttribute("aria-invalid");
      if (kindSelect && kindSelect.value !== "number") {
        input.disabled = true;
        return kindSelect.value === "none" ? null : fw.specials[+kindSelect.value][0];
      }
      input.disabled = false;
      var text = input.value.trim().replace(/，/g, ".").replace(/。/g, ".");
      if (text === "") return null;
      var x = Number(text);
      var problem = null;
      if (!isFinite(x)) problem = w.c("not_number");
      else if (f.integer && !Number.isInteger(x)) problem = w.c("not_whole");
      else if (f.min !== null && f.max !== null && (x < f.min || x > f.max)) {
        problem = w.c("out_of_range", { min: plainNumber(f.min), max: plainNumber(f.max) });
      } else if (f.min !== null && x < f.min) problem = w.c("below_min", { min: plainNumber(f.min) });
      else if (f.max !== null && x > f.max) problem = w.c("above_max", { max: plainNumber(f.max) });
      if (problem) {
        parts.error.textContent = w.join([problem, w.c("ignored")]);
        input.setAttribute("aria-invalid", "true");
        return null;
      }
      return x;
    }, error: parts.error });
    return parts.row;
  };

  Calculator.prototype.segmentField = function (column, segments) {
    var w = this.words, id = this.id(column), site = w.w.site;
    var select = el("select", { id: id, name: column, className: "sc-calc__select" });
    select.appendChild(el("option", { value: "", text: w.c("segment_other") }));
    segments.forEach(function (s) {
      select.appendChild(el("option", { value: s, text: Object.prototype.hasOwnProperty.call(site.values, s) ? site.values[s] : s }));
    });
    var parts = this.wrap(id, w.c("segment_label"), "", select);
    this.inputs.push({ column: column, read: function () { return select.value === "" ? null : select.value; },
                       error: parts.error });
    return parts.row;
  };

  Calculator.prototype.dateField = function (column) {
    var w = this.words, id = this.id(column);
    var now = new Date();
    var today = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0");
    var input = el("input", { id: id, name: column, type: "date", value: today, className: "sc-calc__date" });
    var parts = this.wrap(id, w.c("date_label"), w.c("date_help"), input);
    this.inputs.push({ column: column, read: function () { return input.value || null; }, error: parts.error });
    return parts.row;
  };

  Calculator.prototype.row = function () {
    var row = {};
    this.inputs.forEach(function (i) { row[i.column] = i.read(); });
    this.data.columns.policy.forEach(function (c) { if (!(c in row)) row[c] = null; });
    return row;
  };

  Calculator.prototype.update = function () {
    var record = this.engine.explain(this.row());
    this.record = record;
    this.results.textContent = "";
    this.results.appendChild(this.render(record));
    this.status.textContent = this.words.c("updated");
    return record;
  };

  // --- the explanation (pages/builder.py, templates/explain/_partials/*.md.j2) --------------------

  Calculator.prototype.link = function (section, slug) {
    if (!SLUG.test(slug)) return null;
    if (this.data.pages && this.data.pages.indexOf(section + "/" + slug) < 0) return null;  // not on this site
    return el("a", { href: "../" + section + "/" + slug + ".html", text: this.words.pageTitle(section, slug) });
  };

  Calculator.prototype.links = function (section, slugs, labelled) {
    return this.mixedLinks(slugs.map(function (s) { return [section, s]; }), labelled);
  };

  // Links to [section, slug] pages after a sentence, each page once, under the "read more" label.
  Calculator.prototype.mixedLinks = function (pairs, labelled) {
    var self = this, w = this.words, seen = {}, anchors = [];
    pairs.forEach(function (pair) {
      var key = pair.join("/");
      if (!seen[key]) { seen[key] = 1; var a = self.link(pair[0], pair[1]); if (a) anchors.push(a); }
    });
    if (!anchors.length) return null;
    var span = el("span", { className: "sc-calc__links" }, [w.gap]);
    if (labelled) span.appendChild(document.createTextNode(labelled + w.t(["meta", "label_gap"])));
    anchors.forEach(function (a, i) { if (i) span.appendChild(document.createTextNode(w.sep)); span.appendChild(a); });
    return span;
  };

  Calculator.prototype.render = function (r) {
    var w = this.words, self = this, out = document.createDocumentFragment();
    var ed = this.data.editorial;
    var assessed = r.hard_rule === null && r.score !== null;
    var kind = r.outcome === "approved" ? "success" : r.outcome === "declined" ? "failure" :
      r.outcome === "retry_later" ? "info" : "warning";

    // outcome
    out.appendChild(el("h3", { text: w.t(["sections", "outcome"]) }));
    var headline = r.outcome === "approved" ? w.t(["outcome", "approved"], { limit: w.money(r.limit) }) : w.t(["outcome", r.outcome]);
    out.appendChild(el("div", { className: "admonition " + kind + " sc-calc__badge" }, [
      el("p", { className: "admonition-title", text: w.t(["badge", r.outcome]) }), el("p", { text: headline })]));
    this.scoreLines(r).forEach(function (line) { out.appendChild(el("p", { text: line })); });
    if (assessed) out.appendChild(el("pre", { className: "sc-calc__bar" }, [el("code", { text: this.textBar(r) })]));

    // why
    out.appendChild(el("h3", { text: w.t(["sections", "why"]) }));
    r.overlays.filter(function (o) { return o.changed_outcome; }).forEach(function (o) {
      var note = self.overlayNote(o, r.score, true, r);
      out.appendChild(el("div", { className: "admonition warning" }, [
        el("p", { className: "admonition-title", text: w.t(["rules", "title"]) }), note]));
    });
    if (!assessed) {
      var hard = this.hardRule(r), parts;
      if (w.has(["hard", hard.code])) parts = [w.t(["hard", hard.code, "why"]), w.t(["hard", "not_credit"])];
      else if (hard.described) {
        // The policy's own words: whether the rule judges credit is the policy's to say.
        parts = [w.t(["deployment", "hard", "described_" + hard.kind],
                     { description: hard.described.replace(/[。.]+$/, ""), code: hard.code })];
      } else parts = [w.t(["hard", "generic_" + hard.kind, "why"], { code: hard.code }), w.t(["hard", "not_credit"])];
      out.appendChild(el("p", {}, [w.join(parts), this.links("causes", hard.pages.causes, w.t(["why", "read_more"]))]));
    } else {
      var approved = r.outcome === "approved";
      out.appendChild(el("p", { text: r.reasons.length
        ? w.join([w.t(["why", approved && !r.affordability_guard ? "intro_approved" : "intro_declined"]),
                  w.t(["why", "baseline", !approved ? "cutoff_average"
                    : r.affordability_guard ? "cutoff_average_band_guard" : "cutoff_average_band"])])
        : w.t(["why", approved ? "none_approved" : "none_declined"]) }));
      if (r.reasons.length) {
        var ol = el("ol", { className: "sc-calc__reasons" });
        r.reasons.forEach(function (reason) { ol.appendChild(self.reason(reason, approved, r)); });
        out.appendChild(ol);
      }
    }
    var also = r.overlays.filter(function (o) { return !o.changed_outcome; });
    if (also.length) {
      out.appendChild(el("p", { text: w.t(["rules", "also_title"]) + w.t(["meta", "colon"]) }));
      var ul = el("ul");
      also.forEach(function (o) { ul.appendChild(el("li", {}, [self.overlayNote(o, r.score, false, r)])); });
      out.appendChild(ul);
    }

    // what you can do
    out.appendChild(el("h3", { text: w.t(["sections", "actions"]) }));
    out.appendChild(el("p", { text: this.actionsIntro(r) }));
    r.recourse.forEach(function (plan, i) { out.appendChild(self.plan(plan, i + 1, r.outcome === "approved")); });
    this.actionNotes(r).forEach(function (n) { out.appendChild(n); });
    if (r.outcome !== "retry_later") {  // an outage decided nothing: no don'ts (builder.context)
      out.appendChild(el("h4", { text: w.t(["sections", "dont"]) }));
      out.appendChild(el("p", { text: w.t(["dont", "intro"]) }));
      var dont = el("ul");
      Object.keys(ed.dont_pages).forEach(function (key) {
        dont.appendChild(el("li", {}, [w.t(["dont", key]),
          self.links(key === "repair_agencies" ? "rights" : "remedies", [ed.dont_pages[key]], w.t(["why", "read_more"]))]));
      });
      out.appendChild(dont);
    }

    // points per factor
    if (assessed) out.appendChild(this.pointsTable(r));
    var codes = r.reasons.map(function (x) { return x.code; }).join(w.sep) || w.t(["meta", "none"]);
    out.appendChild(el("p", { className: "sc-calc__codes", text: w.t(["about", "codes"], { decision: r.decision, codes: codes }) }));
    return out;
  };

  Calculator.prototype.scoreLines = function (r) {
    var w = this.words;
    if (r.score === null) return [w.t(["outcome", "no_score"])];
    var gap = r.score - r.cutoff, lines = [];
    if (gap > 0) lines.push(w.t(["outcome", "score_above"], { score: w.points(r.score), cutoff: w.points(r.cutoff), gap: w.points(gap) }));
    else if (gap === 0) lines.push(w.t(["outcome", "score_equal"], { score: w.points(r.score) }));
    else lines.push(w.t(["outcome", "score_below"], { score: w.points(r.score), cutoff: w.points(r.cutoff), gap: w.points(-gap) }));
    if (r.outcome === "approved") {
      var capped = r.overlays.some(function (o) { return o.kind === "limit_cap"; });
      if (r.affordability_guard) {
        lines.push(this.guardLine(r));
        // builder._score_lines: a small-business owner's limit is not for stock or other loans
        var seg = this.data.columns.segment ? this.row()[this.data.columns.segment] : null;
        if (seg !== null && seg !== undefined && this.data.editorial.small_business_segments.indexOf(seg) >= 0) {
          lines.push(w.t(["outcome", "guard_business"]));
        }
      } else if (r.next_band_score !== null) {
        lines.push(w.t(["outcome", "next_band"], { gap: w.points(r.next_band_score - r.score), target: w.points(r.next_band_score) }));
      } else if (capped) lines.push(w.t(["outcome", "capped"], { limit: w.money(r.limit) }));
      else lines.push(w.t(["outcome", "top_band"]));
    }
    if (r.pd !== null) {
      var chance = [w.t(["outcome", "chance"], { pct: w.percent(r.pd) }), w.t(["outcome", "chance_note"])];
      if (r.affordability_guard) chance.push(w.t(["outcome", "chance_guard"]));  // a low estimate is not room for more debt
      lines.push(w.join(chance));
    }
    lines.push(w.t(["outcome", "points_note"]));
    return lines;
  };

  // builder._guard_line: exactly the guard's conditions that hold ("and" when both do), each with
  // the person's own value and, for a ratio, its percentage (Speaker.share).
  Calculator.prototype.guardHeld = function () {
    var row = this.row(), conds = this.data.policy.affordability || [];
    return conds.filter(function (c) { return global.ScorecardEngine.matches(c, row[c.column]); })
      .map(function (c) { return c.column; });
  };

  // builder._guard_plans: what every plan under the guard first reaches, each condition cleared.
  Calculator.prototype.guardPlans = function () {
    var w = this.words, held = this.guardHeld();
    if (!held.length || !held.every(function (c) { return w.has(["actions", "guard_clear", c]); })) {
      return w.t(["actions", "guard_plans_general"]);
    }
    return w.t(["actions", "guard_plans"], { conditions: held.map(function (c) {
      return w.t(["actions", "guard_clear", c]);
    }).join(w.t(["actions", "guard_and"])) });
  };

  Calculator.prototype.guardLine = function (r) {
    var w = this.words, self = this, held = this.guardHeld();
    if (!held.length || !held.every(function (c) { return w.has(["outcome", "guard_conditions", c]); })) {
      return w.t(["outcome", "guard"]);
    }
    return w.t(["outcome", "guard_intro"], { conditions: held.map(function (c) {
      var f = self.data.factors.filter(function (x) { return x.column === c; })[0], fw = w.w.factors[f.name];
      var line = r.factors.filter(function (x) { return x.factor === f.name; })[0], v = line ? line.value : null;
      var share = typeof v === "number" && isFinite(v) ? w.t(["units", "percent"], { n: (v * 100).toFixed(0) }) : "";
      return w.t(["outcome", "guard_conditions", c], { value: w.value(f, fw, v), percent: share });
    }).join(w.t(["outcome", "guard_and"])) });
  };

  // builder._mid: a profile's sentence after a colon, in sentence case ("... record: provide proof").
  function mid(text) {
    return text.length > 1 && text[0] !== text[0].toLowerCase() && text[1] !== text[1].toUpperCase()
      ? text[0].toLowerCase() + text.slice(1) : text;
  }

  // The text score bar of the persona pages (pages/charts.py text_bar).
  Calculator.prototype.textBar = function (r) {
    var w = this.words, cells = this.data.chart.text_bar_cells, score = r.score;
    var marks = [["cutoff", r.cutoff]];
    if (r.base_cutoff !== r.cutoff) marks.push(["base_cutoff", r.base_cutoff]);
    if (r.outcome === "approved" && r.next_band_score !== null && !r.affordability_guard) marks.push(["next_band", r.next_band_score]);
    var values = [score].concat(marks.map(function (m) { return m[1]; }));
    var lo = Math.floor((Math.min.apply(null, values) - 40) / 50) * 50;
    var hi = Math.ceil((Math.max.apply(null, values) + 40) / 50) * 50;
    function cell(v) { return Math.min(cells - 1, Math.max(0, global.ScorecardEngine.npRound((v - lo) / (hi - lo) * (cells - 1), 0))); }
    function pad(v) { v = String(v); while (v.length < 3) v = " " + v; return v; }
    // charts.text_bar: a score below a mark never reaches its cell, one at or above it always does
    var at = cell(score);
    marks.forEach(function (m) { if (score >= m[1]) at = Math.max(at, cell(m[1])); });
    marks.forEach(function (m) { if (score < m[1] && cell(m[1]) > 0) at = Math.min(at, cell(m[1]) - 1); });
    var filled = at + 1;
    var lines = ["█".repeat(filled) + "░".repeat(cells - filled) + " " + pad(score) + " " + w.t(["bar", "score"])];
    marks.forEach(function (m) {
      var at = cell(m[1]);
      lines.push("─".repeat(at) + (m[0] === "cutoff" ? "┃" : "┊") + "─".repeat(cells - at - 1) + " " + pad(m[1]) + " " +
                 w.t(["bar", m[0]]));
    });
    return lines.join("\n");
  };

  // builder._rule_pages: the policy's own pages; else the generic ones of its kind, unless the
  // policy describes the rule (a described rule is its own explanation).
  function rulePages(rule, generic, described) {
    if (rule && rule.pages) return rule.pages;
    if (described) return { causes: [], remedies: [] };
    return { causes: [generic[0]], remedies: [generic[1]] };
  }

  // builder._hard_rule: the rule that stopped the evaluation, its own words (when the locale has
  // none for its code) and its pages.
  Calculator.prototype.hardRule = function (r) {
    var w = this.words, code = r.hard_rule || r.decision, kind = r.outcome === "retry_later" ? "retry_later" : "cannot_evaluate";
    var rule = this.data.policy.hard_rules.filter(function (x) { return x.code === code; })[0];
    var described = w.has(["hard", code]) || !rule ? "" : (rule.description[w.lang] || "");
    return { code: code, kind: kind, described: described,
             pages: rulePages(rule, this.data.editorial.hard_rule_pages[kind], described) };
  };

  Calculator.prototype.overlayNote = function (o, score, deciding, r) {
    var w = this.words, parts = [];
    if (o.kind === "cutoff") {
      if (deciding) {
        parts.push(w.t(["rules", "cutoff_changed"], { before: w.points(o.before), after: w.points(o.after) }));
        if (score !== null && score >= o.before) parts.push(w.t(["rules", "cutoff_would_pass"], { score: w.points(score) }));
      } else parts.push(w.t(["rules", "cutoff_applied"], { before: w.points(o.before), after: w.points(o.after) }));
    } else if (deciding) {
      parts.push(w.t(["rules", "cap_changed"], { before: w.money(o.before), after: w.money(o.after) }));
    } else parts.push(w.t(["rules", "cap_applied"], { after: w.money(o.after) }));
    var rule = this.data.policy.overlays.filter(function (x) { return x.code === o.code; })[0];
    var worded = w.has(["rules", "codes", o.code]);
    var described = worded || !rule ? "" : (rule.description[w.lang] || "");
    if (worded) parts.push(w.t(["rules", "codes", o.code]));
    else if (described) parts.push(described);
    if (rule && rule.until) {  // a temporary rule's end, and what it would mean for a score the usual mark passes
      parts.push(w.t(["rules", "until"], { date: w.date(rule.until) }));
      if (deciding && o.kind === "cutoff" && score !== null && score >= o.before) {
        parts.push(w.t(["rules", "until_would_pass"], { before: w.points(o.before), score: w.points(score) }));
      }
    }
    var self = this;
    r.reasons.forEach(function (x) {  // a fixed factor the rule also reads counts twice (builder._overlay_note)
      if (self.factorOf(x.factor) && self.factorOf(x.factor).advice === "fixed" && w.has(["rules", "twice", o.code, x.factor])) {
        parts.push(w.t(["rules", "twice", o.code, x.factor]));
      }
    });
    if (!deciding) parts.push(w.t(["rules", "no_change"]));
    var pages = rulePages(rule, this.data.editorial.overlay_pages[o.kind], described);
    var node = el("span", {}, [w.join(parts)]);
    var slugs = pages.causes.map(function (s) { return ["causes", s]; });
    if (deciding) slugs = slugs.concat(pages.remedies.map(function (s) { return ["remedies", s]; }));
    var links = this.mixedLinks(slugs, w.t(["why", "read_more"]));
    if (links) node.appendChild(links);
    return node;
  };

  Calculator.prototype.factorOf = function (name) {
    for (var i = 0; i < this.data.factors.length; i++) if (this.data.factors[i].name === name) return this.data.factors[i];
    return null;
  };

  Calculator.prototype.reason = function (reason, approved, r) {
    var w = this.words, self = this, f = this.factorOf(reason.factor), fw = w.w.factors[reason.factor], first;
    var whoKey = approved ? "cutoff_average_band" : "cutoff_average";
    var who = w.has(["why", "who", whoKey]) ? w.t(["why", "who", whoKey]) : w.t(["why", "who", "best_points"]);
    var points = w.points(Math.max(1, pyRoundHalfEven(reason.points_below_baseline)));
    if (reason.group) {  // one reason for the group: every member's own value, and the group's shortfall
      var lines = {};
      r.factors.forEach(function (line) { lines[line.factor] = line; });
      var scoredMembers = reason.factors.filter(function (name) { return lines[name]; });
      // a group the model scores through one factor is not "these items": a one-factor reason's words
      var one = scoredMembers.length === 1;
      var groupParts = scoredMembers.map(function (name) {
        var line = lines[name], mf = self.factorOf(name), mw = w.w.factors[name];
        var yours = line.bin_kind === "missing" || line.value === null ? w.t(["values", "missing"]) :
          line.bin_kind === "special" ? (w.special(mw, line.value) || mw.bins[line.bin]) : w.value(mf, mw, line.value);
        if (one) {
          return w.join([w.t(["why", "value"], { value: yours })].concat(line.better_value === null ? []
            : [w.t(["why", "best"], { best: w.best(mf, mw, line.better_value) })]));
        }
        // the member's better value, as the page says it (builder._member_value), not its best bin's label
        return line.better_value === null ? w.t(["why", "member"], { label: mw.label, value: yours })
          : w.t(["why", "member_best"], { label: mw.label, value: yours, best: w.best(mf, mw, line.better_value) });
      });
      if (!one) groupParts.push(w.t(["why", "group"]));
      groupParts.push(w.t(["why", one ? "cost" : "cost_group"], { points: points, who: who }));
      return el("li", {}, [el("strong", { text: one ? w.w.factors[scoredMembers[0]].label : w.w.groups[reason.group] }), w.t(["meta", "colon"]) + w.join(groupParts),
        this.links("causes", reason.cause_pages, w.t(["why", "read_more"]))]);
    }
    if (reason.kind === "special") {
      var meaning = w.special(fw, reason.value);
      first = meaning ? w.t(["why", "special"], { meaning: meaning.replace(/[。.]+$/, "") })
        : w.t(["why", "value"], { value: fw.bins[reason.bin] });
    } else if (reason.kind === "missing") first = w.t(["why", "missing"]);
    else first = w.t(["why", "value"], { value: w.value(f, fw, reason.value) });
    var parts = [first];
    if (f.advice === "fixed" || f.advice === "never") parts.push(w.t(["why", f.advice]));  // never a target
    else if (reason.kind === "special" || reason.kind === "missing") {
      if (fw.supply) parts.push(w.t(["why", "supply"], { supply: mid(fw.supply.replace(/[。.]+$/, "")) }));
    } else if (reason.better_bins.length) {
      // the card's best value, one per page (builder._reason): the factor line's better value
      var own = r.factors.filter(function (line) { return line.factor === reason.factor; })[0];
      var best = own && own.better_value !== null ? w.best(f, fw, own.better_value) : fw.bins[reason.better_bins[0]];
      parts.push(w.t(["why", "best"], { best: best }));
      var nearer = w.toward(f, fw, reason.better_bins[reason.better_bins.length - 1]);
      // no "even X" under the guard, nor for a rolling-window count (it falls to its lowest once stopped)
      if (reason.better_bins.length > 1 && !r.affordability_guard && nearer !== best &&
          (f.window_days === null || f.window_days === undefined)) {
        parts.push(w.t(["why", "nearer"], { nearer: nearer }));
      }
    }
    parts.push(w.t(["why", "cost"], { points: points, who: who }));
    // a missing record to supply links to its own cause (editorial.SUPPLY_CAUSES), not the factor's
    var causes = (reason.kind === "special" || reason.kind === "missing") && fw.supply
      ? this.data.editorial.supply_causes : reasonCauses(reason.value, reason.cause_pages, this.data.editorial.many_causes);
    return el("li", {}, [el("strong", { text: fw.label }), w.t(["meta", "colon"]) + w.join(parts),
      this.links("causes", causes, w.t(["why", "read_more"]))]);
  };

  // editorial.reason_causes: no "multiple borrowing" page for a count of one or none.
  function reasonCauses(value, pages, many) {
    if (typeof value !== "number" || value > 1) return pages;
    return pages.filter(function (p) { return many.indexOf(p) < 0; });
  }

  // Python's round() of a float to a whole number (half to even).
  function pyRoundHalfEven(x) { return global.ScorecardEngine.npRound(x, 0); }

  Calculator.prototype.actionsIntro = function (r) {
    var w = this.words, target = r.recourse_target !== null ? r.recourse_target : r.cutoff;
    if (r.recourse_status === "found" && r.recourse.length) {
      var approved = r.outcome === "approved", line = approved ? r.next_band_score : r.cutoff;
      var parts = [r.recourse_margin
        ? w.t(["actions", approved ? "intro_approved" : "intro_declined"],
              { target: w.points(target), line: w.points(line), margin: w.points(r.recourse_margin) })
        : w.t(["actions", approved ? "intro_approved_exact" : "intro_declined_exact"], { target: w.points(target) })];
      if (r.affordability_guard) parts.push(this.guardPlans(), w.t(["actions", "hardship"]));
      parts.push(w.t(["actions", approved ? "chance_approved" : "chance"]));
      var end = approved ? null : this.ruleWait(r);  // builder._rule_wait
      if (end !== null) parts.push(w.t(["actions", "rule_wait"], { date: w.date(end) }));
      return w.join(parts);
    }
    if (r.recourse_status === "infeasible") {
      return r.affordability_guard ? w.join([this.infeasible(r), w.t(["actions", "hardship"])]) : this.infeasible(r);
    }
    if (r.recourse_status === "not_needed" && r.affordability_guard && r.next_band_score !== null) {
      return w.join([w.t(["actions", "guard_approved"]), w.t(["actions", "hardship"])]);
    }
    if (r.recourse_status === "not_needed") {
      var capped = r.overlays.some(function (o) { return o.kind === "limit_cap" && o.changed_outcome; }) ||
        (r.next_band_score === null && r.overlays.some(function (o) { return o.kind === "limit_cap"; }));
      return w.t(["actions", capped ? "not_needed_capped" : "not_needed_top"]);
    }
    var hard = this.hardRule(r);
    if (w.has(["hard", hard.code])) {
      return w.has(["hard", hard.code, "retry"]) ? w.join([w.t(["hard", hard.code, "step"]), w.t(["hard", hard.code, "retry"])])
        : w.t(["hard", hard.code, "step"]);
    }
    return hard.described ? w.t(["deployment", "hard", "step_" + hard.kind]) : w.t(["hard", "generic_" + hard.kind, "step"]);
  };

  // builder._rule_wait: the end of a temporary stricter pass mark that alone declined this score.
  Calculator.prototype.ruleWait = function (r) {
    var rules = this.data.policy.overlays;
    for (var i = 0; i < r.overlays.length; i++) {
      var o = r.overlays[i];
      if (!o.changed_outcome || o.kind !== "cutoff" || r.score === null || r.score < o.before) continue;
      var rule = rules.filter(function (x) { return x.code === o.code; })[0];
      if (rule && rule.until) return rule.until;
    }
    return null;
  };

  // builder._infeasible: the target, and with a margin the line and margin it adds up from.
  Calculator.prototype.infeasible = function (r) {
    var w = this.words, target = r.recourse_target !== null ? r.recourse_target : r.cutoff;
    var line = r.outcome === "approved" && r.next_band_score !== null ? r.next_band_score : r.cutoff;
    if (r.recourse_margin && r.recourse_target) {
      return w.t(["actions", "infeasible_margin"], { target: w.points(target), line: w.points(line), margin: w.points(r.recourse_margin) });
    }
    return w.t(["actions", "infeasible"], { target: w.points(target) });
  };

  Calculator.prototype.actionNotes = function (r) {
    var w = this.words;
    if (r.recourse_status === "found" && r.recourse.length) {
      var next = r.outcome === "approved" ? "next_assessment_approved" : "next_assessment";  // builder._action_notes
      var notes = [el("p", { text: w.t(["actions", next]) }), el("p", { text: w.t(["actions", "caveat"]) })];
      var late = w.has(["rights", "overdue_record"]) &&  // mainland China's rights box only
        r.reasons.some(function (x) { return x.cause_pages.indexOf("overdue-history") >= 0; });
      if (late) {  // the one-time relief: an option only before its deadline (editorial.relief_closed)
        var day = this.data.columns.date ? this.row()[this.data.columns.date] : null;  // the record's snapshot date
        var closed = !day || String(day).slice(0, 10) > this.data.editorial.relief_deadline;
        var said = [w.t(["rights", "overdue_record"])], self = this;
        // editorial.late_payment_window: the first late-payment reason counted over a rolling window
        var windowed = r.reasons.filter(function (x) {
          var f = self.factorOf(x.factor);
          return f && x.cause_pages.indexOf("overdue-history") >= 0 && f.window_days !== null && f.window_days !== undefined;
        })[0];
        if (windowed) {
          said.push(w.t(["rights", "model_window"], { label: w.w.factors[windowed.factor].label,
                                                       days: this.factorOf(windowed.factor).window_days }));
        }
        said.push(w.t(["rights", closed ? "relief_closed" : "relief_open"]));
        notes.push(el("p", {}, [w.join(said), this.links("remedies", ["repair-record"], "")]));
      }
      return notes;
    }
    if (r.recourse_status === "infeasible") {
      // builder._action_notes: a missing record to supply first; "time helps" only where waiting can
      var self = this, notes = [], supplied = {};
      r.reasons.forEach(function (x) {
        var fw = w.w.factors[x.factor];
        if ((x.kind === "special" || x.kind === "missing") && fw && fw.supply && !supplied[x.factor]) {
          supplied[x.factor] = true;
          notes.push(el("p", { text: w.t(["actions", "infeasible_supply"], { supply: mid(fw.supply.replace(/[。.]+$/, "")) }) }));
        }
      });
      var missing = Object.keys(supplied).length > 0;
      notes.push(el("p", { text: w.t(["actions", "infeasible_partial"]) }));
      var waits = r.factors.filter(function (line) {
        return line.points < line.best_points && self.factorOf(line.factor).advice === "wait";
      }).map(function (line) { return w.w.factors[line.factor].label; });
      if (waits.length) notes.push(el("p", { text: w.t(["actions", "infeasible_time"], { labels: waits.join(w.sep) }) }));
      notes.push(el("p", { text: w.t(["actions", "infeasible_when"]) }));
      notes.push(el("p", {}, [w.t(["actions", missing ? "infeasible_other_supply" : "infeasible_other"]),
        this.links("lessons", ["financing-channels"], "")]));
      return notes;
    }
    if (r.hard_rule !== null) {
      var links = this.links("remedies", this.hardRule(r).pages.remedies, "");
      return links ? [el("p", {}, [w.t(["actions", "how"]), links])] : [];
    }
    return [];
  };

  Calculator.prototype.plan = function (plan, n, approved) {
    var w = this.words, self = this;
    var box = el("div", { className: "sc-calc__plan" }, [el("h4", { text: w.t(["actions", "plan"], { n: n }) })]);
    // builder._plan: a slowest step that waits for a rolling window counts "at the latest"
    var windowed = plan.wait_days !== null && plan.changes.every(function (c) {
      var f = self.factorOf(c.factor);
      return c.wait_days !== plan.wait_days || (f.window_days !== null && f.window_days !== undefined);
    });
    // steps a person does take as long as they take: only the waits are timed
    var acts = plan.changes.some(function (c) { return c.move !== "wait"; });
    var summary = [w.t(["actions", "plan_result"], { score: w.points(plan.new_score) }),
      plan.wait_days === null ? w.t(["actions", "plan_now"])
        : windowed && plan.wait_days < LONG_WAIT_DAYS ? w.t(["actions", "plan_wait_window"], { days: plan.wait_days })
        : w.t(["actions", plan.wait_days >= LONG_WAIT_DAYS ? "plan_wait_long" : "plan_wait"], { days: w.days(plan.wait_days) })];
    if (acts && plan.wait_days !== null) summary.push(w.t(["actions", "plan_acts"]));
    if (acts) summary.push(w.t(["actions", "plan_counts"]));
    box.appendChild(el("p", { text: w.join(summary) }));
    var ol = el("ol");
    plan.changes.forEach(function (c) {
      var f = self.factorOf(c.factor), fw = w.w.factors[c.factor];
      var gain = w.t(["actions", "gain"], { points: w.points(c.points_gain) });
      var text, timing, action;
      if (c.move === "supply") {  // one action; what the record will show is not known
        text = w.t(["actions", "step_supply"], { supply: mid(fw.supply.replace(/[。.]+$/, "")) });
        timing = w.t(["actions", "supply_note"]);
        action = w.t(["actions", "step_now"]);
      } else {
        var from = c.from_value !== null ? w.value(f, fw, c.from_value) : w.t(["values", "missing"]);
        var to = w.value(f, fw, c.to_value);
        text = w.t(["actions", "step"], { from_value: from, to_value: to });
        timing = c.wait_days === null ? w.t(["actions", "step_now"])
          : f.window_days !== null && f.window_days !== undefined ? w.t(["actions", "step_wait_window"], { days: c.wait_days })
          : w.t(["actions", "step_wait"], { days: w.days(c.wait_days) });
        // editorial.allowance_like: "to 3 cycles" is only where points change, not "3 more are fine"
        if (c.wait_days !== null && f.window_days !== null && f.window_days !== undefined && f.helps === "decrease" &&
            typeof c.to_value === "number" && c.to_value > 0) {
          timing = w.join([timing, w.t(["actions", "step_window_cap"], { to_value: to })]);
        }
        if (fw.action) action = fw.action;
        else if (f.advice === "wait") action = w.t(["cards", "generic_action", "time"]);
        else action = w.t(["cards", "generic_action", f.helps], { better: to });
      }
      ol.appendChild(el("li", {}, [el("strong", { text: fw.label }),
        w.t(["meta", "colon"]) + w.join([w.t(["actions", "step_line"], { change: text, gain: gain }), timing, action]),
        // someone with a limit has nothing to appeal (editorial.DECLINE_ONLY_REMEDIES)
        self.links("remedies", approved ? c.remedy_pages.filter(function (p) {
          return self.data.editorial.decline_only_remedies.indexOf(p) < 0; }) : c.remedy_pages, w.t(["actions", "how"]))]));
    });
    box.appendChild(ol);
    return box;
  };

  Calculator.prototype.pointsTable = function (r) {
    var w = this.words, self = this;
    var table = el("table", {}, [  // no class: the theme styles tables without one
      el("caption", { text: w.c("points_title") }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: w.c("factor") }), el("th", { scope: "col", text: w.c("yours") }),
        el("th", { scope: "col", text: w.c("points") }), el("th", { scope: "col", text: w.c("best") })])])]);
    var body = el("tbody");
    r.factors.forEach(function (line) {
      var f = self.factorOf(line.factor), fw = w.w.factors[line.factor];
      var yours = line.bin_kind === "missing" || line.value === null ? w.t(["values", "missing"]) :
        line.bin_kind === "special" ? (w.special(fw, line.value) || fw.bins[line.bin]) : w.value(f, fw, line.value);
      body.appendChild(el("tr", {}, [el("th", { scope: "row", text: fw.label }), el("td", { text: yours }),
        el("td", { text: String(line.points) }), el("td", { text: String(line.best_points) })]));
    });
    table.appendChild(body);
    var wrap = el("div", { className: "md-typeset__scrollwrap" }, [el("div", { className: "md-typeset__table" }, [table])]);
    return wrap;
  };

  function boot() {
    var root = document.getElementById("sc-calculator");
    if (!root || !global.SCORECARD_CALCULATOR || !global.ScorecardEngine) return;
    var calc = new Calculator(root, global.SCORECARD_CALCULATOR);
    calc.start();
    global.scorecardCalculator = calc;
  }

  global.ScorecardCalculatorPage = { Calculator: Calculator, Words: Words, boot: boot };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})(window);
