/* The calculator's engine: one applicant -> the decision record `scorecard explain` writes for
 * them, computed in the page from the data script the site build writes (scorecard/site/calculator.py).
 * A port of scorecard/scoring.py, policy.py (decide), reasons.py (rank_reasons), recourse.py (the
 * exact multiple-choice knapsack, its plans and their tie rules) and explain.py (how a record is
 * assembled), for one applicant at a time; tests/site/test_calculator_browser.py checks that it
 * equals the Python records on thousands of random applicants. Numbers the Python code derives
 * with its own rounding (nearest values inside bins, cost units, baselines) come from the data,
 * never from here. A classic script (pages opened from file:// cannot load modules): it defines
 * window.ScorecardEngine and sends nothing anywhere. */
(function (global) {
  "use strict";

  var INF = Infinity;

  // NumPy's round(x, decimals): multiply, round half to even, divide.
  function rint(x) {
    var r = Math.round(x);
    if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) r -= 1;
    return r;
  }
  function npRound(x, decimals) {
    var scale = Math.pow(10, decimals);
    return rint(x * scale) / scale;
  }
  // Python's round(x, ndigits) for the values records carry (exact decimal rounding).
  function pyRound(x, digits) {
    return Number(x.toFixed(digits));
  }

  function isMissing(v) {
    return v === null || v === undefined || (typeof v === "number" && isNaN(v));
  }

  // A value as pandas.to_numeric(errors="coerce") reads it: NaN when missing or not a number.
  function toNumber(v) {
    if (isMissing(v)) return NaN;
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    var text = String(v).trim();
    if (text === "") return NaN;
    var n = Number(text);
    return isFinite(n) || /^[+-]?inf(inity)?$/i.test(text) ? n : NaN;
  }

  // ISO date (YYYY-MM-DD, optionally with a time) -> calendar days since 1970-01-01, NaN if none.
  function toDay(v) {
    if (isMissing(v)) return NaN;
    var m = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
    if (!m) return NaN;
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    var back = new Date(ms);
    if (back.getUTCMonth() !== +m[2] - 1 || back.getUTCDate() !== +m[3]) return NaN;
    return Math.floor(ms / 86400000);
  }

  function Engine(data) {
    this.data = data;
    this.rules = data.rules;
    this.factors = data.factors.map(prepareFactor);
    this.policy = data.policy;
    this.firstScore = data.model.first_score;
  }

  function prepareFactor(f) {
    var out = Object.assign({}, f);
    var ranges = [];
    f.bins.forEach(function (b, i) { if (b.kind === "range") ranges.push(i); });
    out.ranges = ranges;
    out.splits = ranges.slice(0, -1).map(function (i) { return f.bins[i].upper; });
    out.points = f.bins.map(function (b) { return b.points; });
    out.specialCodes = [];  // [code as number, bin], in bin order: a code listed twice ends in the later bin
    f.bins.forEach(function (b, i) {
      b.specials.forEach(function (code) { out.specialCodes.push([toNumber(code), i]); });
    });
    out.lookup = Object.assign(Object.create(null), f.lookup);  // category text -> bin (scoring.category_lookup)
    out.lo = f.bins.map(function (b) { return b.kind === "range" && b.lower !== null ? b.lower : -INF; });
    out.up = f.bins.map(function (b) { return b.kind === "range" && b.upper !== null ? b.upper : INF; });
    var none = f.helps === "increase" ? -INF : INF;
    out.edges = f.edge.map(function (x) { return x === null ? none : x; });
    out.noRecord = f.bins.map(function (b) { return b.kind === "special" || b.kind === "missing"; });
    return out;
  }

  // --- scoring (scoring.py) ---------------------------------------------------------------------

  Engine.prototype.binOf = function (f, value) {
    if (f.kind === "categorical") {
      if (isMissing(value)) return f.missing_bin;
      var text = String(value);
      if (text.trim() === "") return f.missing_bin;
      var hit = f.lookup[text];
      return hit === undefined ? f.unseen_bin : hit;
    }
    var x = toNumber(value);
    var bin;
    if (!f.ranges.length) {
      bin = f.missing_bin;
    } else {
      var count = 0;
      for (var s = 0; s < f.splits.length; s++) if (x >= f.splits[s]) count++;
      bin = f.ranges[count];
    }
    for (var k = 0; k < f.specialCodes.length; k++) if (x === f.specialCodes[k][0]) bin = f.specialCodes[k][1];
    if (isNaN(x)) bin = f.missing_bin;
    return bin;
  };

  Engine.prototype.score = function (row) {
    var self = this;
    var bins = this.factors.map(function (f) { return self.binOf(f, row[f.column]); });
    var points = bins.map(function (b, j) { return self.factors[j].points[b]; });
    var total = points.reduce(function (a, b) { return a + b; }, 0);
    var pd = this.data.model.pd[total - this.firstScore];
    return { bins: bins, points: points, total: total, pd: pd === undefined ? null : npRound(pd, 6) };
  };

  // --- the policy (policy.py decide) ------------------------------------------------------------

  function matches(cond, raw) {
    var x, missing, wanted = cond.values;
    if (cond.how === "date") {
      x = toDay(raw); missing = isNaN(x);
    } else if (cond.how === "number") {
      x = toNumber(raw); missing = isNaN(x);
    } else {
      missing = isMissing(raw) || String(raw).trim() === "";
      x = missing ? "" : String(raw).trim();
    }
    if (missing) return cond.missing_match;
    switch (cond.op) {
      case "eq": return x === wanted[0];
      case "ne": return x !== wanted[0];
      case "lt": return x < wanted[0];
      case "le": return x <= wanted[0];
      case "gt": return x > wanted[0];
      case "ge": return x >= wanted[0];
      case "between": return x >= wanted[0] && x <= wanted[1];
      case "in": return wanted.indexOf(x) >= 0;
      case "not_in": return wanted.indexOf(x) < 0;
    }
    throw new Error("unknown condition op " + cond.op);
  }

  function allMatch(conditions, row) {
    for (var i = 0; i < conditions.length; i++) if (!matches(conditions[i], row[conditions[i].column])) return false;
    return true;
  }

  Engine.prototype.decide = function (total, row) {
    var p = this.policy, base = p.cutoff, hard = -1;
    for (var i = 0; i < p.hard_rules.length && hard < 0; i++) if (allMatch(p.hard_rules[i].when, row)) hard = i;
    var evaluated = hard < 0;
    var applies = p.overlays.map(function (o) { return evaluated && allMatch(o.when, row); });
    var cutoff = base;
    p.overlays.forEach(function (o, k) { if (o.kind === "cutoff" && applies[k]) cutoff = Math.max(cutoff, o.cutoff); });
    var approved = evaluated && total >= cutoff;
    var band = -1, bandLimit = 0;
    if (approved) {
      for (var b = 0; b < p.bands.length; b++) if (p.bands[b].min_score <= total) band = b;
      bandLimit = p.bands[Math.max(band, 0)].limit;
    }
    var cap = INF;
    p.overlays.forEach(function (o, k) {
      if (o.kind === "limit_cap") {
        applies[k] = applies[k] && approved;
        if (applies[k]) cap = Math.min(cap, o.cap);
      }
    });
    var limit = approved ? Math.min(bandLimit, cap) : 0;
    var overlays = [];
    p.overlays.forEach(function (o, k) {
      if (!applies[k]) return;
      if (o.kind === "cutoff") {
        overlays.push({ code: o.code, kind: o.kind, changed_outcome: total >= base && total < o.cutoff,
                        before: base, after: o.cutoff });
      } else {
        overlays.push({ code: o.code, kind: o.kind, changed_outcome: bandLimit > o.cap,
                        before: bandLimit, after: Math.min(bandLimit, o.cap) });
      }
    });
    var top = p.bands.length - 1;
    var nextBand = approved && band < top && limit < cap ? p.bands[band + 1].min_score : -1;
    // The affordability guard (policy.decide): any of its conditions; plans aim at the cutoff or
    // the next band (never under the guard), plus the margin.
    var guard = false;
    if (evaluated && p.affordability) {
      for (var a = 0; a < p.affordability.length && !guard; a++) {
        if (matches(p.affordability[a], row[p.affordability[a].column])) guard = true;
      }
    }
    var target = !evaluated ? -1 : !approved ? cutoff : guard ? -1 : nextBand;
    if (target >= 0) target += p.margin || 0;
    var code, outcome;
    if (!evaluated) {
      code = p.hard_rules[hard].code; outcome = p.hard_rules[hard].outcome;
    } else if (approved) {
      code = "APPROVED"; outcome = "approved";
    } else {
      code = total >= base ? "DECLINED_OVERLAY" : "DECLINED_SCORE"; outcome = "declined";
    }
    return { code: code, outcome: outcome, hard: hard, cutoff: evaluated ? cutoff : base, base_cutoff: base,
             limit: limit, band: approved ? band : -1, next_band_score: nextBand, overlays: overlays,
             guard: guard, target: target };
  };

  // --- reasons (reasons.py) ---------------------------------------------------------------------

  Engine.prototype.betterBins = function (f, current) {
    var here = f.points[current], better = [];
    f.bins.forEach(function (b, i) {
      if ((b.kind === "range" || b.kind === "categories") && b.points > here) better.push(i);
    });
    return better.sort(function (a, b) { return (f.points[b] - f.points[a]) || (a - b); });
  };

  // Causes (reasons.cause_index): a reason group or a factor alone; a cause's shortfall is the sum
  // of its factors', its representative the member furthest below (the first of equals).
  Engine.prototype.rankReasons = function (points, baseline) {
    var short = points.map(function (p, j) { return npRound(baseline[j] - p, 2); });
    var causes = this.data.causes, n = 0, j;
    for (j = 0; j < causes.length; j++) n = Math.max(n, causes[j] + 1);
    var total = new Array(n).fill(0), rep = new Array(n).fill(-1);
    for (j = 0; j < short.length; j++) {
      var c = causes[j];
      total[c] += short[j];
      if (rep[c] < 0 || short[j] > short[rep[c]]) rep[c] = j;
    }
    total = total.map(function (x) { return npRound(x, 2); });
    var real = [];
    for (c = 0; c < n; c++) if (total[c] > this.rules.min_shortfall) real.push(c);
    real.sort(function (a, b) { return (total[b] - total[a]) || (a - b); });
    return real.slice(0, this.rules.max_reasons).map(function (c) { return { factor: rep[c], below: total[c] }; });
  };

  function reasonCode(name, kind, group) {
    return (group || name).toUpperCase() + "." + (kind === "special" ? "SPECIAL" : kind === "missing" ? "MISSING" : "VALUE");
  }

  // --- recourse (recourse.py) -------------------------------------------------------------------

  // Every move of one factor: per bin, {gain, cost (cost units, INF: not allowed), steps, to}.
  Engine.prototype.moves = function (f, here, raw) {
    var nb = f.bins.length, out = [];
    var gain = f.points.map(function (p) { return p - f.points[here]; });
    for (var b = 0; b < nb; b++) out.push({ gain: gain[b], cost: INF, steps: 0, to: null });
    if ((f.advice !== "act" && f.advice !== "wait") || f.helps === "none") return out;
    var noRecord = f.noRecord[here];
    if (noRecord) {  // supplying the record: one action, counted at the lowest-scoring bin
      if (f.supply_bin >= 0 && gain[f.supply_bin] > 0) {
        out[f.supply_bin].steps = 1; out[f.supply_bin].cost = f.effort; out[f.supply_bin].to = null;
      }
      return out;
    }
    if (f.kind === "categorical") {
      f.bins.forEach(function (t, b) {
        if (t.kind !== "categories" || !t.categories.length || !(gain[b] > 0)) return;
        out[b].steps = 1; out[b].cost = f.effort; out[b].to = t.categories[0];
      });
      return out;
    }
    var s0 = toNumber(raw);
    var extra = 0;
    var loBound = f.min === null ? -INF : f.min, hiBound = f.max === null ? INF : f.max;
    var floor = fallsToFloor(f) ? f.min : null;
    for (b = 0; b < nb; b++) {
      var lo = f.lo[b], up = f.up[b], t, ok;
      if (floor !== null) {  // recourse._falls_to_floor: a rolling-window count's only move is to its lowest value
        t = floor;
        ok = f.bins[b].kind === "range" && lo <= floor && floor < up && s0 > floor && gain[b] > 0;
      } else {
        if (f.helps === "increase") {
          t = s0 >= lo ? s0 : f.edges[b];
          ok = s0 < up && t < up;
        } else {
          t = s0 < up ? s0 : f.edges[b];
          ok = s0 >= lo && t >= lo;
        }
        ok = ok && f.bins[b].kind === "range" && t >= loBound && t <= hiBound && gain[b] > 0 && isFinite(t);
      }
      if (ok && f.special_numbers.indexOf(t) >= 0) ok = false;
      var moved = ok ? Math.ceil(npRound(Math.abs(t - s0) / f.step, 9)) : 0;
      if (f.kind === "flag") moved = Math.min(moved, 1);
      var steps = moved + extra;
      if (ok && steps > 0) {
        out[b].steps = steps; out[b].cost = steps * f.effort; out[b].to = t;
      }
    }
    return out;
  };

  // recourse._falls_to_floor: a rolling-window count that helps by falling moves only to its lowest value.
  function fallsToFloor(f) {
    return f.advice === "wait" && f.window_days !== null && f.window_days !== undefined &&
      f.helps === "decrease" && f.min !== null;
  }

  // Add one factor to a table of least costs per points gained (capped at the gap): the "stay"
  // column, then every move; states at or above the gap merge into the gap state.
  function transition(table, hereBin, points, moves, gap, forced) {
    var out = forced ? new Array(table.length).fill(INF) : table.slice();  // forced: no "stay"
    var here = points[hereBin];
    for (var b = 0; b < moves.length; b++) {
      var c = moves[b].cost;
      if (!(points[b] > here) || c === INF) continue;
      var g = points[b] - here, s;
      if (g <= gap) {
        for (s = g; s <= gap; s++) if (table[s - g] + c < out[s]) out[s] = table[s - g] + c;
        var least = INF;
        for (s = gap + 1 - g; s <= gap; s++) if (table[s] < least) least = table[s];
        if (least + c < out[gap]) out[gap] = least + c;
      } else {
        var all = INF;
        for (s = 0; s <= gap; s++) if (table[s] < all) all = table[s];
        if (all + c < out[gap]) out[gap] = all + c;
      }
    }
    return out;
  }

  // Which move of one factor led to after[state]: [bin or -1 for stay, earlier state]. "Stay"
  // first, then bins in order, as recourse._step_back.
  function stepBack(before, after, state, hereBin, points, moves, gap, forced) {
    var value = after[state];
    if (!forced && before[state] === value) return [-1, state];
    var here = points[hereBin];
    for (var b = 0; b < moves.length; b++) {
      var g = points[b] - here, c = moves[b].cost;
      if (!(g > 0) || c === INF) continue;
      var p = -1;
      if (state < gap && state - g >= 0) {
        p = state - g;
      } else if (state === gap) {
        var lo = Math.min(Math.max(gap - g, 0), gap), best = INF;
        for (var s = lo; s <= gap; s++) if (before[s] < best) { best = before[s]; p = s; }
        if (p < 0) p = lo;
      }
      if (p >= 0 && before[p] + c === value) return [b, p];
    }
    return [-1, state];
  }

  // recourse._solve_chunk for one row; must[j]: factor j must move (the affordability guard).
  Engine.prototype.solve = function (here, moves, gap, must) {
    var k = here.length, points = this.factors.map(function (f) { return f.points; });
    must = must || new Array(k).fill(false);
    var start = new Array(gap + 1).fill(INF);
    start[0] = 0;
    var prefix = [start], suffix = new Array(k + 1);
    for (var j = 0; j < k; j++) prefix.push(transition(prefix[j], here[j], points[j], moves[j], gap, must[j]));
    suffix[k] = start;
    for (j = k - 1; j >= 0; j--) suffix[j] = transition(suffix[j + 1], here[j], points[j], moves[j], gap, must[j]);
    var bestCost = prefix[k][gap];
    if (bestCost === INF) return [];

    function walkPrefix(upto, state, out) {
      for (var j = upto - 1; j >= 0; j--) {
        var step = stepBack(prefix[j], prefix[j + 1], state, here[j], points[j], moves[j], gap, must[j]);
        out[j] = step[0]; state = step[1];
      }
    }
    function walkSuffix(from, state, out) {
      for (var j = from; j < k; j++) {
        var step = stepBack(suffix[j + 1], suffix[j], state, here[j], points[j], moves[j], gap, must[j]);
        out[j] = step[0]; state = step[1];
      }
    }
    var first = new Array(k).fill(-1);
    walkPrefix(k, gap, first);
    var plans = [{ bins: first, cost: bestCost }];

    // For each factor f that plan 1 changes (and that may stay): the cheapest plan leaving f alone.
    var alts = [];
    for (var f = 0; f < k; f++) {
      if (first[f] < 0 || must[f]) continue;
      var ahead = suffix[f + 1], aheadMin = ahead.slice();
      for (var t = gap - 1; t >= 0; t--) aheadMin[t] = Math.min(aheadMin[t], aheadMin[t + 1]);
      var s1 = 0, value = INF;
      for (var s = 0; s <= gap; s++) {
        var total = prefix[f][s] + aheadMin[Math.max(gap - s, 0)];
        if (total < value) { value = total; s1 = s; }
      }
      if (value === INF) continue;
      var lo = Math.max(gap - s1, 0), s2 = lo, least = INF;
      for (s = lo; s <= gap; s++) if (ahead[s] < least) { least = ahead[s]; s2 = s; }
      var out = new Array(k).fill(-1);
      walkPrefix(f, s1, out);
      walkSuffix(f + 1, s2, out);
      if (this.outwaits(here, moves, first, out, f)) continue;
      alts.push({ f: f, cost: value, bins: out });
    }
    alts.sort(function (a, b) { return (a.cost - b.cost) || (a.f - b.f); });
    var second = null;
    for (var i = 0; i < alts.length && plans.length < this.rules.max_plans; i++) {
      var set = alts[i].bins.map(function (x) { return x >= 0; });
      if (second !== null && set.every(function (x, j) { return x === second[j]; })) continue;
      plans.push({ bins: alts[i].bins, cost: alts[i].cost });
      if (second === null) second = set;
    }
    return plans;
  };

  // recourse._drop_outwaiting: an alternative leaving alone f, a wait plan 1 takes, while itself waiting
  // at least as long, answers nothing (a plan of waits alone stays where plan 1 has an action).
  Engine.prototype.outwaits = function (here, moves, first, alt, f) {
    var self = this;
    function days(j, b) {  // a move's wait in days; 0 for an action or a supplied record
      var x = self.factors[j];
      if (x.advice !== "wait" || x.noRecord[here[j]]) return 0;
      return self.waitDays(x, moves[j][b].steps);
    }
    var waited = days(f, first[f]);
    if (!waited) return false;
    var longest = 0, altActs = false, firstActs = false;
    for (var j = 0; j < alt.length; j++) {
      if (alt[j] >= 0) { var d = days(j, alt[j]); if (d > longest) longest = d; if (!d) altActs = true; }
      if (first[j] >= 0 && !days(j, first[j])) firstActs = true;
    }
    return longest >= waited && (altActs || !firstActs);
  };

  // recourse.guard_clearance: under the guard, each condition that holds moves the factor reading its
  // column, only into bins that no longer meet it; a condition on a column no factor reads: no plan.
  Engine.prototype.guardClearance = function (row, moves) {
    var factors = this.factors, must = factors.map(function () { return false; });
    var out = moves.slice(), blocked = false;
    this.policy.affordability.forEach(function (cond) {
      if (!matches(cond, row[cond.column])) return;
      var j = -1;
      factors.forEach(function (f, i) { if (j < 0 && f.column === cond.column) j = i; });
      if (j < 0) { blocked = true; return; }
      must[j] = true;
      out[j] = out[j].map(function (m) {
        return m.cost !== INF && matches(cond, m.to) ? Object.assign({}, m, { cost: INF }) : m;
      });
    });
    return { moves: out, must: must, blocked: blocked };
  };

  // recourse._add_wait_only: the cheapest plan made only of rolling-window waits takes the last
  // place, unless a plan shown is made only of waits already.
  Engine.prototype.addWaitOnly = function (here, moves, gap, plans) {
    var factors = this.factors;
    var waiting = factors.map(function (f, j) { return f.advice === "wait" && !f.noRecord[here[j]]; });
    var windowed = factors.map(function (f, j) {
      return waiting[j] && f.window_days !== null && f.window_days !== undefined;
    });
    var isWaitOnly = function (p) { return p.bins.every(function (b, j) { return b < 0 || waiting[j]; }); };
    if (plans.some(isWaitOnly)) return plans;
    var waitMoves = moves.map(function (m, j) {
      return windowed[j] ? m : m.map(function (x) { return Object.assign({}, x, { cost: INF }); });
    });
    var only = this.solve(here, waitMoves, gap);
    if (!only.length) return plans;
    var out = plans.slice();
    out[Math.min(out.length, this.rules.max_plans - 1)] = only[0];
    return out;
  };

  // --- values as records show them (records.py record_value) ------------------------------------

  function recordValue(value, f) {
    if (isMissing(value)) return null;
    if (f.kind === "categorical" || typeof value === "string") return String(value);
    var number = Number(value);
    if ((f.integer || f.kind === "flag") && Number.isInteger(number)) return number;
    return pyRound(number, 10);
  }

  // recourse.wait_days: a wait factor's wait, capped by its window (the window alone without days_per_step)
  Engine.prototype.waitDays = function (f, steps) {
    if (f.advice !== "wait") return null;
    if (f.days_per_step === null || f.days_per_step === undefined) return f.window_days === null ? null : f.window_days;
    var days = Math.max(1, Math.ceil(steps * f.days_per_step));
    return f.window_days === null || f.window_days === undefined ? days : Math.min(days, f.window_days);
  };

  function costOf(units) {
    return pyRound(units / 1000000, 6);
  }

  // explain._best_move: the reachable bin with the most points (ties: cheaper, then the first), or -1.
  function bestMove(moves) {
    var most = -1, pick = -1;
    moves.forEach(function (m) { if (m.cost !== INF && m.gain > most) most = m.gain; });
    if (!(most > 0)) return -1;
    moves.forEach(function (m, b) {
      if (m.cost !== INF && m.gain === most && (pick < 0 || m.cost < moves[pick].cost)) pick = b;
    });
    return pick;
  }

  // --- one record (explain.py) ------------------------------------------------------------------

  Engine.prototype.explain = function (row) {
    var self = this, factors = this.factors;
    var scored = this.score(row);
    var d = this.decide(scored.total, row);
    var assessed = d.hard < 0;
    var target = d.target;
    // reasons: measured at the cutoff, or at the next band for the approved below the top band
    var threshold = !assessed ? -1 : d.outcome === "declined" ? d.cutoff : d.next_band_score;
    var record = {
      decision: d.code, outcome: d.outcome,
      score: assessed ? scored.total : null, pd: assessed ? scored.pd : null,
      cutoff: d.cutoff, base_cutoff: d.base_cutoff, limit: d.limit,
      limit_band: d.band >= 0 ? this.policy.bands[d.band].name : null,
      next_band_score: d.next_band_score >= 0 ? d.next_band_score : null,
      hard_rule: assessed ? null : this.policy.hard_rules[d.hard].code,
      overlays: d.overlays,
      factors: [], reasons: [], recourse_target: null,
      recourse_status: assessed ? "not_needed" : "not_applicable", recourse: [],
      recourse_margin: this.policy.margin || 0, affordability_guard: d.guard
    };
    if (!assessed) return record;
    var moves = factors.map(function (f, j) { return self.moves(f, scored.bins[j], row[f.column]); });
    record.factors = factors.map(function (f, j) {
      // explain._factor_lines (as branch calc-next had it): the best reachable value, what pages call the best
      var b = scored.bins[j], best = bestMove(moves[j]), kind = f.bins[b].kind;
      return { factor: f.name, value: recordValue(row[f.column], f), bin: b, bin_kind: kind,
               points: scored.points[j], best_points: f.best_points,
               better_value: best >= 0 ? recordValue(moves[j][best].to, f) : null,
               wait_days: best >= 0 && kind === "range" ? self.waitDays(f, moves[j][best].steps) : null };
    });
    if (threshold >= 0) {
      var baseline = this.data.baselines[String(threshold)];
      record.reasons = this.rankReasons(scored.points, baseline).map(function (r) {
        var f = factors[r.factor], b = scored.bins[r.factor], kind = f.bins[b].kind;
        var members = f.group ? factors.filter(function (g) { return g.group === f.group; })
          .map(function (g) { return g.name; }) : [f.name];
        return { code: reasonCode(f.name, kind, f.group), factor: f.name, group: f.group || null, factors: members,
                 kind: kind === "special" ? "special" : kind === "missing" ? "missing" : "value",
                 points_below_baseline: npRound(r.below, 2), points_below_best: f.best_points - f.points[b],
                 value: recordValue(row[f.column], f), bin: b, bin_kind: kind, better_bins: self.betterBins(f, b),
                 cause_pages: f.cause_pages };
      });
    }
    var gap = target >= 0 ? target - scored.total : 0;
    if (gap > 0) {
      var clearance = d.guard ? this.guardClearance(row, moves) : { moves: moves, must: null, blocked: false };
      moves = clearance.moves;
      record.recourse_target = target;
      record.recourse_status = "infeasible";
      var reachable = 0;
      moves.forEach(function (m) {
        var most = 0;
        m.forEach(function (x) { if (x.cost !== INF && x.gain > most) most = x.gain; });
        reachable += most;
      });
      var plans = reachable < gap || clearance.blocked ? [] : this.solve(scored.bins, moves, gap, clearance.must);
      if (plans.length && !d.guard) plans = this.addWaitOnly(scored.bins, moves, gap, plans);
      if (plans.length) record.recourse_status = "found";
      record.recourse = plans.map(function (plan) {
        var changes = [], waits = [], gained = 0;
        plan.bins.forEach(function (b, j) {
          if (b < 0) return;
          var f = factors[j], m = moves[j][b];
          var move = f.noRecord[scored.bins[j]] ? "supply" : f.advice === "wait" ? "wait" : "act";
          var wait = move === "supply" ? null : self.waitDays(f, m.steps);
          changes.push({ factor: f.name, from_value: recordValue(row[f.column], f), to_value: recordValue(m.to, f),
                         from_bin: f.bins[scored.bins[j]].label, to_bin: f.bins[b].label, from_index: scored.bins[j],
                         to_index: b, points_gain: m.gain, cost: costOf(m.cost),
                         wait_days: wait, remedy_pages: f.remedy_pages, move: move });
          if (wait !== null) waits.push(wait);
          gained += m.gain;
        });
        return { changes: changes, new_score: scored.total + gained, cost: costOf(plan.cost),
                 wait_days: waits.length ? Math.max.apply(null, waits) : null };
      });
    }
    return record;
  };

  Engine.prototype.explainMany = function (rows) {
    var self = this;
    return rows.map(function (row) { return self.explain(row); });
  };

  global.ScorecardEngine = {
    create: function (data) { return new Engine(data); },
    npRound: npRound,
    matches: matches,
    toNumber: toNumber,
    toDay: toDay
  };
})(window);
