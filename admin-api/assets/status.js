// ferry's status page: lists the jobs from /api/v1, refreshes itself, and
// pauses, resumes or triggers them. The token lives in sessionStorage only.
"use strict";

const REFRESH_MS = 5000;
const TOKEN_KEY = "ferry.token";
const notes = new Map();  // job id -> last action's message, kept across refreshes
let timer = null;

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) };
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = data && typeof data.detail === "string" ? data.detail : res.statusText;  // RFC 9457
    throw new ApiError(res.status, method + " " + path + ": " + res.status + " " + detail);
  }
  return data;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 10) return Math.max(0, seconds).toFixed(seconds < 1 ? 2 : 1) + "s";
  const s = Math.round(seconds);
  const parts = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]];
  const out = [];
  let rest = s;
  for (const [size, unit] of parts) {
    if (rest >= size || (unit === "s" && out.length === 0)) {
      out.push(Math.floor(rest / size) + unit);
      rest %= size;
    }
    if (out.length === 2) break;
  }
  return out.join(" ");
}

// Stale: the data is older than two schedule periods (at least an hour).
function isStale(job) {
  if (job.freshness_seconds === null || job.freshness_seconds === undefined) return true;
  const every = /^every (\d+)s$/.exec(job.schedule || "");
  const period = every ? Number(every[1]) : 3600;
  return job.freshness_seconds > Math.max(2 * period, 3600);
}

function lastRun(run) {
  if (!run) return el("span", { className: "muted", textContent: "none yet" });
  const c = run.counts || {};
  const rate = run.seconds > 0 ? Math.round((c.fetched || 0) / run.seconds) + " rows/s" : "";
  const text = "fetched " + (c.fetched ?? 0) + " · inserted " + (c.inserted ?? 0) +
      " · updated " + (c.updated ?? 0) + " · unchanged " + (c.unchanged ?? 0) +
      " · dead letters " + (c.dead_letters ?? 0);
  return el("span", {},
      el("span", { className: "run-" + run.state, textContent: run.state }),
      " in " + duration(run.seconds) + (rate ? " (" + rate + ")" : ""),
      el("br"), el("span", { className: "counts", textContent: text }),
      run.error ? el("span", { className: "error", textContent: " " + run.error }) : null);
}

// An API time ("2026-01-31T23:59:59+08:00") as the page shows it: Beijing's
// offset, the one ferry's users work in, is left out; any other is kept.
function shown(time) {
  if (time === null || time === undefined) return null;
  return time.replace("T", " ").replace(/\+08:00$/, "");
}

function windowList(windows) {
  if (windows === null) return el("span", { className: "muted", textContent: "could not load" });
  if (windows.length === 0) return el("span", { textContent: "none" });
  const list = el("ul", { className: "windows" });
  for (const w of windows.slice(0, 5)) {
    list.append(el("li", { textContent: shown(w.from) + " → " + shown(w.to) + " (" + w.distinct_keys + " of " +
        w.data_count + ")" }));
  }
  if (windows.length > 5) list.append(el("li", { textContent: "… " + (windows.length - 5) + " more" }));
  return el("span", {}, String(windows.length), list);
}

// The source's token: when it expires, and whether ferry renews it or a
// person must (flagged from three days ahead).
function tokenText(token) {
  if (!token) return el("span", { className: "muted", textContent: "—" });
  if (!token.expires_at) return el("span", { className: "muted", textContent: "not known yet" });
  const left = (Date.parse(token.expires_at) - Date.now()) / 1000;
  const urgent = !token.renewable && left < 3 * 86400;
  return el("span", { className: urgent ? "stale" : "",
      textContent: shown(token.expires_at) + (token.renewable ? " (ferry renews it)" :
          " (a person must renew it" + (urgent ? ": in " + duration(Math.max(0, left)) : "") + ")") });
}

function field(list, name, value) {
  list.append(el("dt", { textContent: name }), el("dd", {}, value));
}

function card(job, windows) {
  const stale = isStale(job);
  const list = el("dl");
  field(list, "paused", job.paused ? "yes" : "no");
  field(list, "watermark", shown(job.watermark) ?? "none yet");
  field(list, "freshness", el("span", { className: stale ? "stale" : "",
      textContent: duration(job.freshness_seconds) + (stale ? " (stale)" : "") }));
  field(list, "last run", lastRun(job.last_run));
  field(list, "last started", shown(job.last_run_started) ?? "—");
  field(list, "next run", shown(job.next_run) ?? "—");
  field(list, "schedule", job.schedule ?? "—");
  field(list, "source token", tokenText(job.source_token));
  if (job.queued || job.backfills_queued) {
    field(list, "queued", (job.queued ? "a run" : "") + (job.backfills_queued ? " " + job.backfills_queued +
        " backfill(s)" : ""));
  }
  field(list, "incomplete windows", windowList(windows));
  const pause = el("button", { type: "button", className: "pause",
      textContent: job.paused ? "Resume" : "Pause" });
  pause.dataset.action = job.paused ? "resume" : "pause";
  pause.addEventListener("click", () => act(job.id, pause, "PATCH", "", { paused: !job.paused }));
  const run = el("button", { type: "button", className: "trigger", textContent: "Run now" });
  run.addEventListener("click", () => act(job.id, run, "POST", "/runs"));
  const node = el("article", { className: "job" },
      el("div", { className: "title" }, el("h2", { textContent: job.id }),
          el("span", { className: "badge state-" + job.state, textContent: job.state })),
      list, el("div", { className: "actions" }, run, pause),
      el("p", { className: "note", textContent: notes.get(job.id) || "" }));
  node.dataset.job = job.id;
  return node;
}

async function act(id, button, method, suffix, body) {
  button.disabled = true;
  try {
    const path = "/api/v1/jobs/" + encodeURIComponent(id) + suffix;
    const reply = await api(method, path, body);
    const triggered = reply && reply.queued ? "run queued behind the current one" : "run started";
    notes.set(id, method === "POST" ? triggered : (body.paused ? "paused" : "resumed"));
  } catch (e) {
    if (handleAuth(e)) return;
    notes.set(id, e.message);
  }
  await refresh();
}

async function incompleteWindows(id) {
  try {
    const data = await api("GET", "/api/v1/jobs/" + encodeURIComponent(id) + "/windows?state=incomplete");
    return data.windows;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    return null;
  }
}

function handleAuth(e) {
  if (!(e instanceof ApiError) || e.status !== 401) return false;
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin("The token was refused; enter it again.");
  return true;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

async function refresh() {
  clearTimeout(timer);
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  try {
    const { jobs } = await api("GET", "/api/v1/jobs");
    const windows = await Promise.all(jobs.map((j) => incompleteWindows(j.id)));
    $("jobs").replaceChildren(...jobs.map((j, i) => card(j, windows[i])));
    if (jobs.length === 0) $("jobs").append(el("p", { textContent: "No jobs are configured." }));
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    showError("");
  } catch (e) {
    if (handleAuth(e)) return;
    showError(e.message);
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

function showLogin(message) {
  clearTimeout(timer);
  $("jobs").replaceChildren();
  $("login").hidden = false;
  $("forget").hidden = true;
  showError(message || "");
  $("token").focus();
}

function start() {
  $("login").hidden = true;
  $("forget").hidden = false;
  refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    start();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin("");
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && sessionStorage.getItem(TOKEN_KEY)) refresh();
  });
  if (sessionStorage.getItem(TOKEN_KEY)) start();
  else showLogin("");
});
