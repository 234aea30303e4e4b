import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ChecklistPostureInput,
  checklistPostureInput,
  DEFAULT_POSTURE_WINDOW,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { PostureAssembler } from '../posture/PostureAssembler';
import { resolveWorkloadTarget } from '../posture/resolveWorkloadTarget';
import { postureReadFailure } from './ChecklistService';

/**
 * What a seeded attestation records for automatic items: the posture the
 * seeded past showed, read as a checklist reads it live; a failed read is
 * a reason, as it is live.
 */
export async function checklistPostureAt(
  assembler: PostureAssembler,
  entity: Entity,
): Promise<ChecklistPostureInput> {
  try {
    const target = resolveWorkloadTarget(entity);
    if (!target) {
      return { available: false, reason: 'the entity names no workload' };
    }
    return checklistPostureInput(
      await assembler.assemble(
        stringifyEntityRef(entity),
        target,
        DEFAULT_POSTURE_WINDOW,
      ),
    );
  } catch (error) {
    return { available: false, reason: postureReadFailure(error) };
  }
}
