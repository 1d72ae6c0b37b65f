// Charts as inline SVG, drawn here rather than by a library: the dashboard loads nothing from the
// internet and has no build step. Each chart is a <figure> with a caption, an SVG marked as an
// image with a text alternative, and data-* attributes on every bar so tests can read the numbers.
import { h, s } from './dom.js';

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#dc2626', '#65a30d', '#db2777', '#475569', '#ca8a04'];

const STATE_COLOURS = {
  Idle: '#64748b',
  Downloading: '#2563eb',
  Received: '#0891b2',
  Deployed: '#0e7490',
  TrialArmed: '#7c3aed',
  TrialBooted: '#9333ea',
  Healthy: '#65a30d',
  Committed: '#16a34a',
  Unhealthy: '#ea580c',
  RolledBack: '#d97706',
  Failed: '#dc2626',
};

/** Turns { key: count } or [{ key|name|value, count }] into [{ key, count }] sorted by count. */
export function toEntries(data) {
  if (!data) return [];
  const entries = Array.isArray(data)
    ? data.map((item) => ({
      key: String(item.key ?? item.name ?? item.value ?? item.state ?? item.version ?? item.channel ?? item.hardwareId ?? item.hardware ?? item.label ?? ''),
      count: Number(item.count ?? item.devices ?? item.total ?? 0),
    }))
    : Object.entries(data).map(([key, count]) => ({ key, count: Number(count) }));
  return entries.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

export function colourFor(key, index, useStateColours) {
  return (useStateColours && STATE_COLOURS[key]) || PALETTE[index % PALETTE.length];
}

/**
 * A horizontal bar chart: one row per entry, label left, count right. Rows beyond `limit`
 * are summed into "other" so a fleet with 80 releases still draws a readable chart.
 */
export function barChart({ id, title, entries, stateColours = false, limit = 8, onSelect }) {
  let rows = entries;
  if (rows.length > limit) {
    const rest = rows.slice(limit - 1).reduce((sum, e) => sum + e.count, 0);
    rows = [...rows.slice(0, limit - 1), { key: 'other', count: rest, other: true }];
  }
  const total = entries.reduce((sum, e) => sum + e.count, 0);
  const max = Math.max(1, ...rows.map((e) => e.count));
  const rowHeight = 26;
  const labelWidth = 120;
  const countWidth = 48;
  const width = 360;
  const barSpace = width - labelWidth - countWidth;
  const height = Math.max(rowHeight, rows.length * rowHeight);
  const titleId = `${id}-title`;
  const description = rows.length === 0
    ? 'No data'
    : rows.map((e) => `${e.key}: ${e.count}`).join(', ');

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-labelledby': titleId,
    'aria-describedby': `${id}-desc`,
    preserveAspectRatio: 'xMinYMin meet',
  },
  s('desc', { id: `${id}-desc` }, description),
  rows.map((entry, index) => {
    const y = index * rowHeight;
    const barWidth = Math.max(entry.count > 0 ? 2 : 0, Math.round((entry.count / max) * barSpace));
    return s('g', { class: 'bar', dataset: { key: entry.key, count: String(entry.count) } },
      s('title', {}, `${entry.key}: ${entry.count}${total ? ` (${Math.round((entry.count / total) * 100)}%)` : ''}`),
      s('text', { x: labelWidth - 6, y: y + rowHeight / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'chart-label' }, truncate(entry.key, 16)),
      s('rect', { x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, rx: 3, fill: entry.other ? '#94a3b8' : colourFor(entry.key, index, stateColours) }),
      s('text', { x: labelWidth + barWidth + 6, y: y + rowHeight / 2, 'dominant-baseline': 'central', class: 'chart-count' }, String(entry.count)));
  }));

  const figure = h('figure', { class: 'card chart-card', dataset: { chart: id } },
    h('figcaption', { id: titleId }, title, h('span', { class: 'muted' }, ` · ${total}`)),
    rows.length === 0 ? h('p', { class: 'muted' }, 'No devices yet.') : svg);

  if (onSelect && rows.length > 0) {
    // The chart is a picture; the list under it is the keyboard way to the same filters.
    figure.append(h('ul', { class: 'chart-links' },
      rows.filter((e) => !e.other).map((e) => h('li', {},
        h('a', { href: onSelect(e.key) }, `${e.key} (${e.count})`)))));
  }
  return figure;
}

/** A donut of shares, with a legend: used for the fleet's device states. */
export function donutChart({ id, title, entries, stateColours = true }) {
  const total = entries.reduce((sum, e) => sum + e.count, 0);
  const radius = 60;
  const stroke = 22;
  const circumference = 2 * Math.PI * radius;
  let offset = 0;
  const titleId = `${id}-title`;
  const segments = entries.filter((e) => e.count > 0).map((entry, index) => {
    const length = total ? (entry.count / total) * circumference : 0;
    const segment = s('circle', {
      r: radius, cx: 80, cy: 80, fill: 'none',
      stroke: colourFor(entry.key, index, stateColours),
      'stroke-width': stroke,
      'stroke-dasharray': `${length} ${circumference - length}`,
      'stroke-dashoffset': String(-offset),
      transform: 'rotate(-90 80 80)',
    }, s('title', {}, `${entry.key}: ${entry.count}`));
    offset += length;
    return segment;
  });
  const svg = s('svg', { viewBox: '0 0 160 160', class: 'donut', role: 'img', 'aria-labelledby': titleId, 'aria-describedby': `${id}-desc` },
    s('desc', { id: `${id}-desc` }, entries.map((e) => `${e.key}: ${e.count}`).join(', ') || 'No data'),
    s('circle', { r: radius, cx: 80, cy: 80, fill: 'none', stroke: 'var(--track)', 'stroke-width': stroke }),
    segments,
    s('text', { x: 80, y: 76, 'text-anchor': 'middle', class: 'donut-total' }, String(total)),
    s('text', { x: 80, y: 98, 'text-anchor': 'middle', class: 'donut-caption' }, 'devices'));
  return h('figure', { class: 'card chart-card', dataset: { chart: id } },
    h('figcaption', { id: titleId }, title),
    h('div', { class: 'donut-wrap' },
      svg,
      h('ul', { class: 'legend' }, entries.map((entry, index) =>
        h('li', { dataset: { key: entry.key, count: String(entry.count) } },
          h('span', { class: 'swatch', style: `background:${colourFor(entry.key, index, stateColours)}`, 'aria-hidden': 'true' }),
          h('span', {}, entry.key),
          h('span', { class: 'legend-count' }, String(entry.count)))))));
}

/**
 * A progress bar split into coloured parts (e.g. committed / in progress / failed), with the
 * ARIA progressbar role carrying the share that is done.
 */
export function stackedBar({ label, parts, total }) {
  const sum = total || parts.reduce((acc, p) => acc + p.count, 0);
  const done = parts.filter((p) => p.done).reduce((acc, p) => acc + p.count, 0);
  const percent = sum ? Math.round((done / sum) * 100) : 0;
  return h('div', {
    class: 'stacked',
    role: 'progressbar',
    'aria-label': label,
    'aria-valuemin': '0',
    'aria-valuemax': '100',
    'aria-valuenow': String(percent),
    'aria-valuetext': `${percent}% done; ${parts.map((p) => `${p.count} ${p.label}`).join(', ')} of ${sum}`,
  }, parts.filter((p) => p.count > 0).map((p) =>
    h('span', { class: `stacked-part ${p.className}`, style: `width:${sum ? (p.count / sum) * 100 : 0}%`, title: `${p.label}: ${p.count}` })));
}

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
