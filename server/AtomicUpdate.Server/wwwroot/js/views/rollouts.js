// Rollouts: each with its progress per phase and the actions its state allows, plus the forms a
// release engineer uses to register a release and start a rollout. The server decides who may
// act (viewers get 403); the page shows the server's answer next to the button that was pressed.
import { stackedBar } from '../charts.js';
import { h, replace, stateBadge, timeAgo } from '../dom.js';
import { pick, ROLLOUT_ACTIONS, rolloutPhases, rolloutState, rolloutTotals, UNFINISHED_ROLLOUT_STATES } from '../model.js';

export function mount(root, ctx) {
  const list = h('div', { class: 'rollout-list', 'aria-live': 'off' });
  /** rollout id → the last action's message node, kept across re-renders of the list. */
  const messages = new Map();
  const form = newRolloutForm(ctx, () => refresh(true));
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Rollouts'),
      h('a', { href: '#new-rollout-title', class: 'button secondary' }, 'New rollout')),
    list,
    form.element);

  async function refresh(force = false) {
    const [rolloutsResult, releasesResult] = await Promise.all([
      ctx.api.get('rollouts'),
      ctx.api.get('releases').catch(() => ({ data: null, changed: false })),
    ]);
    if (releasesResult.changed) form.setReleases(releasesResult.data);
    const listed = [].concat(pick(rolloutsResult.data, 'items') ?? []);
    // The list carries totals only; unfinished rollouts are read one by one for their progress
    // per phase (each read revalidated with its own ETag, so an idle fleet costs 304s).
    const details = await Promise.all(listed.map((rollout) =>
      UNFINISHED_ROLLOUT_STATES.includes(rolloutState(rollout))
        ? ctx.api.get(`rollouts/${encodeURIComponent(rollout.id)}`).catch(() => ({ data: rollout, changed: true }))
        : Promise.resolve({ data: rollout, changed: false })));
    const changed = rolloutsResult.changed || details.some((d) => d.changed);
    if (!changed && !force && list.dataset.rendered) return;
    const rollouts = details.map((d) => d.data);
    // Keep keyboard focus on the same button across a re-render.
    const focused = document.activeElement?.closest?.('[data-rollout-action]');
    const focusKey = focused ? focused.dataset.rolloutAction : null;
    replace(list,
      rollouts.length === 0
        ? h('p', { class: 'card muted' }, 'No rollouts yet.')
        : rollouts.map((rollout) => rolloutCard(rollout, ctx, messages, () => refresh(true))));
    list.dataset.rendered = 'true';
    if (focusKey) list.querySelector(`[data-rollout-action="${CSS.escape(focusKey)}"]`)?.focus();
    const focus = ctx.route.params.get('focus');
    if (focus && !list.dataset.scrolled) {
      list.dataset.scrolled = 'true';
      list.querySelector(`[data-rollout-id="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: 'start' });
    }
  }

  return { refresh: () => refresh(false) };
}

function rolloutCard(rollout, ctx, messages, refresh) {
  const id = String(pick(rollout, 'id', 'rolloutId'));
  const state = rolloutState(rollout);
  const version = pick(rollout, 'version') ?? '?';
  const channel = pick(rollout, 'channel') ?? '?';
  const phases = rolloutPhases(rollout);
  const reason = pick(rollout, 'haltReason', 'reason', 'statusReason');
  const titleId = `rollout-${id}-title`;
  const message = messages.get(id) ?? h('div', { class: 'action-message', 'aria-live': 'polite' });
  messages.set(id, message);

  const buttons = Object.entries(ROLLOUT_ACTIONS)
    .filter(([, action]) => action.states.includes(state))
    .map(([name, action]) => h('button', {
      type: 'button',
      class: name === 'abort' ? 'danger' : 'secondary',
      dataset: { rolloutAction: `${id}:${name}` },
      'aria-describedby': titleId,
      onclick: (event) => act(event.currentTarget, name, action),
    }, action.label));

  async function act(button, name, action) {
    if (action.confirm && !window.confirm(`${action.label} rollout of ${version} to ${channel}? Devices not yet updated stay where they are.`)) return;
    message.replaceChildren(h('span', { class: 'muted' }, `${action.label}…`));
    button.disabled = true;
    try {
      await ctx.api.post(`rollouts/${encodeURIComponent(id)}/${name}`);
      message.replaceChildren(h('span', { class: 'ok', role: 'status' }, `${action.label}: done.`));
      await refresh();
    } catch (error) {
      message.replaceChildren(ctx.problemBox(error, `${action.label} failed`, () => message.replaceChildren()));
    } finally {
      button.disabled = false;
    }
  }

  const totals = rolloutTotals(rollout);
  return h('article', { class: 'card rollout', 'aria-labelledby': titleId, dataset: { rolloutId: id, state } },
    h('header', { class: 'rollout-head' },
      h('h2', { id: titleId }, `${version} → ${channel}`),
      stateBadge(state)),
    reason ? h('p', { class: 'halt-reason' }, h('strong', {}, `${state}: `), reason) : null,
    h('dl', { class: 'facts' },
      fact('Rollout', id),
      fact('Created', [timeAgo(pick(rollout, 'createdAt')), pick(rollout, 'createdBy') ? ` by ${pick(rollout, 'createdBy')}` : '']),
      fact('Reported', `${totals.reported} devices: ${totals.succeeded} updated, ${totals.inProgress} in progress, ${totals.failed} failed, ${totals.rolledBack} rolled back`),
      fact('Failure rate', `${formatShare(totals.failureRate)} (halts above ${formatShare(pick(rollout, 'failureThreshold'))} once ${pick(rollout, 'minimumDevices') ?? '?'} devices reported)`)),
    phases.length
      ? h('ol', { class: 'phases' }, phases.map((phase) => h('li', { class: `phase phase-${phase.status}`, dataset: { phase: String(phase.index), status: phase.status } },
        h('div', { class: 'phase-head' },
          h('span', { class: 'phase-label' }, `Phase ${phase.index + 1}: ${phase.label}`),
          h('span', { class: 'muted' }, phase.status),
          phase.hasProgress
            ? h('span', { class: 'phase-numbers' }, `${phase.done} of ${phase.total} updated${phase.failed ? `, ${phase.failed} failed` : ''}`)
            : null),
        phase.hasProgress
          ? stackedBar({
            label: `Phase ${phase.index + 1} of ${version} → ${channel}`,
            total: Math.max(phase.total, phase.done + phase.failed + phase.inProgress + phase.offered),
            parts: [
              { label: 'updated', count: phase.done, className: 'part-good', done: true },
              { label: 'in progress', count: phase.inProgress, className: 'part-busy' },
              { label: 'offered, not yet reporting', count: phase.offered, className: 'part-offered' },
              { label: 'failed or rolled back', count: phase.failed, className: 'part-bad' },
            ],
          })
          : null)))
      : null,
    buttons.length ? h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${version} → ${channel}` }, buttons) : null,
    message);
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value ?? '—')];
}

