/**
 * Kubernetes label selectors, parsed from untrusted annotation text into a
 * structure, validated, and turned back into text that is safe to send to the
 * Kubernetes API. Nothing of the original text survives unparsed.
 */

/** @public */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** @public */
export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values: string[];
}

/**
 * The structured form of a label selector (as in the Kubernetes API's
 * `LabelSelector`, with `matchLabels` folded into `In` requirements).
 * @public
 */
export interface LabelSelector {
  requirements: LabelSelectorRequirement[];
}

/** @public */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

const MAX_SELECTOR_LENGTH = 1024;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * True for a valid label key: an optional DNS subdomain prefix of at most 253
 * characters, a slash, and a name of at most 63.
 * @public
 */
export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) {
    return NAME_PART.test(key);
  }
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return (
    prefix.length > 0 &&
    prefix.length <= 253 &&
    DNS_SUBDOMAIN.test(prefix) &&
    NAME_PART.test(name)
  );
}

/**
 * True for a valid label value: at most 63 characters, alphanumerics with
 * `-`, `_` and `.` inside.
 * @public
 */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * True for a valid namespace (an RFC 1123 label).
 * @public
 */
export function isValidNamespaceName(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= 63 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)
  );
}

function checkKey(key: string): string {
  if (!isValidLabelKey(key)) {
    throw new LabelSelectorError(`"${truncate(key)}" is not a valid label key`);
  }
  return key;
}

function checkValue(value: string): string {
  if (!isValidLabelValue(value)) {
    throw new LabelSelectorError(
      `"${truncate(value)}" is not a valid label value`,
    );
  }
  return value;
}

function truncate(text: string): string {
  const printable = JSON.stringify(text).slice(1, -1);
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

/** Splits on commas that are not inside a parenthesised value list. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0 || depth > 1) {
      throw new LabelSelectorError('unbalanced parentheses');
    }
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) {
    throw new LabelSelectorError('unbalanced parentheses');
  }
  parts.push(current);
  return parts;
}

/**
 * Parses the text form of a label selector (`app=web,tier in (a,b),!legacy`),
 * as written in the `backstage.io/kubernetes-label-selector` annotation.
 * Throws {@link LabelSelectorError} on anything that is not one.
 * @public
 */
export function parseLabelSelector(text: string): LabelSelector {
  if (text.length > MAX_SELECTOR_LENGTH) {
    throw new LabelSelectorError(
      `selector is longer than ${MAX_SELECTOR_LENGTH} characters`,
    );
  }
  if (
    [...text].some(ch => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
  ) {
    throw new LabelSelectorError('selector contains control characters');
  }
  const trimmed = text.trim();
  if (!trimmed) {
    throw new LabelSelectorError('selector is empty');
  }
  const requirements = splitTopLevel(trimmed).map(
    (raw): LabelSelectorRequirement => {
      const part = raw.trim();
      if (!part) {
        throw new LabelSelectorError('selector has an empty requirement');
      }
      const setMatch = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
      if (setMatch) {
        const values = setMatch[3].split(',').map(v => checkValue(v.trim()));
        if (values.length === 0 || values.every(v => v === '')) {
          throw new LabelSelectorError(`"${truncate(part)}" has no values`);
        }
        return {
          key: checkKey(setMatch[1]),
          operator: setMatch[2] === 'in' ? 'In' : 'NotIn',
          values,
        } as LabelSelectorRequirement;
      }
      const eqMatch = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(part);
      if (eqMatch) {
        return {
          key: checkKey(eqMatch[1]),
          operator: eqMatch[2] === '!=' ? 'NotIn' : 'In',
          values: [checkValue(eqMatch[3])],
        } as LabelSelectorRequirement;
      }
      const notExists = /^!\s*(\S+)$/.exec(part);
      if (notExists) {
        return {
          key: checkKey(notExists[1]),
          operator: 'DoesNotExist',
          values: [],
        } as LabelSelectorRequirement;
      }
      if (/^\S+$/.test(part)) {
        return { key: checkKey(part), operator: 'Exists', values: [] };
      }
      throw new LabelSelectorError(
        `"${truncate(part)}" is not a label selector requirement`,
      );
    },
  );
  return { requirements };
}

/**
 * A selector for one label with one value, as the
 * `backstage.io/kubernetes-id` annotation implies.
 * @public
 */
export function labelEquals(key: string, value: string): LabelSelector {
  return {
    requirements: [
      { key: checkKey(key), operator: 'In', values: [checkValue(value)] },
    ],
  };
}

/**
 * The text form of a parsed selector, safe to pass as the `labelSelector`
 * query parameter of the Kubernetes API (URL-encode it as any parameter).
 * @public
 */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements
    .map(r => {
      const key = checkKey(r.key);
      const values = r.values.map(checkValue);
      switch (r.operator) {
        case 'Exists':
          return key;
        case 'DoesNotExist':
          return `!${key}`;
        case 'In':
          return values.length === 1
            ? `${key}=${values[0]}`
            : `${key} in (${values.join(',')})`;
        case 'NotIn':
          return values.length === 1
            ? `${key}!=${values[0]}`
            : `${key} notin (${values.join(',')})`;
        default:
          throw new LabelSelectorError(`unknown operator ${r.operator}`);
      }
    })
    .join(',');
}

/**
 * True when the labels satisfy every requirement of the selector.
 * @public
 */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return selector.requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(l[r.key]);
      case 'NotIn':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}
