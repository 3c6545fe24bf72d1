// The searchkz page: a client of the JSON API (/api/...).
// Article text is only ever put in the page as DOM text nodes (textContent,
// createTextNode), never as HTML: an article holding <script> shows it as text.
"use strict";

const TEXT = {
  kk: {
    query: "Іздеу сөзі", placeholder: "Мысалы: қоғамдық кеңес", search: "Іздеу",
    since: "Бастап", until: "Дейін", source: "Дереккөз", sort: "Реттеу",
    relevance: "Сәйкестігі", newest: "Ең жаңасы", oldest: "Ең ескісі", all: "Көшірмелерді де көрсету",
    found: "{total} нәтиже, {from}–{to} көрсетілген ({ms} мс)", none: "Ештеңе табылмады",
    suggest: "Мүмкін, іздегеніңіз:", prev: "← Алдыңғы", next: "Келесі →", page: "Бет {n}",
    copies: "+{n} көшірме", similar: "Ұқсас мақалалар", back: "← Нәтижелерге оралу",
    timeline: "Уақыт бойынша", undated: "күні жоқ: {n}", nodate: "күні жоқ",
    loading: "Іздеп жатыр…", error: "Қате: {msg}", switch: "English", partial: "Уақыт бітті: нәтиже толық емес",
    hello: "Қазақ жаңалықтарынан іздеу: сөздің кез келген түрі табылады (кеңес, кеңестердің, кеңесінің…).",
  },
  en: {
    query: "Search words", placeholder: "For example: қоғамдық кеңес", search: "Search",
    since: "From", until: "To", source: "Source", sort: "Order",
    relevance: "Relevance", newest: "Newest first", oldest: "Oldest first", all: "Show copies too",
    found: "{total} hits, showing {from}–{to} ({ms} ms)", none: "Nothing found",
    suggest: "Did you mean:", prev: "← Previous", next: "Next →", page: "Page {n}",
    copies: "+{n} copies", similar: "Similar articles", back: "← Back to the results",
    timeline: "Over time", undated: "undated: {n}", nodate: "no date",
    loading: "Searching…", error: "Error: {msg}", switch: "Қазақша", partial: "Time ran out: the results are partial",
    hello: "Search Kazakh news: every inflected form of a word is found (кеңес, кеңестердің, кеңесінің…).",
  },
};

let lang = localStorage.getItem("searchkz-lang") === "en" ? "en" : "kk";
let ticket = 0; // the latest render; older responses are dropped
const $ = (id) => document.getElementById(id);

function t(key, vars) {
  let s = TEXT[lang][key];
  for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", () => String(v)); // ($& in v stays)
  return s;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c); // strings become text nodes
  return node;
}

// text with the [start, end) spans wrapped in <mark>, as text nodes only; the API's offsets count
// characters (code points) and a JavaScript string counts UTF-16 units: an emoji is two of them
function marked(node, text, spans) {
  const units = [0]; // units[i]: where character i begins
  for (const ch of text) units.push(units[units.length - 1] + ch.length);
  const n = units.length - 1;
  let at = 0;
  for (const [s, e] of spans || []) {
    if (s < at || e > n) continue;
    node.append(text.slice(units[at], units[s]), el("mark", { text: text.slice(units[s], units[e]) }));
    at = e;
  }
  node.append(text.slice(units[at]));
  return node;
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-placeholder]")) node.placeholder = t(node.dataset.tPlaceholder);
  $("lang").textContent = t("switch");
  $("lang").lang = lang === "kk" ? "en" : "kk";
}

function params() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

function go(p) {
  const next = "#" + p.toString();
  if (next === location.hash) render();
  else location.hash = next;
}

async function api(path, p) {
  const res = await fetch("/api/" + path + "?" + p.toString(), { headers: { Accept: "application/json" } });
  let body;
  try { body = await res.json(); } catch (e) { body = { error: res.statusText }; }
  if (!res.ok) {
    const err = new Error(body.error || res.statusText);
    err.status = res.status;
    throw err;
  }
  return body;
}

function when(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : t("nodate");
}

function meta(item) {
  const parts = [when(item.date)];
  if (item.source && item.source !== item.id) parts.push(item.source);
  parts.push(item.id);
  return el("div", { class: "meta" }, parts.join(" · "));
}

function articleLink(id, q, children) {
  const p = new URLSearchParams({ id: id });
  if (q) p.set("q", q);
  const back = params();
  if (back.has("q") && !back.has("id")) p.set("from", back.toString());
  return el("a", { href: "#" + p.toString() }, ...children);
}

function status(text, cls) {
  const s = $("status");
  s.textContent = text;
  s.className = cls || "";
}

