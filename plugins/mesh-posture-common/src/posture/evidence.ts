import type { CheckStatus } from '../types';

/**
 * What a check found, by kind. A check fills in what it saw; {@link decide}
 * turns that into its status by the one rule every check follows.
 * @public
 */
export interface CheckFindings {
  /** Positive evidence of a failure. */
  fail?: string;
  /** Positive evidence of something to look at. */
  warn?: string;
  /** The question does not arise here (e.g. no proxy holds a certificate). */
  notApplicable?: string;
  /** Why the check could not be judged. */
  unknown?: string;
  /** Positive evidence that the check holds. */
  pass?: string;
}

/**
 * The rule, once: a check fails or warns on evidence of a problem; when
 * the question does not arise it is not applicable; it passes only on
 * positive evidence and when nothing kept it from being judged. No data, a
 * failed source or nothing to judge is `unknown`, never `pass`.
 * @public
 */
export function decide(findings: CheckFindings): {
  status: CheckStatus;
  detail: string;
} {
  if (findings.fail) return { status: 'fail', detail: findings.fail };
  if (findings.warn) return { status: 'warn', detail: findings.warn };
  if (findings.notApplicable) {
    return { status: 'not-applicable', detail: findings.notApplicable };
  }
  if (findings.unknown || !findings.pass) {
    return {
      status: 'unknown',
      detail: findings.unknown ?? 'nothing to judge it on',
    };
  }
  return { status: 'pass', detail: findings.pass };
}

/** "1 port", "2 ports": a count with its noun, plural when it needs one. @public */
export function plural(count: number, noun: string, nouns = `${noun}s`) {
  return `${count} ${count === 1 ? noun : nouns}`;
}
