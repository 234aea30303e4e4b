import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  meshPostureSnapshotCreatePermission,
  ScorecardFilter,
  SnapshotRun,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Request } from 'express';
import { entityKey } from '../catalog/entityKey';
import { ScorecardService } from '../scorecards/ScorecardService';
import {
  ReadableEntity,
  readEntityRef,
  readPeriod,
  scorecardFilterFrom,
} from './inputs';
import { audited, AUDITED_OPERATIONS } from './auditing';
import { exportActor, sendExport } from './exports';
import { certificateInventoryCsv } from '../scorecards/certificateInventory';
import { MeshPostureRouter } from '../schema/openapi';

export interface ScorecardRouteOptions {
  service: ScorecardService;
  /**
   * Takes a snapshot now, one at a time across replicas: the stored run,
   * or undefined when it is still running; a ConflictError while another
   * snapshot is being taken.
   */
  takeSnapshot: () => Promise<SnapshotRun | undefined>;
  /** The catalog's latest stored run, if any. */
  latestRun: () => Promise<SnapshotRun | undefined>;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  readableEntity: ReadableEntity;
}

const filterFrom = (query: ScorecardFilter) => scorecardFilterFrom(query);

/**
 * The scorecard routes: the catalog's scores (filtered to what the caller
 * may read), trends, CSV export, an entity's score, as-of dataflows, and
 * taking a snapshot now (a permissioned, audited write).
 */
export function addScorecardRoutes(
  router: MeshPostureRouter,
  options: ScorecardRouteOptions,
): void {
  const { service, httpAuth, permissions, auditor } = options;
  const userOrService = (req: Request<any, any, any, any>) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/v1/scorecards', async (req, res) => {
    res.json(
      await service.scorecards(filterFrom(req.query), await userOrService(req)),
    );
  });

  router.get('/v1/scorecards/trend', async (req, res) => {
    res.json(
      await service.trend(
        req.query.days,
        req.query.groupBy,
        filterFrom(req.query),
        await userOrService(req),
      ),
    );
  });

  router.get('/v1/scorecards/export', async (req, res) => {
    const credentials = await userOrService(req);
    const { filename, body } = await service.csv(
      filterFrom(req.query),
      credentials,
    );
    sendExport(res, {
      body,
      contentType: 'text/csv; charset=utf-8',
      filename,
      generatedAt: new Date().toISOString(),
      generatedBy: exportActor(credentials),
    });
  });

  router.get('/v1/certificates', async (req, res) => {
    await audited(
      auditor,
      req,
      AUDITED_OPERATIONS.certificateExport,
      async () => {
        const credentials = await userOrService(req);
        const inventory = await service.certificates(
          credentials,
          exportActor(credentials),
        );
        const day = inventory.generatedAt.slice(0, 10);
        const csv = (req.query.format as string) === 'csv';
        sendExport(res, {
          body: csv
            ? certificateInventoryCsv(inventory.certificates, {
                generatedAt: inventory.generatedAt,
                generatedBy: inventory.generatedBy,
                ...(inventory.run ? { runAt: inventory.run.finishedAt } : {}),
              })
            : JSON.stringify(inventory, null, 2),
          contentType: csv
            ? 'text/csv; charset=utf-8'
            : 'application/json; charset=utf-8',
          filename: `certificate-inventory-${day}.${csv ? 'csv' : 'json'}`,
          generatedAt: inventory.generatedAt,
          generatedBy: inventory.generatedBy,
        });
        return {
          format: csv ? 'csv' : 'json',
          certificates: inventory.certificates.length,
        };
      },
    );
  });

  router.get('/v1/entities/:kind/:namespace/:name/score', async (req, res) => {
    const { entity } = await options.readableEntity(req);
    // Whether any run is stored tells "not scored yet" from "the first
    // snapshot is still being taken".
    const [score, latestRun] = await Promise.all([
      service.entityScore(entityKey(entity), req.query.days),
      options.latestRun(),
    ]);
    res.json({ ...score, latestRun: latestRun ?? null });
  });

  router.get('/v1/dataflow', async (req, res) => {
    const refs = req.query.entityRef.map(raw => readEntityRef(raw));
    const { from, to } = readPeriod(req.query.from, req.query.to);
    const credentials = await userOrService(req);
    const dataflow = await service.dataflow(refs, from, to, credentials);
    sendExport(res, {
      body: JSON.stringify(dataflow),
      contentType: 'application/json; charset=utf-8',
      generatedAt: new Date().toISOString(),
      generatedBy: exportActor(credentials),
    });
  });

  router.post('/v1/snapshots', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(auditor, req, AUDITED_OPERATIONS.snapshotCreate, async () => {
      const [decision] = await permissions.authorize(
        [{ permission: meshPostureSnapshotCreatePermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError('Not allowed to take a scorecard snapshot');
      }
      const run = await options.takeSnapshot();
      if (!run) {
        // Still running (on this replica or another): it will be listed
        // by GET /v1/scorecards when it is stored.
        res.status(202).json({ run: null });
        return { runId: null };
      }
      res.status(201).json({ run });
      return { runId: run.id, entities: run.entities };
    });
  });
}
