// Spanline web UI: search (with a scatter plot and "what is different"), trace waterfall and
// dependency graph over the native /v1 API.
// Plain modules, no build step. Text from the API only ever reaches the page as text nodes.

const PALETTE = ['#2f6fde', '#1b998b', '#e07a1f', '#8e44ad', '#c0392b', '#16a085', '#d4a017',
  '#5d6d7e', '#e84393', '#0984e3', '#6ab04c', '#b33939'];

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') node.setAttribute('style', v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// A service keeps its colour for the page's lifetime, in every view. Its slot comes from a hash of
// its name; a slot already taken by another service moves it to the next free one, so services
// seen together get distinct colours until the palette runs out.
const serviceColours = new Map();
const takenSlots = new Set();

function colour(service) {
  if (serviceColours.has(service)) return serviceColours.get(service);
  let h = 0;
  for (const ch of service) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  let slot = h % PALETTE.length;
  for (let i = 0; i < PALETTE.length && takenSlots.has(slot); i++) slot = (slot + 1) % PALETTE.length;
  takenSlots.add(slot);
  serviceColours.set(service, PALETTE[slot]);
  return PALETTE[slot];
}

function formatNanos(nanos) {
  const ms = nanos / 1e6;
  if (ms < 1) return `${(nanos / 1e3).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function localTime(epochNanos) {
  return new Date(Number(BigInt(epochNanos) / 1000000n)).toLocaleString();
}

// ---- API -------------------------------------------------------------------------------------

function headers() {
  const h = {};
  const tenant = $('tenant').value.trim();
  const key = $('api-key').value.trim();
  if (tenant) h['X-Scope-OrgID'] = tenant;
  if (key) h['Authorization'] = `Bearer ${key}`;
  return h;
}

async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== '' && v !== null && v !== undefined) query.append(k, v);
  }
  const qs = query.toString();
  const response = await fetch(qs ? `${path}?${qs}` : path, { headers: headers() });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const message = body && body.error && body.error.message ? body.error.message : response.statusText;
    const error = new Error(`${response.status}: ${message}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function showError(error) {
  const box = $('error');
  if (!error) { box.hidden = true; box.textContent = ''; return; }
  box.textContent = error.message || String(error);
  box.hidden = false;
}

function rangeParams(minutes) {
  const to = new Date();
  const from = new Date(to.getTime() - minutes * 60000);
  return { from: from.toISOString(), to: to.toISOString() };
}

// A datetime-local input's value (local time, no zone) and back, to RFC 3339 in UTC.
function localToIso(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

function isoToLocal(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

// ---- search ----------------------------------------------------------------------------------

async function loadServices() {
  try {
    const { services } = await api('/v1/services');
    const select = $('service');
    const current = select.value;
    select.replaceChildren(el('option', { value: '' }, 'any'));
    for (const s of services) select.append(el('option', { value: s }, s));
    if (current) selectValue(select, current);
    showError(null);
  } catch (e) { showError(e); }
}

async function loadOperations(wanted) {
  const service = $('service').value;
  const select = $('operation');
  const current = typeof wanted === 'string' ? wanted : '';
  select.replaceChildren(el('option', { value: '' }, 'any'));
  if (service) {
    try {
      const { operations } = await api(`/v1/services/${encodeURIComponent(service)}/operations`);
      for (const o of operations) select.append(el('option', { value: o }, o));
    } catch (e) { showError(e); }
  }
  if (current) selectValue(select, current);
}

/** Selects the value, adding it as an option when the list (not loaded yet, or older) lacks it. */
function selectValue(select, value) {
  if (![...select.options].some((o) => o.value === value)) select.append(el('option', { value }, value));
  select.value = value;
}

// The whole search lives in the URL (#/search?service=…&range=60 or &from=…&to=…), tenant and API
// key aside, so a link reproduces it and back/forward step through searches.
const FIELDS = [['service', 'service'], ['operation', 'operation'], ['status', 'status'],
  ['minDurationMs', 'min-duration'], ['maxDurationMs', 'max-duration'], ['limit', 'limit']];

/** The form as URL parameters; throws when an absolute range lacks a bound. */
function formState() {
  const q = new URLSearchParams();
  for (const [name, id] of FIELDS) if ($(id).value.trim() !== '') q.set(name, $(id).value.trim());
  for (const line of $('attributes').value.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) q.append(`attr.${line.slice(0, at).trim()}`, line.slice(at + 1).trim());
  }
  const linked = $('linked-trace').value.trim();
  if (linked) q.set('links', linked);
  if ($('range').value === 'absolute') {
    const from = localToIso($('from').value);
    const to = localToIso($('to').value);
    if (!from || !to) throw new Error('An absolute time range needs both From and To');
    q.set('from', from);
    q.set('to', to);
  } else {
    q.set('range', $('range').value);
  }
  return q;
}

/** Fills the form from URL parameters (fields not named are reset). */
async function applyState(q) {
  for (const [name, id] of FIELDS) {
    const value = q.get(name) || (name === 'limit' ? '20' : '');
    if ($(id).tagName === 'SELECT' && value) selectValue($(id), value); else $(id).value = value;
  }
  $('attributes').value = [...q.entries()].filter(([k]) => k.startsWith('attr.'))
    .map(([k, v]) => `${k.slice(5)}=${v}`).join('\n');
  $('linked-trace').value = q.get('links') || '';
  if (q.has('from') || q.has('to')) {
    $('range').value = 'absolute';
    $('from').value = isoToLocal(q.get('from') || '');
    $('to').value = isoToLocal(q.get('to') || '');
  } else {
    const range = q.get('range') || '60';
    $('range').value = [...$('range').options].some((o) => o.value === range) ? range : '60';
  }
  rangeChanged();
  await loadOperations(q.get('operation') || '');
}

function rangeChanged() {
  const absolute = $('range').value === 'absolute';
  $('absolute-range').hidden = !absolute;
  if (absolute && !$('from').value && !$('to').value) {
    const now = new Date();
    $('to').value = isoToLocal(now.toISOString());
    $('from').value = isoToLocal(new Date(now.getTime() - 3600000).toISOString());
  }
}

/** The API's parameters of a search state: a relative range becomes from/to ending now. */
function apiParams(q) {
  const params = {};
  for (const [name] of FIELDS) if (q.get(name)) params[name] = q.get(name);
  for (const [k, v] of q.entries()) if (k.startsWith('attr.')) params[k] = v;
  // "<trace ID>" or "<trace ID>/<span ID>" (as the span details show a link)
  const [linkedTraceId, linkedSpanId] = (q.get('links') || '').split('/').map((p) => p.trim());
  if (linkedTraceId) params.linkedTraceId = linkedTraceId;
  if (linkedSpanId) params.linkedSpanId = linkedSpanId;
  if (q.has('from') || q.has('to')) {
    params.from = q.get('from') || '';
    params.to = q.get('to') || '';
  } else {
    Object.assign(params, rangeParams(Number(q.get('range') || 60)));
  }
  return params;
}

let lastSearch = null; // the hash of the search the results show
let current = null; // { query: URLSearchParams, params: the API parameters, traces }

function submitSearch(event) {
  if (event) event.preventDefault();
  let q;
  try { q = formState(); } catch (e) { showError(e); return; }
  const hash = `#/search?${q}`;
  if (location.hash === hash) runSearch(q, hash); // the same search again (a relative range moves on)
  else location.hash = hash;
}

async function runSearch(q, hash) {
  lastSearch = hash;
  const results = $('results');
  results.replaceChildren(el('div', { class: 'empty' }, 'Searching…'));
  $('results-summary').textContent = '';
  $('scatter').hidden = true;
  $('compare-button').hidden = true;
  $('compare-panel').hidden = true;
  const params = apiParams(q);
  try {
    const { traces } = await api('/v1/traces/search', params);
    showError(null);
    current = { query: q, params, traces };
    renderResults(traces);
    renderScatter(traces);
  } catch (e) {
    results.replaceChildren();
    showError(e);
  }
}

function renderResults(traces) {
  const results = $('results');
  results.replaceChildren();
  $('results-summary').textContent = `${traces.length} trace${traces.length === 1 ? '' : 's'}`;
  $('compare-button').hidden = traces.length === 0;
  if (traces.length === 0) {
    results.append(el('div', { class: 'empty' }, 'No traces found'));
    return;
  }
  const longest = Math.max(...traces.map((t) => t.durationNanos), 1);
  for (const t of traces) {
    const width = Math.max(0.5, (100 * t.durationNanos) / longest);
    const row = el('div', { class: `trace-row${t.error ? ' error' : ''}`, 'data-trace-id': t.traceId,
      onclick: () => { location.hash = `#/trace/${t.traceId}`; } },
      el('div', { class: 'title' },
        el('span', {}, t.error ? el('span', { class: 'error-mark' }, '! ') : null,
          `${t.rootService}: ${t.rootOperation}`,
          t.debug ? debugBadge() : null),
        el('span', {}, formatNanos(t.durationNanos))),
      el('div', { class: 'meta' },
        el('span', { class: 'id' }, t.traceId.slice(0, 16)),
        el('span', {}, localTime(t.startTimeUnixNano)),
        el('span', {}, `${t.spanCount} spans`),
        el('span', {}, ...t.services.map((s) => el('span', { class: 'chip', style: `background:${colour(s)}` }, s)))),
      el('div', { class: 'duration-track' }, el('div', { class: 'duration-bar', style: `width:${width}%` })));
    results.append(row);
  }
}

const NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The results as points, start time across and duration up, failed traces red. A click on a
 * point opens its trace; dragging up or down over the plot selects a duration range and opens
 * "What is different?" for it.
 */
function renderScatter(traces) {
  const box = $('scatter');
  if (traces.length === 0) { box.hidden = true; return; }
  const W = 800, H = 200, L = 64, R = 12, T = 10, B = 26;
  const starts = traces.map((t) => Number(BigInt(t.startTimeUnixNano) / 1000000n));
  const t0 = Math.min(...starts), t1 = Math.max(...starts);
  const span = Math.max(t1 - t0, 1);
  const longest = Math.max(...traces.map((t) => t.durationNanos), 1) * 1.1;
  const x = (ms) => L + 8 + (traces.length === 1 ? (W - L - R - 16) / 2 : ((ms - t0) / span) * (W - L - R - 16));
  const y = (nanos) => H - B - (nanos / longest) * (H - T - B);
  const nanosAt = (py) => Math.max(0, ((H - B - py) / (H - T - B)) * longest);
  const root = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, id: 'scatter-svg', role: 'img',
    'aria-label': 'Trace start time against duration' });
  root.append(svgEl('rect', { class: 'plot', x: L, y: T, width: W - L - R, height: H - T - B }));
  for (let i = 0; i <= 4; i++) {
    const nanos = (longest * i) / 4;
    root.append(svgEl('line', { class: 'grid', x1: L, x2: W - R, y1: y(nanos), y2: y(nanos) }));
    root.append(svgEl('text', { class: 'axis-label', x: L - 6, y: y(nanos) + 4, 'text-anchor': 'end' }, formatNanos(nanos)));
  }
  const time = (ms) => new Date(ms).toLocaleTimeString();
  root.append(svgEl('text', { class: 'axis-label', x: L, y: H - 8 }, time(t0)));
  root.append(svgEl('text', { class: 'axis-label', x: W - R, y: H - 8, 'text-anchor': 'end' }, time(t1)));
  const brush = svgEl('rect', { class: 'brush', x: L, width: W - L - R, y: 0, height: 0, visibility: 'hidden' });
  root.append(brush);
  traces.forEach((t, i) => {
    const point = svgEl('circle', { class: `point${t.error ? ' error' : ''}`, cx: x(starts[i]), cy: y(t.durationNanos),
      r: 5, 'data-trace-id': t.traceId, 'data-duration-nanos': t.durationNanos });
    point.append(svgEl('title', {}, `${t.rootService}: ${t.rootOperation} · ${formatNanos(t.durationNanos)}${t.error ? ' · failed' : ''}`));
    point.addEventListener('click', (e) => { e.stopPropagation(); location.hash = `#/trace/${t.traceId}`; });
    root.append(point);
  });
  const toSvg = (e) => {
    const p = root.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    return p.matrixTransform(root.getScreenCTM().inverse());
  };
  let from = null;
  root.addEventListener('mousedown', (e) => {
    if (e.target.classList.contains('point')) return;
    e.preventDefault();
    from = Math.min(Math.max(toSvg(e).y, T), H - B);
  });
  root.addEventListener('mousemove', (e) => {
    if (from === null) return;
    const to = Math.min(Math.max(toSvg(e).y, T), H - B);
    brush.setAttribute('y', Math.min(from, to));
    brush.setAttribute('height', Math.abs(to - from));
    brush.setAttribute('visibility', 'visible');
  });
  const end = (e) => {
    if (from === null) return;
    const to = Math.min(Math.max(toSvg(e).y, T), H - B);
    const start = from;
    from = null;
    if (Math.abs(to - start) < 4) { brush.setAttribute('visibility', 'hidden'); return; }
    const lo = nanosAt(Math.max(start, to)) / 1e6, hi = nanosAt(Math.min(start, to)) / 1e6;
    openCompare({ kind: 'range', min: round(lo), max: round(hi) });
  };
  root.addEventListener('mouseup', end);
  root.addEventListener('mouseleave', end);
  box.replaceChildren(root, el('div', { class: 'muted hint' },
    'Click a point to open its trace; drag up or down to compare a duration range with the rest.'));
  box.hidden = false;
}

