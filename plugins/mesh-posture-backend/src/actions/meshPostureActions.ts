import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  DEFAULT_POSTURE_WINDOW,
  POSTURE_WINDOWS,
  SIGNAL_WINDOWS,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { CanaryService } from '../canaries/CanaryService';
import { checklistPostureFor, type ChecklistService } from '../checklists';
import type { PostureService } from '../posture/PostureService';
import type { ScorecardService } from '../scorecards/ScorecardService';
import type { SignalsService } from '../signals/SignalsService';
import { requireCaller, type EntityAccess } from '../service/entityAccess';
import {
  readEntityRef,
  readPeriod,
  scorecardFilterFrom,
} from '../service/inputs';

export interface MeshPostureActionsOptions {
  entityAccess: EntityAccess;
  posture: PostureService;
  signals: SignalsService;
  canaries: CanaryService;
  checklists: ChecklistService;
  scorecards: ScorecardService;
}

const READ_ONLY = { readOnly: true, idempotent: true, destructive: false };

/** The entity ref an agent gave, checked as the REST routes check one. */
function entityOf(raw: string) {
  return parseEntityRef(readEntityRef(raw));
}

/**
 * Read-only actions for AI agents (the actions registry, served over MCP
 * by `@backstage/plugin-mcp-actions-backend`): each answers what its REST
 * route answers, to the same caller, through the same `EntityAccess`, so
 * an agent acting for someone learns no more than that person could.
 * Outputs are the REST bodies, as openapi.yaml describes them.
 */
export function registerMeshPostureActions(
  registry: ActionsRegistryService,
  options: MeshPostureActionsOptions,
): void {
  const { entityAccess } = options;
  const entityRef = (z: any) =>
    z
      .string()
      .min(1)
      .max(300)
      .describe(
        'The catalog entity, as kind:namespace/name (component:default/payments-api); kind and namespace default to component and default',
      );

  registry.register({
    name: 'get-mesh-posture',
    title: 'Mesh posture of an entity',
    description:
      "The service's zero-trust posture from its service mesh (Linkerd or Istio): meshed pods, mTLS on every inbound and outbound edge with the peer identities, the identities its authorization policies admit and whether they are used, refused calls, network policy, certificate expiry, and each check's verdict with what to do. Sources that could not be read are named in `sources` and `gaps`, never taken as a pass.",
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRef(z),
          window: z
            .enum(POSTURE_WINDOWS)
            .optional()
            .describe(
              `Rate window of the traffic figures; ${DEFAULT_POSTURE_WINDOW} by default`,
            ),
        }),
      output: z => z.object({ posture: z.record(z.string(), z.unknown()) }),
    },
    action: async ({ input, credentials }) => {
      const entity = await entityAccess(entityOf(input.entityRef), credentials);
      const posture = await options.posture.getPosture(
        entity,
        input.window ?? DEFAULT_POSTURE_WINDOW,
        credentials,
      );
      return { output: { posture: posture as any } };
    },
  });

  registry.register({
    name: 'get-golden-signals',
    title: 'Golden signals of an entity',
    description:
      'Success rate, request rate, latency p50/p95/p99 and errors by status of the requests the service serves (inbound) or makes (outbound), over a window, against its SLO, read from the mesh proxies.',
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRef(z),
          window: z.enum(SIGNAL_WINDOWS).optional().describe('1h by default'),
          direction: z
            .enum(['inbound', 'outbound'])
            .optional()
            .describe('inbound by default'),
        }),
      output: z => z.object({ signals: z.record(z.string(), z.unknown()) }),
    },
    action: async ({ input, credentials }) => {
      const entity = await entityAccess(entityOf(input.entityRef), credentials);
      const signals = await options.signals.getSignals(
        entity,
        input.window ?? '1h',
        input.direction ?? 'inbound',
        credentials,
      );
      return { output: { signals: signals as any } };
    },
  });

  registry.register({
    name: 'get-canary',
    title: 'Flagger canary of an entity',
    description:
      "The Flagger canaries of the service's workloads: phase, traffic weight, analysis checks and their values, and recent rollouts.",
    attributes: READ_ONLY,
    schema: {
      input: z => z.object({ entityRef: entityRef(z) }),
      output: z => z.object({ canary: z.record(z.string(), z.unknown()) }),
    },
    action: async ({ input, credentials }) => {
      const entity = await entityAccess(entityOf(input.entityRef), credentials);
      const canary = await options.canaries.getCanaries(entity);
      return { output: { canary: canary as any } };
    },
  });

  registry.register({
    name: 'get-checklists',
    title: 'Compliance checklists of an entity',
    description:
      "The compliance checklists (threat model, PCI DSS, zero-trust principles) that apply to the service, as they stand: each item's answer, who gave it and when, and the items the mesh answers from live data.",
    attributes: READ_ONLY,
    schema: {
      input: z => z.object({ entityRef: entityRef(z) }),
      output: z => z.object({ checklists: z.record(z.string(), z.unknown()) }),
    },
    action: async ({ input, credentials }) => {
      const entity = await entityAccess(entityOf(input.entityRef), credentials);
      const posture = await checklistPostureFor(
        options.checklists,
        entity,
        () =>
          options.posture.getPosture(
            entity,
            DEFAULT_POSTURE_WINDOW,
            credentials,
          ),
      );
      const checklists = await options.checklists.list(entity, posture);
      return { output: { checklists: checklists as any } };
    },
  });

  registry.register({
    name: 'list-scorecards',
    title: 'Zero-trust scorecards',
    description:
      "The latest scorecard snapshot's score and level of every service the caller may read, with roll-ups by owner and system; filter by owner, system, lifecycle, cluster, mesh or level (each a list of values, any of which matches). Values are entity refs (system:default/payments, group:default/payments-team). Example: which payments services still take plaintext — filter system system:default/payments and read each scorecard's failed checks.",
    attributes: READ_ONLY,
    schema: {
      input: z => {
        const values = z.array(z.string().min(1).max(200)).max(50).optional();
        return z.object({
          owner: values,
          system: values,
          lifecycle: values,
          cluster: values,
          mesh: values,
          level: values,
        });
      },
      output: z => z.object({ scorecards: z.record(z.string(), z.unknown()) }),
    },
    action: async ({ input, credentials }) => {
      requireCaller(credentials);
      const filter = scorecardFilterFrom(input);
      const scorecards = await options.scorecards.scorecards(
        filter,
        credentials,
      );
      return { output: { scorecards: scorecards as any } };
    },
  });

  registry.register({
    name: 'get-dataflow',
    title: 'Dataflow of entities over a period',
    description:
      'Who talked to whom, as the scorecard snapshots recorded it over a period (30 days to now by default, at most 400): each flow with its direction, peer, protocol, mTLS share at worst and when it was first and last seen. Flows of entities the caller may not read are left out.',
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRefs: z.array(entityRef(z)).min(1).max(50),
          from: z
            .string()
            .max(40)
            .optional()
            .describe('ISO date or date-time with a zone'),
          to: z
            .string()
            .max(40)
            .optional()
            .describe('ISO date or date-time with a zone; now by default'),
        }),
      output: z => z.object({ dataflow: z.record(z.string(), z.unknown()) }),
    },
    action: async ({ input, credentials }) => {
      requireCaller(credentials);
      const refs = input.entityRefs.map(raw => readEntityRef(raw));
      const { from, to } = readPeriod(input.from, input.to);
      const dataflow = await options.scorecards.dataflow(
        refs,
        from,
        to,
        credentials,
      );
      return { output: { dataflow: dataflow as any } };
    },
  });
}
