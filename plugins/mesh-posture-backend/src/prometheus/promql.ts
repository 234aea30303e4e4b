/**
 * The one place PromQL text is made. Every label value is escaped as a
 * PromQL (Go) string literal; regex matchers escape RE2 metacharacters
 * first; label and metric names are checked against the Prometheus data
 * model; durations come from an allow-list. Nothing else builds queries, and
 * no query text ever comes from an annotation or a request.
 */

/** Rate windows and ranges a query may use. */
export const PROMQL_DURATIONS = [
  '1m',
  '5m',
  '15m',
  '30m',
  '1h',
  '6h',
  '24h',
  '7d',
  '30d',
] as const;

export type PromDuration = (typeof PROMQL_DURATIONS)[number];

export class PromQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromQLError';
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Longest label value we send; longer ones cannot be a Kubernetes name. */
export const MAX_LABEL_VALUE_LENGTH = 1024;
/**
 * Longest regex we send: an alternation of many such values (the names of
 * a slice of a large namespace, the namespaces of a snapshot's part), each
 * checked against MAX_LABEL_VALUE_LENGTH on its own.
 */
export const MAX_REGEX_LENGTH = 1024 * 1024;

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

function checkLabelName(name: string): string {
  if (!isLabelName(name)) {
    throw new PromQLError(`"${name.slice(0, 40)}" is not a valid label name`);
  }
  return name;
}

function checkMetricName(name: string): string {
  if (!METRIC_NAME.test(name)) {
    throw new PromQLError(`"${name.slice(0, 40)}" is not a valid metric name`);
  }
  return name;
}

export function checkDuration(duration: string): PromDuration {
  if (!(PROMQL_DURATIONS as readonly string[]).includes(duration)) {
    throw new PromQLError(`duration "${duration.slice(0, 20)}" is not allowed`);
  }
  return duration as PromDuration;
}

function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/**
 * A PromQL double-quoted string literal holding exactly `value`. Quotes,
 * backslashes and every control character are escaped as Go escapes; text
 * that is not valid Unicode, or too long, is refused.
 */
export function quote(
  value: string,
  maxLength: number = MAX_LABEL_VALUE_LENGTH,
): string {
  if (value.length > maxLength) {
    throw new PromQLError('label value is too long');
  }
  if (hasLoneSurrogate(value)) {
    throw new PromQLError('label value is not valid Unicode');
  }
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** Escapes RE2 metacharacters so the text matches only itself. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, c => `\\${c}`);
}

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  /** The literal value, or for regex operators the (already escaped) regex. */
  value: string;
}

export function eq(label: string, value: string): Matcher {
  return { label: checkLabelName(label), op: '=', value };
}

export function ne(label: string, value: string): Matcher {
  return { label: checkLabelName(label), op: '!=', value };
}

/**
 * Matches any of the given values exactly (PromQL regexes are anchored).
 * One matcher serves a whole batch of workloads.
 */
export function oneOf(label: string, values: readonly string[]): Matcher {
  if (values.length === 0) {
    throw new PromQLError(`no values to match for ${label}`);
  }
  const unique = [...new Set(values)].sort();
  if (unique.some(v => v.length > MAX_LABEL_VALUE_LENGTH)) {
    throw new PromQLError('label value is too long');
  }
  if (unique.length === 1) {
    return eq(label, unique[0]);
  }
  return {
    label: checkLabelName(label),
    op: '=~',
    value: unique.map(escapeRegex).join('|'),
  };
}

/**
 * Suffixes controllers add to the names they generate, as RE2 text: a
 * CronJob's Job `<cronjob>-<scheduled minute>`, and that Job's pods
 * `<job>-<5 characters>` (see mesh/workloadNames.ts). A fixed list: no
 * pattern text comes from anywhere else.
 */
const GENERATED_SUFFIXES = {
  cronJobJob: '-[0-9]{8,10}',
  cronJobPod: '-[0-9]{8,10}-[a-z0-9]{5}',
} as const;

/** A name, or a name followed by one of the controllers' generated suffixes. */
export interface NamePattern {
  name: string;
  suffix?: keyof typeof GENERATED_SUFFIXES;
}

/**
 * Matches any of the names exactly, or with their generated suffix: one
 * matcher selects a few workloads' series by their owner or pod label.
 */
export function namedAny(
  label: string,
  patterns: readonly NamePattern[],
): Matcher {
  if (patterns.length === 0) {
    throw new PromQLError(`no names to match for ${label}`);
  }
  if (patterns.some(p => p.name.length > MAX_LABEL_VALUE_LENGTH)) {
    throw new PromQLError('label value is too long');
  }
  if (patterns.every(p => !p.suffix)) {
    return oneOf(
      label,
      patterns.map(p => p.name),
    );
  }
  const alternatives = [
    ...new Set(
      patterns.map(
        p =>
          `${escapeRegex(p.name)}${
            p.suffix ? GENERATED_SUFFIXES[p.suffix] : ''
          }`,
      ),
    ),
  ].sort();
  return {
    label: checkLabelName(label),
    op: '=~',
    value: alternatives.join('|'),
  };
}

