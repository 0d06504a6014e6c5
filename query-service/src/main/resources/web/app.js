// Spanline web UI: search, trace waterfall and dependency graph over the native /v1 API.
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

// ---- search ----------------------------------------------------------------------------------

async function loadServices() {
  try {
    const { services } = await api('/v1/services');
    const select = $('service');
    const current = select.value;
    select.replaceChildren(el('option', { value: '' }, 'any'));
    for (const s of services) select.append(el('option', { value: s }, s));
    if (services.includes(current)) select.value = current;
    showError(null);
  } catch (e) { showError(e); }
}

async function loadOperations() {
  const service = $('service').value;
  const select = $('operation');
  select.replaceChildren(el('option', { value: '' }, 'any'));
  if (!service) return;
  try {
    const { operations } = await api(`/v1/services/${encodeURIComponent(service)}/operations`);
    for (const o of operations) select.append(el('option', { value: o }, o));
  } catch (e) { showError(e); }
}

function searchParams() {
  const params = {
    service: $('service').value,
    operation: $('operation').value,
    status: $('status').value,
    minDurationMs: $('min-duration').value,
    maxDurationMs: $('max-duration').value,
    limit: $('limit').value,
    ...rangeParams(Number($('range').value)),
  };
  for (const line of $('attributes').value.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) params[`attr.${line.slice(0, at).trim()}`] = line.slice(at + 1).trim();
  }
  // "<trace ID>" or "<trace ID>/<span ID>" (as the span details show a link)
  const [linkedTraceId, linkedSpanId] = $('linked-trace').value.split('/').map((p) => p.trim());
  if (linkedTraceId) params.linkedTraceId = linkedTraceId;
  if (linkedSpanId) params.linkedSpanId = linkedSpanId;
  return params;
}

async function search(event) {
  if (event) event.preventDefault();
  const results = $('results');
  results.replaceChildren(el('div', { class: 'empty' }, 'Searching…'));
  $('results-summary').textContent = '';
  try {
    const { traces } = await api('/v1/traces/search', searchParams());
    showError(null);
    renderResults(traces);
  } catch (e) {
    results.replaceChildren();
    showError(e);
  }
}

function renderResults(traces) {
  const results = $('results');
  results.replaceChildren();
  $('results-summary').textContent = `${traces.length} trace${traces.length === 1 ? '' : 's'}`;
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
          `${t.rootService}: ${t.rootOperation}`),
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
    el('button', { class: 'secondary', onclick: () => { location.hash = '#/search'; } }, '← Results'),
    el('h2', {}, `${root.service}: ${root.name}`),
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
    const row = el('div', { class: classes.join(' '), 'data-span-id': span.spanId },
      el('div', { class: 'label', style: `padding-left:${8 + depth * 14}px`, title: `${span.service}: ${span.name}` },
        adjustment ? el('span', { class: 'skew', title: adjustment.warning }, '±') : null,
        el('span', { class: 'service', style: `color:${colour(span.service)}` }, span.service), span.name),
      timeline);
    let open = null;
    row.addEventListener('click', () => {
      if (open) { open.remove(); open = null; return; }
      open = details(span, start, adjustment, body.traceId);
      row.after(open);
    });
    waterfall.append(row);
  }
  view.replaceChildren(header, waterfall);
  if (focus) focusSpan(waterfall, header, focus);
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

async function showDependencies() {
  const graph = $('dependency-graph');
  graph.replaceChildren(el('div', { class: 'empty' }, 'Loading…'));
  let dependencies;
  try {
    ({ dependencies } = await api('/v1/dependencies', rangeParams(Number($('dependencies-range').value))));
    showError(null);
  } catch (e) { graph.replaceChildren(); showError(e); return; }
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
    g.append(svg('text', { x: lx, y: ly, 'text-anchor': 'middle' }, `${d.callCount} call${d.callCount === 1 ? "" : "s"}`));
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
  $('service').addEventListener('change', loadOperations);
  $('search-form').addEventListener('submit', search);
  $('dependencies-range').addEventListener('change', showDependencies);
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
