// AegisKV's built-in dashboard: draws the cluster overview that /dashboard/events sends once a second.
"use strict";

const palette = ["#1565c0", "#2e7d32", "#6a1b9a", "#c62828", "#ef6c00", "#00838f", "#4e342e", "#ad1457", "#558b2f", "#283593"];
const colours = new Map();

function colourOf(node) {
  if (!colours.has(node)) colours.set(node, palette[colours.size % palette.length]);
  return colours.get(node);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "style") e.style.cssText = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return e;
}

function bytes(n) {
  if (n == null || n < 0) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return (u === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[u];
}

// A p99 is the upper bound of its power-of-two bucket: "at most".
function micros(us) {
  if (us == null || us < 0) return "-";
  return "≤ " + (us >= 1000 ? (us / 1000).toFixed(us >= 10000 ? 0 : 1) + " ms" : us + " µs");
}

function duration(s) {
  if (s == null) return "-";
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function number(n) { return n == null ? "-" : Number(n).toLocaleString("en-US"); }

// The checklist's thresholds: memory 80 % / 95 %, disk 70 % / 90 % used, p99 50 / 200 ms.
function level(value, warn, bad) { return value == null ? "" : value > bad ? "bad" : value > warn ? "warn" : ""; }

function bar(fraction, cls) {
  const b = el("span", { class: "bar " + cls });
  b.append(el("span", { style: `width:${Math.min(100, Math.round(fraction * 100))}%` }));
  return b;
}

function statusBadge(m) {
  if (!m.reachable) return el("span", { class: "badge bad" }, "unreachable");
  const cls = m.status === "Up" ? (m.figures && !m.figures.ready ? "warn" : "") : m.status === "Down" ? "bad" : "warn";
  const text = m.status === "Up" && m.figures && !m.figures.ready ? "Up, not ready" : m.status;
  return el("span", { class: "badge " + cls }, text);
}

function drawMembers(members) {
  const body = document.querySelector("#members tbody");
  body.replaceChildren(...members.map(m => {
    const f = m.figures;
    const role = [m.leader ? "leader" : null, `${m.primaries} primar${m.primaries === 1 ? "y" : "ies"}`,
      m.followers > 0 ? `${m.followers} follower${m.followers === 1 ? "" : "s"}` : null].filter(x => x).join(", ");
    let memory = "-";
    if (f) {
      const used = f.memoryMaxBytes > 0 ? f.memoryUsedBytes / f.memoryMaxBytes : null;
      memory = el("span", {}, used == null ? "" : bar(used, level(used, 0.8, 0.95)),
        bytes(f.memoryUsedBytes) + (f.memoryMaxBytes > 0 ? " / " + bytes(f.memoryMaxBytes) : ""));
    }
    const diskUsed = f && f.diskTotalBytes > 0 ? 1 - f.diskFreeBytes / f.diskTotalBytes : null;
    const p99 = f && f.p99Micros >= 0 ? f.p99Micros / 1000 : null;
    return el("tr", { "data-node": m.nodeId, "data-status": m.status, "data-reachable": String(m.reachable) },
      el("td", {}, el("span", { class: "swatch", style: `background:${colourOf(m.nodeId)}` }), m.nodeId),
      el("td", {}, statusBadge(m)),
      el("td", {}, role),
      el("td", {}, m.client ?? "-"),
      el("td", {}, f ? duration(f.uptimeSeconds) : "-"),
      el("td", { class: "n" }, f ? number(Math.round(f.opsPerSecond)) : "-"),
      el("td", { class: "n" }, f ? number(Math.round(f.errorsPerSecond * 10) / 10) : "-"),
      el("td", { class: "n " + level(p99, 50, 200) }, f ? micros(f.p99Micros) : "-"),
      el("td", {}, memory),
      el("td", { class: "n " + level(diskUsed, 0.7, 0.9) }, f ? bytes(f.diskFreeBytes) : "-"),
      el("td", { class: "n" }, f ? micros(f.fsyncP99Micros) : "-"),
      el("td", { class: "n" }, f ? number(f.connections) : "-"),
      el("td", { class: "n" }, f ? number(f.keys) : "-"));
  }));
}

function drawShards(shards, members) {
  const legend = document.getElementById("legend");
  legend.replaceChildren(...members.map(m =>
    el("span", {}, el("span", { class: "swatch", style: `background:${colourOf(m.nodeId)}` }), m.nodeId)));
  let moving = 0, lagging = 0;
  const cells = shards.map(s => {
    const away = s.state !== "serving";
    if (away) moving++;
    if (s.lag > 0) lagging++;
    const title = [`shard ${s.shard}, slots ${s.slots}`, `runs on ${s.owner ?? "no node"}`,
      s.followers.length ? `copies on ${s.followers.join(", ")}` : null, `state ${s.state ?? "no answer"}`,
      s.keys != null ? `${number(s.keys)} keys, ${bytes(s.bytes)}` : null, s.lag != null ? `lag ${s.lag}` : null].filter(x => x).join("\n");
    const cell = el("div", {
      class: "shard" + (s.owner ? "" : " none") + (away ? " moving" : ""), title,
      "data-shard": String(s.shard), "data-owner": s.owner ?? "", "data-state": s.state ?? "",
      style: s.owner ? `background:${colourOf(s.owner)}` : "",
    }, String(s.shard));
    if (s.lag > 0) cell.append(el("span", { class: "lag" }, String(s.lag)));
    if (s.followers.length) {
      const dots = el("span", { class: "copies" });
      for (const f of s.followers) dots.append(el("i", { style: `background:${colourOf(f)}` }));
      cell.append(dots);
    }
    return cell;
  });
  document.getElementById("shards").replaceChildren(...cells);
  document.getElementById("shard-summary").textContent =
    `${shards.length} shards, ${moving} moving or not answering` + (lagging ? `, ${lagging} lagging` : "");
}

function draw(overview) {
  const members = overview.members;
  for (const m of members) colourOf(m.nodeId);
  drawMembers(members);
  drawShards(overview.shards, members);
  const ops = members.reduce((sum, m) => sum + (m.figures ? m.figures.opsPerSecond : 0), 0);
  document.getElementById("summary").textContent =
    `${members.length} member${members.length === 1 ? "" : "s"}, leader ${overview.leader ?? "none"}, seen from ${overview.self}, ` +
    `${number(Math.round(ops))} ops/s, updated ${new Date(overview.at).toLocaleTimeString()}`;
  document.body.dataset.members = String(members.length);
  document.body.dataset.updated = String(overview.at);
}

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource("/dashboard/events");
  source.onmessage = e => {
    live.textContent = "live";
    live.classList.remove("off");
    draw(JSON.parse(e.data));
  };
  // EventSource reconnects by itself; say so meanwhile.
  source.onerror = () => {
    live.textContent = "reconnecting";
    live.classList.add("off");
  };
}

connect();