function round(ms) {
  return ms >= 100 ? Math.round(ms) : Math.round(ms * 100) / 100;
}

// ---- what is different -----------------------------------------------------------------------

/** Opens the comparison panel for a selection ({kind: error|slow|range, min, max} in ms) and runs it. */
function openCompare(selection) {
  $('compare-selection').value = selection.kind;
  $('compare-min').value = selection.min !== undefined ? selection.min : '';
  $('compare-max').value = selection.max !== undefined ? selection.max : '';
  compareSelectionChanged();
  $('compare-panel').hidden = false;
  runCompare();
}

/** The selection the results suggest: the search's own condition, else failures, else the slowest tenth. */
function suggestedSelection() {
  const q = current.query;
  if (q.get('status') === 'error') return { kind: 'error' };
  if (q.get('minDurationMs')) return { kind: 'slow', min: q.get('minDurationMs') };
  if (current.traces.some((t) => t.error)) return { kind: 'error' };
  const durations = current.traces.map((t) => t.durationNanos).sort((a, b) => a - b);
  return { kind: 'slow', min: round(durations[Math.floor(durations.length * 0.9)] / 1e6) };
}

function compareSelectionChanged() {
  const kind = $('compare-selection').value;
  $('compare-min').disabled = kind === 'error';
  $('compare-max').disabled = kind !== 'range';
}

