// A tiny element builder: every value goes through textContent or setAttribute, never innerHTML,
// so device names, errors and other fleet data cannot inject markup.

/**
 * Creates an element. attrs: plain attributes, plus `on<event>` handlers, `class`, `dataset`
 * and boolean values (true sets an empty attribute, false/null/undefined leaves it out).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Creates an SVG element with the SVG namespace (charts). */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

function applyAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value' && 'value' in el) {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago" with the exact time as a tooltip: a <time> element. */
export function timeAgo(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60 ? [seconds, 'second']
      : abs < 3600 ? [Math.round(seconds / 60), 'minute']
        : abs < 86400 ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86400), 'day'];
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, relative.format(value, unit));
}

export function formatBytes(bytes) {
  if (bytes === undefined || bytes === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A state name as a coloured badge; the colour class comes from a fixed list, the text stays the state. */
export function stateBadge(state) {
  const kind = STATE_KINDS[state] ?? 'neutral';
  return h('span', { class: `badge badge-${kind}` }, state ?? 'unknown');
}

const STATE_KINDS = {
  Idle: 'neutral',
  Downloading: 'busy',
  Received: 'busy',
  Deployed: 'busy',
  TrialArmed: 'busy',
  TrialBooted: 'busy',
  Healthy: 'good',
  Committed: 'good',
  Unhealthy: 'bad',
  RolledBack: 'bad',
  Failed: 'bad',
  Active: 'busy',
  Running: 'busy',
  InProgress: 'busy',
  Paused: 'warn',
  Halted: 'bad',
  Aborted: 'bad',
  Completed: 'good',
  Done: 'good',
  Offered: 'neutral',
  Succeeded: 'good',
};
