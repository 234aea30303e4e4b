import { createHash } from 'node:crypto';

/**
 * A stable evidence id an assessor can cite: a prefix and the first 16 hex
 * digits of the SHA-256 of what identifies the evidence. The same evidence
 * gets the same id in every export; changed evidence (a new answer, a
 * renewed certificate) a new one.
 */
export function evidenceId(prefix: string, parts: unknown[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(parts))
    .digest('hex');
  return `${prefix}-${digest.slice(0, 16).toUpperCase()}`;
}
