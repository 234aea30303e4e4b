import {
  checkDuration,
  eq,
  escapeRegex,
  histogramQuantile,
  namedAny,
  oneOf,
  PromQLError,
  quote,
  rate,
  selector,
  sumBy,
  tagged,
} from './promql';
import { HOSTILE_VALUES } from '../__testUtils__/hostileValues';

/** Reads a PromQL string literal back, as Go's strconv.Unquote would. */
function unquote(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '"') throw new Error(`unescaped quote at ${i} in ${literal}`);
    if (ch === '\n') throw new Error('raw newline');
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const map: Record<string, string> = {
        n: '\n',
        r: '\r',
        t: '\t',
        '"': '"',
        '\\': '\\',
      };
      if (!(next in map)) throw new Error(`unknown escape \\${next}`);
      out += map[next];
    }
  }
  return out;
}

describe('quote', () => {
  it.each(HOSTILE_VALUES)('round-trips %j as one closed literal', value => {
    const literal = quote(value);
    expect(unquote(literal)).toBe(value);
    expect([...literal].some(ch => ch.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('refuses over-long values and invalid Unicode', () => {
    expect(() => quote('a'.repeat(1025))).toThrow(PromQLError);
    expect(() => quote('bad\ud800surrogate')).toThrow(PromQLError);
  });
});

describe('escapeRegex', () => {
  it.each(HOSTILE_VALUES)('makes %j match only itself', value => {
    const re = new RegExp(`^(?:${escapeRegex(value)})$`, 'u');
    expect(re.test(value)).toBe(true);
    expect(re.test(`${value}x`)).toBe(false);
    expect(re.test('plain-name') && value !== 'plain-name').toBe(false);
  });
});

describe('selector', () => {
  it('builds matchers from checked names and quoted values', () => {
    expect(
      selector('request_total', [
        eq('direction', 'inbound'),
        eq('deployment', 'x"}'),
        oneOf('namespace', ['payments', 'web.app']),
      ]),
    ).toBe(
      'request_total{direction="inbound",deployment="x\\"}",namespace=~"payments|web\\\\.app"}',
    );
  });

  it('matches a set far longer than one value: every namespace of a large part', () => {
    // 300 namespaces of 20 characters: 6 KB of regex, each value short.
    const namespaces = Array.from(
      { length: 300 },
      (_, i) => `team-payments-${String(i).padStart(6, '0')}`,
    );
    const text = selector('request_total', [oneOf('namespace', namespaces)]);
    expect(text.length).toBeGreaterThan(6000);
    expect(text).toContain('team-payments-000299');
    const named = selector('request_total', [
      namedAny(
        'deployment',
        namespaces.map(name => ({ name, suffix: 'cronJobJob' as const })),
      ),
    ]);
    expect(named).toContain('team-payments-000299-[0-9]{8,10}');
    // One value longer than any Kubernetes name is still refused.
    expect(() => oneOf('namespace', ['a', 'x'.repeat(1025)])).toThrow(
      'label value is too long',
    );
    expect(() => eq('namespace', 'x'.repeat(1025))).not.toThrow();
    expect(() => selector('up', [eq('namespace', 'x'.repeat(1025))])).toThrow(
      'label value is too long',
    );
  });

  it('folds a one-value set into an equality matcher', () => {
    expect(oneOf('namespace', ['a', 'a'])).toEqual({
      label: 'namespace',
      op: '=',
      value: 'a',
    });
    expect(() => oneOf('namespace', [])).toThrow(PromQLError);
  });

  it.each(['bad-label', '1st', 'a b', '__name__', 'x"'])(
    'refuses the label name %j',
    label => {
      expect(() => eq(label, 'v')).toThrow(PromQLError);
      expect(() => sumBy([label], 'up')).toThrow(PromQLError);
    },
  );

  it('refuses a bad metric name', () => {
    expect(() => selector('up{x="1"}', [])).toThrow(PromQLError);
  });
});

describe('tagged', () => {
  it('adds a label by label_replace, the value quoted', () => {
    expect(tagged('sum(x)', 'mesh_posture_measure', 'read')).toBe(
      'label_replace(sum(x), "mesh_posture_measure", "read", "", "")',
    );
    expect(tagged('x', 'm', 'a"b')).toBe(
      'label_replace(x, "m", "a\\"b", "", "")',
    );
  });

  it('refuses a label that is not a label name', () => {
    expect(() => tagged('x', 'not a label', 'v')).toThrow(PromQLError);
  });
});

describe('durations', () => {
  it('allows only the listed windows', () => {
    expect(rate('up', '5m')).toBe('rate(up[5m])');
    expect(checkDuration('7d')).toBe('7d');
    for (const bad of ['5m] or up[5m', '2m', '1y', '', '5m\n']) {
      expect(() => rate('up', bad)).toThrow(PromQLError);
    }
  });

  it('bounds quantiles', () => {
    expect(histogramQuantile(0.99, 'x')).toBe('histogram_quantile(0.99, x)');
    expect(() => histogramQuantile(1.5, 'x')).toThrow(PromQLError);
  });
});
