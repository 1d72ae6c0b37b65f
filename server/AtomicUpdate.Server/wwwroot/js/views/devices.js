// The device table: filters, sort and paging are done by the server (GET /api/v1/devices), and
// mirrored into the URL hash so a filtered view can be bookmarked or shared.
import { h, replace, stateBadge, timeAgo } from '../dom.js';
import { DEVICE_STATES, deviceId, deviceName, pick, summaryModel } from '../model.js';

const FILTERS = ['state', 'version', 'channel', 'hardware', 'group', 'q'];
const SORTS = [
  { key: 'name', label: 'Name' },
  { key: 'state', label: 'State' },
  { key: 'version', label: 'Installed' },
  { key: null, label: 'Channel' },
  { key: null, label: 'Hardware' },
  { key: null, label: 'Group' },
  { key: 'lastSeen', label: 'Last seen' },
  { key: null, label: 'Last error' },
];

export function mount(root, ctx) {
  const params = ctx.route.params;
  const query = {
    state: params.get('state') ?? '',
    version: params.get('version') ?? '',
    channel: params.get('channel') ?? '',
    hardware: params.get('hardware') ?? '',
    group: params.get('group') ?? '',
    q: params.get('q') ?? '',
    sort: params.get('sort') ?? 'lastSeen',
    order: params.get('order') ?? 'desc',
    page: Number(params.get('page') ?? 1) || 1,
    pageSize: Number(params.get('pageSize') ?? 50) || 50,
  };

  const lists = {
    version: h('datalist', { id: 'filter-version-list' }),
    channel: h('datalist', { id: 'filter-channel-list' }),
    hardware: h('datalist', { id: 'filter-hardware-list' }),
  };
  const control = (name, label, input) => h('div', { class: 'field' }, h('label', { for: `filter-${name}` }, label), input);
  const inputs = {
    q: h('input', { id: 'filter-q', type: 'search', name: 'q', value: query.q, placeholder: 'Name, serial or id', autocomplete: 'off' }),
    state: h('select', { id: 'filter-state', name: 'state' },
      h('option', { value: '' }, 'Any'),
      DEVICE_STATES.map((state) => h('option', { value: state, selected: state === query.state }, state))),
    version: h('input', { id: 'filter-version', name: 'version', value: query.version, list: 'filter-version-list', autocomplete: 'off' }),
    channel: h('input', { id: 'filter-channel', name: 'channel', value: query.channel, list: 'filter-channel-list', autocomplete: 'off' }),
    hardware: h('input', { id: 'filter-hardware', name: 'hardware', value: query.hardware, list: 'filter-hardware-list', autocomplete: 'off' }),
    group: h('input', { id: 'filter-group', name: 'group', value: query.group, autocomplete: 'off' }),
  };
  const pageSize = h('select', { id: 'page-size', 'aria-label': 'Devices per page' },
    [25, 50, 100, 200].map((n) => h('option', { value: String(n), selected: n === query.pageSize }, `${n} per page`)));

  let debounce = null;
  const filters = h('form', { class: 'filters card', role: 'search', 'aria-label': 'Filter devices', onsubmit: (e) => { e.preventDefault(); apply(); } },
    control('q', 'Search', inputs.q),
    control('state', 'State', inputs.state),
    control('version', 'Version', inputs.version),
    control('channel', 'Channel', inputs.channel),
    control('hardware', 'Hardware', inputs.hardware),
    control('group', 'Group', inputs.group),
    h('div', { class: 'field field-submit' },
      h('button', { type: 'submit' }, 'Apply'),
      h('button', { type: 'button', class: 'secondary', onclick: clearFilters }, 'Clear')),
    Object.values(lists));
  for (const input of Object.values(inputs)) {
    // Typing filters as you go, a little delayed so each keystroke is not a request.
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(apply, input.tagName === 'SELECT' ? 0 : 300);
    });
  }
  pageSize.addEventListener('change', () => {
    query.pageSize = Number(pageSize.value);
    query.page = 1;
    update();
  });

  const summary = h('p', { class: 'table-summary', role: 'status', 'aria-live': 'polite' });
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { class: 'devices' },
    h('caption', { class: 'visually-hidden' }, 'Devices'),
    thead, tbody);
  const pager = h('nav', { class: 'pager', 'aria-label': 'Device pages' });

  root.append(
    h('h1', {}, 'Devices'),
    filters,
    summary,
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Device table' }, table),
    h('div', { class: 'table-foot' }, pager, pageSize));

  function apply() {
    for (const name of FILTERS) query[name] = inputs[name].value.trim();
    query.page = 1;
    update();
  }

  function clearFilters() {
    for (const name of FILTERS) inputs[name].value = '';
    apply();
  }

  function update() {
    // replaceState rather than location.hash: the view stays mounted and keeps focus.
    const shown = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== '' && !(name === 'page' && value === 1) && !(name === 'pageSize' && value === 50)
        && !(name === 'sort' && value === 'lastSeen') && !(name === 'order' && value === 'desc')) shown.set(name, String(value));
    }
    const text = shown.toString();
    history.replaceState(null, '', `#/devices${text ? `?${text}` : ''}`);
    refresh(true);
  }

  function header() {
    replace(thead, h('tr', {}, SORTS.map((column) => {
      if (!column.key) return h('th', { scope: 'col' }, column.label);
      const sorted = query.sort === column.key;
      const ariaSort = sorted ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none';
      return h('th', { scope: 'col', 'aria-sort': ariaSort },
        h('button', {
          type: 'button', class: 'sort', dataset: { sort: column.key },
          onclick: () => {
            query.order = sorted && query.order === 'asc' ? 'desc' : sorted ? 'asc' : column.key === 'lastSeen' ? 'desc' : 'asc';
            query.sort = column.key;
            query.page = 1;
            update();
          },
        }, column.label, h('span', { 'aria-hidden': 'true', class: 'sort-mark' }, sorted ? (query.order === 'asc' ? ' ▲' : ' ▼') : '')));
    })));
  }

  let generation = 0;
  async function refresh(force = false) {
    const mine = ++generation;
    const [{ data, changed }, summaryResult] = await Promise.all([
      ctx.api.get('devices', { ...query, sort: query.sort, order: query.order }),
      ctx.api.get('fleet/summary').catch(() => null),
    ]);
    if (mine !== generation) return; // a newer filter's answer wins
    if (summaryResult?.changed) {
      const model = summaryModel(summaryResult.data);
      replace(lists.version, model.byRelease.map((e) => h('option', { value: e.key })));
      replace(lists.channel, model.byChannel.map((e) => h('option', { value: e.key })));
      replace(lists.hardware, model.byHardware.map((e) => h('option', { value: e.key })));
    }
    if (!changed && !force && tbody.dataset.rendered) return;
    header();
    const items = [].concat(pick(data, 'items', 'devices') ?? []);
    const total = Number(pick(data, 'total') ?? items.length);
    const page = Number(pick(data, 'page') ?? query.page);
    const size = Number(pick(data, 'pageSize') ?? query.pageSize);
    const first = total === 0 ? 0 : (page - 1) * size + 1;
    const last = Math.min(total, (page - 1) * size + items.length);
    summary.dataset.total = String(total);
    summary.textContent = total === 0 ? 'No device matches.' : `Showing ${first}–${last} of ${total} devices`;
    replace(tbody, items.map(deviceRow));
    if (items.length === 0) tbody.append(h('tr', {}, h('td', { colspan: String(SORTS.length), class: 'muted' }, 'No device matches these filters.')));
    tbody.dataset.rendered = 'true';
    const pages = Math.max(1, Math.ceil(total / size));
    replace(pager,
      h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => { query.page = page - 1; update(); } }, '‹ Previous'),
      h('span', { 'aria-current': 'page' }, `Page ${page} of ${pages}`),
      h('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => { query.page = page + 1; update(); } }, 'Next ›'));
  }

  header();
  return { refresh: () => refresh(false), dispose: () => clearTimeout(debounce) };
}

function deviceRow(device) {
  const id = deviceId(device);
  const error = pick(device, 'lastError');
  return h('tr', { dataset: { deviceId: String(id ?? '') } },
    h('th', { scope: 'row' }, h('a', { href: `#/devices/${encodeURIComponent(id)}` }, deviceName(device))),
    h('td', {}, stateBadge(pick(device, 'state')), pick(device, 'rollback') ? h('span', { class: 'badge badge-warn', title: 'Rolled back' }, '↺') : null),
    h('td', {}, pick(device, 'installedVersion', 'version') ?? '—'),
    h('td', {}, pick(device, 'channel') ?? '—'),
    h('td', {}, pick(device, 'hardwareId', 'hardware') ?? '—'),
    h('td', {}, pick(device, 'group') ?? '—'),
    h('td', {}, timeAgo(pick(device, 'lastSeen', 'lastSeenAt'))),
    h('td', { class: 'error-cell', title: error ?? '' }, error ?? ''));
}