function clear() {
  $("hits").replaceChildren();
  $("pages").replaceChildren();
  $("timeline").replaceChildren();
  $("timeline").hidden = true;
  $("article").replaceChildren();
  $("article").hidden = true;
}

function fillForm(p) {
  $("q").value = p.get("q") || "";
  $("since").value = p.get("since") || "";
  $("until").value = p.get("until") || "";
  $("source").value = p.get("source") || "";
  $("sort").value = p.get("sort") || "relevance";
  $("all").checked = p.get("all") === "1";
}

function formParams() {
  const p = new URLSearchParams();
  p.set("q", $("q").value.trim());
  for (const name of ["since", "until", "source"]) if ($(name).value.trim()) p.set(name, $(name).value.trim());
  if ($("sort").value !== "relevance") p.set("sort", $("sort").value);
  if ($("all").checked) p.set("all", "1");
  const limit = params().get("limit");
  if (limit) p.set("limit", limit);
  return p;
}

function renderHit(hit, q) {
  const title = marked(el("span"), hit.title || hit.id, hit.title_highlights);
  const li = el("li", { class: "hit" },
    el("h2", {}, articleLink(hit.id, q, [title])),
    meta(hit),
    marked(el("p", { class: "snippet" }), hit.snippet || "", hit.highlights));
  if (hit.copies && hit.copies.length) {
    const list = el("ul", { class: "copies", hidden: "" });
    for (const id of hit.copies) list.append(el("li", {}, articleLink(id, q, [id])));
    const button = el("button", { type: "button", class: "more", "aria-expanded": "false" }, t("copies", { n: hit.copies.length }));
    button.addEventListener("click", () => {
      list.hidden = !list.hidden;
      button.setAttribute("aria-expanded", String(!list.hidden));
    });
    li.append(button, list);
  }
  return li;
}