async function runCompare(event) {
  if (event) event.preventDefault();
  if (!current) return;
  // the baseline: the search's traces without its status and duration conditions
  const params = { ...current.params };
  for (const k of ['status', 'minDurationMs', 'maxDurationMs', 'limit', 'linkedTraceId', 'linkedSpanId']) delete params[k];
  const kind = $('compare-selection').value;
  if (kind === 'error') params['select.status'] = 'error';
  else {
    params['select.minDurationMs'] = $('compare-min').value;
    if (kind === 'range') params['select.maxDurationMs'] = $('compare-max').value;
  }
  const out = $('compare-results');
  out.replaceChildren(el('div', { class: 'empty' }, 'Comparing…'));
  $('compare-summary').textContent = '';
  try {
    const body = await api('/v1/insights/compare', params);
    showError(null);
    renderComparison(body);
  } catch (e) { out.replaceChildren(); showError(e); }
}

function renderComparison(body) {
  const pct = (share) => `${share === 0 ? 0 : (100 * share).toFixed(share < 0.1 ? 1 : 0)} %`;
  $('compare-summary').textContent = `${body.selection.traces} selected trace${body.selection.traces === 1 ? '' : 's'} `
    + `against ${body.baseline.traces} baseline trace${body.baseline.traces === 1 ? '' : 's'}`;
  const out = $('compare-results');
  if (body.differences.length === 0) {
    out.replaceChildren(el('div', { class: 'empty' }, 'No attribute value is more common in the selection than in the baseline'));
    return;
  }
  const table = el('table', { class: 'differences' },
    el('tr', {}, el('th', {}, 'attribute value'), el('th', {}, 'selection'), el('th', {}, 'baseline'), el('th', {}, 'score')));
  for (const d of body.differences) {
    const attr = `${d.key}=${d.value}`;
    table.append(el('tr', { class: 'difference', 'data-key': d.key, 'data-value': d.value },
      el('td', { class: 'attr' }, el('a', { href: '#', title: 'Search the traces with this value',
        onclick: (e) => { e.preventDefault(); searchWith(attr); } }, attr)),
      el('td', {}, share(d.selectionShare, 'sel'), ` ${pct(d.selectionShare)} (${d.selectionTraces})`),
      el('td', {}, share(d.baselineShare, 'base'), ` ${pct(d.baselineShare)} (${d.baselineTraces})`),
      el('td', {}, d.score.toFixed(2))));
  }
  out.replaceChildren(table);
}

