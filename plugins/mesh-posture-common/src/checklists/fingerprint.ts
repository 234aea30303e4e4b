import type { ChecklistItem, ChecklistTemplate } from './types';

/** JSON with object keys sorted, so equal data always gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => {
        if (a === b) return 0;
        return a < b ? -1 : 1;
      });
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * cyrb53: a small, well-distributed 53-bit string hash. Not cryptographic:
 * it detects changes of wording, nothing more, and runs the same in the
 * browser and in Node.
 */
function cyrb53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(16).padStart(14, '0');
}

/**
 * The fingerprint of what an item asks: its kind, wording, reference and,
 * for automatic items, the check it is bound to. Moving an item to another
 * section does not change it; rewording does.
 * @public
 */
export function checklistItemFingerprint(item: ChecklistItem): string {
  return cyrb53(
    canonicalJson({
      kind: item.kind,
      title: item.title,
      description: item.description,
      reference: item.reference,
      check: item.kind === 'automatic' ? item.check : undefined,
    }),
  );
}

/**
 * The fingerprint of a whole template, version included.
 * @public
 */
export function checklistTemplateFingerprint(
  template: ChecklistTemplate,
): string {
  return cyrb53(canonicalJson(template));
}
