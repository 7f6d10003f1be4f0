// Fleet mode (pm web): every server's tasks with their host, each server's health, the host filter.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

// pm web follows each server (live stream or polling) and keeps the fleet's state; the page reads it once a second.
async function pollFleet() {
  const response = await api("fleet/procs");
  if (!response.ok) throw new Error("pm web answered " + response.status);
  setFleet(await response.json());
}

function setFleet(body) {
  state.skew = parseTime(body.serverTime) - Date.now();
  const selected = state.selected ? state.procs.get(state.selected) : null;
  const before = state.procs;
  state.procs = new Map();
  state.attrNames = new Map();
  state.withProgress = 0;
  state.endpoints = new Map();
  for (const endpoint of body.endpoints || []) {
    state.endpoints.set(endpoint.name, endpoint);
    const offset = (endpoint.clockOffset || 0) * 1000;
    const stale = endpoint.state === "down" || endpoint.state === "unauthorized";
    for (const p of endpoint.procs || []) { p.host = endpoint.name; p.offset = offset; p.stale = stale; putProc(p); }
  }
  state.discoveryError = body.discoveryError || "";
  // A task gone since the last reading may have finished: the finished list is read again soon.
  for (const key of before.keys()) if (!state.procs.has(key)) { scheduleFinished(); break; }
  // The selected task's history is fetched again when it changed (or ended) since the last reading.
  const current = state.selected ? state.procs.get(state.selected) : null;
  if (state.selected && (!current || !selected || current.statusTime !== selected.statusTime || !!current.cancelling !== !!selected.cancelling)) refreshHistory(false);
  state.dirty = true;
  renderHosts();
}

// Each server's health: up, slow, down, unauthorized or connecting, how it is followed, and when it was last seen.
function renderHosts() {
  const endpoints = [...state.endpoints.values()];
  const body = $("hostTable").tBodies[0];
  const at = now();
  const rows = endpoints.map(e => {
    const tr = document.createElement("tr");
    tr.dataset.host = e.name;
    tr.className = "state-" + e.state;
    const seen = e.lastSeen ? (at - parseTime(e.lastSeen) < 1500 ? "now" : duration(at - parseTime(e.lastSeen)) + " ago") : "never";
    const detail = e.error || (e.latency !== undefined ? `answered in ${duration(e.latency * 1000)}` : "");
    tr.append(cell("td", e.name), cell("td", e.state, "state"), cell("td", e.via || ""), cell("td", String((e.procs || []).length), "num"),
              cell("td", seen, "seen"), cell("td", detail, "muted"));
    tr.onclick = () => { $("hostFilter").value = e.name; setHostFilter(e.name); };
    return tr;
  });
  body.replaceChildren(...rows);
  const up = endpoints.filter(e => e.state === "up" || e.state === "slow").length;
  setText($("hostsTitle"), `Endpoints — ${up} of ${plural(endpoints.length, "endpoint")} answering`
    + (state.discoveryError ? ` (the endpoint list could not be read again: ${state.discoveryError})` : ""));
  setText($("conn"), `${up}/${endpoints.length} up`);

  // The host filter lists the endpoints; a host that is gone keeps its place while it is chosen.
  const select = $("hostFilter");
  const names = endpoints.map(e => e.name).sort();
  if (state.hostFilter && !names.includes(state.hostFilter)) names.push(state.hostFilter);
  const wanted = ["", ...names].join("\u0000");
  if (select.dataset.names !== wanted) {
    select.replaceChildren(cell("option", "all hosts"), ...names.map(n => cell("option", n)));
    select.options[0].value = "";
    select.value = state.hostFilter;
    select.dataset.names = wanted;
  }
}

function setHostFilter(host) { state.hostFilter = host; state.page = 0; state.dirty = true; }

// Finished tasks of every .NET server, merged newest first on pm web's clock (Go servers keep none).
async function loadFleetFinished() {
  const response = await api("fleet/finished?limit=200");
  if (!response.ok) return;
  const body = await response.json();
  const merged = [];
  for (const endpoint of body.endpoints || []) {
    const offset = (endpoint.clockOffset || 0) * 1000;
    for (const f of endpoint.finished || []) { f.host = endpoint.name; f.offset = offset; f.ended = parseTime(f.endTime) + offset; merged.push(f); }
  }
  merged.sort((a, b) => b.ended - a.ended);
  state.finished = merged.slice(0, 200);
  renderFinished();
}

function startFleet() {
  for (const id of ["hosts", "hostFilter"]) $(id).hidden = false;
  // The page's own token, if any, is the browser's business (HTTP authentication); the servers' stays in pm web.
  $("token").hidden = true;
  $("finished").tHead.rows[0].prepend(cell("th", "host"));
  $("hostFilter").onchange = e => setHostFilter(e.target.value);
}