function share(fraction, kind) {
  return el('span', { class: 'share-track' }, el('span', { class: `share ${kind}`, style: `width:${Math.max(1, 100 * fraction)}%` }));
}

/** A new search: the current one plus the attribute condition. */
function searchWith(attr) {
  const q = new URLSearchParams(current.query);
  const at = attr.indexOf('=');
  q.set(`attr.${attr.slice(0, at)}`, attr.slice(at + 1));
  location.hash = `#/search?${q}`;
}

// ---- trace view ------------------------------------------------------------------------------

function anyValue(v) {
  if (!v) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) return `[${(v.arrayValue.values || []).map(anyValue).join(', ')}]`;
  if ('kvlistValue' in v) {
    return `{${(v.kvlistValue.values || []).map((kv) => `${kv.key}: ${anyValue(kv.value)}`).join(', ')}}`;
  }
  return '';
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUSES = ['UNSET', 'OK', 'ERROR'];

function enumName(value, names, prefix) {
  if (typeof value === 'number') return names[value] || String(value);
  if (typeof value === 'string') return value.replace(prefix, '');
  return names[0];
}

/** The badge of a trace kept by the debug switch. */
function debugBadge() {
  return el('span', { class: 'debug-badge', title: 'kept by the debug switch (spanline-debug header or spanline.debug baggage)' }, 'debug');
}

/**
 * Whether a trace carries the debug switch's mark: a span or resource attribute spanline.debug
 * that is true, "true" or "1" (what the gateway's header and the baggage span processor write).
 */
function debugMarked(spans) {
  const marks = (attributes) => (attributes || []).some((a) => {
    if (a.key !== 'spanline.debug' || !a.value) return false;
    const v = a.value;
    return v.boolValue === true || v.intValue === '1' || v.intValue === 1
      || (typeof v.stringValue === 'string' && (v.stringValue === '1' || v.stringValue.toLowerCase() === 'true'));
  });
  return spans.some((s) => marks(s.attributes) || marks(s.resource));
}

function flatten(tracesData) {
  const spans = [];
  for (const rs of tracesData.resourceSpans || []) {
    const resource = (rs.resource && rs.resource.attributes) || [];
    const serviceAttr = resource.find((a) => a.key === 'service.name');
    const service = serviceAttr ? anyValue(serviceAttr.value) : 'unknown_service';
    for (const ss of rs.scopeSpans || []) {
      for (const s of ss.spans || []) {
        spans.push({
          ...s, service, resource, scope: ss.scope || {},
          start: BigInt(s.startTimeUnixNano), end: BigInt(s.endTimeUnixNano),
          kindName: enumName(s.kind, KINDS, 'SPAN_KIND_'),
          statusName: enumName(s.status && s.status.code, STATUSES, 'STATUS_CODE_'),
        });
      }
    }
  }
  return spans;
}

function ordered(spans) {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  const out = [];
  const seen = new Set();
  const visit = (s, depth) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) || []).sort(byStart)) visit(c, depth + 1);
  };
  roots.sort(byStart).forEach((r) => visit(r, 0));
  return out;
}

function kvTable(attributes) {
  if (!attributes || attributes.length === 0) return el('div', { class: 'muted' }, 'none');
  return el('table', { class: 'kv' }, ...attributes.map((a) =>
    el('tr', {}, el('td', {}, a.key), el('td', {}, anyValue(a.value)))));
}

/** A span's links, each opening the linked trace at the linked span (#/trace/<id>/<spanId>). */
function linkList(span, traceId) {
  const links = span.links || [];
  const out = [el('h4', {}, `Links (${links.length})`)];
  for (const l of links) {
    out.push(el('div', { class: 'span-link' },
      el('a', { href: `#/trace/${encodeURIComponent(l.traceId)}/${encodeURIComponent(l.spanId)}`,
        class: 'link-target', 'data-trace-id': l.traceId, 'data-span-id': l.spanId,
        title: 'Open the linked trace at this span' }, `${l.traceId} / ${l.spanId}`),
      l.traceId === traceId ? el('span', { class: 'muted' }, ' (this trace)') : null,
      l.traceState ? el('span', { class: 'muted' }, ` tracestate ${l.traceState}`) : null),
    kvTable(l.attributes));
  }
  return out;
}

