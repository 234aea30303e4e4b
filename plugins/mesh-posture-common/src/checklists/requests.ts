import {
  CHECKLIST_ANSWER_VALUES,
  CHECKLIST_ANSWERS_REQUIRING_RATIONALE,
  ChecklistAnswerValue,
  EvidenceLink,
} from './types';
import { parseIsoInstant } from '../dates';

/**
 * Limits of what people write into checklists.
 * @public
 */
export const CHECKLIST_INPUT_LIMITS = {
  rationale: 4000,
  justification: 4000,
  comment: 2000,
  evidenceLinks: 10,
  url: 2048,
  evidenceTitle: 200,
  /** The longest an exemption may run, in days from now. */
  exemptionMaxDays: 366,
} as const;

/**
 * Body of `PUT …/checklists/{templateId}/items/{itemId}/answer`.
 * @public
 */
export interface ChecklistAnswerRequest {
  /** The checklist version the answer was made on. */
  baseVersion: number;
  value: ChecklistAnswerValue;
  /** Required for No, Partially and Not applicable. */
  rationale?: string;
  evidence?: EvidenceLink[];
}

/**
 * Body of `PUT …/checklists/{templateId}/items/{itemId}/exemption`.
 * @public
 */
export interface ChecklistExemptionRequest {
  baseVersion: number;
  justification: string;
  /** A date (`2027-03-31`, the end of that day in UTC) or an ISO date-time with zone. */
  expiresAt: string;
}

/**
 * Body of `POST …/checklists/{templateId}/attestations`.
 * @public
 */
export interface ChecklistAttestationRequest {
  baseVersion: number;
  comment?: string;
}

/** @public */
export type ChecklistRequestValidation<T> =
  | { ok: true; value: T }
  | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;

// Control characters other than tab and newlines: never legitimate in the
// text people type, and NUL breaks PostgreSQL text columns.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

class Errors {
  readonly list: string[] = [];
  add(message: string) {
    this.list.push(message);
  }
}

function asObject(body: unknown, errors: Errors): Obj | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    errors.add('the body must be a JSON object');
    return undefined;
  }
  return body as Obj;
}

function rejectUnknown(obj: Obj, allowed: string[], errors: Errors) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      errors.add(
        `unknown field "${key.slice(0, 40)}"; allowed: ${allowed.join(', ')}`,
      );
    }
  }
}

function baseVersion(obj: Obj, errors: Errors): number | undefined {
  const value = obj.baseVersion;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    errors.add(
      'baseVersion is required: the checklist version the change was made on (a whole number from 0)',
    );
    return undefined;
  }
  return value;
}

/**
 * Reads optional text: trimmed, undefined when blank. Reports non-strings,
 * control characters and text over the limit.
 */
function text(
  obj: Obj,
  key: string,
  max: number,
  errors: Errors,
): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.add(`${key} must be a string`);
    return undefined;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    errors.add(`${key} must not contain control characters`);
    return undefined;
  }
  // One line ending, LF, whatever the browser or client sent: a lone CR or
  // U+2028 is a line break to some readers and not to others.
  const trimmed = value.replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n').trim();
  if (trimmed.length > max) {
    errors.add(`${key} must be at most ${max} characters`);
    return undefined;
  }
  return trimmed === '' ? undefined : trimmed;
}

/**
 * Why a URL cannot be evidence, or undefined when it can: only absolute
 * `https:` and `http:` URLs, without user name or password.
 * @public
 */
export function evidenceUrlProblem(url: string): string | undefined {
  if (url.length > CHECKLIST_INPUT_LIMITS.url) {
    return `must be at most ${CHECKLIST_INPUT_LIMITS.url} characters`;
  }
  if (CONTROL_CHARACTERS.test(url) || /\s/.test(url)) {
    return 'must not contain spaces or control characters';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `must be an https: or http: URL, not ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) {
    return 'must not contain a user name or password';
  }
  if (!parsed.hostname) {
    return 'must name a host';
  }
  return undefined;
}

function evidence(obj: Obj, errors: Errors): EvidenceLink[] {
  const value = obj.evidence;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.add('evidence must be a list of {url, title}');
    return [];
  }
  if (value.length > CHECKLIST_INPUT_LIMITS.evidenceLinks) {
    errors.add(
      `evidence must have at most ${CHECKLIST_INPUT_LIMITS.evidenceLinks} links`,
    );
    return [];
  }
  const links: EvidenceLink[] = [];
  value.forEach((raw, i) => {
    const at = `evidence[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.add(`${at} must be an object {url, title}`);
      return;
    }
    const link = raw as Obj;
    const inner = new Errors();
    rejectUnknown(link, ['url', 'title'], inner);
    if (typeof link.url !== 'string') {
      inner.add('url is required');
    } else {
      const problem = evidenceUrlProblem(link.url.trim());
      if (problem) inner.add(`url ${problem}`);
    }
    const title = text(
      link,
      'title',
      CHECKLIST_INPUT_LIMITS.evidenceTitle,
      inner,
    );
    if (inner.list.length > 0) {
      inner.list.forEach(m => errors.add(`${at}: ${m}`));
      return;
    }
    links.push({
      url: (link.url as string).trim(),
      ...(title ? { title } : {}),
    });
  });
  return links;
}

