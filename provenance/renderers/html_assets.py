"""The stylesheet and script inlined into every HTML report. Kept as constants (not package data files) so a
report needs nothing but the installed package, and so their CSP hashes are computed from exactly what is sent.

The script only toggles classes and ARIA state on elements the server-side renderer produced; it never builds
markup from text, so an article can only ever reach the page through html.escape."""

from __future__ import annotations

CSS = """
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;
--copy:#cf222e;--copy-bg:#ffebe9;--rewrite:#9a6700;--rewrite-bg:#fff8c5;--added:#1a7f37;--added-bg:#dafbe1;
--boiler:#818b98;--omitted:#8250df;--omitted-bg:#fbefff;--link:#0969da;--mark-phrase:#ffcecb;--mark-quote:#c8e1ff}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;
--copy:#ff7b72;--copy-bg:#3c1618;--rewrite:#d29922;--rewrite-bg:#3b2e0a;--added:#3fb950;--added-bg:#12261e;
--boiler:#656c76;--omitted:#bc8cff;--omitted-bg:#271b3d;--link:#4493f8;--mark-phrase:#6e2b2b;--mark-quote:#1f3b63}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
header.summary{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{font-size:18px;margin:0 0 6px;font-weight:600;overflow-wrap:anywhere}
h1 .vs{color:var(--muted);font-weight:400}
.facts{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;color:var(--muted);font-size:13px}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;text-transform:uppercase;
letter-spacing:.04em;font-size:12px;color:#fff;background:var(--muted)}
.verdict.v-copy{background:var(--copy)}.verdict.v-rewrite{background:var(--rewrite)}
.verdict.v-partial{background:var(--link)}.verdict.v-independent{background:var(--added)}
svg.bar{display:block;width:100%;max-width:720px;height:12px;margin:10px 0 4px;border-radius:6px;overflow:hidden;
background:var(--card)}
.bar .copy{fill:var(--copy)}.bar .rewrite{fill:var(--rewrite)}.bar .added{fill:var(--added)}
.bar .boilerplate{fill:var(--boiler)}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--muted);margin-top:6px}
.chip{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.chip.copy{background:var(--copy)}.chip.rewrite{background:var(--rewrite)}.chip.added{background:var(--added)}
.chip.boilerplate{background:var(--boiler)}.chip.omitted{background:var(--omitted)}
.chip.phrase{background:var(--mark-phrase)}.chip.quote{background:var(--mark-quote)}
.notes{margin:8px 0 0;padding-left:18px;font-size:13px}.notes li{margin:2px 0}
.errors{color:var(--copy);font-weight:600}
main{display:grid;grid-template-columns:1fr 1fr;gap:0}
section.side{padding:0 20px 40px;min-width:0;scroll-padding:48px 0 12px}
section.side+section.side{border-left:1px solid var(--line)}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 -20px 10px;
padding:10px 20px 8px;overflow-wrap:anywhere;position:sticky;top:0;z-index:1;background:var(--bg);
border-bottom:1px solid var(--line)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0 0 10px;font-size:12px;
color:var(--muted)}dl.meta dt{font-weight:600}dl.meta dd{margin:0;overflow-wrap:anywhere}
.para{border:1px solid var(--line);border-left-width:4px;border-radius:6px;padding:8px 12px;margin:0 0 10px;
background:var(--bg);transition:box-shadow .12s,background .12s}
.para .head{display:flex;flex-wrap:wrap;gap:2px 10px;font-size:12px;color:var(--muted);margin:-8px -12px 6px;
padding:4px 12px;border-bottom:1px solid var(--line);border-radius:0 5px 0 0}
.para .uncounted{border:1px solid var(--line);border-radius:8px;padding:0 6px}
.para .rel{font-weight:700;text-transform:uppercase;letter-spacing:.04em}
.para p{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.para .why{font-size:12px;color:var(--muted);margin-top:4px}
details.furniture>summary{cursor:pointer;font-size:13px;color:var(--muted);margin:4px 0 10px}
.r-copy{border-left-color:var(--copy)}.r-copy .rel{color:var(--copy)}.r-copy .head{background:var(--copy-bg)}
.r-rewrite{border-left-color:var(--rewrite)}.r-rewrite .rel{color:var(--rewrite)}
.r-rewrite .head{background:var(--rewrite-bg)}
.r-added{border-left-color:var(--added)}.r-added .rel{color:var(--added)}.r-added .head{background:var(--added-bg)}
.r-boilerplate,.s-boilerplate{opacity:.55;border-left-color:var(--boiler);border-style:dashed}
.s-copied{border-left-color:var(--copy)}.s-rewritten{border-left-color:var(--rewrite)}
.s-copied .head{background:var(--copy-bg)}.s-rewritten .head{background:var(--rewrite-bg)}
.s-omitted .head{border-bottom-color:transparent}
.s-omitted{border-left-color:var(--omitted);background:var(--omitted-bg)}.s-omitted .rel{color:var(--omitted)}
[data-links]{cursor:pointer}
[data-links]:focus-visible{outline:2px solid var(--link);outline-offset:2px}
.is-hovered{box-shadow:0 0 0 2px var(--link)}
.is-selected{box-shadow:0 0 0 3px var(--link)}
.is-linked{box-shadow:0 0 0 3px var(--link);background:var(--card)}
mark{color:inherit;border-radius:2px;padding:0 1px}
mark.phrase{background:var(--mark-phrase)}
mark.quote{background:var(--mark-quote);text-decoration:underline dotted}
.hint{display:none}.js .hint{display:inline}
footer{padding:10px 24px 24px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media screen and (min-width:900px){body.report{height:100vh;display:flex;flex-direction:column;overflow:hidden}
body.report header.summary{flex:none;max-height:45vh;overflow:auto}body.report main{flex:1;min-height:0;
grid-template-rows:minmax(0,1fr)}body.report section.side{overflow:auto}body.report footer{display:none}}
@media (max-width:899px){main{grid-template-columns:1fr}section.side+section.side{border-left:0;
border-top:1px solid var(--line)}}
@media print{body.report{height:auto;display:block;overflow:visible}section.side{overflow:visible}
.para{break-inside:avoid}h2{position:static}.hint{display:none}
.para,.para .head,mark,.chip,svg.bar,.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
table.articles{border-collapse:collapse;width:100%;font-size:14px}
table.articles th,table.articles td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);
vertical-align:top;overflow-wrap:anywhere}
table.articles th,table.articles td.num,table.articles .verdict{white-space:nowrap}
table.articles th{font-size:12px;text-transform:uppercase;color:var(--muted);letter-spacing:.05em}
table.articles td.num{text-align:right;font-variant-numeric:tabular-nums}
a{color:var(--link)}
table.articles svg.bar{width:160px;margin:5px 0}
ul.sources{list-style:none;margin:0;padding:0}ul.sources li+li{margin-top:4px}
ul.sources .sub{display:block;color:var(--muted);font-size:12px}
.wrap{padding:16px 24px}
""".strip()