function details(span, traceStart, adjustment, traceId) {
  const offset = (big) => formatNanos(Number(big - traceStart));
  const box = el('div', { class: 'span-details', onclick: (e) => e.stopPropagation() },
    adjustment ? el('div', { class: 'warning clock-skew' }, adjustment.warning) : null,
    el('table', { class: 'kv' },
      el('tr', {}, el('td', {}, 'span ID'), el('td', {}, span.spanId)),
      el('tr', {}, el('td', {}, 'kind'), el('td', {}, span.kindName)),
      el('tr', {}, el('td', {}, 'status'), el('td', {}, span.statusName +
        (span.status && span.status.message ? ` — ${span.status.message}` : ''))),
      el('tr', {}, el('td', {}, 'start'), el('td', {}, `+${offset(span.start)}`)),
      el('tr', {}, el('td', {}, 'duration'), el('td', {}, formatNanos(Number(span.end - span.start)))),
      el('tr', {}, el('td', {}, 'scope'), el('td', {}, `${span.scope.name || ''} ${span.scope.version || ''}`))),
    el('h4', {}, 'Attributes'), kvTable(span.attributes),
    el('h4', {}, 'Resource'), kvTable(span.resource));
  const events = span.events || [];
  box.append(el('h4', {}, `Events (${events.length})`));
  for (const e of events) {
    box.append(el('div', {}, `+${offset(BigInt(e.timeUnixNano))} `, el('strong', {}, e.name || '')),
      kvTable(e.attributes));
  }
  box.append(...linkList(span, traceId));
  return box;
}

/**
 * Shows a trace; with `focus` (a span ID, as a followed link gives it) that span's row is
 * highlighted, scrolled to and opened. A trace the API answers 404 for is said to be not kept.
 */
async function showTrace(traceId, raw = false, focus = null) {
  const view = $('trace-view');
  view.replaceChildren(el('div', { class: 'empty' }, 'Loading trace…'));
  let body;
  try {
    body = await api(`/v1/traces/${encodeURIComponent(traceId)}`, raw ? { adjustClockSkew: 'false' } : {});
    showError(null);
  } catch (e) {
    view.replaceChildren(el('button', { class: 'secondary', onclick: () => history.back() }, '← Back'),
      e.status === 404 ? notKept(traceId, focus) : null);
    showError(e);
    return;
  }
  const spans = flatten(body.trace);
  const rows = ordered(spans);
  const start = spans.reduce((m, s) => (s.start < m ? s.start : m), spans[0].start);
  const end = spans.reduce((m, s) => (s.end > m ? s.end : m), spans[0].end);
  const total = Math.max(1, Number(end - start));
  const root = rows.length ? rows[0].span : spans[0];
  const services = [...new Set(spans.map((s) => s.service))].sort();
  const header = el('div', { class: 'panel trace-header' },
    el('button', { class: 'secondary', onclick: () => { location.hash = lastSearch || '#/search'; } }, '← Results'),
    el('h2', {}, `${root.service}: ${root.name}`, debugMarked(spans) ? debugBadge() : null),
    el('div', { class: 'meta' },
      el('span', { class: 'id' }, body.traceId),
      el('span', {}, localTime(start.toString())),
      el('span', { id: 'trace-duration' }, formatNanos(total)),
      el('span', {}, `${body.spanCount} spans`),
      el('span', {}, `from ${body.source}`),
      el('span', {}, ...services.map((s) => el('span', { class: 'chip', style: `background:${colour(s)}` }, s)))),
    body.truncated ? el('div', { class: 'warning', id: 'truncated' },
      `This trace has more spans than the service returns (trace.max-spans); only the first ${body.spanCount} are shown.`) : null,
    clockSkewNote(body, traceId, raw, focus),
    el('label', { class: 'toggle' },
      el('input', { type: 'checkbox', id: 'critical-path-toggle', checked: 'checked',
        onchange: (e) => { $('waterfall').classList.toggle('hide-critical', !e.target.checked); } }),
      ' Critical path'),
    traceTools(body, raw),
    linkingTraces(body.traceId, start));
  // the critical path's sections by span: drawn over each bar
  const critical = new Map();
  for (const c of body.criticalPath || []) {
    if (!critical.has(c.spanId)) critical.set(c.spanId, []);
    critical.get(c.spanId).push(c);
  }
  const skewed = new Map((body.clockSkewAdjustments || []).map((a) => [a.spanId, a]));
  const ticks = el('div', { class: 'ticks' });
  for (let i = 0; i <= 4; i++) {
    ticks.append(el('span', { class: 'tick', style: `left:${Math.min(i * 25, 97)}%` }, formatNanos((total * i) / 4)));
  }
  const waterfall = el('div', { class: 'waterfall', id: 'waterfall' },
    el('div', { class: 'axis' }, el('div', { class: 'label' }, 'Service: span'), ticks));
  const childCount = new Map();
  for (const { span } of rows) {
    if (span.parentSpanId) childCount.set(span.parentSpanId, (childCount.get(span.parentSpanId) || 0) + 1);
  }
  for (const { span, depth } of rows) {
    const left = (100 * Number(span.start - start)) / total;
    const width = Math.max(0.2, (100 * Number(span.end - span.start)) / total);
    const isError = span.statusName === 'ERROR';
    const sections = critical.get(span.spanId) || [];
    const adjustment = skewed.get(span.spanId);
    const classes = ['span-row'];
    if (isError) classes.push('error');
    if (sections.length) classes.push('critical');
    const timeline = el('div', { class: 'timeline' },
      el('div', { class: 'bar', style: `left:${left}%;width:${width}%;background:${colour(span.service)}` }),
      ...sections.map((c) => el('div', {
        class: 'cp',
        title: 'on the critical path',
        style: `left:${(100 * Number(BigInt(c.startTimeUnixNano) - start)) / total}%;`
          + `width:${Math.max(0.2, (100 * Number(BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano))) / total)}%`,
      })),
      el('span', { class: 'bar-text', style: `left:calc(${Math.min(left + width, 90)}% + 4px)` },
        formatNanos(Number(span.end - span.start))));
    const children = childCount.get(span.spanId) || 0;
    const row = el('div', { class: classes.join(' '), 'data-span-id': span.spanId, 'data-depth': depth },
      el('div', { class: 'label', style: `padding-left:${8 + depth * 14}px`, title: `${span.service}: ${span.name}` },
        children ? el('span', { class: 'twisty', title: `Collapse or expand its ${children} child span${children === 1 ? '' : 's'} and their subtrees`,
          onclick: (e) => { e.stopPropagation(); row.classList.toggle('collapsed'); applyCollapse(waterfall); } }, '') : el('span', { class: 'twisty none' }),
        adjustment ? el('span', { class: 'skew', title: adjustment.warning }, '±') : null,
        el('span', { class: 'service', style: `color:${colour(span.service)}` }, span.service), span.name),
      timeline);
    row.span = span;
    row.addEventListener('click', () => {
      if (row.details) { row.details.remove(); row.details = null; return; }
      row.details = details(span, start, adjustment, body.traceId);
      row.after(row.details);
    });
    waterfall.append(row);
  }
  view.replaceChildren(header, waterfall);
  if (focus) focusSpan(waterfall, header, focus);
}

