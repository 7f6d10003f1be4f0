// The live stream (or polling), the finished list's loading, the keyboard and the redraw loop; starts the page.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

// Live: the Server-Sent Events stream, read with fetch so the access token can be sent.
async function stream() {
  const response = await api("?view=events", { headers: { "Accept": "text/event-stream" } });
  if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) throw new Error("no event stream");
  state.live = true;
  $("conn").textContent = "live";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
  state.live = false;
}

function onEvent(name, data) {
  if (name === "snapshot") { setSnapshot(data); return; }
  if (name === "dropped") { throw new Error("the server dropped this page's stream"); }
  if (name !== "frame") return;
  // Removals first: an id can end and start again between two frames.
  state.skew = parseTime(data.serverTime) - Date.now();
  let selectedChanged = false;
  for (const f of data.finished || []) { removeProc(f.id); selectedChanged ||= f.id === state.selected; }
  for (const p of data.procs || []) { putProc(p); selectedChanged ||= p.id === state.selected; }
  // A listed task's new alert or progress, alone: applied to the task held.
  for (const u of data.updates || []) {
    const held = state.procs.get(u.id);
    if (!held) continue;
    const next = Object.assign({}, held);
    if (u.alert !== undefined) next.alert = u.alert;
    if (u.progress !== undefined) next.progress = u.progress;
    putProc(next);
    selectedChanged ||= u.id === state.selected;
  }
  if (data.counts) state.counts.push({ at: Date.now(), started: data.counts.started || 0, finished: data.counts.finished || 0 });
  if ((data.counts && data.counts.finished) || (data.finished || []).length) scheduleFinished();
  if (selectedChanged) refreshHistory(false);
  state.dirty = true;
}

async function poll() {
  const response = await api("");
  if (!response.ok) throw new Error("the server answered " + response.status);
  setSnapshot(await response.json());
}

async function connect() {
  if (fleet) { await followFleet(); return; }
  for (;;) {
    try {
      await stream();
    } catch (error) {
      if (error instanceof AccessError) { $("conn").textContent = "locked"; notice(error.message, true); askTokenOnce(); await waitForToken(); continue; }
      // No stream (a Go server, a proxy): poll once a second instead.
      state.live = false;
      try {
        $("conn").textContent = "polling";
        await poll();
        notice("");
      } catch (pollError) {
        if (pollError instanceof AccessError) { $("conn").textContent = "locked"; notice(pollError.message, true); askTokenOnce(); await waitForToken(); continue; }
        $("conn").textContent = "offline";
        notice("The server cannot be reached: " + pollError.message, true);
      }
      await sleep(1000);
    }
  }
}
// A fleet's page reads pm web's state once a second; each server's own trouble shows in its row of the endpoints.
async function followFleet() {
  for (;;) {
    try {
      await pollFleet();
    } catch (error) {
      if (error instanceof AccessError) { $("conn").textContent = "locked"; notice(error.message, true); }
      else { $("conn").textContent = "offline"; notice("pm web cannot be reached: " + error.message, true); }
    }
    await sleep(1000);
  }
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
let tokenWaiter = null;
function waitForToken() { return new Promise(resolve => { tokenWaiter = resolve; }); }

let finishedTimer = null, finishedLoading = false, finishedAgain = false;
function scheduleFinished() {
  if (finishedTimer) return;
  finishedTimer = setTimeout(() => { finishedTimer = null; loadFinished(); }, 300);
}
async function loadFinished() {
  if (finishedLoading) { finishedAgain = true; return; }
  finishedLoading = true;
  try {
    if (fleet) { await loadFleetFinished(); return; }
    const response = await api("?view=finished&limit=200");
    if (!response.ok) return;
    const body = await response.json();
    state.finished = body.finished || [];
    renderFinished();
  } catch (error) { /* shown by the connection loop */ } finally {
    finishedLoading = false;
    if (finishedAgain) { finishedAgain = false; scheduleFinished(); }
  }
}

// One listener for every row, so rows are plain and reusable.
const runningBody = $("running").tBodies[0];
runningBody.onclick = e => { const tr = e.target.closest("tr"); if (tr) select(tr.dataset.key); };
runningBody.onkeydown = e => {
  const tr = e.target.closest("tr");
  if (!tr) return;
  if (e.key === "Enter") select(tr.dataset.key);
  else if (e.key === "ArrowDown" && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
  else if (e.key === "ArrowUp" && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
  else if (e.key === "k") { select(tr.dataset.key); kill(false); }
};
$("filter").oninput = e => { state.filter = e.target.value.trim().toLowerCase(); state.page = 0; state.dirty = true; };
$("prev").onclick = () => { state.page = Math.max(0, state.page - 1); state.dirty = true; };
$("next").onclick = () => { state.page += 1; state.dirty = true; };
// The page asks for the token by itself once; after that, the “Access token…” button asks again.
let asked = false;
function askTokenOnce() { if (!asked && !token()) { asked = true; setTimeout(askToken, 0); } }
function askToken() {
  const value = prompt("Access token for this server (kept for this tab only):", token() || "");
  if (value === null) return;
  if (value) sessionStorage.setItem("pm.token", value); else sessionStorage.removeItem("pm.token");
  notice("");
  if (tokenWaiter) { const resolve = tokenWaiter; tokenWaiter = null; resolve(); }
  loadFinished();
}
$("token").onclick = askToken;
document.addEventListener("keydown", e => {
  if (e.key === "/" && document.activeElement !== $("filter")) { e.preventDefault(); $("filter").focus(); }
});

// Ages tick from the server's clock; the table is redrawn at most four times a second, the visible page only,
// and reordered only when the tasks, the filter, the sort or the page changed.
setInterval(() => state.ticked = true, 1000);
(function frame() {
  if (state.dirty || state.ticked) { state.ticked = false; renderRunning(); }
  setTimeout(() => requestAnimationFrame(frame), 250);
})();
if (fleet) startFleet();
setInterval(loadFinished, 5000);
loadFinished();
connect();
