import {
  formatLabelSelector,
  labelEquals,
  LabelSelectorError,
  matchesLabelSelector,
  parseLabelSelector,
} from './labelSelector';

describe('parseLabelSelector', () => {
  it('parses equality, set and existence requirements', () => {
    expect(
      parseLabelSelector(
        'app=web, tier in (frontend, edge),env!=dev,release notin (canary),has,!legacy',
      ),
    ).toEqual({
      requirements: [
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'release', operator: 'NotIn', values: ['canary'] },
        { key: 'has', operator: 'Exists', values: [] },
        { key: 'legacy', operator: 'DoesNotExist', values: [] },
      ],
    });
  });

  it('accepts prefixed keys and == as in the Kubernetes grammar', () => {
    expect(parseLabelSelector('app.kubernetes.io/name==payments-api')).toEqual({
      requirements: [
        {
          key: 'app.kubernetes.io/name',
          operator: 'In',
          values: ['payments-api'],
        },
      ],
    });
  });

  it.each([
    ['empty', ''],
    ['quote breakout', 'app="x"},evil="1'],
    ['newline', 'app=web\nenv=prod'],
    ['backslash', 'app=we\\b'],
    ['PromQL metacharacters', 'app=~".*"'],
    ['unbalanced parentheses', 'tier in (a,b'],
    ['nested parentheses', 'tier in ((a))'],
    ['space inside a value', 'app=web frontend'],
    ['over-long value', `app=${'a'.repeat(64)}`],
    ['over-long selector', `app=${'a,b='.repeat(400)}`],
    ['bad prefix', 'Bad_Prefix/app=web'],
    ['empty requirement', 'app=web,,env=prod'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseLabelSelector(text)).toThrow(LabelSelectorError);
  });

  it('round-trips through its text form', () => {
    const text = 'app=web,tier in (a,b),!legacy,has,env!=dev';
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(text);
  });
});

describe('matchesLabelSelector', () => {
  const selector = parseLabelSelector('app=web,tier in (a,b),!legacy,env!=dev');

  it('matches labels that satisfy every requirement', () => {
    expect(matchesLabelSelector(selector, { app: 'web', tier: 'a' })).toBe(
      true,
    );
    expect(
      matchesLabelSelector(selector, { app: 'web', tier: 'b', env: 'prod' }),
    ).toBe(true);
  });

  it('rejects labels that miss one', () => {
    expect(matchesLabelSelector(selector, { app: 'web' })).toBe(false);
    expect(
      matchesLabelSelector(selector, { app: 'web', tier: 'a', legacy: '' }),
    ).toBe(false);
    expect(
      matchesLabelSelector(selector, { app: 'web', tier: 'a', env: 'dev' }),
    ).toBe(false);
    expect(matchesLabelSelector(selector, undefined)).toBe(false);
  });
});

describe('labelEquals', () => {
  it('builds a one-label selector and refuses invalid values', () => {
    expect(
      formatLabelSelector(labelEquals('backstage.io/kubernetes-id', 'ledger')),
    ).toBe('backstage.io/kubernetes-id=ledger');
    expect(() =>
      labelEquals('backstage.io/kubernetes-id', 'ledger,app=other'),
    ).toThrow(LabelSelectorError);
  });
});
