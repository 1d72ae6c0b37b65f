// The shell: sign-in, hash routing, the refresh loop and the error area. Views live in views/
// and expose mount(root, ctx) → { refresh(), dispose?() }.
import { Api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import * as overview from './views/overview.js';
import * as rollouts from './views/rollouts.js';
import * as devices from './views/devices.js';
import * as device from './views/device.js';
import * as signIn from './views/signin.js';

const REFRESH_MS = 5000;

const api = new Api();
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const session = document.getElementById('session');
const errors = document.getElementById('errors');
const refreshStatus = document.getElementById('refresh-status');

let current = null;
let timer = null;
let refreshingView = null;

api.onUnauthorized = (error) => {
  // A revoked or mistyped key: back to the sign-in form, saying why.
  api.signOut();
  // The sign-in form reports its own failures.
  if (parseHash().name === 'signin') return;
  showError(error, 'Signed out');
  if (location.hash !== '#/signin') location.hash = '#/signin';
};

document.getElementById('sign-out').addEventListener('click', () => {
  api.signOut();
  clearErrors();
  location.hash = '#/signin';
});

window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  // Hidden tabs do not poll: a wall of forgotten dashboards should not load the server.
  if (document.hidden) {
    stopTimer();
    refreshStatus.textContent = 'Paused while hidden';
  } else {
    refresh();
    startTimer();
  }
});

/** Parses "#/devices/abc?state=Failed" into { name, id, params }. */
function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const [name = '', ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name, id: rest.join('/') || undefined, params: new URLSearchParams(query) };
}

const ctx = {
  api,
  showError,
  clearErrors,
  navigate: (hash) => { location.hash = hash; },
  refreshNow: () => refresh(),
};

function route() {
  const target = parseHash();
  if (!api.signedIn && target.name !== 'signin') {
    location.hash = '#/signin';
    return;
  }
  if (api.signedIn && (target.name === 'signin' || target.name === '')) {
    location.hash = '#/overview';
    return;
  }
  const view = {
    signin: signIn,
    overview,
    rollouts,
    devices: target.id ? device : devices,
  }[target.name];
  if (!view) {
    location.hash = '#/overview';
    return;
  }
  current?.dispose?.();
  clearErrors();
  nav.hidden = !api.signedIn;
  session.hidden = !api.signedIn;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.route === target.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  current = view.mount(main, { ...ctx, route: target });
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
    document.title = `${heading.textContent} · AtomicUpdate fleet`;
  }
  refresh();
  startTimer();
}

async function refresh() {
  // One refresh per view at a time; a view just mounted refreshes at once even while the
  // previous view's last request is still out, and that answer no longer touches the page.
  const view = current;
  if (!view?.refresh || refreshingView === view) return;
  refreshingView = view;
  try {
    await view.refresh();
    if (view !== current) return;
    errors.querySelector('[data-source="refresh"]')?.remove();
    refreshStatus.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (view !== current) return;
    if (!(error instanceof ApiError && error.status === 401)) showError(error, 'Refresh failed', 'refresh');
    refreshStatus.textContent = 'Refresh failed';
  } finally {
    if (refreshingView === view) refreshingView = null;
  }
}

function startTimer() {
  stopTimer();
  if (!document.hidden && api.signedIn) timer = setInterval(refresh, REFRESH_MS);
}

function stopTimer() {
  if (timer) clearInterval(timer);
  timer = null;
}

/** Shows an error in the banner; one per source, so a failing poll does not stack copies. */
export function showError(error, context = 'Error', source = 'action') {
  errors.querySelector(`[data-source="${source}"]`)?.remove();
  const box = problemBox(error, context, () => box.remove(), source);
  errors.append(box);
}

export function clearErrors() {
  errors.replaceChildren();
}

/** A problem-details response as a readable box: title, detail, status and any field errors. */
export function problemBox(error, context, onDismiss, source) {
  const isApi = error instanceof ApiError;
  const fieldErrors = isApi && error.problem.errors && typeof error.problem.errors === 'object'
    ? Object.entries(error.problem.errors) : [];
  return h('div', { class: 'problem', dataset: { source: source ?? 'inline', status: isApi ? String(error.status) : '' } },
    h('div', { class: 'problem-head' },
      h('strong', {}, `${context}: ${isApi ? error.title : 'Unexpected error'}`),
      isApi && error.status ? h('span', { class: 'muted' }, ` (HTTP ${error.status})`) : null,
      onDismiss ? h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: onDismiss }, '×') : null),
    h('p', { class: 'problem-detail' }, isApi ? error.detail : String(error?.message ?? error)),
    fieldErrors.length
      ? h('ul', {}, fieldErrors.map(([field, messages]) => h('li', {}, `${field}: ${[].concat(messages).join(' ')}`)))
      : null);
}

ctx.problemBox = problemBox;

// The first paint: if there is no key the router shows the sign-in form.
replace(main, h('p', { class: 'muted' }, 'Loading…'));
route();
