// batch-emulator dashboard. Plain JavaScript, no dependencies, no build step.
//
// Every URL below is relative to the page (/_emulator/), so every request goes to the emulator
// that served it (same origin) and the page also works behind a path prefix. Reads use the
// dashboard's data routes (never journaled, never counted as a client's poll); every control
// uses the ordinary control-plane routes, so it gets the same checks and errors as a script.
//
// A control token, when the server requires one, is taken from the page URL
// (`/_emulator/?token=...`) and sent on every request as the `x-emulator-token` header.
"use strict";

const POLL_MS = 1000;
const VERDICT_EVERY = 5; // ticks between reads of the client verdict (it reads the journal)
const PAGE_SIZE = 50;
const JOURNAL_ROWS = 100;
const OUTCOMES = ["succeeded", "errored", "canceled", "expired", "processing"];
const STATES = ["validating", "in_progress", "finalizing", "completed", "failed", "expired",
  "cancelling", "cancelled"];
const TOKEN = new URLSearchParams(location.search).get("token");

const ui = {
  offset: 0, selected: null, now: null, ticks: 0, findings: null,
  operations: {}, busy: false, again: false, timer: null, faultsSig: null,
};

// ---- small helpers ---------------------------------------------------------------------------
const $ = (sel) => document.querySelector(sel);

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function headers() {
  const out = { "content-type": "application/json", accept: "application/json" };
  if (TOKEN) out["x-emulator-token"] = TOKEN;
  return out;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, { method = "GET", body } = {}) {
  const init = { method, headers: headers(), credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) {
    const message = (data && data.error && data.error.message) || text || response.statusText;
    throw new ApiError(response.status, message);
  }
  return data;
}

function toast(message, isError) {
  const note = h("div", { class: isError ? "error" : "", text: message });
  $("#toast").append(note);
  setTimeout(() => note.remove(), isError ? 8000 : 3000);
}

