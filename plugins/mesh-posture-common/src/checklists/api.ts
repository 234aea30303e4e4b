import type { CompoundEntityRef } from '@backstage/catalog-model';
import { entityApiPath, MeshPostureErrorBody } from '../api';
import type { CheckStatus } from '../types';
import type { ChecklistEvent, ChecklistTemplate, ChecklistView } from './types';

/**
 * What the automatic items of a response were judged on.
 * @public
 */
export interface ChecklistPostureSummary {
  available: boolean;
  /** Why there is no posture, when there is none. */
  reason?: string;
  generatedAt?: string;
  window?: string;
  verdict?: CheckStatus;
  demo: boolean;
}

/**
 * Response of `GET /v1/entities/{kind}/{namespace}/{name}/checklists`.
 * @public
 */
export interface EntityChecklistsResponse {
  entityRef: string;
  generatedAt: string;
  /** How the templates were chosen: the entity's annotation, a default rule, or none applies. */
  templatesFrom: 'annotation' | 'default' | 'none';
  /** Template ids the annotation names that are not defined. */
  unknownTemplateIds: string[];
  attestationValidityDays: number;
  posture: ChecklistPostureSummary;
  checklists: ChecklistView[];
}

/**
 * Response of `GET …/checklists/{templateId}/history`: newest first.
 * @public
 */
export interface ChecklistHistoryResponse {
  entityRef: string;
  templateId: string;
  events: ChecklistEvent[];
  /** True when older events exist; ask again with `beforeVersion`. */
  hasMore: boolean;
}

/**
 * The 409 body of a checklist write based on an outdated version: the
 * usual error body plus the checklist as it stands now.
 * @public
 */
export interface ChecklistConflictBody extends MeshPostureErrorBody {
  current: ChecklistView;
}

/**
 * Formats of `GET …/checklists/export`.
 * @public
 */
export const CHECKLIST_EXPORT_FORMATS = ['markdown', 'json'] as const;

/** @public */
export type ChecklistExportFormat = (typeof CHECKLIST_EXPORT_FORMATS)[number];

/**
 * The JSON export for auditors: every checklist of one entity with its full
 * history and the evidence behind each automatic item.
 * @public
 */
export interface ChecklistExport {
  format: 'mesh-posture.checklists/v1';
  exportedAt: string;
  exportedBy: string;
  entity: { ref: string; title?: string; owner?: string };
  attestationValidityDays: number;
  posture: ChecklistPostureSummary;
  unknownTemplateIds: string[];
  checklists: Array<
    ChecklistView & {
      /** Oldest first. */
      history: ChecklistEvent[];
      /** The template version the attestation was made under, when it differs from the current one. */
      attestedTemplate?: ChecklistTemplate;
      /**
       * A stable evidence id per item (`CHK-` and 16 hex digits): the same
       * while the item's outcome, answer, exemption and live reading are.
       */
      evidenceIds: Record<string, string>;
    }
  >;
}

/**
 * The path of an entity's checklists in the REST API, relative to the
 * plugin's base URL; each part URL-encoded.
 * @public
 */
export function checklistApiPath(
  ref: CompoundEntityRef,
  ...parts: string[]
): string {
  return [
    `${entityApiPath(ref)}/checklists`,
    ...parts.map(encodeURIComponent),
  ].join('/');
}
