// dashboard.js: GET /dashboard, the maintainer's page. It holds no data: it asks for the
// STATS_TOKEN once (kept in the browser's localStorage), then draws every chart from /v1/stats.
// Charts are plain SVG drawn by the script below: no CDN, no library, nothing to fetch but the
// page itself. Every value from the API is written with textContent, never as HTML.

const PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>phonehome dashboard</title>
<link rel="icon" href="data:,">
<style>
:root { --ink: #1b1f24; --muted: #667085; --line: #e4e7ec; --bg: #f8f9fb; --accent: #3060d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .8rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.05rem; margin: 0 auto 0 0; }
select, input, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); gap: 1rem; padding: 1rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem 1rem; min-width: 0; }
section h2 { font-size: .95rem; margin: 0 0 .6rem; }
.cards { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem; }
.card b { display: block; font-size: 1.6rem; }
.card span, .note, .legend { color: var(--muted); font-size: .85rem; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .9rem; margin-top: .4rem; }
.legend i { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
svg { width: 100%; height: auto; display: block; }
svg text { font-size: 11px; fill: var(--muted); }
@media (max-width: 40rem) { svg text { font-size: 18px; } }
table { width: 100%; border-collapse: collapse; font-size: .88rem; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
#login section { grid-column: 1 / -1; max-width: 32rem; }
#login[hidden], main[hidden] { display: none; }
.empty { color: var(--muted); font-style: italic; }
</style>
</head>
<body>
<header>
  <h1>phonehome</h1>
  <label>Product <select id="product"></select></label>
  <label>Range <select id="range">
    <option value="30">30 days</option><option value="90">90 days</option>
    <option value="120" selected>120 days</option><option value="365">365 days</option>
  </select></label>
  <button id="logout" type="button">Forget token</button>
</header>
<main id="login" hidden>
  <section>
    <h2>Maintainer token</h2>
    <p class="note">Enter the STATS_TOKEN of this deployment. It stays in this browser only.</p>
    <form id="login-form"><input id="token" type="password" autocomplete="off" required size="32"> <button>Open</button></form>
    <p class="note" id="login-error"></p>
  </section>
</main>
<main id="dashboard" hidden>
  <div class="cards">
    <div class="card"><span>Events</span><b id="card-events">–</b></div>
    <div class="card"><span id="card-installs-label">Active installs, last day</span><b id="card-installs">–</b></div>
    <div class="card"><span id="card-new-label">New installs</span><b id="card-new">–</b></div>
    <div class="card"><span>Failure rate</span><b id="card-failures">–</b></div>
  </div>
  <section><h2>Active installs per day</h2><div id="chart-installs" data-chart></div></section>
  <section><h2>Version adoption</h2><div id="chart-versions" data-chart></div></section>
  <section><h2>Operating systems</h2><div id="chart-os" data-chart></div></section>
  <section><h2>Architectures</h2><div id="chart-arch" data-chart></div></section>
  <section><h2>Runtime versions</h2><div id="chart-runtime" data-chart></div></section>
  <section><h2>Events per type</h2><div id="chart-events" data-chart></div></section>
  <section><h2>Failure rate per version</h2><div id="chart-outcomes" data-chart></div></section>
  <section><h2>Rejected events</h2><div id="chart-rejections" data-chart></div></section>
</main>
<script>
"use strict";
const COLORS = ["#3060d0", "#e07b24", "#2e9d5b", "#c2413b", "#7a52c7", "#1f9fb4", "#b8860b", "#d0508f", "#5d6b7a", "#8fb530"];
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
let token = localStorage.getItem("phonehome.token") || "";

function el(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(n) {
  if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (n >= 1e4) return Math.round(n / 1e3) + "k";
  return String(n >= 10 ? Math.round(n) : Math.round(n * 100) / 100);
}

function empty(target, message) {
  target.replaceChildren();
  const p = document.createElement("p");
  p.className = "empty";
  p.textContent = message || "No data in this range.";
  target.append(p);
  target.dataset.points = "0";
}

function legend(target, names) {
  const box = document.createElement("div");
  box.className = "legend";
  names.forEach((name, i) => {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = COLORS[i % COLORS.length];
    item.append(swatch, document.createTextNode(name));
    box.append(item);
  });
  target.append(box);
}

// lines(): one line per series over the days; stacked: areas stacked bottom-up.
function timeChart(target, days, series, { stacked = false } = {}) {
  if (!days.length || !series.length) return empty(target);
  const W = 640, H = 220, L = 42, B = 22, T = 8;
  const svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img" });
  const totals = days.map((_, d) => stacked ? series.reduce((s, x) => s + x.values[d], 0) : Math.max(...series.map((x) => x.values[d])));
  const max = Math.max(1, ...totals);
  const x = (d) => L + (days.length === 1 ? 0 : (d * (W - L - 8)) / (days.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  for (let g = 0; g <= 4; g++) {
    const v = (max * g) / 4;
    svg.append(el("line", { x1: L, x2: W - 8, y1: y(v), y2: y(v), stroke: "#eef0f3" }));
    svg.append(el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
  }
  [0, Math.floor((days.length - 1) / 2), days.length - 1].forEach((d) => {
    svg.append(el("text", { x: x(d), y: H - 6, "text-anchor": d === 0 ? "start" : d === days.length - 1 ? "end" : "middle" }, days[d]));
  });
  const base = days.map(() => 0);
  let marks = 0;
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    if (stacked) {
      const top = s.values.map((v, d) => base[d] + v);
      const upper = top.map((v, d) => x(d) + "," + y(v));
      const lower = base.map((v, d) => x(d) + "," + y(v)).reverse();
      svg.append(el("polygon", { points: upper.concat(lower).join(" "), fill: color, "fill-opacity": 0.75, "data-series": s.name }));
      top.forEach((v, d) => { base[d] = v; });
    } else {
      svg.append(el("polyline", { points: s.values.map((v, d) => x(d) + "," + y(v)).join(" "), fill: "none", stroke: color, "stroke-width": 2, "data-series": s.name }));
    }
    marks += s.values.filter((v) => v > 0).length;
  });
  target.replaceChildren(svg);
  legend(target, series.map((s) => s.name));
  target.dataset.points = String(marks);
}

function barChart(target, items, { percent = false } = {}) {
  if (!items.length) return empty(target);
  const W = 640, row = 24, L = 130, H = items.length * row + 6;
  const max = Math.max(...items.map((i) => i.value), percent ? 0.0001 : 1);
  const svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img" });
  items.forEach((item, i) => {
    const w = ((W - L - 60) * item.value) / max;
    svg.append(el("text", { x: L - 8, y: i * row + 16, "text-anchor": "end" }, item.label));
    svg.append(el("rect", { x: L, y: i * row + 4, width: Math.max(1, w), height: row - 8, rx: 3, fill: COLORS[i % COLORS.length], "data-label": item.label }));
    svg.append(el("text", { x: L + w + 6, y: i * row + 16 }, percent ? (item.value * 100).toFixed(1) + "%" : fmt(item.value)));
  });
  target.replaceChildren(svg);
  target.dataset.points = String(items.length);
}

function table(target, headers, rows) {
  if (!rows.length) return empty(target, "No rejected events in this range.");
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  headers.forEach((h) => { const th = document.createElement("th"); th.textContent = h; head.append(th); });
  const body = t.createTBody();
  rows.forEach((r) => {
    const tr = body.insertRow();
    r.forEach((v, i) => { const td = tr.insertCell(); td.textContent = String(v); if (i === r.length - 1) td.className = "n"; });
  });
  target.replaceChildren(t);
  target.dataset.points = String(rows.length);
}

class Unauthorized extends Error {}

async function api(report, params) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch("/v1/stats/" + report + "?" + query, { headers: { authorization: "Bearer " + token } });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) throw new Error(report + ": " + response.status);
  return response.json();
}

function dayList(from, to) {
  const out = [];
  for (let t = Date.parse(from + "T00:00:00Z"); t <= Date.parse(to + "T00:00:00Z"); t += 86400000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

// bySeries(): breakdown rows as one series per value over the days, largest first, capped.
function bySeries(days, rows, values, measure, cap) {
  const index = new Map(days.map((d, i) => [d, i]));
  const named = values.slice(0, cap);
  const series = named.map((name) => ({ name, values: days.map(() => 0) }));
  const other = { name: "other", values: days.map(() => 0) };
  rows.forEach((r) => {
    const s = series.find((x) => x.name === r.value) || other;
    s.values[index.get(r.day)] += r[measure];
  });
  if (other.values.some((v) => v > 0) && !named.includes("other")) series.push(other);
  return series;
}

// totalsOf(): per value over the range, without "unknown" (events that do not carry the
// dimension at all, such as Langflow's runs for the OS), which would only dwarf the rest.
function totalsOf(rows, values, measure) {
  const totals = new Map();
  rows.forEach((r) => totals.set(r.value, (totals.get(r.value) || 0) + r[measure]));
  return values.filter((v) => v !== "unknown").map((v) => ({ label: v, value: totals.get(v) || 0 })).filter((i) => i.value > 0);
}

async function render() {
  const product = $("product").value;
  const span = Number($("range").value);
  const to = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  const from = new Date(Date.now() - span * 86400000).toISOString().slice(0, 10);
  const q = { product, from, to };
  const days = dayList(from, to);
  const [overview, versions, os, arch, runtime, events, outcomes, rejections] = await Promise.all([
    api("overview", q), api("breakdown", { ...q, dimension: "version" }), api("breakdown", { ...q, dimension: "os" }),
    api("breakdown", { ...q, dimension: "arch" }), api("breakdown", { ...q, dimension: "runtime_version" }),
    api("events", q), api("outcomes", { ...q, dimension: "version" }), api("rejections", q),
  ]);
  const measure = versions.group_measure;
  const daily = new Map(overview.days.map((d) => [d.day, d]));
  const sum = (k) => overview.days.reduce((s, d) => s + d[k], 0);
  $("card-events").textContent = fmt(sum("events"));
  const last = overview.days[overview.days.length - 1];
  const collectsInstalls = measure === "installs";
  $("card-installs-label").textContent = collectsInstalls ? "Active installs, last day" : "Events, last day";
  $("card-installs").textContent = last ? fmt(collectsInstalls ? last.installs : last.events) : "–";
  $("card-new-label").textContent = collectsInstalls ? "New installs" : measure === "sessions" ? "Sessions" : "Days with data";
  $("card-new").textContent = fmt(collectsInstalls ? sum("new_installs") : measure === "sessions" ? sum("sessions") : overview.days.length);
  const judged = sum("successes") + sum("failures");
  $("card-failures").textContent = judged ? (100 * sum("failures") / judged).toFixed(1) + "%" : "–";

  const installSeries = measure === "installs"
    ? [{ name: "active installs", values: days.map((d) => (daily.get(d) || {}).installs || 0) },
       { name: "new installs", values: days.map((d) => (daily.get(d) || {}).new_installs || 0) }]
    : [{ name: measure === "sessions" ? "sessions" : "events", values: days.map((d) => (daily.get(d) || {})[measure] || 0) }];
  timeChart($("chart-installs"), days, installSeries);
  timeChart($("chart-versions"), days, bySeries(days, versions.days.filter((r) => r.value !== "unknown"),
    versions.values.filter((v) => v !== "unknown"), measure, 7), { stacked: true });
  barChart($("chart-os"), totalsOf(os.days, os.values, "events"));
  barChart($("chart-arch"), totalsOf(arch.days, arch.values, "events"));
  barChart($("chart-runtime"), totalsOf(runtime.days, runtime.values, "events").slice(0, 10));
  const eventNames = [...new Set(events.days.map((r) => r.event))];
  const eventIndex = new Map(days.map((d, i) => [d, i]));
  const eventSeries = eventNames.map((name) => ({ name, values: days.map(() => 0) }));
  events.days.forEach((r) => { eventSeries[eventNames.indexOf(r.event)].values[eventIndex.get(r.day)] += r.events; });
  timeChart($("chart-events"), days, eventSeries, { stacked: true });
  // Events that report success but carry no version are shown per event type instead.
  const perVersion = outcomes.values.filter((v) => v.value !== "unknown");
  const perEvent = eventNames.map((name) => {
    const rows = events.days.filter((r) => r.event === name);
    const ok = rows.reduce((s, r) => s + r.successes, 0), failed = rows.reduce((s, r) => s + r.failures, 0);
    return { label: name + " (all versions)", value: ok + failed ? failed / (ok + failed) : -1 };
  }).filter((i) => i.value >= 0);
  if (perVersion.length) barChart($("chart-outcomes"), perVersion.map((v) => ({ label: v.value, value: v.failure_rate })), { percent: true });
  else if (perEvent.length) barChart($("chart-outcomes"), perEvent, { percent: true });
  else empty($("chart-outcomes"), "This product's events report no success or failure.");
  const grouped = new Map();
  rejections.rejections.forEach((r) => {
    const key = r.event + "\u0000" + r.code + "\u0000" + (r.version || "unknown");
    grouped.set(key, (grouped.get(key) || 0) + r.count);
  });
  table($("chart-rejections"), ["Event", "Code", "SDK version", "Count"],
    [...grouped.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, n]) => [...k.split("\u0000"), n]));
  document.body.dataset.rendered = product;
}

function showLogin(message) {
  $("dashboard").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

async function start() {
  if (!token) return showLogin();
  try {
    const { products } = await api("products", {});
    const select = $("product");
    const chosen = select.value || new URLSearchParams(location.search).get("product");
    select.replaceChildren(...products.map((p) => { const o = document.createElement("option"); o.value = p.product; o.textContent = p.title; return o; }));
    const withData = products.find((p) => p.total_events > 0) || products[0];
    select.value = products.some((p) => p.product === chosen) ? chosen : withData.product;
    $("login").hidden = true;
    $("dashboard").hidden = false;
    await render();
  } catch (error) {
    if (error instanceof Unauthorized) {
      localStorage.removeItem("phonehome.token");
      token = "";
      return showLogin("That token was refused.");
    }
    throw error;
  }
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  localStorage.setItem("phonehome.token", token);
  start();
});
$("logout").addEventListener("click", () => { localStorage.removeItem("phonehome.token"); token = ""; showLogin(); });
$("product").addEventListener("change", () => render());
$("range").addEventListener("change", () => render());
start();
</script>
</body>
</html>
`;

export function dashboardPage() {
  return PAGE;
}
