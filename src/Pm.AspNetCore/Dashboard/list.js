// The running tasks' table, the recently finished ones and their latency histogram.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

function matches(proc) {
  if (state.hostFilter && proc.host !== state.hostFilter) return false;
  const filter = state.filter;
  if (!filter) return true;
  if (proc.id.toLowerCase().includes(filter) || proc.status.toLowerCase().includes(filter)) return true;
  if (fleet && proc.host.toLowerCase().includes(filter)) return true;
  // "slow" finds the slow and the hung tasks, "hung" the hung ones.
  if (proc.alert && (proc.alert === filter || filter === "slow")) return true;
  return Object.entries(proc.attrs || {}).some(([k, v]) => (k + "=" + text(v)).toLowerCase().includes(filter));
}
// Ages grow alike for every task, so ordering by age is ordering by start time: the order holds while the clock ticks.
function sortKey(proc, key) {
  switch (key) {
    case "age": return -proc.started;
    case "in status": return -proc.changed;
    case "id": return proc.id;
    case "host": return proc.host;
    case "status": return proc.status;
    case "progress": return proc.progress ? progressFraction(proc.progress) ?? -1 : -2;
    default: return text((proc.attrs || {})[key]);
  }
}
function order() {
  const { key, desc } = state.sort;
  const rows = [];
  for (const proc of state.procs.values()) if (matches(proc)) { proc.key = sortKey(proc, key); rows.push(proc); }
  // Ties go by id, whichever the direction, so equal rows keep their places from one redraw to the next.
  const sign = desc ? -1 : 1;
  rows.sort((a, b) => (a.key < b.key ? -sign : a.key > b.key ? sign : 0) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  return rows;
}

function renderHead(columns) {
  const { key, desc } = state.sort;
  const headRow = $("running").tHead.rows[0];
  const head = columns.join("\u0000");
  if (headRow.dataset.columns !== head) {
    headRow.replaceChildren(...columns.map(c => {
      const th = cell("th", c, c === "age" || c === "in status" ? "num" : "");
      th.tabIndex = 0;
      th.setAttribute("role", "columnheader");
      th.dataset.column = c;
      th.onclick = () => sortBy(c);
      th.onkeydown = e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(c); } };
      return th;
    }));
    headRow.dataset.columns = head;
  }
  for (const th of headRow.cells) {
    const c = th.dataset.column;
    setText(th, c + (c === key ? (desc ? " ▼" : " ▲") : ""));
    th.setAttribute("aria-sort", c === key ? (desc ? "descending" : "ascending") : "none");
  }
  return head;
}

function progressFraction(progress) {
  if (progress.total === undefined || progress.total === null) return null;
  return progress.total > 0 ? Math.min(1, progress.done / progress.total) : 1;
}
// "25% · 30.0s left", or "250 rows" without a total.
function progressText(progress) {
  if (!progress) return "";
  const fraction = progressFraction(progress);
  if (fraction === null) return progress.done.toLocaleString("en-US") + (progress.unit ? " " + progress.unit : "");
  const left = progress.remaining > 0 ? " · " + duration(progress.remaining * 1000) + " left" : "";
  return Math.floor(fraction * 100) + "%" + left;
}

