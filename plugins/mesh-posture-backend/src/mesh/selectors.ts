import {
  LabelSelector,
  LabelSelectorRequirement,
  matchesLabelSelector,
} from '@mesh-posture/plugin-mesh-posture-common';

/** A `metav1.LabelSelector` as written in CRDs (`podSelector`, `selector`). */
export interface ObjectLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

/**
 * Converts an object selector to the structured form. An empty selector
 * matches everything, as in Kubernetes; an unknown operator matches nothing
 * rather than everything.
 */
export function fromObjectSelector(
  selector: ObjectLabelSelector | undefined,
): LabelSelector | undefined {
  if (!selector || typeof selector !== 'object') {
    return undefined;
  }
  const requirements: LabelSelectorRequirement[] = [];
  // Objects as the API serves them, but read defensively: a field of the
  // wrong type selects nothing rather than throwing or matching wrongly.
  const nothing = {
    requirements: [{ key: '', operator: 'In' as const, values: [] }],
  };
  const labels = selector.matchLabels ?? {};
  if (typeof labels !== 'object' || Array.isArray(labels)) return nothing;
  for (const [key, value] of Object.entries(labels)) {
    requirements.push({ key, operator: 'In', values: [String(value)] });
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) return nothing;
  for (const e of expressions) {
    const operator = (['In', 'NotIn', 'Exists', 'DoesNotExist'] as const).find(
      o => o === e?.operator,
    );
    const values = e?.values ?? [];
    if (
      !operator ||
      typeof e.key !== 'string' ||
      !Array.isArray(values) ||
      !values.every(v => typeof v === 'string')
    ) {
      return nothing;
    }
    requirements.push({ key: e.key, operator, values });
  }
  return { requirements };
}

/** True when an object selector matches the labels; undefined selects nothing. */
export function objectSelectorMatches(
  selector: ObjectLabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const structured = fromObjectSelector(selector);
  return structured ? matchesLabelSelector(structured, labels) : false;
}
