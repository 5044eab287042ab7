"""The stylesheet and script embedded in the HTML page.

They are plain strings so the page stays one self-contained file; the page's
Content-Security-Policy allows exactly these two (by hash) and nothing else.
"""

from __future__ import annotations

CSS = """\
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fdfdfc; --muted: #5b5b5b;
  --line: #d8d8d4; --accent: #1a5fb4; --tag: #eef1f6; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e6e3; --bg: #181a1b; --muted: #a8a4a0; --line: #3a3d3f;
    --accent: #8ab4f8; --tag: #26292b; }
}
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem 1.1rem 3rem; color: var(--fg);
  background: var(--bg); font: 1.05rem/1.55 Georgia, "Times New Roman", serif; }
h1, h2, .controls, .toc, .tags, footer, .count { font-family: system-ui, -apple-system,
  "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.7rem; line-height: 1.2; margin: 0.5rem 0 0.2rem; }
h2 { font-size: 1.2rem; line-height: 1.3; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem;
  border-bottom: 1px solid var(--line); }
a { color: var(--accent); overflow-wrap: anywhere; }
.count, .status, footer, .annotation, .empty { color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end;
  margin: 1rem 0; padding: 0.8rem; border: 1px solid var(--line); border-radius: 0.4rem; }
.controls label { display: flex; flex-direction: column; font-size: 0.85rem; gap: 0.2rem;
  flex: 1 1 12rem; }
.controls input, .controls select { font: inherit; font-size: 1rem; padding: 0.35rem 0.4rem;
  min-height: 2.4rem; box-sizing: border-box; width: 100%; color: inherit;
  background: var(--bg); border: 1px solid var(--line); border-radius: 0.3rem; }
.status { flex: 1 1 100%; margin: 0; font-size: 0.85rem; }
.toc ol { margin: 0.3rem 0; padding-left: 1.3rem; }
.toc li { margin: 0.15rem 0; }
.toc .n { color: var(--muted); font-size: 0.85rem; }
.toc h2 { font-size: 1rem; border: 0; margin: 1rem 0 0; }
ol.entries { list-style: none; margin: 0; padding: 0; }
.entry { margin: 0 0 1rem; }
.cite { display: inline; }
.archived, .original { font-family: system-ui, sans-serif; font-size: 0.8rem;
  margin-left: 0.35rem; white-space: nowrap; }
.annotation { margin: 0.2rem 0 0; font-size: 0.95rem; }
.tags { margin: 0.25rem 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap;
  gap: 0.3rem; font-size: 0.75rem; }
.tags li { background: var(--tag); border-radius: 0.8rem; padding: 0.05rem 0.55rem; }
footer { margin-top: 3rem; font-size: 0.8rem; border-top: 1px solid var(--line);
  padding-top: 0.6rem; }
.intro { margin: 0.6rem 0 0; }
.intro p { margin: 0.5rem 0; }
.follow { margin: 0; font: 0.85rem system-ui, sans-serif; }
.tools { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.2rem 0.8rem;
  margin: 0.25rem 0 0; font: 0.8rem/1.4 system-ui, sans-serif; color: var(--muted); }
.tools a { color: var(--muted); }
.mark { overflow-wrap: anywhere; }
.mark-dead, .mark-failing, .mark-changed { color: var(--fg); font-weight: 600; }
.cite-tools summary { cursor: pointer; color: var(--accent); }
.cite-tools[open] { flex: 1 1 100%; }
.cite-format p { margin: 0.4rem 0 0.1rem; display: flex; gap: 0.5rem; align-items: center; }
.cite-format button { font: inherit; padding: 0.1rem 0.5rem; color: inherit;
  background: var(--tag); border: 1px solid var(--line); border-radius: 0.3rem; }
.cite-format pre { margin: 0; padding: 0.4rem; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; background: var(--tag); border-radius: 0.3rem; font-size: 0.75rem; }
.legend { margin-top: 2rem; font: 0.85rem/1.5 system-ui, sans-serif; color: var(--muted); }
.legend h2 { font-size: 1rem; }
.legend ul { padding-left: 1.1rem; }
.keeper p { margin: 0.3rem 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; color: #000; background: #fff; }
  .controls, .tags, .cite-tools, .permalink, .report, .follow { display: none !important; }
  a, .annotation, .count, .empty, .toc .n { color: #000; text-decoration: none; }
  .cite a[href]::after, .archived[href]::after { content: " <" attr(href) ">";
    font-size: 8.5pt; overflow-wrap: anywhere; }
  h2 { break-after: avoid; }
  .entry { break-inside: avoid; }
}
"""