function result<T>(
  errors: Errors,
  value: () => T,
): ChecklistRequestValidation<T> {
  return errors.list.length > 0
    ? { ok: false, errors: errors.list }
    : { ok: true, value: value() };
}

/**
 * Validates the body of an answer: the value is one of the four answers, a
 * rationale is given for anything but Yes, evidence links are https/http.
 * Unknown fields are refused.
 * @public
 */
export function validateChecklistAnswerRequest(
  body: unknown,
): ChecklistRequestValidation<ChecklistAnswerRequest> {
  const errors = new Errors();
  const obj = asObject(body, errors);
  if (!obj) return { ok: false, errors: errors.list };
  rejectUnknown(obj, ['baseVersion', 'value', 'rationale', 'evidence'], errors);
  const version = baseVersion(obj, errors);
  const value = obj.value as ChecklistAnswerValue;
  if (!CHECKLIST_ANSWER_VALUES.includes(value)) {
    errors.add(`value must be one of ${CHECKLIST_ANSWER_VALUES.join(', ')}`);
  }
  const rationale = text(
    obj,
    'rationale',
    CHECKLIST_INPUT_LIMITS.rationale,
    errors,
  );
  if (
    CHECKLIST_ANSWERS_REQUIRING_RATIONALE.includes(value) &&
    rationale === undefined &&
    !errors.list.some(e => e.startsWith('rationale'))
  ) {
    errors.add(`rationale is required when the answer is ${value}`);
  }
  const links = evidence(obj, errors);
  return result(errors, () => ({
    baseVersion: version!,
    value,
    ...(rationale !== undefined ? { rationale } : {}),
    evidence: links,
  }));
}

/**
 * Reads an expiry: a date (the end of that day, UTC) or a date-time with a
 * zone. Undefined when it is neither or not a real date.
 * @public
 */
export function parseExpiry(value: string): Date | undefined {
  return parseIsoInstant(value, { endOfDay: true });
}

/**
 * Validates the body of an exemption: a justification, and an expiry in the
 * future and at most {@link CHECKLIST_INPUT_LIMITS}.exemptionMaxDays away.
 * The expiry comes back as an ISO date-time.
 * @public
 */
export function validateChecklistExemptionRequest(
  body: unknown,
  now: Date,
): ChecklistRequestValidation<ChecklistExemptionRequest> {
  const errors = new Errors();
  const obj = asObject(body, errors);
  if (!obj) return { ok: false, errors: errors.list };
  rejectUnknown(obj, ['baseVersion', 'justification', 'expiresAt'], errors);
  const version = baseVersion(obj, errors);
  const justification = text(
    obj,
    'justification',
    CHECKLIST_INPUT_LIMITS.justification,
    errors,
  );
  if (
    justification === undefined &&
    !errors.list.some(e => e.startsWith('justification'))
  ) {
    errors.add('justification is required');
  }
  let expiresAt: Date | undefined;
  if (typeof obj.expiresAt !== 'string') {
    errors.add('expiresAt is required: a date like 2027-03-31');
  } else {
    expiresAt = parseExpiry(obj.expiresAt);
    const max = now.getTime() + CHECKLIST_INPUT_LIMITS.exemptionMaxDays * 864e5;
    if (!expiresAt) {
      errors.add(
        'expiresAt must be a date (2027-03-31) or a date-time with a zone',
      );
    } else if (expiresAt.getTime() <= now.getTime()) {
      errors.add('expiresAt must be in the future');
    } else if (expiresAt.getTime() > max) {
      errors.add(
        `expiresAt must be at most ${CHECKLIST_INPUT_LIMITS.exemptionMaxDays} days away`,
      );
    }
  }
  return result(errors, () => ({
    baseVersion: version!,
    justification: justification!,
    expiresAt: expiresAt!.toISOString(),
  }));
}

/**
 * Validates the body of an attestation.
 * @public
 */
export function validateChecklistAttestationRequest(
  body: unknown,
): ChecklistRequestValidation<ChecklistAttestationRequest> {
  const errors = new Errors();
  const obj = asObject(body, errors);
  if (!obj) return { ok: false, errors: errors.list };
  rejectUnknown(obj, ['baseVersion', 'comment'], errors);
  const version = baseVersion(obj, errors);
  const comment = text(obj, 'comment', CHECKLIST_INPUT_LIMITS.comment, errors);
  return result(errors, () => ({
    baseVersion: version!,
    ...(comment !== undefined ? { comment } : {}),
  }));
}
