// Reads the API's JSON into the shapes the views draw. The contract (API.md) names the endpoints
// and their main fields; the small tolerance here (maps or lists of counts, a few synonyms)
// keeps the views simple.
import { toEntries } from './charts.js';

export const DEVICE_STATES = [
  'Idle', 'Downloading', 'Received', 'Deployed', 'TrialArmed', 'TrialBooted',
  'Healthy', 'Committed', 'Unhealthy', 'RolledBack', 'Failed',
];

const FAILED_STATES = new Set(['Failed', 'RolledBack', 'Unhealthy']);

export function pick(object, ...names) {
  if (!object) return undefined;
  for (const name of names) {
    if (object[name] !== undefined && object[name] !== null) return object[name];
  }
  return undefined;
}

/** GET /fleet/summary: device counts by state, version, channel, hardware and group; unfinished rollouts. */
export function summaryModel(summary) {
  const byState = toEntries(pick(summary, 'byState'));
  return {
    total: Number(pick(summary, 'devices') ?? byState.reduce((sum, e) => sum + e.count, 0)),
    seenLastHour: Number(pick(summary, 'seenLastHour') ?? 0),
    byState,
    byRelease: toEntries(pick(summary, 'byVersion')),
    byChannel: toEntries(pick(summary, 'byChannel')),
    byHardware: toEntries(pick(summary, 'byHardware')),
    byGroup: toEntries(pick(summary, 'byGroup')),
    failing: byState.filter((e) => FAILED_STATES.has(e.key)).reduce((sum, e) => sum + e.count, 0),
    rollouts: [].concat(pick(summary, 'rollouts') ?? []),
  };
}

/** An outcome map ({ Succeeded: 3, ... } or camelCase) read case-insensitively. */
function outcomeCounts(map) {
  const counts = { offered: 0, inProgress: 0, succeeded: 0, failed: 0, rolledBack: 0 };
  for (const [key, value] of Object.entries(map ?? {})) {
    const name = key.charAt(0).toLowerCase() + key.slice(1);
    if (name in counts) counts[name] = Number(value) || 0;
  }
  return counts;
}

/**
 * A rollout's phases with their progress, as GET /rollouts/{id} sends them: each phase has the
 * devices it takes in and the outcomes of those offered the release. The list endpoint sends
 * the phases without progress; then only labels and status are known.
 */
export function rolloutPhases(rollout) {
  const phases = [].concat(pick(rollout, 'phases') ?? []);
  const current = Number(pick(rollout, 'currentPhase') ?? 0);
  const state = rolloutState(rollout);
  return phases.map((phase, index) => {
    const counts = outcomeCounts(pick(phase, 'outcomes'));
    const percent = pick(phase, 'percent');
    const group = pick(phase, 'group');
    const status = pick(phase, 'status')
      ?? (state === 'Completed' || index < current ? 'done' : index === current ? 'current' : 'pending');
    return {
      index,
      label: group ? `group ${group}` : `${percent}%`,
      status,
      hasProgress: pick(phase, 'devices') !== undefined,
      total: Number(pick(phase, 'devices') ?? 0),
      done: counts.succeeded,
      failed: counts.failed + counts.rolledBack,
      inProgress: counts.inProgress,
      offered: counts.offered,
      active: status === 'current',
    };
  });
}

/** The rollout's totals over all phases (its "counts" object). */
export function rolloutTotals(rollout) {
  const counts = outcomeCounts(pick(rollout, 'counts'));
  return {
    ...counts,
    total: Number(pick(rollout?.counts, 'total') ?? 0),
    reported: Number(pick(rollout?.counts, 'reported') ?? 0),
    failureRate: Number(pick(rollout?.counts, 'failureRate') ?? 0),
  };
}

export function rolloutState(rollout) {
  return pick(rollout, 'state', 'status') ?? 'Unknown';
}

/** The actions of POST /rollouts/{id}/{action} and the rollout states the server accepts them in. */
export const ROLLOUT_ACTIONS = {
  pause: { label: 'Pause', states: ['Active'] },
  resume: { label: 'Resume', states: ['Paused', 'Halted'] },
  advance: { label: 'Advance phase', states: ['Active', 'Paused'] },
  abort: { label: 'Abort', states: ['Active', 'Paused', 'Halted'], confirm: true },
};

export const UNFINISHED_ROLLOUT_STATES = ['Active', 'Paused', 'Halted'];

export function deviceName(device) {
  return pick(device, 'name', 'serial', 'id', 'deviceId') ?? '(unnamed)';
}

export function deviceId(device) {
  return pick(device, 'id', 'deviceId');
}
