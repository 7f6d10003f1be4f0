// The selected task: its history, fetched at a bounded rate, rolled up and shown; the kill button.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

function select(key) {
  state.selected = key;
  for (const tr of $("running").tBodies[0].rows) {
    tr.classList.toggle("selected", tr.dataset.key === key);
    tr.setAttribute("aria-selected", tr.dataset.key === key ? "true" : "false");
  }
  refreshHistory(true);
}

// The selected task's history is fetched at most once a second and never twice at once; changes while waiting
// are coalesced into one more fetch, so the panel ends on the latest state. A new selection is fetched at once.
const historyLoad = { loading: false, pending: false, urgent: false, timer: null, last: -Infinity };
function refreshHistory(urgent) {
  if (!state.selected) return;
  historyLoad.pending = true;
  historyLoad.urgent ||= urgent;
  if (historyLoad.loading) return;
  const wait = historyLoad.urgent ? 0 : historyLoad.last + 1000 - Date.now();
  if (wait > 0) { historyLoad.timer ??= setTimeout(fetchHistory, wait); return; }
  fetchHistory();
}
async function fetchHistory() {
  clearTimeout(historyLoad.timer);
  historyLoad.timer = null;
  if (historyLoad.loading || !historyLoad.pending) return;
  historyLoad.pending = historyLoad.urgent = false;
  historyLoad.loading = true;
  historyLoad.last = Date.now();
  try { await loadHistory(state.selected); } finally { historyLoad.loading = false; }
  if (historyLoad.pending) refreshHistory(false);
}

async function loadHistory(id) {
  try {
    const response = await api(taskPath(id) + "/history");
    if (response.status === 404) { state.history = null; renderDetail(id, "This task is no longer known to the server."); return; }
    if (fleet && (response.status === 502 || response.status === 504)) throw new Error(await response.text());
    if (!response.ok) throw new Error("the server answered " + response.status);
    state.history = await response.json();
    renderDetail(id);
  } catch (error) {
    renderDetail(id, error.message);
  }
}

function renderDetail(id, problem) {
  if (state.selected !== id) return;
  const panel = $("detail");
  const killFocused = document.activeElement && document.activeElement.id === "kill";
  const h = state.history;
  const { host, id: taskId } = partsOf(id);
  const title = cell("h2", fleet ? `${taskId} on ${host}` : id);
  if (problem || !h) { panel.replaceChildren(title, cell("p", problem || "", "muted")); return; }
  const running = !h.outcome;
  const end = h.endTime ? parseTime(h.endTime) : now() - offsetOf(host);
  const info = document.createElement("dl");
  const add = (term, value, className) => { if (value !== undefined && value !== null && value !== "") info.append(cell("dt", term), cell("dd", value, className)); };
  add("state", running ? (h.cancelling ? "running, kill requested" : "running") : h.outcome, running ? "" : "outcome-" + h.outcome);
  add("started", new Date(parseTime(h.history[0].ts)).toLocaleString());
  add("duration", duration(end - parseTime(h.history[0].ts)) + (running ? " so far" : ""));
  if (h.timeToHonour !== undefined) add("stopped after kill", duration(h.timeToHonour * 1000));
  const listed = running ? state.procs.get(id) : null;
  if (listed) {
    add("alert", listed.alert === "hung" ? "hung: past the hung threshold" : listed.alert === "slow" ? "slow: past the slow threshold" : "");
    if (listed.progress) add("progress", progressText(listed.progress) + (listed.progress.total !== undefined && listed.progress.total !== null
      ? ` (${listed.progress.done.toLocaleString("en-US")} of ${listed.progress.total.toLocaleString("en-US")}${listed.progress.unit ? " " + listed.progress.unit : ""})` : ""));
    if (listed.deadline) add("deadline", new Date(parseTime(listed.deadline) + (listed.offset || 0)).toLocaleString());
  }
  add("trace id", h.traceId);
  for (const [k, v] of Object.entries(h.attrs || {})) add(k, text(v));
  if (h.droppedEntries) add("dropped entries", String(h.droppedEntries));

  // Bars for the time in each own status and in calls to each dependency; the timeline in the order things began.
  const r = rollUp(h, end);
  const { bars, calls } = timeBars(r);
  const timeline = document.createElement("ol");
  timeline.className = "muted";
  for (const row of r.rows) timeline.append(timelineItem(row));
  const parts = [title, info, cell("h2", "Time per status"), bars];
  if (r.kinds.length) {
    const summary = cell("p", callSummary(r.kinds), "callsummary");
    summary.title = "Calls can overlap each other and the task's statuses: their times can add up to more than its duration.";
    parts.push(cell("h2", "Time in calls"), summary, calls);
  }
  parts.push(cell("h2", "Timeline"), timeline);
  if (running && !state.readOnly) {
    const button = cell("button", "Kill…", "danger");
    button.type = "button";
    button.id = "kill";
    if (h.forbidCancel) {
      button.disabled = true;
      parts.push(button, cell("p", "This task was started with ForbidKill: the server refuses to kill it.", "muted"));
    } else if (h.cancelling) {
      // Already asked to stop: the next step cuts a request off at once instead of after the server's grace period.
      button.textContent = "Abort now…";
      button.id = "abort";
      button.title = "Cut the request off at once, without waiting for the server's grace period.";
      button.onclick = () => kill(true);
      parts.push(button);
    } else {
      button.onclick = () => kill(false);
      parts.push(button);
    }
  }
  panel.replaceChildren(...parts);
  if (killFocused && $("kill")) $("kill").focus({ preventScroll: true });
}

async function kill(abort) {
  const key = state.selected;
  if (!key || state.readOnly) return;
  const { host, id: taskId } = partsOf(key);
  const id = fleet ? `${taskId} on ${host}` : key;
  const question = abort ? `Abort ${id} at once?` : `Kill ${id}?`;
  const message = prompt(`${question}\nA message for its history (optional):`, "");
  if (message === null) return;
  try {
    const body = abort ? { message, abort: true } : { message };
    const response = await api(taskPath(key), { method: "DELETE", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (response.ok) notice(abort ? `Asked the server to abort ${id}.` : `Asked the server to kill ${id}.`);
    else if (response.status === 403) notice(`The server refused to kill ${id}: the task forbids kills, or the server is read-only.`, true);
    else if (response.status === 404) notice(`${id} had already finished.`, true);
    else if (fleet && (response.status === 502 || response.status === 504)) notice(`The kill did not reach ${host}: ${await response.text()}`, true);
    else notice(`The kill failed: the server answered ${response.status}.`, true);
    refreshHistory(true);
  } catch (error) {
    notice(error.message, true);
  }
}