export function selector(metric: string, matchers: readonly Matcher[]): string {
  const body = matchers
    .map(
      m =>
        `${checkLabelName(m.label)}${m.op}${quote(
          m.value,
          m.op === '=~' || m.op === '!~'
            ? MAX_REGEX_LENGTH
            : MAX_LABEL_VALUE_LENGTH,
        )}`,
    )
    .join(',');
  return `${checkMetricName(metric)}{${body}}`;
}

export function rate(series: string, window: string): string {
  return `rate(${series}[${checkDuration(window)}])`;
}

export function increase(series: string, window: string): string {
  return `increase(${series}[${checkDuration(window)}])`;
}

/**
 * Events of counters the proxies create on their first event (Linkerd's
 * `request_total` and authorization counters, Istio's standard metrics): a
 * series born inside the window starts at its first event, which
 * `increase()` takes for the baseline, so a lone event reads as 0. A series
 * born inside the window (absent at its start) counts its whole value; one
 * that was there already, its increase. Envoy keeps idle series for the
 * proxy's life, so "present in the window" alone would count stale ones.
 */
export function eventsIn(series: string, window: string): string {
  const w = checkDuration(window);
  return `(last_over_time(${series}[${w}]) unless ${series} offset ${w}) or increase(${series}[${w}])`;
}

export type Aggregation = 'sum' | 'min' | 'max' | 'count';

export function aggregateBy(
  op: Aggregation,
  labels: readonly string[],
  expr: string,
): string {
  const by = [...new Set(labels)].map(checkLabelName).join(', ');
  return `${op} by (${by}) (${expr})`;
}

export function sumBy(labels: readonly string[], expr: string): string {
  return aggregateBy('sum', labels, expr);
}

export function minBy(labels: readonly string[], expr: string): string {
  return aggregateBy('min', labels, expr);
}

export function maxBy(labels: readonly string[], expr: string): string {
  return aggregateBy('max', labels, expr);
}

/**
 * The series of `expr` with one more label set to `value`: expressions
 * whose series would share label sets can then be asked together with
 * `or` and told apart in the answer.
 */
export function tagged(expr: string, label: string, value: string): string {
  return `label_replace(${expr}, ${quote(checkLabelName(label))}, ${quote(
    value,
  )}, "", "")`;
}

/** Either expression: series of the first, then those of the second it lacks. */
export function or(first: string, second: string): string {
  return `(${first}) or (${second})`;
}

export function histogramQuantile(quantile: number, expr: string): string {
  if (!(quantile > 0 && quantile < 1)) {
    throw new PromQLError('quantile must be between 0 and 1');
  }
  return `histogram_quantile(${quantile}, ${expr})`;
}

/** Longest history probe: a little over a year and a month. */
export const MAX_LOOKBACK_HOURS = 24 * 400;

/**
 * The first and the last sample time of each series within the last
 * `hours` hours, at one-hour resolution, told apart by a `sample` label
 * (`first`, `last`). The subquery's range is left-open, so a probe over
 * exactly the caller window never sees it whole (it sees at most the window
 * less one step): callers ask for the window plus one hour.
 */
export function sampleTimes(expr: string, hours: number): string {
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_LOOKBACK_HOURS) {
    throw new PromQLError(
      `lookback must be 1 to ${MAX_LOOKBACK_HOURS} whole hours`,
    );
  }
  const over = (fn: string, edge: string) =>
    `label_replace(${fn}(timestamp(${expr})[${hours}h:1h]), "sample", "${edge}", "", "")`;
  return `${over('min_over_time', 'first')} or ${over(
    'max_over_time',
    'last',
  )}`;
}

/**
 * Hours of history to probe: the caller window or the minimum history,
 * whichever is longer, plus the probe's one-hour resolution.
 */
export function historyLookbackHours(
  callerWindowSeconds: number,
  minimumHistoryMs = 0,
): number {
  return Math.min(
    MAX_LOOKBACK_HOURS,
    Math.ceil(Math.max(callerWindowSeconds, minimumHistoryMs / 1000) / 3600) +
      1,
  );
}

/**
 * Stands for the cluster matcher in a query a shared endpoint answers for
 * several clusters at once (see SharedEndpoint). NUL can be in no label
 * value we send (cluster names are checked in config), so the quoted
 * placeholder occurs only where a selector carries it.
 */
const SCOPE_PLACEHOLDER = '\u0000mesh-posture-scope\u0000';

/** The matcher a shared endpoint's cluster fills in: see {@link fillScope}. */
export function scopePlaceholder(label: string): Matcher {
  return eq(label, SCOPE_PLACEHOLDER);
}

/**
 * The query with its scope placeholder on `label` turned into a matcher of
 * the given clusters' values: `label="a"`, or `label=~"a|b"`.
 */
export function hasScopePlaceholder(promql: string, label: string): boolean {
  return promql.includes(
    `${checkLabelName(label)}=${quote(SCOPE_PLACEHOLDER)}`,
  );
}

export function fillScope(
  promql: string,
  label: string,
  values: readonly string[],
): string {
  const placeholder = `${checkLabelName(label)}=${quote(SCOPE_PLACEHOLDER)}`;
  const m = oneOf(label, values);
  const filled = `${m.label}${m.op}${quote(
    m.value,
    m.op === '=~' ? MAX_REGEX_LENGTH : MAX_LABEL_VALUE_LENGTH,
  )}`;
  return promql.split(placeholder).join(filled);
}
