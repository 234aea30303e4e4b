/**
 * Label values written by someone we do not control: quote and brace
 * breakouts, backslashes, newlines, regex metacharacters, non-ASCII and
 * control characters. The query builder's tests feed them to the escaping
 * code and to a real Prometheus.
 */
export const HOSTILE_VALUES = [
  'plain-name',
  'quote"inside',
  'back\\slash',
  'trailing\\',
  'new\nline',
  'tab\tand\rreturn',
  '"} or up{job=~".*',
  '"}) or vector(1) #',
  '.*',
  'a|b',
  '(x)[y]{z}^$+?',
  'ünïcødé-✓',
  'bell\u0007control',
];