let downloadUrl = null; // the object URL of the open trace's OTLP JSON

/** Find (by name, service or attribute value), collapse/expand all, and the OTLP JSON download. */
function traceTools(body, raw) {
  const count = el('span', { id: 'find-count', class: 'muted' });
  const find = el('input', { id: 'span-find', type: 'search', placeholder: 'Find spans: name, service, attribute value',
    'aria-label': 'Find spans', spellcheck: 'false' });
  find.addEventListener('input', () => findSpans($('waterfall'), find.value, count));
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(body.trace)], { type: 'application/json' }));
  const download = el('a', { id: 'download-json', class: 'button secondary', download: `trace-${body.traceId}.json`,
    href: downloadUrl,
    title: raw ? 'The trace as recorded, as OTLP/JSON (TracesData)'
      : 'The trace as shown (clock skew adjusted), as OTLP/JSON (TracesData); "Show as recorded" downloads the recorded times' },
    'Download OTLP JSON');
  return el('div', { class: 'trace-tools' }, find, count,
    el('button', { class: 'secondary', id: 'collapse-all', type: 'button', onclick: () => setCollapsed(true) }, 'Collapse all'),
    el('button', { class: 'secondary', id: 'expand-all', type: 'button', onclick: () => setCollapsed(false) }, 'Expand all'),
    download);
}

function setCollapsed(collapsed) {
  const waterfall = $('waterfall');
  for (const row of waterfall.querySelectorAll('.span-row')) {
    // the roots stay open: collapsing everything leaves their children visible
    if (row.querySelector('.twisty:not(.none)')) row.classList.toggle('collapsed', collapsed && row.dataset.depth !== '0');
  }
  applyCollapse(waterfall);
}

/** Hides the rows (and open details) below a collapsed row; rows are in depth-first order. */
function applyCollapse(waterfall) {
  let hideBelow = Infinity; // rows deeper than this are in a collapsed subtree
  for (const row of waterfall.querySelectorAll('.span-row')) {
    const depth = Number(row.dataset.depth);
    if (depth <= hideBelow) hideBelow = Infinity;
    const hidden = depth > hideBelow;
    row.hidden = hidden;
    if (row.details) row.details.hidden = hidden;
    if (!hidden && row.classList.contains('collapsed')) hideBelow = depth;
  }
}

function spanText(span) {
  const values = [span.name, span.service, span.spanId];
  const add = (attributes) => { for (const a of attributes || []) values.push(anyValue(a.value)); };
  add(span.attributes);
  add(span.resource);
  for (const e of span.events || []) { values.push(e.name); add(e.attributes); }
  return values.join('\n').toLowerCase();
}