JS = """
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function ids(el) {
    var v = el.getAttribute("data-links");
    return v ? v.split(" ") : [];
  }
  function clear() {
    document.querySelectorAll(".is-linked, .is-selected").forEach(function (el) {
      el.classList.remove("is-linked", "is-selected");
      if (el.hasAttribute("aria-pressed")) { el.setAttribute("aria-pressed", "false"); }
    });
  }
  function select(el) {
    var was = el.classList.contains("is-selected");
    clear();
    if (was) { return; }
    el.classList.add("is-selected");
    el.setAttribute("aria-pressed", "true");
    var first = null;
    ids(el).forEach(function (id) {
      var t = document.getElementById(id);
      if (t) { t.classList.add("is-linked"); if (!first) { first = t; } }
    });
    if (first) { first.scrollIntoView({block: "nearest"}); }
  }
  function hover(el, on) {
    ids(el).forEach(function (id) {
      var t = document.getElementById(id);
      if (t) { t.classList.toggle("is-hovered", on); }
    });
  }
  document.querySelectorAll("[data-links]").forEach(function (el) {
    el.addEventListener("click", function () { select(el); });
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(el); }
    });
    el.addEventListener("mouseenter", function () { hover(el, true); });
    el.addEventListener("mouseleave", function () { hover(el, false); });
  });
})();
""".strip()