# No framework and no ES modules: the page must work opened from disk, offline.
JS = """\
(function () {
  "use strict";
  var doc = document;
  var controls = doc.getElementById("controls");
  if (!controls) { return; }
  var search = doc.getElementById("search");
  var topic = doc.getElementById("topic");
  var style = doc.getElementById("style");
  var status = doc.getElementById("status");
  var entries = Array.prototype.slice.call(doc.querySelectorAll("li.entry"));
  var sections = Array.prototype.slice.call(doc.querySelectorAll("main section"));
  var texts = [];
  var total = 0;
  var seen = {};
  entries.forEach(function (li) {
    var key = li.getAttribute("data-key");
    if (!seen[key]) { seen[key] = true; total += 1; }
  });
  function fold(s) {
    return s.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  }
  function index() {
    texts = entries.map(function (li) {
      var parts = [];
      li.querySelectorAll(".cite:not([hidden]), .annotation, .tags").forEach(function (el) {
        parts.push(el.textContent);
      });
      return fold(parts.join(" "));
    });
  }
  function apply() {
    var words = fold(search.value).split(/\\s+/).filter(Boolean);
    var wanted = topic ? topic.value : "";
    var filtering = words.length > 0 || wanted !== "";
    var shown = {};
    var count = 0;
    entries.forEach(function (li, i) {
      var topics = " " + (li.getAttribute("data-topics") || "") + " ";
      var ok = (!wanted || topics.indexOf(" " + wanted + " ") >= 0) &&
        words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      li.hidden = !ok;
      var key = li.getAttribute("data-key");
      if (ok && !shown[key]) { shown[key] = true; count += 1; }
    });
    sections.forEach(function (sec) {
      var n = sec.querySelectorAll("li.entry:not([hidden])").length;
      sec.hidden = filtering && n === 0;
      var empty = sec.querySelector(".empty");
      if (empty) { empty.hidden = n !== 0 || filtering; }
      var link = doc.querySelector('.toc a[href="#' + sec.id + '"]');
      if (link) {
        link.parentNode.hidden = sec.hidden;
        var badge = link.parentNode.querySelector(".n");
        if (badge) { badge.textContent = "(" + n + ")"; }
      }
    });
    status.textContent = filtering ? count + " of " + total + " entries shown" : "";
  }
  function setStyle(name) {
    doc.querySelectorAll(".cite[data-style]").forEach(function (el) {
      el.hidden = el.getAttribute("data-style") !== name;
    });
    index();
    apply();
  }
  // The view lives in the address: #topic=ID&q=WORDS (also ?q=WORDS), so a view
  // can be shared and the back button returns to the previous one. A plain
  // #anchor is left to the browser.
  function readAddress() {
    var state = { topic: "", q: "" };
    var query = new URLSearchParams(location.search);
    if (query.has("q")) { state.q = query.get("q"); }
    if (query.has("topic")) { state.topic = query.get("topic"); }
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") >= 0) {
      var params = new URLSearchParams(hash);
      state.q = params.get("q") || "";
      state.topic = params.get("topic") || "";
    }
    return state;
  }
  function topicName() {
    if (!topic || !topic.value) { return ""; }
    return topic.options[topic.selectedIndex].getAttribute("data-name") || "";
  }
  function writeAddress(push) {
    var params = new URLSearchParams();
    if (topicName()) { params.set("topic", topicName()); }
    if (search.value.trim()) { params.set("q", search.value.trim()); }
    var text = params.toString();
    var hash = text ? "#" + text : "";
    if (hash === location.hash || (!hash && location.hash.indexOf("=") < 0)) { return; }
    var url = location.pathname + (hash ? "" : location.search.replace(/([?&])q=[^&]*/, "$1")) + hash;
    if (push) { history.pushState(null, "", url || "#"); }
    else { history.replaceState(null, "", url || "#"); }
  }
  function restore() {
    var state = readAddress();
    search.value = state.q;
    if (topic) {
      topic.value = "";
      Array.prototype.forEach.call(topic.options, function (o) {
        if (state.topic && o.getAttribute("data-name") === state.topic) { topic.value = o.value; }
      });
    }
    apply();
  }
  ["input", "search"].forEach(function (name) {
    search.addEventListener(name, function () { apply(); writeAddress(false); });
  });
  search.addEventListener("change", function () { apply(); writeAddress(true); });
  if (topic) { topic.addEventListener("change", function () { apply(); writeAddress(true); }); }
  if (style) { style.addEventListener("change", function () { setStyle(style.value); }); }
  window.addEventListener("popstate", restore);
  window.addEventListener("hashchange", restore);
  // The cite control: copy the text, or save it as a file, without any network.
  doc.querySelectorAll(".cite-format").forEach(function (box) {
    var pre = box.querySelector("pre");
    var copy = doc.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy";
    copy.addEventListener("click", function () {
      var range = doc.createRange();
      range.selectNodeContents(pre);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var done = function () { copy.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(pre.textContent).then(done, function () {
          if (doc.execCommand("copy")) { done(); }
        });
      } else if (doc.execCommand("copy")) { done(); }
    });
    var save = doc.createElement("button");
    save.type = "button";
    save.textContent = "Download";
    save.addEventListener("click", function () {
      var link = doc.createElement("a");
      link.href = URL.createObjectURL(new Blob([pre.textContent + "\\n"], { type: "text/plain" }));
      link.download = box.getAttribute("data-filename");
      doc.body.appendChild(link);
      link.click();
      link.remove();
    });
    box.querySelector("p").appendChild(copy);
    box.querySelector("p").appendChild(save);
  });
  controls.hidden = false;
  index();
  restore();
}());
"""