/** Highlights the spans whose name, service or attribute values hold the text; opens their subtrees. */
function findSpans(waterfall, text, count) {
  const needle = text.trim().toLowerCase();
  const rows = [...waterfall.querySelectorAll('.span-row')];
  let matches = 0;
  const stack = []; // the ancestors of the current row
  for (const row of rows) {
    const depth = Number(row.dataset.depth);
    while (stack.length && Number(stack[stack.length - 1].dataset.depth) >= depth) stack.pop();
    const match = needle !== '' && spanText(row.span).includes(needle);
    row.classList.toggle('match', match);
    if (match) {
      matches++;
      for (const ancestor of stack) ancestor.classList.remove('collapsed');
    }
    stack.push(row);
  }
  applyCollapse(waterfall);
  count.textContent = needle === '' ? '' : `${matches} of ${rows.length} span${rows.length === 1 ? '' : 's'} match`;
  const first = waterfall.querySelector('.span-row.match');
  if (first) first.scrollIntoView({ block: 'nearest' });
}

/** Highlights, opens and scrolls to the span's row; says so when the trace does not hold it. */
function focusSpan(waterfall, header, spanId) {
  const row = [...waterfall.querySelectorAll('.span-row')].find((r) => r.dataset.spanId === spanId);
  if (!row) {
    header.append(el('div', { class: 'warning', id: 'span-missing' },
      `Span ${spanId} is not in this trace as Spanline keeps it (a late part of the trace that was not kept, or cut at trace.max-spans).`));
    return;
  }
  row.classList.add('highlight');
  row.click();
  row.scrollIntoView({ block: 'center' });
}

/** The message for a trace the API does not hold: never kept, past retention, or another tenant's. */
function notKept(traceId, focus) {
  return el('div', { class: 'panel not-kept', id: 'not-kept' },
    el('strong', {}, focus ? `The linked trace ${traceId} is not kept.` : `Trace ${traceId} is not kept.`),
    ' Spanline holds none of its spans for this tenant: the sampler did not keep it, it is past retention,'
      + ' or it never reached Spanline.',
    focus ? ` The link pointed at its span ${focus}.` : null);
}

/** A button listing the kept traces with a span linking to this one (from an hour before to a day after). */
function linkingTraces(traceId, start) {
  const list = el('div', { id: 'linking-traces' });
  const find = async () => {
    list.replaceChildren(el('span', { class: 'muted' }, 'Searching…'));
    const startMs = Number(start / 1000000n);
    try {
      const { traces } = await api('/v1/traces/search', {
        linkedTraceId: traceId,
        from: new Date(startMs - 3600000).toISOString(),
        to: new Date(startMs + 86400000).toISOString(),
        limit: 100,
      });
      const others = traces.filter((t) => t.traceId !== traceId);
      if (others.length === 0) {
        list.replaceChildren(el('span', { class: 'muted' },
          'No kept trace that started from an hour before to a day after this one links to it.'));
        return;
      }
      list.replaceChildren(...others.map((t) => el('div', {},
        el('a', { href: `#/trace/${t.traceId}`, class: 'linking-trace', 'data-trace-id': t.traceId },
          `${t.rootService}: ${t.rootOperation}`),
        el('span', { class: 'muted' }, ` ${t.traceId.slice(0, 16)} · ${localTime(t.startTimeUnixNano)}`))));
    } catch (e) { list.replaceChildren(); showError(e); }
  };
  return el('div', { class: 'linking' },
    el('button', { class: 'secondary', id: 'linking-button', onclick: find }, 'Traces linking here'), list);
}

/** Says how many spans clock-skew adjustment moved, with a switch to the recorded times. */
function clockSkewNote(body, traceId, raw, focus) {
  const moved = (body.clockSkewAdjustments || []).filter((a) => Number(a.deltaNanos) !== 0).length;
  if (raw) {
    return el('div', { class: 'warning', id: 'clock-skew' }, 'Timestamps as recorded, without clock-skew adjustment. ',
      el('a', { href: '#', onclick: (e) => { e.preventDefault(); showTrace(traceId, false, focus); } }, 'Adjust'));
  }
  if (!moved) return null;
  return el('div', { class: 'warning', id: 'clock-skew' },
    `${moved} span${moved === 1 ? ' was' : 's were'} moved into ${moved === 1 ? 'its' : 'their'} parent to correct clock skew between hosts (±). `,
    el('a', { href: '#', onclick: (e) => { e.preventDefault(); showTrace(traceId, true, focus); } }, 'Show as recorded'));
}

// ---- dependency graph ------------------------------------------------------------------------

/** A call estimate as people read it: whole numbers, one decimal below 10. */
function formatCount(n) {
  return n < 10 && !Number.isInteger(n) ? n.toFixed(1) : Math.round(n).toLocaleString('en');
}

