// Shared state and helpers: the server API, time and text formatting, the tasks' model.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
// Fleet mode (pm web): tasks of many servers, each known by (host, id); the page talks to pm web's /fleet/ routes,
// which reach the server that owns a task. Otherwise the page is one server's, and its path is that server's interface.
const fleet = document.body.dataset.mode === "fleet";
const pageSize = 100;
// dirty: the tasks, filter, sort or page changed, so the order is recomputed; ticked: only ages and marks are redrawn.
const state = { procs: new Map(), attrNames: new Map(), order: [], finished: [], skew: 0, sort: { key: "age", desc: true },
                filter: "", page: 0, selected: null, history: null, readOnly: false, live: false, dirty: true, ticked: false,
                counts: [], countsSince: 0, withProgress: 0, endpoints: new Map(), hostFilter: "" };
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

// A task's key: its id on one server; its host and id in a fleet, where the same id on two hosts is two tasks.
function keyOf(host, id) { return fleet ? host + "\u0000" + id : id; }
function partsOf(key) {
  if (!fleet) return { host: "", id: key };
  const at = key.indexOf("\u0000");
  return { host: key.slice(0, at), id: key.slice(at + 1) };
}
// The path of a task, under the page's base: its own server's, or pm web's route to the server that owns it.
function taskPath(key) {
  const { host, id } = partsOf(key);
  return fleet ? `fleet/hosts/${encodeURIComponent(host)}/procs/${encodeURIComponent(id)}` : encodeURIComponent(id);
}
// Milliseconds to add to a host's times to read them on pm web's clock (each server has its own).
function offsetOf(host) { const e = state.endpoints.get(host); return e ? (e.clockOffset || 0) * 1000 : 0; }

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
  proc.uid = keyOf(proc.host, proc.id);
  proc.started = parseTime(proc.procTime) + (proc.offset || 0);
  proc.changed = parseTime(proc.statusTime) + (proc.offset || 0);
  removeProc(proc.uid);
  state.procs.set(proc.uid, proc);
  if (proc.progress) state.withProgress++;
  for (const name in proc.attrs || {}) state.attrNames.set(name, (state.attrNames.get(name) || 0) + 1);
}
function removeProc(key) {
  const old = state.procs.get(key);
  if (!old) return;
  state.procs.delete(key);
  if (old.progress) state.withProgress--;
  for (const name in old.attrs || {}) {
    const left = state.attrNames.get(name) - 1;
    if (left) state.attrNames.set(name, left); else state.attrNames.delete(name);
  }
}
function setText(element, value) { if (element.textContent !== value) element.textContent = value; }
