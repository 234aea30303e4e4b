import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { DEFAULT_POSTURE_WINDOW } from '@mesh-posture/plugin-mesh-posture-common';
import { entityKey } from '../catalog/entityKey';
import { ChecklistService, readChecklistPosture } from '../checklists';
import { assessmentResults, EntityEvidence } from '../oscal/assessmentResults';
import { PostureService } from '../posture/PostureService';
import { ScorecardService } from '../scorecards/ScorecardService';
import { MeshPostureRouter } from '../schema/openapi';
import { audited, AUDITED_OPERATIONS } from './auditing';
import { EntityAccess } from './entityAccess';
import { exportActor, sendExport } from './exports';
import { readEntityRef } from './inputs';

export interface OscalRouteOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  entityAccess: EntityAccess;
  postureService: PostureService;
  checklists: ChecklistService;
  scorecards: ScorecardService;
  /** The plugin's version, named in the documents. */
  toolVersion: string;
}

/**
 * `GET /v1/oscal/assessment-results`: NIST OSCAL assessment results for
 * one or more entities, each read as its own routes read it (catalog
 * visibility, then mesh-posture.posture.read): an entity the caller may not
 * read refuses the whole export, as its page would.
 */
export function addOscalRoutes(
  router: MeshPostureRouter,
  options: OscalRouteOptions,
): void {
  router.get('/v1/oscal/assessment-results', async (req, res) => {
    await audited(
      options.auditor,
      req,
      AUDITED_OPERATIONS.oscalExport,
      async () => {
        const credentials = await options.httpAuth.credentials(req, {
          allow: ['user', 'service'],
        });
        const refs = [
          ...new Set(req.query.entityRef.map(raw => readEntityRef(raw))),
        ];
        const entities = await Promise.all(
          refs.map(ref =>
            options.entityAccess(parseEntityRef(ref), credentials),
          ),
        );
        const evidence: EntityEvidence[] = await Promise.all(
          entities.map(async entity => {
            const posture = await readChecklistPosture(() =>
              options.postureService.getPosture(
                entity,
                DEFAULT_POSTURE_WINDOW,
                credentials,
              ),
            );
            const [checklists, score] = await Promise.all([
              options.checklists.list(
                entity,
                options.checklists.applies(entity)
                  ? posture
                  : { unavailable: 'no checklist applies' },
              ),
              options.scorecards.entityScore(entityKey(entity), 1),
            ]);
            return {
              entityRef: entityKey(entity),
              ...(entity.metadata.title
                ? { title: entity.metadata.title }
                : {}),
              posture:
                'posture' in posture
                  ? { value: posture.posture }
                  : { unavailable: posture.unavailable },
              checklists,
              scorecard: score.current,
            };
          }),
        );
        const generatedAt = new Date();
        const generatedBy = exportActor(credentials);
        sendExport(res, {
          body: JSON.stringify(
            assessmentResults(evidence, {
              generatedAt,
              generatedBy,
              toolVersion: options.toolVersion,
            }),
            null,
            2,
          ),
          contentType: 'application/json; charset=utf-8',
          filename: `oscal-assessment-results-${generatedAt
            .toISOString()
            .slice(0, 10)}.json`,
          generatedAt: generatedAt.toISOString(),
          generatedBy,
        });
        return { entities: refs };
      },
    );
  });
}