const pad = (n) => String(n).padStart(2, "0");
function stamp(epoch) {
  if (epoch === null || epoch === undefined) return "";
  const d = new Date(epoch * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

function span(seconds) {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function relative(epoch, short) {
  if (epoch === null || epoch === undefined || ui.now === null) return "";
  const delta = epoch - ui.now;
  let text = span(delta);
  if (short && Math.abs(delta) >= 60 && Math.abs(delta) < 3600) text = text.split(" ")[0];
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

function parseDuration(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { s: 1, m: 60, min: 60, h: 3600, d: 86400 }[(m[2] || "s").toLowerCase()];
  return Number(m[1]) * unit;
}

// ---- batches ---------------------------------------------------------------------------------
function bar(counts) {
  const total = counts.total || 0;
  const el = h("div", { class: "bar", title: OUTCOMES.map((o) => `${o} ${counts[o]}`).join(", ") });
  for (const outcome of OUTCOMES) {
    if (!total || !counts[outcome]) continue;
    const part = h("span", { class: outcome });
    part.style.width = `${(100 * counts[outcome]) / total}%`;
    el.append(part);
  }
  const finished = total - (counts.processing || 0);
  return h("div", { class: "progress" }, el, h("small", { text: `${finished}/${total}` }));
}

function door(batch) {
  return batch.provider === batch.dialect ? batch.provider : `${batch.provider} · ${batch.dialect}`;
}

// Rows are kept per batch and only the cells whose content changed are rebuilt, so a row under
// the pointer (or a selected piece of text) survives the once-a-second refresh.
const batchRows = new Map();

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function setCell(cell, signature, build) {
  if (cell.dataset.sig === signature) return;
  cell.dataset.sig = signature;
  cell.replaceChildren(build());
}

function batchRow(batch) {
  let row = batchRows.get(batch.id);
  if (!row) {
    row = h("tr", { "data-id": batch.id, onclick: () => select(batch.id) },
      h("td", { class: "mono id", title: batch.native_id, text: batch.native_id }),
      h("td", { title: "provider · door (the API it came through)" }), h("td", { class: "mono endpoint" }),
      h("td", { class: "model" }), h("td"), h("td"), h("td"), h("td"), h("td"));
    batchRows.set(batch.id, row);
  }
  const cells = row.children; // ids repeat after a reset (they are seeded): refresh every cell
  setText(cells[1], door(batch));
  setText(cells[2], batch.endpoint);
  cells[2].title = batch.endpoint;
  setText(cells[3], batch.model || "");
  cells[3].title = batch.model || "";
  setCell(cells[4], batch.status + batch.state, () => stateBadge(batch));
  setCell(cells[5], JSON.stringify(batch.counts), () => bar(batch.counts));
  for (const [cell, at] of [[cells[6], batch.created_at], [cells[7], batch.expires_at]]) {
    cell.title = stamp(at);
    setText(cell, relative(at, true));
  }
  setText(cells[8], String(batch.polls));
  row.classList.toggle("selected", batch.id === ui.selected);
  return row;
}

function placeRows(body, rows) {
  const same = body.children.length === rows.length && rows.every((r, i) => body.children[i] === r);
  if (!same) body.replaceChildren(...rows);
}

function batchQuery() {
  const q = new URLSearchParams({ offset: ui.offset, limit: PAGE_SIZE });
  const state = $("#batch-filter-state").value;
  const dialect = $("#batch-filter-dialect").value;
  const text = $("#batch-filter-q").value.trim();
  if (state) q.set("state", state);
  if (dialect) q.set("dialect", dialect);
  if (text) q.set("q", text);
  return `dashboard/batches?${q}`;
}

function renderBatches(page) {
  ui.now = page.now;
  if (page.offset >= page.total && page.total > 0 && ui.offset > 0) {
    ui.offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
  }
  const rows = page.data.map(batchRow);
  const shown = new Set(page.data.map((b) => b.id));
  for (const id of batchRows.keys()) if (!shown.has(id)) batchRows.delete(id);
  placeRows($("#batches tbody"), rows);
  $("#batches-empty").classList.toggle("hidden", page.all > 0);
  const first = page.total ? page.offset + 1 : 0;
  const last = page.offset + page.data.length;
  $("#pager-info").textContent = `${first}–${last} of ${page.total}`;
  $("#pager-prev").disabled = page.offset === 0;
  $("#pager-next").disabled = last >= page.total;
  const states = Object.entries(page.states).map(([s, n]) => `${n} ${s}`).join(", ");
  $("#batch-states").textContent = page.all ? `(${page.all}: ${states})` : "";
}

// ---- one batch -------------------------------------------------------------------------------
function select(id) {
  ui.selected = id;
  for (const row of document.querySelectorAll("#batches tbody tr")) {
    row.classList.toggle("selected", row.dataset.id === id);
  }
  refresh();
}

function link(href, label, title) {
  const a = h("a", { href, download: "", title, text: label });
  if (TOKEN) a.addEventListener("click", (event) => { event.preventDefault(); download(href); });
  return a;
}

async function download(href) {
  // With a token, a plain link cannot send the header: fetch it and save the bytes instead.
  const response = await fetch(href, { headers: headers(), credentials: "same-origin" });
  if (!response.ok) { toast(`download failed: ${response.status}`, true); return; }
  const url = URL.createObjectURL(await response.blob());
  const a = h("a", { href: url, download: href.split("/").slice(-2).join("_") });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function size(bytes) {
  if (bytes === null || bytes === undefined) return "deleted";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

// Each part of the detail is rebuilt only when what it shows changed (a link, an open select).
function part(el, signature, build) {
  if (el.dataset.sig === signature) return;
  el.dataset.sig = signature;
  el.replaceChildren(...build());
}

// The provider's own word (`ended`, `JOB_STATE_SUCCEEDED`), coloured by the neutral state it means.
function stateBadge(b) {
  return h("span", { class: `state ${b.state}`, title: `state: ${b.state}`, text: b.status });
}

// What a control did, in the words of the batch's answer: a cancel that ends at once says so.
function movedTo(b) {
  return `${b.native_id}: ${b.status}` + (b.status === b.state ? "" : ` (${b.state})`);
}

function renderDetail(b) {
  $("#detail-empty").classList.add("hidden");
  $("#detail-body").classList.remove("hidden");
  setText($("#detail-id"), b.native_id);
  $("#detail-state").className = `state ${b.state}`;
  $("#detail-state").title = `state: ${b.state}`;
  setText($("#detail-state"), b.status);
  const meta = [
    ["provider", b.provider], ["door", b.dialect], ["endpoint", b.endpoint],
    ["model", b.model || "—"], ["timing", b.timing], ["polls", b.polls],
    ["created", `${stamp(b.created_at)} (${relative(b.created_at)})`],
    ["expires", `${stamp(b.expires_at)} (${relative(b.expires_at)})`],
  ];
  if (b.metadata && Object.keys(b.metadata).length) meta.push(["metadata", JSON.stringify(b.metadata)]);
  part($("#detail-meta"), JSON.stringify(meta),
    () => meta.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: String(v) })]));
  part($("#detail-counts"), JSON.stringify(b.counts), () => [
    h("span", { class: "total mono", text: `${b.counts.total} items` }),
    ...OUTCOMES.map((o) => h("span", { class: o, "data-outcome": o, text: `${b.counts[o]} ${o}` })),
  ]);
  const steps = b.timeline.map((t) => [t.state, t.at, t.reached, relative(t.at)]);
  part($("#detail-timeline"), JSON.stringify(steps), () => b.timeline.map((t) => h("li",
    { class: t.reached ? "reached" : "planned", "data-state": t.state },
    h("span", { class: `state ${t.state}`, text: t.state }), " ",
    h("span", { class: "mono", text: stamp(t.at) }), " ",
    h("span", { class: "muted", text: t.reached ? relative(t.at) : `planned, ${relative(t.at)}` }))));
  part($("#detail-files"), JSON.stringify([b.id, b.files, b.results_url]), () => {
    const files = b.files.map((f) => h("li", {},
      `${f.kind}: `, f.url ? link(f.url, f.id, f.filename) : h("span", { class: "mono", text: f.id }),
      h("span", { class: "muted", text: ` ${size(f.size)}` })));
    if (b.results_url) files.push(h("li", {}, link(b.results_url, "every item's outcome (JSONL)")));
    if (!files.length) files.push(h("li", { class: "muted", text: "none yet" }));
    return files;
  });
  $("#detail-errors-box").classList.toggle("hidden", !b.errors.length);
  part($("#detail-errors"), JSON.stringify([b.errors, b.error_count]), () => {
    const errors = b.errors.map((e) => h("li", {},
      h("span", { class: "mono", text: e.code }), e.line ? ` line ${e.line}: ` : ": ", e.message));
    if (b.error_count > b.errors.length) errors.push(h("li", { class: "muted", text: `…and ${b.error_count - b.errors.length} more` }));
    return errors;
  });
  const choices = b.allowed;
  const picker = $("#detail-transition-to");
  const kept = picker.value;
  part(picker, JSON.stringify(choices), () => choices.map((s) => h("option", { value: s, text: s })));
  if (choices.includes(kept)) picker.value = kept;
  picker.disabled = $("#detail-transition").disabled = !choices.length;
  $("#detail-actions").classList.toggle("hidden", !choices.length); // a finished batch: no controls
  $("#detail-cancel").disabled = !choices.includes("cancelling");
  $("#detail-step").disabled = !choices.length;
  renderFindings();
}

function renderFindings() {
  const box = $("#detail-findings-box");
  const found = ui.findings;
  const mine = found && found.for === ui.selected ? found.data : [];
  box.classList.toggle("hidden", found === null);
  part($("#detail-findings"), JSON.stringify(mine), () => {
    const items = mine.map((f) => h("li", {}, h("span", { class: "mono", text: f.rule }), `: ${f.message}`));
    if (!items.length) items.push(h("li", { class: "muted", text: "none" }));
    return items;
  });
  const badge = $("#findings-badge");
  const count = found ? found.total : 0;
  badge.classList.toggle("hidden", !count);
  badge.title = found ? Object.entries(found.rules).map(([r, n]) => `${n} ${r}`).join(", ") : "";
  setText(badge, `${count} finding${count === 1 ? "" : "s"}`);
}

async function readFindings() {
  // The client verdict, bounded: counts per rule and the selected batch's findings only.
  const wanted = ui.selected;
  const q = new URLSearchParams(wanted ? { batch_id: wanted } : {});
  try {
    ui.findings = { ...(await api(`dashboard/findings?${q}`)), for: wanted };
  } catch (e) {
    ui.findings = null;
  }
}

// ---- journal ---------------------------------------------------------------------------------
function journalQuery() {
  const q = new URLSearchParams({ limit: JOURNAL_ROWS });
  const text = $("#journal-q").value.trim();
  if (text) q.set("q", text);
  if ($("#journal-status").value) q.set("status", $("#journal-status").value);
  if ($("#journal-dialect").value) q.set("dialect", $("#journal-dialect").value);
  if ($("#journal-faulted").checked) q.set("faulted", "true");
  return `dashboard/requests?${q}`;
}

const journalRows = new Map(); // journal entries never change: one row per request id, made once

function journalRow(e) {
  const key = `${e.request_id}:${e.wall}`; // request ids restart after a reset; arrival times don't
  let row = journalRows.get(key);
  if (!row) {
    const failed = e.status === null || e.status >= 400;
    row = h("tr", { class: e.fault ? "faulted" : "" },
      h("td", { class: "mono", title: stamp(e.at), text: stamp(e.at).slice(11) }),
      h("td", { class: "mono", text: e.method }),
      h("td", { class: "mono path", title: e.operation, text: e.path }),
      h("td", { class: failed ? "error mono" : "mono", text: e.status === null ? "dropped" : String(e.status) }),
      h("td", { text: e.dialect }),
      h("td", { class: "mono", title: e.rule || "", text: e.fault || "" }),
      h("td", { class: "mono", text: e.retry_count === null ? "" : String(e.retry_count) }));
    journalRows.set(key, row);
  }
  return [key, row];
}

function renderJournal(tail) {
  const pairs = tail.data.map(journalRow);
  const shown = new Set(pairs.map(([key]) => key));
  for (const key of journalRows.keys()) if (!shown.has(key)) journalRows.delete(key);
  placeRows($("#journal tbody"), pairs.map(([, row]) => row));
  const within = tail.scanned < tail.total ? ` in the last ${tail.scanned}` : "";
  const all = tail.matched === tail.total ? "" : `, ${tail.total} in all`;
  setText($("#journal-info"), `(${tail.data.length} of ${tail.matched}${within}${all})`);
}

// ---- faults ----------------------------------------------------------------------------------
function describeFault(rule) {
  const skip = new Set(["id", "kind", "seen", "consumed"]);
  const fields = Object.entries(rule).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${rule.kind} ${fields.join(" ")}`;
}

function renderFaults(list) {
  const signature = JSON.stringify(list.data);
  if (ui.faultsSig === signature) return;
  ui.faultsSig = signature;
  const items = list.data.map((rule) => h("li", { "data-id": rule.id },
    h("span", { class: "mono", text: rule.id }), " ", describeFault(rule),
    h("span", { class: "muted", text: ` · seen ${rule.seen}, fired ${rule.consumed}` }),
    h("button", { type: "button", class: "remove danger", title: "remove", text: "×", onclick: () => act(`faults/${encodeURIComponent(rule.id)}`, "DELETE", undefined, `removed ${rule.id}`) })));
  if (!items.length) items.push(h("li", { class: "muted", text: "none armed" }));
  $("#faults-list").replaceChildren(...items);
}

function fillOperations() {
  const dialect = $("#fault-form [name=dialect]").value;
  const ops = dialect ? ui.operations[dialect] || [] : [...new Set(Object.values(ui.operations).flat())].sort();
  const picker = $("#fault-form [name=operation]");
  const kept = picker.value;
  picker.replaceChildren(h("option", { value: "", text: "any" }), ...ops.map((o) => h("option", { value: o, text: o })));
  if (ops.includes(kept)) picker.value = kept;
}

function showKindFields() {
  const kind = $("#fault-form [name=kind]").value;
  for (const label of document.querySelectorAll("#fault-form [data-kinds]")) {
    label.classList.toggle("hidden", !label.dataset.kinds.split(" ").includes(kind));
  }
}

function numberOrText(raw) {
  const n = Number(raw);
  return raw.trim() !== "" && Number.isFinite(n) ? n : raw; // the server says what is wrong
}

function faultSpec(form) {
  const kind = form.kind.value;
  const spec = { kind };
  for (const label of form.querySelectorAll("label")) {
    if (label.dataset.kinds && !label.dataset.kinds.split(" ").includes(kind)) continue;
    for (const field of label.querySelectorAll("input, select")) {
      if (field.name === "kind" || field.name === "extra") continue;
      if (field.type === "checkbox") { if (field.checked) spec[field.name] = true; continue; }
      const value = field.value.trim();
      if (!value) continue;
      const numeric = ["status", "times", "probability", "rate"].includes(field.name);
      spec[field.name] = numeric ? numberOrText(value) : value;
    }
  }
  const extra = form.extra.value.trim();
  if (extra) {
    let more;
    try { more = JSON.parse(extra); } catch (e) { throw new Error(`more fields: ${e.message}`); }
    if (typeof more !== "object" || more === null || Array.isArray(more)) throw new Error("more fields must be a JSON object");
    Object.assign(spec, more);
  }
  return spec;
}

async function addFault(event) {
  event.preventDefault();
  const form = event.target;
  const out = $("#fault-error");
  out.textContent = "";
  try {
    const made = await api("faults", { method: "POST", body: faultSpec(form) });
    toast(`added ${made.id}`);
  } catch (e) {
    out.textContent = e.message;
    return;
  }
  await refresh();
}

// ---- controls --------------------------------------------------------------------------------
async function act(path, method, body, done) {
  try {
    const answer = await api(path, { method, body });
    const said = typeof done === "function" ? done(answer) : done;
    if (said) toast(said);
  } catch (e) {
    toast(e.message, true);
  }
  await refresh();
}

function advance(seconds) {
  act("clock/advance", "POST", { seconds }, `clock +${span(seconds)}`);
}

function wire() {
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => advance(Number(button.dataset.advance)));
  }
  const custom = () => {
    const raw = $("#advance-custom").value;
    const seconds = parseDuration(raw);
    if (seconds === null) { toast(`not a duration: ${JSON.stringify(raw)} (try 90s, 15m, 2h, 1d)`, true); return; }
    advance(seconds);
  };
  $("#advance-go").addEventListener("click", custom);
  $("#advance-custom").addEventListener("keydown", (e) => { if (e.key === "Enter") custom(); });
  $("#reset").addEventListener("click", () => {
    if (!confirm("Reset the emulator? Every batch, file, fault and journal entry is forgotten.")) return;
    ui.selected = null; ui.offset = 0;
    $("#detail-body").classList.add("hidden");
    $("#detail-empty").classList.remove("hidden");
    act("reset", "POST", {}, "reset");
  });
  const id = () => encodeURIComponent(ui.selected);
  $("#detail-step").addEventListener("click", () => act(`batches/${id()}/advance`, "POST", {}, movedTo));
  $("#detail-transition").addEventListener("click", () => {
    const to = $("#detail-transition-to").value;
    act(`batches/${id()}/transition`, "POST", { to }, movedTo);
  });
  $("#detail-cancel").addEventListener("click", () => act(`batches/${id()}/transition`, "POST", { to: "cancelling" }, movedTo));
  $("#pager-prev").addEventListener("click", () => { ui.offset = Math.max(0, ui.offset - PAGE_SIZE); refresh(); });
  $("#pager-next").addEventListener("click", () => { ui.offset += PAGE_SIZE; refresh(); });
  for (const sel of ["#batch-filter-state", "#batch-filter-dialect", "#batch-filter-q"]) {
    $(sel).addEventListener("input", () => { ui.offset = 0; refresh(); });
  }
  for (const sel of ["#journal-q", "#journal-status", "#journal-dialect", "#journal-faulted"]) {
    $(sel).addEventListener("input", () => refresh());
  }
  $("#fault-form").addEventListener("submit", addFault);
  $("#fault-form [name=kind]").addEventListener("change", showKindFields);
  $("#fault-form [name=dialect]").addEventListener("change", fillOperations);
  $("#faults-clear").addEventListener("click", () => act("faults", "DELETE", undefined, "every fault rule removed"));
  $("#batch-filter-state").append(...STATES.map((s) => h("option", { value: s, text: s })));
  showKindFields();
}

async function loadOperations() {
  try {
    ui.operations = (await api("faults/operations")).data;
  } catch (e) {
    ui.operations = {};
  }
  const dialects = Object.keys(ui.operations).sort();
  for (const sel of ["#fault-form [name=dialect]", "#batch-filter-dialect", "#journal-dialect"]) {
    $(sel).append(...dialects.map((d) => h("option", { value: d, text: d })));
  }
  fillOperations();
}

// ---- the loop --------------------------------------------------------------------------------
async function refresh() {
  if (ui.busy) { ui.again = true; return; }
  ui.busy = true;
  try {
    const stale = ui.findings && ui.findings.for !== ui.selected;
    if (ui.ticks % VERDICT_EVERY === 0 || stale) await readFindings();
    const [clock, page, tail, faults] = await Promise.all([
      api("clock"), api(batchQuery()), api(journalQuery()), api("faults"),
    ]);
    $("#clock-now").textContent = stamp(clock.now);
    $("#clock-kind").textContent = clock.clock;
    renderBatches(page);
    renderJournal(tail);
    renderFaults(faults);
    if (ui.selected) {
      try {
        renderDetail(await api(`dashboard/batches/${encodeURIComponent(ui.selected)}`));
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
        ui.selected = null; // deleted or reset by a client
        $("#detail-body").classList.add("hidden");
        $("#detail-empty").classList.remove("hidden");
      }
    } else {
      renderFindings();
    }
    document.body.classList.remove("offline");
  } catch (e) {
    document.body.classList.add("offline");
    $("#clock-kind").textContent = `unreachable: ${e.message}`;
  } finally {
    ui.ticks += 1;
    document.body.dataset.ticks = String(ui.ticks);
    ui.busy = false;
    if (ui.again) { ui.again = false; refresh(); }
  }
}

function loop() {
  if (!document.hidden) refresh();
  ui.timer = setTimeout(loop, POLL_MS);
}

document.addEventListener("DOMContentLoaded", async () => {
  wire();
  await loadOperations();
  loop();
});
