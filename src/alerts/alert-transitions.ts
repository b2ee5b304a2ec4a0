import type { AlertTransition, ReceivedAlert, RecordedAlert } from './types.js';

/**
 * The firing and resolved transitions a delivery brings, given what is recorded. A notification repeats its whole
 * group, and HA peers and retries repeat notifications, so anything already recorded is not a transition:
 * - firing: new unless the same episode (same `startsAt`) or an older one is recorded; a later `startsAt` after a
 *   resolution is a new episode;
 * - resolved: only of the episode recorded as firing; a resolution of an older episode arrives late and is ignored.
 * Alerts repeated within the delivery are taken in order.
 */
export function transitionsOf(
  recorded: ReadonlyMap<string, RecordedAlert>,
  alerts: ReadonlyArray<ReceivedAlert>,
): { transitions: AlertTransition[]; repeats: number } {
  const state = new Map(recorded);
  const transitions: AlertTransition[] = [];
  let repeats = 0;
  for (const alert of alerts) {
    const previous = state.get(alert.fingerprint);
    const startsAt = Date.parse(alert.startsAt);
    const previousStart = previous === undefined ? Number.NEGATIVE_INFINITY : Date.parse(previous.startsAt);
    if (alert.status === 'firing') {
      const newEpisode = previous === undefined || (previous.status === 'resolved' && startsAt > previousStart);
      if (!newEpisode) {
        repeats += 1;
        continue;
      }
      transitions.push({ kind: 'fired', alert });
      state.set(alert.fingerprint, {
        fingerprint: alert.fingerprint,
        status: 'firing',
        startsAt: alert.startsAt,
        service: previous?.service,
        incidentId: undefined,
      });
    } else {
      if (previous === undefined || previous.status !== 'firing' || startsAt < previousStart) {
        repeats += 1;
        continue;
      }
      transitions.push({ kind: 'resolved', alert, previous });
      state.set(alert.fingerprint, { ...previous, status: 'resolved' });
    }
  }
  return { transitions, repeats };
}
