// One device: what it runs and is doing, and its event timeline (newest first), with older
// events loaded on demand. Admins can rename it or move it to another group or channel.
import { h, formatBytes, replace, stateBadge, timeAgo } from '../dom.js';
import { deviceName, pick } from '../model.js';

export function mount(root, ctx) {
  const id = ctx.route.id;
  const title = h('h1', {}, 'Device');
  const facts = h('dl', { class: 'facts card' });
  const offers = h('ul', { class: 'offers' });
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Events, newest first' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: loadOlder }, 'Load older events');
  const moreMessage = h('div', { 'aria-live': 'polite' });
  const editMessage = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const edit = {
    name: h('input', { id: 'edit-name', name: 'name', autocomplete: 'off' }),
    group: h('input', { id: 'edit-group', name: 'group', autocomplete: 'off' }),
    channel: h('input', { id: 'edit-channel', name: 'channel', autocomplete: 'off' }),
  };
  const editForm = h('form', { class: 'form-grid', 'aria-labelledby': 'edit-title', onsubmit: save },
    ['name', 'group', 'channel'].map((name) => h('div', { class: 'field' },
      h('label', { for: `edit-${name}` }, name[0].toUpperCase() + name.slice(1)), edit[name])),
    h('div', { class: 'field field-submit' }, h('button', { type: 'submit' }, 'Save')));

  root.append(
    h('p', {}, h('a', { href: '#/devices' }, '‹ All devices')),
    title,
    facts,
    h('section', { class: 'card', 'aria-labelledby': 'offers-title' },
      h('h2', { id: 'offers-title' }, 'Rollouts that offered it a release'),
      offers),
    h('section', { class: 'card', 'aria-labelledby': 'events-title' },
      h('h2', { id: 'events-title' }, 'Event timeline'),
      timeline, more, moreMessage),
    h('details', { class: 'card' },
      h('summary', { id: 'edit-title' }, 'Edit (admin)'),
      editForm, editMessage));

  /** Events loaded with "older": kept across refreshes, which only replace the recent ones. */
  let older = [];
  let olderRemain = true;
  let recent = [];
  let editLoaded = false;

  async function refresh() {
    const { data, changed } = await ctx.api.get(`devices/${encodeURIComponent(id)}`);
    if (!changed && facts.childElementCount) return;
    const device = pick(data, 'device') ?? data;
    title.textContent = deviceName(device);
    replace(facts, deviceFacts(device));
    const offered = [].concat(pick(data, 'rollouts') ?? []);
    replace(offers, offered.length === 0
      ? h('li', { class: 'muted' }, 'None yet.')
      : offered.map((offer) => h('li', {},
        h('a', { href: `#/rollouts?focus=${encodeURIComponent(pick(offer, 'rolloutId') ?? '')}` }, pick(offer, 'version') ?? '?'),
        ' ', stateBadge(pick(offer, 'outcome')),
        ' offered ', timeAgo(pick(offer, 'offeredAt')))));
    recent = [].concat(pick(data, 'events', 'recentEvents') ?? pick(device, 'events', 'recentEvents') ?? []);
    renderTimeline();
    // The detail carries the 50 newest events: fewer means there is nothing older; once older
    // pages were loaded, the last page's answer says whether there are more.
    more.hidden = !olderRemain || recent.length < 50;
    if (!editLoaded) {
      edit.name.value = pick(device, 'name') ?? '';
      edit.group.value = pick(device, 'group') ?? '';
      edit.channel.value = pick(device, 'channel') ?? '';
      editLoaded = true;
    }
  }

  function renderTimeline() {
    const seen = new Set();
    const events = [...recent, ...older].filter((event) => {
      const key = pick(event, 'id', 'sequence') ?? JSON.stringify(event);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    replace(timeline, events.length === 0
      ? h('li', { class: 'muted' }, 'No events yet.')
      : events.map(eventItem));
  }

  async function loadOlder() {
    const all = [...recent, ...older];
    const last = all[all.length - 1];
    const before = pick(last, 'sequence', 'id', 'time');
    more.disabled = true;
    try {
      const data = await ctx.api.getFresh(`devices/${encodeURIComponent(id)}/events`, { before, limit: 50 });
      const page = [].concat(pick(data, 'items', 'events') ?? data ?? []);
      older = [...older, ...page];
      renderTimeline();
      olderRemain = page.length > 0 && data?.next !== null && data?.next !== undefined;
      more.hidden = !olderRemain;
      moreMessage.replaceChildren(page.length === 0 ? h('p', { class: 'muted' }, 'No older events.') : '');
    } catch (error) {
      moreMessage.replaceChildren(ctx.problemBox(error, 'Loading events failed', () => moreMessage.replaceChildren()));
    } finally {
      more.disabled = false;
    }
  }

  async function save(event) {
    event.preventDefault();
    const body = {};
    for (const [name, input] of Object.entries(edit)) body[name] = input.value.trim() || null;
    editMessage.replaceChildren(h('span', { class: 'muted' }, 'Saving…'));
    try {
      await ctx.api.patch(`devices/${encodeURIComponent(id)}`, body);
      editMessage.replaceChildren(h('p', { class: 'ok', role: 'status' }, 'Saved.'));
      await refresh();
    } catch (error) {
      editMessage.replaceChildren(ctx.problemBox(error, 'Save failed', () => editMessage.replaceChildren()));
    }
  }

  return { refresh };
}

function deviceFacts(device) {
  const done = pick(device, 'bytesDone');
  const total = pick(device, 'bytesTotal');
  const rows = [
    ['Device id', pick(device, 'id', 'deviceId')],
    ['Serial', pick(device, 'serial')],
    ['State', stateBadge(pick(device, 'state'))],
    ['Phase', pick(device, 'phase')],
    ['Installed', pick(device, 'installedVersion')],
    ['Booted', pick(device, 'bootedVersion')],
    ['Trial', pick(device, 'trialVersion')],
    ['Target', pick(device, 'targetVersion')],
    ['Channel', pick(device, 'channel')],
    ['Group', pick(device, 'group')],
    ['Hardware', pick(device, 'hardwareId', 'hardware')],
    ['Rolled back', pick(device, 'rollback') ? 'yes' : null],
    ['Last error', pick(device, 'lastError')],
    ['Last seen', timeAgo(pick(device, 'lastSeen', 'lastSeenAt'))],
    ['Enrolled', pick(device, 'enrolledAt', 'createdAt') ? timeAgo(pick(device, 'enrolledAt', 'createdAt')) : null],
  ];
  if (done !== undefined && total) {
    const percent = Math.round((Number(done) / Number(total)) * 100);
    rows.splice(4, 0, ['Progress', h('span', {},
      h('progress', { max: String(total), value: String(done), 'aria-label': 'Download progress' }),
      ` ${percent}% (${formatBytes(done)} of ${formatBytes(total)})`)]);
  }
  return rows.filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]);
}

function eventItem(event) {
  const state = pick(event, 'state', 'type', 'kind');
  const target = pick(event, 'targetVersion');
  const error = pick(event, 'lastError', 'error', 'message');
  const done = pick(event, 'bytesDone');
  const total = pick(event, 'bytesTotal');
  return h('li', { class: 'event', dataset: { state: state ?? '' } },
    h('span', { class: 'event-time' }, timeAgo(pick(event, 'time', 'receivedAt', 'createdAt'))),
    h('span', { class: 'event-body' },
      stateBadge(state),
      pick(event, 'phase') ? ` ${pick(event, 'phase')}` : '',
      target ? ` → ${target}` : '',
      done !== undefined && total ? ` ${formatBytes(done)} / ${formatBytes(total)}` : '',
      pick(event, 'rollback') ? h('span', { class: 'badge badge-warn' }, 'rollback') : null,
      error ? h('span', { class: 'event-error' }, error) : null));
}