// Rows are kept per task and updated in place, so a redraw keeps the focused row (and the scroll position).
// In a fleet, the host comes first; a host that is down keeps its tasks as last seen, marked stale.
function renderRow(tr, proc, names, columns, at, withProgress) {
  const lead = fleet ? 1 : 0;
  if (tr.dataset.columns !== columns) {
    const fixed = [cell("td", ""), cell("td", "", "num age"), cell("td", "", "num"), cell("td", "", "status")];
    if (fleet) fixed.unshift(cell("td", "", "host"));
    if (withProgress) fixed.push(cell("td", "", "progress"));
    tr.replaceChildren(...fixed, ...names.map(() => cell("td", "")));
    tr.dataset.columns = columns;
    tr.proc = null;
  }
  const cells = tr.cells;
  if (tr.proc !== proc) {
    tr.proc = proc;
    if (fleet) setText(cells[0], proc.host);
    setText(cells[lead], proc.id);
    setText(cells[lead + 3], proc.status);
    const first = lead + (withProgress ? 5 : 4);
    if (withProgress) {
      const progress = cells[lead + 4];
      setText(progress, progressText(proc.progress));
      const fraction = proc.progress ? progressFraction(proc.progress) : null;
      progress.style.setProperty("--done", fraction === null ? "0%" : (fraction * 100).toFixed(1) + "%");
    }
    names.forEach((n, i) => setText(cells[first + i], text((proc.attrs || {})[n])));
    tr.classList.toggle("cancelling", !!proc.cancelling);
    tr.classList.toggle("alert-slow", proc.alert === "slow");
    tr.classList.toggle("alert-hung", proc.alert === "hung");
    tr.classList.toggle("stale", !!proc.stale);
    tr.title = proc.stale ? `${proc.host} is ${state.endpoints.get(proc.host)?.state}: this is the task as last seen` : "";
  }
  setText(cells[lead + 1], duration(at - proc.started));
  setText(cells[lead + 2], duration(at - proc.changed));
  const selected = proc.uid === state.selected;
  tr.classList.toggle("selected", selected);
  tr.setAttribute("aria-selected", selected ? "true" : "false");
}

function renderRunning() {
  const at = now();
  if (state.dirty) { state.dirty = false; state.order = order(); }
  const rows = state.order;
  const names = [...state.attrNames.keys()].sort();
  const withProgress = state.withProgress > 0;
  const columns = renderHead([...(fleet ? ["host"] : []), "id", "age", "in status", "status", ...(withProgress ? ["progress"] : []), ...names]);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  state.page = Math.min(state.page, pages - 1);
  const visible = rows.slice(state.page * pageSize, (state.page + 1) * pageSize);

  const body = $("running").tBodies[0];
  const focused = document.activeElement && document.activeElement.parentElement === body ? document.activeElement : null;
  const focusedAt = focused ? focused.sectionRowIndex : -1;
  const wanted = new Set(visible.map(p => p.uid));
  const rowsByKey = new Map();
  for (const tr of [...body.rows]) {
    if (wanted.has(tr.dataset.key)) rowsByKey.set(tr.dataset.key, tr); else tr.remove();
  }
  visible.forEach((proc, i) => {
    let tr = rowsByKey.get(proc.uid);
    if (!tr) {
      tr = document.createElement("tr");
      tr.tabIndex = 0;
      tr.dataset.key = proc.uid;
      tr.dataset.id = proc.id;
      if (fleet) tr.dataset.host = proc.host;
    }
    renderRow(tr, proc, names, columns, at, withProgress);
    if (body.rows[i] !== tr) body.insertBefore(tr, body.rows[i] || null);
  });
  // Moving or removing a row drops its focus: give it back to the same task, or to the row now in its place.
  if (focused && document.activeElement !== focused) {
    const target = focused.isConnected ? focused : body.rows[Math.min(focusedAt, body.rows.length - 1)];
    if (target) target.focus({ preventScroll: true });
  }

  setText($("page"), rows.length ? `${state.page * pageSize + 1}–${state.page * pageSize + visible.length} of ${rows.length}` : "no tasks");
  $("prev").disabled = state.page === 0;
  $("next").disabled = state.page >= pages - 1;
  const count = plural(state.procs.size, "task");
  setText($("runningTitle"), "Running — " + count + (rows.length !== state.procs.size ? ` (${rows.length} shown)` : ""));
  const title = `pm (${state.procs.size})`;
  if (document.title !== title) document.title = title;
  setText($("title"), "pm — " + count + " running");
  renderRate();
}

