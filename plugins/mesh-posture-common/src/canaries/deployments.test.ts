import { deploymentRate, deploymentsPerWeek } from './deployments';
import type { CanaryRollout } from './types';

const now = new Date('2026-11-22T12:00:00.000Z');

function rollout(
  endedAt: string,
  outcome: CanaryRollout['outcome'] = 'succeeded',
): CanaryRollout {
  return {
    startedAt: new Date(Date.parse(endedAt) - 3300_000).toISOString(),
    endedAt,
    outcome,
    maxFailedChecks: 0,
  };
}

describe('deploymentRate', () => {
  it('counts the rollouts of the last four weeks, and says so', () => {
    const rollouts = [
      rollout('2026-11-20T10:00:00.000Z'),
      rollout('2026-11-19T10:00:00.000Z', 'failed'),
      rollout('2026-11-08T10:00:00.000Z'),
      rollout('2026-10-20T10:00:00.000Z'),
    ];
    expect(deploymentRate(rollouts, { now })).toEqual({
      succeeded: 2,
      rollouts: 3,
      since: '2026-10-25T12:00:00.000Z',
      days: 28,
      perWeek: 0.5,
    });
    expect(deploymentsPerWeek(rollouts, { now })).toBe(0.5);
  });

  it('counts over the history observed when it is shorter, a running rollout by its start', () => {
    const rollouts: CanaryRollout[] = [
      {
        startedAt: '2026-11-22T11:02:00.000Z',
        outcome: 'in-progress',
        maxFailedChecks: 0,
      },
      rollout('2026-11-22T10:57:00.000Z'),
      rollout('2026-11-22T09:57:00.000Z'),
    ];
    expect(
      deploymentRate(rollouts, {
        now,
        observedSince: '2026-11-15T12:00:00.000Z',
      }),
    ).toEqual({
      succeeded: 2,
      rollouts: 3,
      since: '2026-11-15T12:00:00.000Z',
      days: 7,
      perWeek: 2,
    });
  });

  it('counts under a day of history as a day', () => {
    expect(
      deploymentRate([rollout('2026-11-22T11:00:00.000Z')], {
        now,
        observedSince: '2026-11-22T10:00:00.000Z',
      }),
    ).toMatchObject({ succeeded: 1, days: 1, perWeek: 7 });
    expect(deploymentRate([], { now })).toMatchObject({
      succeeded: 0,
      rollouts: 0,
      perWeek: 0,
    });
  });
});
