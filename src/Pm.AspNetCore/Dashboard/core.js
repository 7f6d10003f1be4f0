// Shared state and helpers: the server API, time and text formatting, the tasks' model.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
const pageSize = 100;
// dirty: the tasks, filter, sort or page changed, so the order is recomputed; ticked: only ages and marks are redrawn.
const state = { procs: new Map(), attrNames: new Map(), order: [], finished: [], skew: 0, sort: { key: "age", desc: true },
                filter: "", page: 0, selected: null, history: null, readOnly: false, live: false, dirty: true, ticked: false,
                counts: [], countsSince: 0, withProgress: 0 };
const $ = id => document.getElementById(id);
const token = () => sessionStorage.getItem("pm.token");

function notice(text, error) { const n = $("notice"); n.textContent = text || ""; n.className = error ? "error" : ""; }

async function api(path, options) {
  const headers = Object.assign({ "Accept": "application/json" }, (options && options.headers) || {});
  if (token()) headers["Authorization"] = "Bearer " + token();
  const response = await fetch(base + path, Object.assign({}, options, { headers }));
  if (response.headers.get("X-Pm-Read-Only") === "1") { state.readOnly = true; }
  if (response.status === 401) {
    throw new AccessError(token() ? "The access token was refused. Enter the right one with “Access token…”."
                                  : "This server requires an access token. Enter it with “Access token…”.");
  }
  return response;
}
class AccessError extends Error {}

function parseTime(text) { return Date.parse(text); }
function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }
function now() { return Date.now() + state.skew; }
function duration(ms) {
  if (!(ms >= 0)) ms = 0;
  const s = ms / 1000;
  if (s < 10) return s.toFixed(3) + "s";
  if (s < 60) return s.toFixed(1) + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(Math.floor(s % 60)).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
}
function text(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
function cell(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function setSnapshot(snapshot) {
  state.skew = parseTime(snapshot.serverTime) - Date.now();
  state.procs = new Map();
  state.attrNames = new Map();
  state.withProgress = 0;
  for (const p of snapshot.procs || []) putProc(p);
  state.counts = [];
  state.countsSince = Date.now();
  state.dirty = true;
}

// Times are parsed once per change, not once per comparison; attribute names are counted, not gathered from every task.
function putProc(proc) {
  proc.started = parseTime(proc.procTime);
  proc.changed = parseTime(proc.statusTime);
  removeProc(proc.id);
  state.procs.set(proc.id, proc);
  if (proc.progress) state.withProgress++;
  for (const name in proc.attrs || {}) state.attrNames.set(name, (state.attrNames.get(name) || 0) + 1);
}
function removeProc(id) {
  const old = state.procs.get(id);
  if (!old) return;
  state.procs.delete(id);
  if (old.progress) state.withProgress--;
  for (const name in old.attrs || {}) {
    const left = state.attrNames.get(name) - 1;
    if (left) state.attrNames.set(name, left); else state.attrNames.delete(name);
  }
}
function setText(element, value) { if (element.textContent !== value) element.textContent = value; }
