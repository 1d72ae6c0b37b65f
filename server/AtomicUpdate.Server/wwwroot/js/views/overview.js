// Fleet overview: headline numbers, devices by state / release / channel / hardware, and the
// rollouts in progress. Every chart links to the device table filtered by what it shows.
import { barChart, donutChart, stackedBar } from '../charts.js';
import { h, replace, stateBadge } from '../dom.js';
import { pick, rolloutPhases, rolloutState, summaryModel } from '../model.js';

export function mount(root, ctx) {
  const stats = h('section', { class: 'stats', 'aria-label': 'Fleet totals' });
  const charts = h('section', { class: 'charts', 'aria-label': 'Devices by state, release, channel and hardware' });
  const active = h('section', { class: 'card', 'aria-labelledby': 'active-rollouts-title' });
  root.append(
    h('h1', {}, 'Fleet overview'),
    stats,
    charts,
    active);

  const filterLink = (name) => (value) => `#/devices?${new URLSearchParams({ [name]: value })}`;

  return {
    async refresh() {
      const { data, changed } = await ctx.api.get('fleet/summary');
      if (!changed && stats.childElementCount) return;
      const model = summaryModel(data);
      replace(stats,
        stat('total', 'Devices', model.total),
        stat('failing', 'Failed or rolled back', model.failing, model.failing > 0 ? 'bad' : ''),
        stat('releases', 'Releases installed', model.byRelease.length),
        stat('rollouts', 'Rollouts in progress', model.rolloutsInProgress.length));
      replace(charts,
        donutChart({ id: 'by-state', title: 'Devices by state', entries: model.byState }),
        barChart({ id: 'by-release', title: 'By release', entries: model.byRelease, onSelect: filterLink('version') }),
        barChart({ id: 'by-channel', title: 'By channel', entries: model.byChannel, onSelect: filterLink('channel') }),
        barChart({ id: 'by-hardware', title: 'By hardware', entries: model.byHardware, onSelect: filterLink('hardware') }));
      replace(active,
        h('h2', { id: 'active-rollouts-title' }, 'Rollouts in progress'),
        model.rolloutsInProgress.length === 0
          ? h('p', { class: 'muted' }, 'No rollout is in progress.')
          : h('ul', { class: 'rollout-mini' }, model.rolloutsInProgress.map(rolloutLine)));
    },
  };
}

function stat(id, label, value, tone = '') {
  return h('div', { class: `card stat ${tone}`, dataset: { stat: id } },
    h('span', { class: 'stat-value' }, String(value)),
    h('span', { class: 'stat-label' }, label));
}

function rolloutLine(rollout) {
  const id = pick(rollout, 'id', 'rolloutId');
  const phases = rolloutPhases(rollout);
  const done = phases.reduce((sum, p) => sum + p.done, 0);
  const failed = phases.reduce((sum, p) => sum + p.failed, 0);
  const inProgress = phases.reduce((sum, p) => sum + p.inProgress, 0);
  const total = phases.reduce((sum, p) => sum + p.total, 0);
  const title = `${pick(rollout, 'version') ?? '?'} → ${pick(rollout, 'channel') ?? '?'}`;
  return h('li', { dataset: { rollout: String(id ?? '') } },
    h('a', { href: `#/rollouts?focus=${encodeURIComponent(id ?? '')}` }, title),
    ' ', stateBadge(rolloutState(rollout)),
    phases.length
      ? stackedBar({
        label: `Progress of ${title}`,
        total,
        parts: [
          { label: 'committed', count: done, className: 'part-good', done: true },
          { label: 'in progress', count: inProgress, className: 'part-busy' },
          { label: 'failed', count: failed, className: 'part-bad' },
        ],
      })
      : null);
}
