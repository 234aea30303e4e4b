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
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: 'In', values: [String(value)] });
  }
  for (const e of selector.matchExpressions ?? []) {
    const operator = (['In', 'NotIn', 'Exists', 'DoesNotExist'] as const).find(
      o => o === e.operator,
    );
    if (!operator) {
      return { requirements: [{ key: e.key, operator: 'In', values: [] }] };
    }
    requirements.push({ key: e.key, operator, values: e.values ?? [] });
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
