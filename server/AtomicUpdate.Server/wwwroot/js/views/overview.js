// Fleet overview: headline numbers, devices by state / release / channel / hardware, and the
// rollouts in progress. Every chart links to the device table filtered by what it shows.
import { barChart, donutChart, stackedBar } from '../charts.js';
import { h, replace, stateBadge } from '../dom.js';
import { pick, rolloutPhases, rolloutState, rolloutTotals, summaryModel } from '../model.js';

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
      const model = summaryModel(data);
      // The summary names the unfinished rollouts; their progress comes from each rollout's own read.
      const details = await Promise.all(model.rollouts.map((r) =>
        ctx.api.get(`rollouts/${encodeURIComponent(r.id)}`).catch(() => ({ data: r, changed: true }))));
      if (!changed && !details.some((d) => d.changed) && stats.childElementCount) return;
      replace(stats,
        stat('total', 'Devices', model.total),
        stat('seen', 'Seen in the last hour', model.seenLastHour),
        stat('failing', 'Failed or rolled back', model.failing, model.failing > 0 ? 'bad' : ''),
        stat('rollouts', 'Rollouts in progress', model.rollouts.length));
      replace(charts,
        donutChart({ id: 'by-state', title: 'Devices by state', entries: model.byState }),
        barChart({ id: 'by-release', title: 'By installed release', entries: model.byRelease, onSelect: filterLink('version') }),
        barChart({ id: 'by-channel', title: 'By channel', entries: model.byChannel, onSelect: filterLink('channel') }),
        barChart({ id: 'by-hardware', title: 'By hardware', entries: model.byHardware, onSelect: filterLink('hardware') }),
        barChart({ id: 'by-group', title: 'By group', entries: model.byGroup, onSelect: (g) => (g === 'none' ? '#/devices' : filterLink('group')(g)) }));
      replace(active,
        h('h2', { id: 'active-rollouts-title' }, 'Rollouts in progress'),
        details.length === 0
          ? h('p', { class: 'muted' }, 'No rollout is in progress.')
          : h('ul', { class: 'rollout-mini' }, details.map((d) => rolloutLine(d.data))));
    },
  };
}

function stat(id, label, value, tone = '') {
  return h('div', { class: `card stat ${tone}`, dataset: { stat: id } },
    h('span', { class: 'stat-value' }, String(value)),
    h('span', { class: 'stat-label' }, label));
}

function rolloutLine(rollout) {
  const id = pick(rollout, 'id');
  const phases = rolloutPhases(rollout);
  const totals = rolloutTotals(rollout);
  const channelDevices = totals.total || phases.reduce((sum, p) => sum + p.total, 0);
  const current = phases.find((p) => p.status === 'current');
  const title = `${pick(rollout, 'version') ?? '?'} → ${pick(rollout, 'channel') ?? '?'}`;
  return h('li', { dataset: { rollout: String(id ?? '') } },
    h('div', { class: 'rollout-mini-head' },
      h('a', { href: `#/rollouts?focus=${encodeURIComponent(id ?? '')}` }, title),
      stateBadge(rolloutState(rollout)),
      current ? h('span', { class: 'muted' }, `phase ${current.index + 1} of ${phases.length} (${current.label})`) : null,
      h('span', { class: 'phase-numbers' }, `${totals.succeeded} of ${channelDevices} updated`)),
    stackedBar({
      label: `Progress of ${title}`,
      total: Math.max(channelDevices, totals.succeeded + totals.inProgress + totals.offered + totals.failed + totals.rolledBack),
      parts: [
        { label: 'updated', count: totals.succeeded, className: 'part-good', done: true },
        { label: 'in progress', count: totals.inProgress, className: 'part-busy' },
        { label: 'offered, not yet reporting', count: totals.offered, className: 'part-offered' },
        { label: 'failed or rolled back', count: totals.failed + totals.rolledBack, className: 'part-bad' },
      ],
    }));
}