// The frames count every start and end, even of tasks never listed: the rates over the last five seconds.
function renderRate() {
  const at = Date.now();
  while (state.counts.length && state.counts[0].at < at - 5000) state.counts.shift();
  if (!state.live) { setText($("rate"), ""); return; }
  const seconds = Math.max(1, Math.min(5, (at - state.countsSince) / 1000));
  let started = 0, finished = 0;
  for (const c of state.counts) { started += c.started; finished += c.finished; }
  const rate = n => { const r = n / seconds; return r >= 10 || r === 0 ? String(Math.round(r)) : r.toFixed(1); };
  setText($("rate"), `${rate(started)} started/s, ${rate(finished)} finished/s`);
}

function sortBy(column) {
  state.sort = state.sort.key === column ? { key: column, desc: !state.sort.desc } : { key: column, desc: column === "age" || column === "in status" };
  state.dirty = true;
}

function renderFinished() {
  const body = $("finished").tBodies[0];
  body.replaceChildren(...state.finished.slice(0, 50).map(f => {
    const tr = document.createElement("tr");
    const key = keyOf(f.host, f.id);
    tr.tabIndex = 0;
    tr.dataset.id = f.id;
    tr.dataset.key = key;
    if (fleet) { tr.dataset.host = f.host; tr.append(cell("td", f.host, "host")); }
    // The last own status before the final entry: the end of a call is not one.
    const last = f.history.slice(0, -1).findLast(e => !e.kind) || f.history[0];
    const length = parseTime(f.endTime) - parseTime(f.history[0].ts);
    tr.append(cell("td", f.id), cell("td", f.outcome, "outcome-" + f.outcome), cell("td", duration(length), "num"),
              cell("td", new Date(parseTime(f.endTime) + (f.offset || 0)).toLocaleTimeString()), cell("td", last.status));
    tr.onclick = () => select(key);
    tr.onkeydown = e => { if (e.key === "Enter") select(key); };
    return tr;
  }));
  renderHistogram();
}

function renderHistogram() {
  const container = $("histogramBody");
  if (!state.finished.length) { container.textContent = "No finished tasks yet."; container.className = "muted"; return; }
  container.className = "";
  const bounds = [0.01, 0.1, 1, 10, 60, Infinity];
  const labels = ["<10ms", "<100ms", "<1s", "<10s", "<1m", "≥1m"];
  const outcomes = ["ended", "killed", "aborted"];
  const counts = bounds.map(() => ({ ended: 0, killed: 0, aborted: 0 }));
  for (const f of state.finished) {
    const seconds = (parseTime(f.endTime) - parseTime(f.history[0].ts)) / 1000;
    counts[bounds.findIndex(b => seconds < b)][f.outcome] += 1;
  }
  const max = Math.max(1, ...counts.map(c => c.ended + c.killed + c.aborted));
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 600 160");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Histogram of finished task durations by outcome");
  const width = 600 / bounds.length;
  counts.forEach((c, i) => {
    let y = 135;
    for (const outcome of outcomes) {
      const h = c[outcome] / max * 120;
      if (h > 0) {
        const rect = document.createElementNS(ns, "rect");
        rect.setAttribute("x", i * width + 10); rect.setAttribute("y", y - h);
        rect.setAttribute("width", width - 20); rect.setAttribute("height", h);
        rect.setAttribute("fill", `var(--${outcome})`);
        const title = document.createElementNS(ns, "title");
        title.textContent = `${labels[i]}: ${c[outcome]} ${outcome}`;
        rect.append(title);
        svg.append(rect);
        y -= h;
      }
    }
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", i * width + width / 2); label.setAttribute("y", 152);
    label.setAttribute("text-anchor", "middle"); label.setAttribute("font-size", "12"); label.setAttribute("fill", "currentColor");
    label.textContent = `${labels[i]} (${c.ended + c.killed + c.aborted})`;
    svg.append(label);
  });
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = outcomes.map(o => `<span class="outcome-${o}">■ ${o}</span>`).join("");
  container.replaceChildren(svg, legend);
}
