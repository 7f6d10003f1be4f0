// The selected task's history rolled up, by the same rule as `pm history`.
// One part of the dashboard's script: Dashboard.cs joins the parts, in the order index.html names them, into one
// function scope, so they share their declarations; only the last part starts anything.

// Own statuses (entries without a kind) last until the next own status: the end of a call never cuts them, the task
// is still in that status while it waits. A call's entry is recorded at its end with its duration in seconds, so the
// call ran from ts − duration to ts. Calls overlap each other and the statuses: their times can add up to more than
// the task's duration. Rows come in the order they began; a finished task's final entry has no time (ms null).
function rollUp(h, end) {
  const entries = h.history, running = !h.outcome;
  const nextOwn = new Array(entries.length);
  let lastOwn = -1;
  for (let i = entries.length - 1, following = end; i >= 0; i--) {
    nextOwn[i] = following;
    if (!entries[i].kind) { following = parseTime(entries[i].ts); if (lastOwn < 0) lastOwn = i; }
  }
  const rows = [], spent = new Map(), kinds = new Map(), targets = new Map();
  entries.forEach((entry, i) => {
    const at = parseTime(entry.ts);
    // A progress report is a point in time: in the timeline, but neither a call nor a status change.
    if (entry.kind === "progress") { rows.push({ entry, start: at, ms: null }); return; }
    if (entry.kind) {
      const ms = callMs(entry.duration);
      rows.push({ entry, start: at - ms, ms });
      tally(kinds, entry.kind, { kind: entry.kind, target: "" }, ms);
      tally(targets, entry.kind + "\u0000" + (entry.target || ""), { kind: entry.kind, target: entry.target || "" }, ms);
      return;
    }
    const isFinal = i === lastOwn && !running;
    const ms = isFinal ? null : Math.max(0, nextOwn[i] - at);
    rows.push({ entry, start: at, ms });
    if (!isFinal) spent.set(entry.status, (spent.get(entry.status) || 0) + ms);
  });
  // Stable: entries that began together keep the history's order.
  rows.sort((a, b) => a.start - b.start);
  const byName = (a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0);
  return {
    rows,
    spent,
    // By name, so the summary line of a running task does not reorder as its calls add up.
    kinds: [...kinds.values()].sort(byName),
    targets: [...targets.values()].sort((a, b) => b.total - a.total || byName(a, b)),
  };
}
function tally(groups, key, group, ms) {
  let g = groups.get(key);
  if (!g) { g = Object.assign(group, { calls: 0, total: 0, longest: 0 }); groups.set(key, g); }
  g.calls += 1;
  g.total += ms;
  g.longest = Math.max(g.longest, ms);
}
// A missing, negative or absurd duration counts as none rather than breaking the panel.
function callMs(seconds) { return typeof seconds === "number" && isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0; }

const knownKinds = new Set(["http", "sql", "grpc"]);
function kindBadge(kind) {
  const badge = cell("span", kind, "kind kind-" + (knownKinds.has(kind) ? kind : "other"));
  badge.title = kind + " call";
  return badge;
}
// "http 3 calls 1.200s · sql 2 calls 4.500s"
function callSummary(kinds) { return kinds.map(k => `${k.kind} ${plural(k.calls, "call")} ${duration(k.total)}`).join(" · "); }

// One bar per own status, then (distinct, with a badge) one per dependency called; all to the same scale.
function timeBars(r) {
  const longest = Math.max(1, ...r.spent.values(), ...r.targets.map(t => t.total));
  const bar = (label, ms, className, name) => {
    const b = document.createElement("div");
    b.className = className;
    b.style.width = (ms / longest * 100).toFixed(1) + "%";
    b.setAttribute("role", "img");
    b.setAttribute("aria-label", `${name}: ${duration(ms)}`);
    return [label, b];
  };
  const bars = document.createElement("div");
  bars.className = "bars";
  bars.setAttribute("aria-label", "Time spent in each status");
  for (const [status, ms] of r.spent) {
    const label = cell("div", `${status} — ${duration(ms)}`, "barlabel");
    label.title = status;
    bars.append(...bar(label, ms, "bar", status));
  }
  const calls = document.createElement("div");
  calls.className = "callbars";
  calls.setAttribute("aria-label", "Time spent in calls to each dependency");
  for (const t of r.targets) {
    const name = t.target || "(unknown)";
    const label = cell("div", "", "barlabel");
    label.append(kindBadge(t.kind), `${name} — ${duration(t.total)}` + (t.calls > 1 ? ` in ${t.calls} calls` : ""));
    label.title = `${t.kind} ${name}: ${plural(t.calls, "call")}, ${duration(t.total)} in all, the longest ${duration(t.longest)}`;
    calls.append(...bar(label, t.total, "bar call", `${t.kind} ${name}`));
  }
  return { bars, calls };
}

// A timeline item: an own status when it was set; a call from when it started, with its badge, target and duration.
function timelineItem(row) {
  const e = row.entry;
  const time = new Date(row.start).toLocaleTimeString();
  if (!e.kind) return cell("li", `${time}  ${e.status}` + (e.remoteAddr ? `  (from ${e.remoteAddr}${e.user ? ", " + e.user : ""})` : ""));
  if (e.kind === "progress") return cell("li", `${time}  ${e.status}`, "muted");
  const li = cell("li", "", "call");
  li.append(time + "  ", kindBadge(e.kind), e.status);
  if (e.target) li.append(cell("span", e.target, "target"));
  li.append(cell("span", duration(row.ms), "took"));
  li.title = `started ${new Date(row.start).toLocaleTimeString()}, ended ${new Date(parseTime(e.ts)).toLocaleTimeString()}`;
  return li;
}