function formatShare(value) {
  return value === undefined || value === null ? '—' : `${Math.round(Number(value) * 1000) / 10}%`;
}

/** "10%, 50%, 100%" or "canary, 25%, 100%" → [{ percent: 10 }, { group: 'canary' }, ...]. */
export function parsePhases(text) {
  return text.split(/[,\s]+/).filter(Boolean).map((token) => {
    const match = /^(\d+(?:\.\d+)?)%?$/.exec(token);
    return match ? { percent: Number(match[1]) } : { group: token };
  });
}

function newRolloutForm(ctx, onCreated) {
  const versions = h('datalist', { id: 'release-versions' });
  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const field = (id, label, input, help) => h('div', { class: 'field' },
    h('label', { for: id }, label), input, help ? h('small', { id: `${id}-help`, class: 'muted' }, help) : null);

  const rolloutForm = h('form', { class: 'form-grid', 'aria-labelledby': 'new-rollout-title', onsubmit: createRollout },
    field('rollout-channel', 'Channel', h('input', { id: 'rollout-channel', name: 'channel', required: true, value: 'stable', autocomplete: 'off' })),
    field('rollout-version', 'Release', h('input', { id: 'rollout-version', name: 'version', required: true, list: 'release-versions', autocomplete: 'off' })),
    field('rollout-phases', 'Phases', h('input', { id: 'rollout-phases', name: 'phases', required: true, value: '10%, 50%, 100%', 'aria-describedby': 'rollout-phases-help' }),
      'Percentages of the channel or device group names, in order.'),
    field('rollout-threshold', 'Failure threshold', h('input', { id: 'rollout-threshold', name: 'failureThreshold', type: 'number', min: '0', max: '1', step: '0.01', value: '0.1', 'aria-describedby': 'rollout-threshold-help' }),
      'Share of failed or rolled-back devices (0–1) that halts the rollout.'),
    field('rollout-minimum', 'Minimum devices', h('input', { id: 'rollout-minimum', name: 'minimumDevices', type: 'number', min: '0', step: '1', value: '10' })),
    h('div', { class: 'field field-submit' }, h('button', { type: 'submit' }, 'Create rollout')));

  const releaseForm = h('form', { class: 'inline-form', 'aria-label': 'Register a release', onsubmit: registerRelease },
    field('release-version', 'Register release', h('input', { id: 'release-version', name: 'version', required: true, autocomplete: 'off', placeholder: '1.2.0', 'aria-describedby': 'release-version-help' }),
      'Only releases signed in the repository are accepted.'),
    h('button', { type: 'submit', class: 'secondary' }, 'Register'));

  const element = h('section', { class: 'card', 'aria-labelledby': 'new-rollout-title' },
    h('h2', { id: 'new-rollout-title', tabindex: '-1' }, 'New rollout'),
    h('p', { class: 'muted' }, 'For release engineers: the server refuses the request for viewer keys.'),
    versions,
    rolloutForm,
    releaseForm,
    message);

  async function createRollout(event) {
    event.preventDefault();
    const data = new FormData(rolloutForm);
    const body = {
      channel: String(data.get('channel')).trim(),
      version: String(data.get('version')).trim(),
      phases: parsePhases(String(data.get('phases'))),
      failureThreshold: Number(data.get('failureThreshold')),
      minimumDevices: Number(data.get('minimumDevices')),
    };
    await submit(rolloutForm, 'Create rollout', async () => {
      const created = await ctx.api.post('rollouts', body);
      return `Rollout ${pick(created, 'id', 'rolloutId') ?? ''} of ${body.version} to ${body.channel} created.`;
    });
  }

  async function registerRelease(event) {
    event.preventDefault();
    const version = String(new FormData(releaseForm).get('version')).trim();
    await submit(releaseForm, 'Register release', async () => {
      await ctx.api.post('releases', { version });
      releaseForm.reset();
      return `Release ${version} registered.`;
    });
  }

  async function submit(form, what, action) {
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    message.replaceChildren(h('span', { class: 'muted' }, `${what}…`));
    try {
      const text = await action();
      message.replaceChildren(h('p', { class: 'ok', role: 'status' }, text));
      await onCreated();
    } catch (error) {
      message.replaceChildren(ctx.problemBox(error, `${what} failed`, () => message.replaceChildren()));
    } finally {
      button.disabled = false;
    }
  }

  return {
    element,
    setReleases(data) {
      const releases = [].concat(pick(data, 'items', 'releases') ?? data ?? []);
      replace(versions, releases.map((release) => h('option', { value: typeof release === 'string' ? release : pick(release, 'version') })));
    },
  };
}