function renderPages(p, res) {
  const nav = $("pages");
  const limit = res.limit;
  const page = Math.floor(res.offset / limit) + 1;
  // (groups: the results the pages hold, each group of copies once; a short page is the last)
  const last = res.hits.length < limit ? page : Math.max(page, Math.min(Math.ceil(res.groups / limit), Math.floor(1000 / limit) + 1));
  if (last <= 1) return;
  const link = (n, label, cls) => {
    const q = new URLSearchParams(p);
    q.set("page", String(n));
    const a = el("a", { href: "#" + q.toString(), class: cls || "" }, label);
    if (n === page) a.setAttribute("aria-current", "page");
    return a;
  };
  if (page > 1) nav.append(link(page - 1, t("prev"), "prev"));
  for (let n = Math.max(1, page - 3); n <= Math.min(last, page + 3); n++) {
    nav.append(link(n, String(n), "num"));
  }
  if (page < last) nav.append(link(page + 1, t("next"), "next"));
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// a timeline label ("2019", "2019-10", "2019-10-16") as its first and last day
function period(label) {
  const [y, m] = label.split("-").map(Number);
  if (label.length === 4) return [`${label}-01-01`, `${label}-12-31`];
  if (label.length === 7) return [`${label}-01`, `${label}-${new Date(Date.UTC(y, m, 0)).getUTCDate()}`];
  return [label, label];
}

function renderTimeline(f) {
  const box = $("timeline");
  const buckets = f.buckets || [];
  if (!buckets.length) return;
  const w = 600, h = 120, pad = 18;
  const max = Math.max(...buckets.map((b) => b.count), 1);
  const bw = (w - 2) / buckets.length;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h + pad}`, role: "img", class: "chart", "aria-label": t("timeline") });
  buckets.forEach(({ key: label, count: n }, i) => {
    const bh = Math.round((n / max) * (h - 4));
    const bar = svg("rect", { x: 1 + i * bw, y: h - bh, width: Math.max(bw - 1, 1), height: bh, class: "bar" });
    bar.append(svg("title", {}, `${label}: ${n}`));
    if (n && /^\d{4}(-\d{2}){0,2}$/.test(label)) { // a year, month or day: a link that filters to it
      const p = params();
      const [since, until] = period(label);
      p.set("since", since);
      p.set("until", until);
      p.delete("page");
      const link = svg("a", { href: "#" + p.toString(), "aria-label": `${label}: ${n}` });
      link.append(bar);
      chart.append(link);
    } else {
      chart.append(bar);
    }
  });
  chart.append(svg("text", { x: 1, y: h + pad - 4, class: "axis" }, buckets[0].key));
  if (buckets.length > 1) {
    chart.append(svg("text", { x: w - 1, y: h + pad - 4, class: "axis", "text-anchor": "end" }, buckets[buckets.length - 1].key));
  }
  const caption = [t("timeline")];
  if (f.undated) caption.push(t("undated", { n: f.undated }));
  box.append(el("h2", {}, caption.join(" · ")), chart);
  box.hidden = false;
}

async function showSearch(p, my) {
  fillForm(p);
  const q = p.get("q");
  status(t("loading"));
  const query = new URLSearchParams(p);
  let res;
  try {
    res = await api("search", query);
  } catch (e) {
    if (my === ticket) status(t("error", { msg: e.message }), "error");
    return;
  }
  if (my !== ticket) return;
  const from = res.hits.length ? res.offset + 1 : 0;
  status(res.hits.length ? t("found", { total: res.groups, from: from, to: res.offset + res.hits.length, ms: Math.round(res.seconds * 1000) }) : t("none"));
  if (res.suggestion) {
    const s = new URLSearchParams(p);
    s.set("q", res.suggestion);
    s.delete("page");
    $("status").append(" ", el("span", { class: "suggest" }, t("suggest") + " ", el("a", { href: "#" + s.toString() }, res.suggestion)));
  }
  for (const note of res.notices || []) $("status").append(el("div", { class: "notice" }, note));
  if (res.partial) $("status").append(el("div", { class: "notice" }, t("partial")));
  $("hits").start = res.offset + 1;
  $("hits").replaceChildren(...res.hits.map((h) => renderHit(h, q)));
  renderPages(p, res);
  const filt = new URLSearchParams();
  for (const name of ["q", "since", "until", "source"]) if (p.get(name)) filt.set(name, p.get(name));
  try {
    const f = await api("timeline", new URLSearchParams([...filt, ["by", "month"]]));
    if (my === ticket) renderTimeline(f);
  } catch (e) { /* an older server without timelines: no chart */ }
  try {
    const s = await api("facets", new URLSearchParams([["q", q], ["by", "source"]]));
    if (my === ticket) $("sources").replaceChildren(...s.buckets.map(({ key }) => el("option", { value: key })));
  } catch (e) { /* no source facets */ }
}

async function showArticle(p, my) {
  const id = p.get("id");
  const q = p.get("q") || "";
  fillForm(new URLSearchParams(p.get("from") || (q ? "q=" + encodeURIComponent(q) : "")));
  status(t("loading"));
  let doc;
  try {
    doc = await api("article", new URLSearchParams(q ? { id: id, q: q } : { id: id }));
  } catch (e) {
    if (my === ticket) status(t("error", { msg: e.message }), "error");
    return;
  }
  if (my !== ticket) return;
  status("");
  const box = $("article");
  const back = el("a", { href: "#" + (p.get("from") || (q ? "q=" + encodeURIComponent(q) : "")), class: "back", id: "back" }, t("back"));
  box.append(back,
    marked(el("h1", {}), doc.title || doc.id, doc.title_highlights),
    meta(doc),
    marked(el("div", { class: "text" }), doc.text, doc.highlights));
  if (doc.copies && doc.copies.length) {
    const list = el("ul", { class: "copies" });
    for (const cid of doc.copies) list.append(el("li", {}, articleLink(cid, q, [cid])));
    box.append(el("h2", {}, t("copies", { n: doc.copies.length })), list);
  }
  box.hidden = false;
  back.focus();
  try {
    const sim = await api("similar", new URLSearchParams({ id: id, limit: "5" }));
    if (my !== ticket || !sim.hits.length) return;
    const list = el("ol", { class: "similar" });
    for (const h of sim.hits) list.append(el("li", {}, articleLink(h.id, q, [h.title || h.id]), meta(h)));
    box.append(el("h2", {}, t("similar")), list);
  } catch (e) { /* an older server without similar articles */ }
}

function render() {
  const my = ++ticket;
  const p = params();
  clear();
  if (p.get("id")) return showArticle(p, my);
  if (p.get("q")) return showSearch(p, my);
  fillForm(p);
  status(t("hello"));
}

document.addEventListener("DOMContentLoaded", () => {
  applyLang();
  $("form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if ($("q").value.trim()) go(formParams());
  });
  for (const name of ["since", "until", "sort", "all"]) {
    $(name).addEventListener("change", () => { if ($("q").value.trim()) go(formParams()); });
  }
  $("lang").addEventListener("click", () => {
    lang = lang === "kk" ? "en" : "kk";
    localStorage.setItem("searchkz-lang", lang);
    applyLang();
    render();
  });
  document.addEventListener("keydown", (ev) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (ev.key === "/" && !typing) { ev.preventDefault(); $("q").focus(); $("q").select(); }
    if (ev.key === "Escape" && $("back") && !$("article").hidden) $("back").click();
  });
  window.addEventListener("hashchange", render);
  render();
});
