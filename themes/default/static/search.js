// cheatgen card search: loads the sharded index under <base>/search/ on demand and ranks
// cards exactly like the Rust side (src/search/query.rs, tokenize.rs); keep them in step.
(function () {
  "use strict";

  var PREFIX_MAX = 12, PREFIX_FEW = 2, PREFIX_SHORT = 4, TYPO_MAX = 6, MAX_WORDS = 16;
  var Q_EXACT = 100, Q_STEM = 80, Q_PREFIX = 50, Q_SHORTER = 45, Q_TYPO = 25, Q_COMPOUND = 50;
  var SHEET_BOOST_HALVES = 4, F_SHEET = 2, COMMON_MARK = "!", CARDS = 4096;
  var MAX_TERM = 48, UI_LIMIT = 12;
  var ALPHABET = "0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";
  var PART = /[\p{Alphabetic}\p{N}]/u;
  var COMPOUND_EXTRA = "_-./:@{}~+#$%=&|*!?<>";
  var TRIM = ".:,?!<>=|&*";

  var base = document.documentElement.getAttribute("data-cg-base") || "/";
  var cache = {};
  var metaPromise = null;

  // ---- index files -------------------------------------------------------------------
  function fetchText(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) return null;
      return r.arrayBuffer().then(function (buf) {
        var bytes = new Uint8Array(buf);
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
          var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
          return new Response(stream).text();
        }
        return new TextDecoder().decode(bytes);
      });
    });
  }
  function meta() {
    if (!metaPromise) {
      metaPromise = fetch(base + "search/meta.json", { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error("no search index");
        return r.json();
      });
    }
    return metaPromise;
  }
  function file(m, rel, parse) {
    if (!cache[rel]) {
      cache[rel] = fetchText(base + "search/" + rel + "?v=" + m.id).then(function (t) {
        return t === null ? null : parse(t);
      });
    }
    return cache[rel];
  }
  function dictKey(term) {
    var parts = [], alnum = 0, cs = chars(term);
    for (var i = 0; i < cs.length; i++) {
      parts.push(cs[i].codePointAt(0).toString(16));
      if (isPart(cs[i])) alnum++;
      if (alnum === 2 || parts.length === 4) break;
    }
    return parts.join("-");
  }
  // A dictionary file: sorted terms, front-coded (a line is one char `0` + n for the n
  // leading chars shared with the term before, then the rest), and each one's term shard
  // (`\t<name>`: this term and the following ones are in t/<name>.gz). Mirrors format::read_dict.
  function dictFile(m, term) {
    return file(m, "k/" + dictKey(term) + ".gz", function (t) {
      var terms = [], shards = [], shard = "", prev = "";
      t.split("\n").forEach(function (line) {
        if (!line) return;
        var tab = line.indexOf("\t");
        if (tab >= 0) { shard = line.slice(tab + 1); line = line.slice(0, tab); }
        var shared = Math.min(Math.max(line.charCodeAt(0) - 48, 0), prev.length);
        prev = prev.slice(0, shared) + line.slice(1);
        terms.push(prev);
        shards.push(shard);
      });
      return { terms: terms, shards: shards };
    }).then(function (d) { return d || { terms: [], shards: [] }; });
  }
  function dict(m, term) { return dictFile(m, term).then(function (d) { return d.terms; }); }
  var decoded = new Map();
  // idf × 1000 of every term looked up (global to the index): ranks terms and preview lines.
  var rarity = new Map();
  function idf(df, docs) {
    var n = Math.max(docs, 1);
    df = Math.min(Math.max(df, 1), n);
    return Math.round(Math.log(1 + (n - df + 0.5) / (df + 0.5)) * 1000);
  }
  function commonLimit(docs) { return Math.max(Math.floor(docs / 20), 500); }
  function postings(m, term) {
    if (decoded.has(term)) return Promise.resolve(decoded.get(term));
    return dictFile(m, term).then(function (d) {
      var lo = 0, hi = d.terms.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (d.terms[mid] < term) lo = mid + 1; else hi = mid; }
      return d.terms[lo] === term ? file(m, "t/" + d.shards[lo] + ".gz", JSON.parse) : null;
    }).then(function (map) {
      var raw = map && Object.prototype.hasOwnProperty.call(map, term) ? map[term] : null;
      var list = raw ? decode(raw) : [], df = list.length;
      if (raw && raw.charAt(0) === COMMON_MARK) df = Math.max(df, commonLimit(m.docs));
      var p = { list: list, idf: raw ? idf(df, m.docs) : 0 };
      decoded.set(term, p);
      if (raw) rarity.set(term, p.idf);
      return p;
    });
  }
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < 64; d++) DIGIT[ALPHABET.charCodeAt(d)] = d;
  // Postings (mirror of format::decode_postings): varints `(x << 7) | (newSheet << 6) |
  // mask`; for a new sheet x = (slot gap << 4) | min(position, 15), and a position of 15+
  // follows in a second varint. A doc id is slot * CARDS + position, ordered like the Rust u32.
  function decode(s) {
    var out = [], v = 0, mul = 1, slot = -1, card = 0, pending = -1;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), idx = c < 128 ? DIGIT[c] : -1;
      if (idx < 0) continue;
      v += (idx & 31) * mul;
      mul *= 32;
      if (idx < 32) continue;
      if (pending >= 0) {
        card = v + 15;
        out.push([slot * CARDS + card, pending]);
        pending = -1;
      } else if (Math.floor(v / 64) % 2) {
        slot += 1 + Math.floor(v / 2048);
        card = Math.floor(v / 128) % 16;
        if (card === 15) pending = v % 64; else out.push([slot * CARDS + card, v % 64]);
      } else {
        card += 1 + Math.floor(v / 128);
        out.push([slot * CARDS + card, v % 64]);
      }
      v = 0; mul = 1;
    }
    return out;
  }
  function entry(m, doc) {
    var per = m.docs_per_shard || 1, slot = Math.floor(doc / CARDS), card = doc % CARDS;
    return file(m, "d/" + slot + "-" + Math.floor(card / per) + ".gz", JSON.parse).then(function (list) {
      return list ? list[card % per] : null;
    });
  }

  // ---- tokenizer (mirror of tokenize.rs) --------------------------------------------
  function chars(s) { return Array.from(s); }
  function isPart(c) { return PART.test(c); }
  function isCompound(c) { return isPart(c) || COMPOUND_EXTRA.indexOf(c) >= 0; }
  function bytes(s) { return new TextEncoder().encode(s).length; }
  function trimEdges(s) {
    var a = chars(s), i = 0, j = a.length;
    while (i < j && TRIM.indexOf(a[i]) >= 0) i++;
    while (j > i && TRIM.indexOf(a[j - 1]) >= 0) j--;
    return a.slice(i, j).join("");
  }
  function splitBy(s, keep) {
    var out = [], cur = "";
    chars(s).forEach(function (c) { if (keep(c)) cur += c; else { out.push(cur); cur = ""; } });
    out.push(cur);
    return out;
  }
  var SYMBOL_EDGES = "\"'`()[]{},;";
  function symbol(word) {
    var a = chars(word), i = 0, j = a.length;
    while (i < j && SYMBOL_EDGES.indexOf(a[i]) >= 0) i++;
    while (j > i && SYMBOL_EDGES.indexOf(a[j - 1]) >= 0) j--;
    var w = a.slice(i, j), n = w.length, alnum = w.filter(isPart).length;
    var k = n;
    while (k > 0 && ".,:;!?".indexOf(w[k - 1]) >= 0) k--;
    var wordThenPunct = n > 0 && isPart(w[0]) && w.slice(0, k).every(isPart);
    return n >= 2 && n <= 4 && alnum < n && alnum <= 3 && !wordThenPunct ? w.join("") : null;
  }
  function firstCompound(word) {
    var chunks = splitBy(word, isCompound);
    for (var i = 0; i < chunks.length; i++) {
      var chunk = trimEdges(chunks[i]);
      if (!chunk) continue;
      var hasSep = chars(chunk).some(function (c) { return !isPart(c); });
      var parts = splitBy(chunk, isPart).filter(Boolean).length;
      if (hasSep && chars(chunk).length >= 2 && bytes(chunk) <= MAX_TERM && parts > 0) return chunk.toLowerCase();
    }
    var sym = symbol(word);
    return sym ? sym.toLowerCase() : null;
  }
  function parseQuery(text) {
    var chunks = [];
    text.split(/\s+/).filter(Boolean).forEach(function (word) {
      var compound = firstCompound(word);
      var runs = splitBy(word, isPart).map(function (p) { return p.toLowerCase(); })
        .filter(function (p) { return chars(p).length >= 2 && bytes(p) <= MAX_TERM; });
      var required = runs.length ? runs : (compound ? [compound] : []);
      if (!required.length) return;
      var uniq = [];
      required.forEach(function (r) { if (uniq.indexOf(r) < 0) uniq.push(r); });
      chunks.push({ required: uniq, compound: compound });
    });
    return chunks;
  }
  var STOP_WORDS = new Set(("a an and are as at be but by can do does for from how i if in into is it its me my of on or so " +
    "than that the then this to was we what when where which who why will with you your").split(" "));
  function stem(t) {
    if (t.length < 4 || !/^[a-z]+$/.test(t)) return t;
    var ends = function (x) { return t.slice(-x.length) === x; };
    if (t.length >= 5 && ends("ies")) return t.slice(0, -3) + "y";
    if (ends("sses") || ends("ches") || ends("shes") || ends("xes")) return t.slice(0, -2);
    if (["ss", "us", "is", "as", "os"].some(ends)) return t;
    if (t.length >= 7 && ends("ing")) return t.slice(0, -3);
    if (t.length >= 6 && ends("ed") && !ends("eed")) return t.slice(0, -2);
    if (ends("s")) return t.slice(0, -1);
    return t;
  }

  // ---- ranking (mirror of query.rs) ---------------------------------------------------
  function fieldWeight(mask) {
    var w = [10, 6, 4, 3, 2, 1], best = 0, fields = 0;
    for (var b = 0; b < 6; b++) if (mask & (1 << b)) { best = Math.max(best, w[b]); fields++; }
    return fields ? best * 2 + fields - 1 : 0;
  }
  function osa(a, b) {
    a = chars(a); b = chars(b);
    var d = [];
    for (var i = 0; i <= a.length; i++) { d.push([i]); }
    for (var j = 1; j <= b.length; j++) d[0][j] = j;
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
        d[i][j] = v;
      }
    }
    return d[a.length][b.length];
  }
  function cmpStr(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function sortedHas(list, t) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (list[mid] < t) lo = mid + 1; else hi = mid; }
    return list[lo] === t;
  }
  function expand(m, q, last, exactOnly) {
    return dictFile(m, q).then(function (d) {
      // Stems of a dictionary file are computed once per page, not per keystroke.
      var list = d.terms, stems = d.stems || (d.stems = list.map(stem));
      var out = [], seen = new Set(), add = function (t, quality) { out.push([t, quality]); seen.add(t); };
      var has = function (t) { return seen.has(t); };
      var lo = 0, hi = list.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (list[mid] < q) lo = mid + 1; else hi = mid; }
      if (list[lo] === q) { add(q, Q_EXACT); if (exactOnly) return out; }
      var qlen = chars(q).length, qStem = stem(q);
      if (qlen >= 4) list.forEach(function (t, i) { if (t !== q && stems[i] === qStem) add(t, Q_STEM); });
      list.forEach(function (t) {
        if (t.length >= q.length || !q.startsWith(t)) return;
        var n = chars(t).length;
        if (n >= 4 && n * 5 >= qlen * 2 && n < qlen && !has(t)) add(t, Q_SHORTER);
      });
      var pre = [];
      for (var i = lo; i < list.length && list[i].startsWith(q); i++) if (list[i] !== q && !has(list[i])) pre.push(list[i]);
      pre.sort(function (a, b) { return (chars(a).length - chars(b).length) || cmpStr(a, b); });
      var few = !last || qlen <= 2 ? PREFIX_FEW : qlen === 3 ? PREFIX_SHORT : PREFIX_MAX;
      pre.slice(0, few).forEach(function (t) { add(t, Q_PREFIX); });
      if (qlen >= 4 && !out.length) {
        var max = qlen >= 8 ? 2 : 1, typos = [];
        list.forEach(function (t) {
          if (Math.abs(chars(t).length - qlen) > max) return;
          var d = osa(q, t);
          if (d <= max) typos.push([d, t]);
        });
        typos.sort(function (a, b) { return (a[0] - b[0]) || cmpStr(a[1], b[1]); });
        typos.slice(0, TYPO_MAX).forEach(function (t) { add(t[1], Q_TYPO); });
      }
      return out;
    });
  }

  function search(query, limit) {
    limit = limit || UI_LIMIT;
    var started = performance.now();
    return meta().then(function (m) {
      var chunks = parseQuery(query), terms = [], literal = new Map();
      // Parts of a code token typed out are literal (mirror of query.rs).
      chunks.forEach(function (c, ci) {
        var token = !!c.compound && c.required.length > 1;
        c.required.forEach(function (t, pi) {
          if (terms.indexOf(t) < 0) terms.push(t);
          var isLiteral = token && !(ci === chunks.length - 1 && pi === c.required.length - 1);
          literal.set(t, (literal.has(t) ? literal.get(t) : true) && isLiteral);
        });
      });
      if (terms.some(function (t) { return !STOP_WORDS.has(t); })) terms = terms.filter(function (t) { return !STOP_WORDS.has(t); });
      terms = terms.slice(0, MAX_WORDS);
      if (!terms.length) return [];
      var lastCompound = chunks.length ? chunks[chunks.length - 1].compound : null;
      var complete = lastCompound ? dict(m, lastCompound).then(function (list) { return sortedHas(list, lastCompound); }) : Promise.resolve(false);
      return complete.then(function (lastComplete) {
        return Promise.all(terms.map(function (q, i) {
          return expand(m, q, i === terms.length - 1 && !lastComplete, i !== terms.length - 1 && literal.get(q) === true);
        }));
      }).then(function (expansions) {
        var wanted = [];
        expansions.forEach(function (ex) { ex.forEach(function (e) { wanted.push(e[0]); }); });
        var bonusChunks = chunks.filter(function (c) { return c.compound && !(c.required.length === 1 && c.required[0] === c.compound); });
        bonusChunks.forEach(function (c) { wanted.push(c.compound); });
        return Promise.all(wanted.map(function (t) { return postings(m, t); })).then(function (lists) {
          var byTerm = new Map();
          wanted.forEach(function (t, i) { byTerm.set(t, lists[i]); });
          var docs = new Map(), n = terms.length;
          expansions.forEach(function (ex, i) {
            ex.forEach(function (e) {
              var p = byTerm.get(e[0]);
              p.list.forEach(function (post) {
                var d = docs.get(post[0]);
                if (!d) { d = { word: new Array(n).fill(0), bonus: 0, names: false, terms: [] }; docs.set(post[0], d); }
                var s = p.idf * fieldWeight(post[1]) * e[1];
                if (s > d.word[i]) d.word[i] = s;
                if (e[1] >= Q_STEM && (post[1] & F_SHEET)) d.names = true;
                if (d.terms.indexOf(e[0]) < 0) d.terms.push(e[0]);
              });
            });
          });
          bonusChunks.forEach(function (c) {
            var p = byTerm.get(c.compound);
            p.list.forEach(function (post) {
              var d = docs.get(post[0]);
              if (!d) return;
              d.bonus += p.idf * fieldWeight(post[1]) * Q_COMPOUND;
              if (d.terms.indexOf(c.compound) < 0) d.terms.push(c.compound);
            });
          });
          var ranked = [];
          docs.forEach(function (d, doc) {
            var matched = d.word.filter(function (s) { return s > 0; }).length;
            var base = d.word.reduce(function (a, b) { return a + b; }, 0) + d.bonus;
            var score = Math.floor(base * matched * matched * (d.names ? SHEET_BOOST_HALVES : 2) / (n * n * 2));
            if (score > 0) ranked.push({ doc: doc, matched: matched, score: score, terms: d.terms.sort(cmpStr) });
          });
          ranked.sort(function (a, b) { return (b.score - a.score) || (a.doc - b.doc); });
          ranked = ranked.slice(0, limit);
          return Promise.all(ranked.map(function (r) { return entry(m, r.doc); })).then(function (entries) {
            var hits = [];
            ranked.forEach(function (r, i) { if (entries[i]) { r.entry = entries[i]; hits.push(r); } });
            window.cheatgen.lastSearch = { query: query, ms: performance.now() - started, urls: hits.map(function (h) { return h.entry.u; }) };
            return hits;
          });
        });
      });
    });
  }

  // ---- UI ----------------------------------------------------------------------------
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function mark(text, terms) {
    var lower = text.toLowerCase(), spans = [];
    terms.forEach(function (t) {
      var at = 0, i;
      while (t && (i = lower.indexOf(t, at)) >= 0) { spans.push([i, i + t.length]); at = i + t.length; }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var out = "", pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) return;
      out += esc(text.slice(pos, s[0])) + "<mark>" + esc(text.slice(s[0], s[1])) + "</mark>";
      pos = s[1];
    });
    return out + esc(text.slice(pos));
  }
  function preview(code, terms) {
    if (!code) return "";
    var lines = code.replace(/\n$/, "").split("\n");
    // The lines with the rarest matched terms (mirror of query.rs `matching_lines`), in order.
    var scored = [];
    lines.forEach(function (l, i) {
      var lo = l.toLowerCase(), score = 0;
      terms.forEach(function (t) { if (lo.indexOf(t) >= 0) score += rarity.get(t) || 0; });
      if (score > 0) scored.push([score, i, l]);
    });
    scored.sort(function (a, b) { return (b[0] - a[0]) || (a[1] - b[1]); });
    var hits = scored.slice(0, 4).sort(function (a, b) { return a[1] - b[1]; }).map(function (x) { return x[2]; });
    return (hits.length ? hits : lines.slice(0, 4)).map(function (l) { return mark(l, terms); }).join("\n");
  }

  function setup() {
    var input = document.getElementById("cg-q");
    var box = document.getElementById("cg-results");
    if (!input || !box) return;
    var active = -1, hits = [], seq = 0, timer = null;

    function items() { return box.querySelectorAll(".cg-hit"); }
    function setActive(i) {
      var list = items();
      if (!list.length) { active = -1; return; }
      active = (i + list.length) % list.length;
      list.forEach(function (el, j) { el.classList.toggle("active", j === active); });
      list[active].scrollIntoView({ block: "nearest" });
    }
    // The results are a region of plain lists of links (no listbox: a result holds a link
    // and a copy button, which options may not); the count is announced by #cg-status.
    var status = document.getElementById("cg-status");
    function say(text) { if (status) status.textContent = text; }
    function open(show) {
      box.hidden = !show;
    }
    function render(query, found) {
      hits = found;
      active = -1;
      if (!query.trim()) { open(false); box.innerHTML = ""; say(""); return; }
      if (!found.length) { box.innerHTML = '<p class="cg-none">No cards match “' + esc(query) + '”.</p>'; say("No cards match"); open(true); return; }
      var html = "", sheet = null, n = 0;
      var order = [], groups = {};
      found.forEach(function (h) {
        var key = h.entry.s + "\u0000" + h.entry.u.split("#")[0];
        if (!groups[key]) { groups[key] = []; order.push(key); }
        groups[key].push(h);
      });
      order.forEach(function (key) {
        var list = groups[key];
        html += '<section class="cg-r-sheet"><h3 class="cg-r-head">' + mark(list[0].entry.s, list[0].terms) + (list[0].entry.g ? ' <span class="cg-r-cat">· ' + esc(list[0].entry.g) + "</span>" : "") + '</h3><ul class="cg-r-list">';
        list.forEach(function (h) {
          var e = h.entry, code = preview(e.x, h.terms);
          html += '<li class="cg-hit" id="cg-hit-' + n + '" data-i="' + n + '">' +
            '<a class="cg-hit-title" href="' + esc(e.u) + '">' + mark(e.c, h.terms) + "</a>" +
            (code ? '<div class="cg-hit-code"><pre><code>' + code + "</code></pre>" +
              (e.k ? "" : '<button type="button" class="cg-copy" data-i="' + n + '" aria-label="Copy code">Copy</button>') + "</div>"
              : (e.e ? '<p class="cg-hit-text">' + mark(e.e, h.terms) + "</p>" : "")) +
            "</li>";
          h.n = n++;
        });
        html += "</ul></section>";
      });
      box.innerHTML = html;
      say(n + (n === 1 ? " card found" : " cards found") + "; Enter opens the first, Tab moves through them");
      open(true);
      setActive(0);
    }
    function run() {
      var query = input.value, mine = ++seq;
      if (!query.trim()) { render("", []); return; }
      search(query).then(function (found) { if (mine === seq) render(query, found); },
        function () { if (mine === seq) { box.innerHTML = '<p class="cg-none">Search index not available.</p>'; open(true); } });
    }
    function go(i) {
      var h = hits.filter(function (x) { return x.n === i; })[0];
      if (!h) return;
      open(false);
      var url = new URL(h.entry.u, location.href);
      if (url.pathname === location.pathname && url.hash) {
        location.hash = url.hash;
        window.cheatgen.flash && window.cheatgen.flash();
      } else {
        location.href = url.href;
      }
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 40); });
    input.addEventListener("focus", function () { meta().catch(function () {}); if (input.value.trim() && box.innerHTML) open(true); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); setActive(active + 1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
      else if (ev.key === "Enter") { ev.preventDefault(); if (active >= 0) go(active); }
      else if (ev.key === "Escape") { open(false); input.blur(); }
    });
    box.addEventListener("click", function (ev) {
      var copy = ev.target.closest(".cg-copy");
      if (copy) {
        ev.preventDefault(); ev.stopPropagation();
        var h = hits.filter(function (x) { return x.n === +copy.getAttribute("data-i"); })[0];
        if (h) window.cheatgen.copyText(h.entry.x.replace(/\n$/, "")).then(function () { copy.textContent = "Copied"; copy.classList.add("copied"); }, function () { copy.textContent = "Press Ctrl+C"; });
        input.focus();
        return;
      }
      var hit = ev.target.closest(".cg-hit");
      if (hit) { ev.preventDefault(); go(+hit.getAttribute("data-i")); }
    });
    document.addEventListener("keydown", function (ev) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName) || (document.activeElement && document.activeElement.isContentEditable);
      if ((ev.key === "/" && !typing) || (ev.key.toLowerCase() === "k" && (ev.ctrlKey || ev.metaKey))) {
        ev.preventDefault(); input.focus(); input.select();
      }
    });
    document.addEventListener("click", function (ev) { if (!ev.target.closest(".cg-search")) open(false); });
  }

  window.cheatgen = Object.assign(window.cheatgen || {}, { search: search, parseQuery: parseQuery });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
