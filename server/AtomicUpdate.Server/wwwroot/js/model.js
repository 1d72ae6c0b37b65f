// Reads the API's JSON into the shapes the views draw. The contract (API.md) names the endpoints
// and their main fields; the small tolerance here (maps or lists of counts, a few synonyms)
// keeps the views simple.
import { toEntries } from './charts.js';

export const DEVICE_STATES = [
  'Idle', 'Downloading', 'Received', 'Deployed', 'TrialArmed', 'TrialBooted',
  'Healthy', 'Committed', 'Unhealthy', 'RolledBack', 'Failed',
];

const FAILED_STATES = new Set(['Failed', 'RolledBack', 'Unhealthy']);
const DONE_STATES = new Set(['Committed', 'Healthy']);

export function pick(object, ...names) {
  if (!object) return undefined;
  for (const name of names) {
    if (object[name] !== undefined && object[name] !== null) return object[name];
  }
  return undefined;
}

export function summaryModel(summary) {
  const byState = toEntries(pick(summary, 'byState', 'states', 'state'));
  const byRelease = toEntries(pick(summary, 'byRelease', 'byVersion', 'releases', 'versions'));
  const byChannel = toEntries(pick(summary, 'byChannel', 'channels'));
  const byHardware = toEntries(pick(summary, 'byHardware', 'hardware', 'hardwareIds'));
  const rolloutsInProgress = [].concat(pick(summary, 'rolloutsInProgress', 'rollouts', 'activeRollouts') ?? []);
  const total = pick(summary, 'totalDevices', 'total', 'devices') ?? byState.reduce((sum, e) => sum + e.count, 0);
  return {
    total: Number(total),
    byState,
    byRelease,
    byChannel,
    byHardware,
    failing: byState.filter((e) => FAILED_STATES.has(e.key)).reduce((sum, e) => sum + e.count, 0),
    rolloutsInProgress,
  };
}

/** A rollout's phases as { label, counts: [{key,count}], total, done, failed, active }. */
export function rolloutPhases(rollout) {
  const phases = [].concat(pick(rollout, 'phases', 'progress') ?? []);
  const current = pick(rollout, 'currentPhase', 'phase', 'phaseIndex');
  return phases.map((phase, index) => {
    const counts = toEntries(pick(phase, 'countsByState', 'byState', 'counts', 'states') ?? {});
    const target = pick(phase, 'targeted', 'devices', 'deviceCount', 'total', 'size', 'eligible');
    const reported = counts.reduce((sum, e) => sum + e.count, 0);
    const done = pick(phase, 'committed', 'done', 'succeeded', 'updated')
      ?? counts.filter((e) => DONE_STATES.has(e.key)).reduce((sum, e) => sum + e.count, 0);
    const failed = pick(phase, 'failed', 'failures')
      ?? counts.filter((e) => FAILED_STATES.has(e.key)).reduce((sum, e) => sum + e.count, 0);
    const total = Number(target ?? reported);
    const percent = pick(phase, 'percent');
    const group = pick(phase, 'group');
    const label = group ? `Group ${group}` : percent !== undefined ? `${percent}%` : `Phase ${index + 1}`;
    const state = pick(phase, 'state', 'status');
    const active = state ? /active|running|progress|current/i.test(state) : current === index;
    return {
      index,
      label,
      state,
      counts,
      total,
      done: Number(done),
      failed: Number(failed),
      inProgress: Math.max(0, reported - Number(done) - Number(failed)),
      active,
    };
  });
}

export function rolloutCounts(rollout) {
  return toEntries(pick(rollout, 'countsByState', 'byState', 'counts') ?? {});
}

export function rolloutState(rollout) {
  return pick(rollout, 'state', 'status') ?? 'Unknown';
}

export const ROLLOUT_ACTIONS = {
  pause: { label: 'Pause', when: /^(active|running|inprogress|in progress)$/i },
  resume: { label: 'Resume', when: /^(paused|halted)$/i },
  advance: { label: 'Advance', when: /^(active|running|inprogress|in progress|paused)$/i },
  abort: { label: 'Abort', when: /^(active|running|inprogress|in progress|paused|halted|pending)$/i, confirm: true },
};

export function deviceName(device) {
  return pick(device, 'name', 'serial', 'id', 'deviceId') ?? '(unnamed)';
}

export function deviceId(device) {
  return pick(device, 'id', 'deviceId');
}