async function showDependencies() {
  const graph = $('dependency-graph');
  graph.replaceChildren(el('div', { class: 'empty' }, 'Loading…'));
  let dependencies;
  try {
    ({ dependencies } = await api('/v1/dependencies', rangeParams(Number($('dependencies-range').value))));
    showError(null);
  } catch (e) { graph.replaceChildren(); showError(e); return; }
  const estimated = $('dependencies-weight').value === 'estimated';
  $('dependencies-note').textContent = estimated
    ? 'Estimated calls in all traffic: each kept call weighs its trace\'s adjusted count (1 / sampling probability).'
    : 'Calls in the kept traces only: sampling makes rare-but-kept paths (errors, slow) look bigger than they are.';
  if (dependencies.length === 0) {
    graph.replaceChildren(el('div', { class: 'empty' }, 'No calls between services in this range'));
    return;
  }
  const nodes = [...new Set(dependencies.flatMap((d) => [d.parent, d.child]))].sort();
  // Longest-path layers from the callers; a cycle stops growing after nodes.length rounds.
  const layer = new Map(nodes.map((n) => [n, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const d of dependencies) {
      if (d.parent !== d.child && layer.get(d.child) < layer.get(d.parent) + 1 && layer.get(d.parent) + 1 < nodes.length) {
        layer.set(d.child, layer.get(d.parent) + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = new Map();
  for (const n of nodes) {
    const l = layer.get(n);
    if (!columns.has(l)) columns.set(l, []);
    columns.get(l).push(n);
  }
  const W = 160, H = 36, GX = 110, GY = 40;
  const position = new Map();
  let rowsMax = 0;
  for (const [l, list] of columns) {
    list.forEach((n, i) => position.set(n, { x: 20 + l * (W + GX), y: 20 + i * (H + GY) }));
    rowsMax = Math.max(rowsMax, list.length);
  }
  const width = 40 + columns.size * (W + GX);
  const height = 40 + rowsMax * (H + GY);
  const NS = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs = {}, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, id: 'dependency-svg' });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '8', markerHeight: '8', orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8795a8' }));
  defs.append(marker);
  root.append(defs);
  for (const d of dependencies) {
    const a = position.get(d.parent), b = position.get(d.child);
    const g = svg('g', { class: 'edge', 'data-edge': `${d.parent}>${d.child}` });
    let path, lx, ly;
    if (d.parent === d.child) {
      path = `M ${a.x + W - 20} ${a.y} C ${a.x + W + 30} ${a.y - 40}, ${a.x + W + 30} ${a.y + H + 40}, ${a.x + W} ${a.y + H - 8}`;
      lx = a.x + W + 26; ly = a.y + H / 2;
    } else {
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      const backwards = x2 <= x1;
      const bend = backwards ? 80 : (x2 - x1) / 2;
      path = backwards
        ? `M ${a.x + W / 2} ${a.y + H} C ${a.x + W / 2} ${a.y + H + bend}, ${b.x + W / 2} ${b.y + H + bend}, ${b.x + W / 2} ${b.y + H}`
        : `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
      lx = (x1 + x2) / 2; ly = (y1 + y2) / 2 - 6;
    }
    g.append(svg('path', { d: path, 'marker-end': 'url(#arrow)' }));
    const label = estimated
      ? `≈${formatCount(d.estimatedCallCount ?? d.callCount)} calls`
      : `${d.callCount} kept call${d.callCount === 1 ? '' : 's'}`;
    g.append(svg('text', { x: lx, y: ly, 'text-anchor': 'middle' }, label));
    root.append(g);
  }
  for (const n of nodes) {
    const p = position.get(n);
    const g = svg('g', { class: 'node', 'data-service': n });
    g.append(svg('rect', { x: p.x, y: p.y, width: W, height: H, style: `stroke:${colour(n)}` }));
    g.append(svg('text', { x: p.x + W / 2, y: p.y + H / 2 + 4, 'text-anchor': 'middle' }, n));
    root.append(g);
  }
  graph.replaceChildren(root);
}

// ---- routing ---------------------------------------------------------------------------------

function route() {
  const hash = location.hash || '#/search';
  const [, view, arg] = hash.match(/^#\/([a-z]+)\/?(.*)$/) || [null, 'search', ''];
  $('search-view').hidden = view !== 'search';
  $('trace-view').hidden = view !== 'trace';
  $('dependencies').hidden = view !== 'dependencies';
  $('nav-search').classList.toggle('active', view === 'search' || view === 'trace');
  $('nav-dependencies').classList.toggle('active', view === 'dependencies');
  if (view === 'search') {
    const query = arg.startsWith('?') ? arg.slice(1) : '';
    if (query && hash !== lastSearch) {
      const q = new URLSearchParams(query);
      applyState(q).then(() => runSearch(q, hash));
    }
  }
  if (view === 'trace' && arg) {
    // #/trace/<traceId> or, from a followed link, #/trace/<traceId>/<spanId>
    const [traceId, spanId] = arg.split('/').map(decodeURIComponent);
    showTrace(traceId, false, spanId ? spanId.toLowerCase() : null);
  }
  if (view === 'dependencies') showDependencies();
}

function init() {
  for (const [id, key] of [['tenant', 'spanline.tenant'], ['api-key', 'spanline.apiKey']]) {
    $(id).value = localStorage.getItem(key) || '';
    $(id).addEventListener('change', () => { localStorage.setItem(key, $(id).value.trim()); loadServices(); });
  }
  $('service').addEventListener('change', () => loadOperations(''));
  $('range').addEventListener('change', rangeChanged);
  $('search-form').addEventListener('submit', submitSearch);
  $('compare-button').addEventListener('click', () => openCompare(suggestedSelection()));
  $('compare-close').addEventListener('click', () => { $('compare-panel').hidden = true; });
  $('compare-form').addEventListener('submit', runCompare);
  $('compare-selection').addEventListener('change', compareSelectionChanged);
  $('dependencies-range').addEventListener('change', showDependencies);
  $('dependencies-weight').addEventListener('change', showDependencies);
  $('lookup').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = $('lookup-id').value.trim();
    if (id) location.hash = `#/trace/${id}`;
  });
  window.addEventListener('hashchange', route);
  loadServices();
  route();
}

init();
