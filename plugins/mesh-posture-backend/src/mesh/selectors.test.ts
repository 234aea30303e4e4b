import { objectSelectorMatches } from './selectors';

describe('objectSelectorMatches', () => {
  it('matches as the API does: labels and expressions, the empty selector everything', () => {
    const labels = { app: 'payments-api', tier: 'api' };
    expect(objectSelectorMatches({}, labels)).toBe(true);
    expect(
      objectSelectorMatches({ matchLabels: { app: 'payments-api' } }, labels),
    ).toBe(true);
    expect(
      objectSelectorMatches(
        {
          matchExpressions: [
            { key: 'tier', operator: 'NotIn', values: ['db'] },
          ],
        },
        labels,
      ),
    ).toBe(true);
    expect(objectSelectorMatches(undefined, labels)).toBe(false);
  });

  it('selects nothing, rather than throwing or matching a substring, on fields of the wrong type', () => {
    const labels = { app: 'payments-api' };
    const odd: unknown[] = [
      // A string where the API has a list: "payments-api-v2".includes("payments-api").
      {
        matchExpressions: [
          { key: 'app', operator: 'In', values: 'payments-api-v2' },
        ],
      },
      { matchExpressions: {} },
      { matchExpressions: [null] },
      { matchExpressions: [{ key: 'app', operator: 'Near', values: [] }] },
      { matchLabels: ['app'] },
    ];
    for (const selector of odd) {
      expect(objectSelectorMatches(selector as any, labels)).toBe(false);
    }
  });
});
