"""The status page: one self-contained HTML document that refreshes its own figures."""

STATUS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The Logbook status</title>
<style>
  :root { --up: #1a7f37; --down: #cf222e; --muted: #57606a; --line: #d0d7de; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
  header { padding: 16px; background: #fff; border-bottom: 1px solid var(--line); }
  h1 { margin: 0; font-size: 20px; }
  #overall { margin-top: 4px; font-weight: 600; }
  #overall.up { color: var(--up); } #overall.down { color: var(--down); }
  main { padding: 16px; display: grid; gap: 16px; max-width: 1100px; margin: 0 auto; }
  h2 { font-size: 16px; margin: 0 0 8px; }
  .grid { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
  .card .name { font-weight: 600; }
  .card .state { font-weight: 700; }
  .card[data-up="true"] .state { color: var(--up); }
  .card[data-up="false"] { border-color: var(--down); }
  .card[data-up="false"] .state { color: var(--down); }
  .meta { color: var(--muted); font-size: 13px; }
  .charts { display: grid; gap: 12px;
            grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
  svg { width: 100%; height: 70px; display: block; }
  .legend { font-size: 13px; color: var(--muted); }
  footer { color: var(--muted); font-size: 13px; text-align: center; padding: 8px 16px 24px; }
</style>
</head>
<body>
<header>
  <h1>The Logbook status</h1>
  <div id="overall">Loading…</div>
</header>
<main>
  <section><h2>Services</h2><div class="grid" id="services"></div></section>
  <section><h2>Dependencies</h2><div class="grid" id="dependencies"></div></section>
  <section>
    <h2>Events</h2>
    <div class="grid"><div class="card" id="outbox">
      <div class="name">Outbox backlog</div><div class="state" id="backlog">-</div>
      <div class="meta">events waiting to be published</div>
    </div></div>
  </section>
  <section><h2>Traffic, last 15 minutes</h2><div class="charts" id="charts"></div></section>
</main>
<footer id="updated"></footer>
<script>
"use strict";
const REFRESH_MS = 5000;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function since(seconds) {
  const age = Math.max(0, Date.now() / 1000 - seconds);
  if (age < 120) return Math.round(age) + " s";
  if (age < 7200) return Math.round(age / 60) + " min";
  return Math.round(age / 3600) + " h";
}

function card(component) {
  const node = el("div", {
    class: "card", "data-component": component.name, "data-up": String(component.up),
    "data-state": component.state,
  });
  node.append(
    el("div", { class: "name" }, component.label),
    el("div", { class: "state" }, component.state),
    el("div", { class: "meta" }, component.latency_ms.toFixed(1) + " ms"),
    el("div", { class: "meta" }, component.uptime_percent.toFixed(2) + "% up, "
      + component.state + " for " + since(component.state_since)),
  );
  return node;
}

function sparkline(values, colour) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 300 70");
  svg.setAttribute("preserveAspectRatio", "none");
  const known = values.filter((v) => v !== null);
  const top = Math.max(1, ...known);
  let path = "";
  values.forEach((value, index) => {
    if (value === null) return;
    const x = values.length < 2 ? 0 : (index / (values.length - 1)) * 300;
    const y = 68 - (value / top) * 64;
    const gap = index === 0 || values[index - 1] === null;
    path += (gap ? "M" : "L") + x.toFixed(1) + " " + y.toFixed(1) + " ";
  });
  const line = document.createElementNS(ns, "path");
  line.setAttribute("d", path.trim() || "M0 68 L300 68");
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", colour);
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  return svg;
}

function chart(service, requests, errors) {
  const node = el("div", { class: "card", "data-chart": service });
  const last = (list) => { const v = list.filter((x) => x !== null).pop(); return v ?? 0; };
  node.append(
    el("div", { class: "name" }, service),
    sparkline(requests, "#0969da"),
    sparkline(errors, "#cf222e"),
    el("div", { class: "legend" }, last(requests).toFixed(2) + " requests/s (blue), "
      + last(errors).toFixed(2) + " server errors/s (red)"),
  );
  return node;
}

function render(data) {
  const services = document.getElementById("services");
  const dependencies = document.getElementById("dependencies");
  services.replaceChildren(...data.components.filter((c) => c.kind === "service").map(card));
  dependencies.replaceChildren(...data.components.filter((c) => c.kind !== "service").map(card));
  const allUp = data.components.every((c) => c.up);
  const overall = document.getElementById("overall");
  overall.className = allUp ? "up" : "down";
  overall.textContent = allUp ? "All systems up" : "Some systems are down";
  document.getElementById("backlog").textContent =
    data.outbox_backlog === null ? "unknown" : String(data.outbox_backlog);
  const charts = document.getElementById("charts");
  charts.replaceChildren(...Object.keys(data.requests_per_second).map(
    (name) => chart(name, data.requests_per_second[name], data.errors_per_second[name])));
  document.getElementById("updated").textContent =
    "Updated " + new Date().toLocaleTimeString() + "; refreshes every 5 s";
}

async function refresh() {
  try {
    const response = await fetch("/status/data", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
  } catch (error) {
    const overall = document.getElementById("overall");
    overall.className = "down";
    overall.textContent = "The health service did not answer (" + error.message + ")";
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
</script>
</body>
</html>
"""
