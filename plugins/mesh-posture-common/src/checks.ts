/*
 * The one table of Mesh Posture's checks: what each asks, what a pass
 * means and how to fix a failure, read by the posture assessment, the
 * checklist templates, the scoring model, the pages and the Tech Insights
 * facts, so that an id, a title or an explanation is written once.
 */

/**
 * One check of the table.
 * @public
 */
export interface MeshPostureCheckInfo {
  /** What the check asks, as a sentence a pass makes true. */
  title: string;
  /** A short label for chips, filters and exports. */
  label: string;
  /** A column heading short enough for a table of every check. */
  column: string;
  /** What a pass means: the evidence it needs. */
  passes: string;
  /** How to fix a failure, in words a service team can act on. */
  fix: string;
  /** Judged by the posture assessment (automatic checklist items bind to these). */
  posture: boolean;
  /** Scored in the zero-trust scorecards. */
  scored: boolean;
}

/**
 * Every check, by id, in the order the pages show them.
 * @public
 */
export const MESH_POSTURE_CHECKS = {
  'inbound-mtls': {
    title: 'Every inbound request is mutually authenticated',
    label: 'Inbound mTLS',
    column: 'mTLS in',
    passes:
      'every request the workloads served in the window came over mTLS from a known identity, as their proxies (or ztunnel) reported it',
    fix: 'mesh the callers that still connect in plaintext, or make the ports require identity',
    posture: true,
    scored: true,
  },
  'outbound-mtls': {
    title: 'Every outbound request is mutually authenticated',
    label: 'Outbound mTLS',
    column: 'mTLS out',
    passes:
      'every request the workloads made in the window left over mTLS to a meshed peer',
    fix: 'mesh the services it calls, or route calls outside the mesh through an egress gateway',
    posture: true,
    scored: true,
  },
  'meshed-pods': {
    title: 'Every pod runs in the mesh',
    label: 'All pods meshed',
    column: 'Meshed',
    passes: "every running pod of the workloads carries the mesh's proxy",
    fix: 'enable injection for the namespace or workload and restart the pods',
    posture: true,
    scored: true,
  },
  'default-deny': {
    title: 'Authorization is default-deny on every port',
    label: 'Default-deny authorization',
    column: 'Deny',
    passes:
      'every port of the workloads refuses callers no policy names (Linkerd default policy deny or a Server; Istio an ALLOW policy)',
    fix: 'set the default inbound policy to deny and authorize each caller by identity',
    posture: true,
    scored: true,
  },
  'no-over-grants': {
    title: 'Every admitted identity is used',
    label: 'No over-granted identities',
    column: 'Grants',
    passes:
      'every identity the authorization policies admit was seen calling within the caller window, over enough telemetry history',
    fix: 'remove the identities that never call from the policies',
    posture: true,
    scored: true,
  },
  'denied-callers': {
    title: 'No caller is refused by policy',
    label: 'No refused callers',
    column: 'Refused',
    passes: 'no request was refused by an authorization policy in the window',
    fix: 'authorize the caller if it is legitimate, or stop it calling',
    posture: true,
    scored: false,
  },
  certificates: {
    title: 'Mesh certificates valid for more than 60 days',
    label: 'Certificates valid > 60 days',
    column: 'Certs',
    passes:
      'the trust anchor and issuer of every cluster are valid for more than 60 days and the workload certificates are current',
    fix: 'rotate the trust anchor or issuer before it expires (cert-manager, trust-manager)',
    posture: true,
    scored: true,
  },
  'golden-signals': {
    title: 'Golden signals within SLO',
    label: 'Golden signals within SLO',
    column: 'SLO',
    passes:
      "the success rate and p99 latency of the window meet the service's objectives, every source having answered",
    fix: 'look at the errors by status and the slowest dependencies on the golden signals card',
    posture: false,
    scored: true,
  },
  'progressive-delivery': {
    title: 'Releases go out progressively',
    label: 'Progressive delivery',
    column: 'Canary',
    passes: "a Flagger Canary targets the service's workloads",
    fix: 'add a Flagger Canary for the workload',
    posture: false,
    scored: true,
  },
  checklists: {
    title: 'Checklists attested and current',
    label: 'Checklists attested',
    column: 'Lists',
    passes:
      'every checklist that applies is attested, and the attestation is still current',
    fix: 'answer the open items on the Compliance tab and attest',
    posture: false,
    scored: true,
  },
} as const satisfies Record<string, MeshPostureCheckInfo>;

/** @public */
export type MeshPostureCheckId = keyof typeof MESH_POSTURE_CHECKS;

/**
 * The ids of the checks that have the given property, in table order.
 * @public
 */
export function checkIdsWhere(
  key: 'posture' | 'scored',
): readonly MeshPostureCheckId[] {
  return (Object.keys(MESH_POSTURE_CHECKS) as MeshPostureCheckId[]).filter(
    id => MESH_POSTURE_CHECKS[id][key],
  );
}

/**
 * The checks the posture assessment judges, in table order.
 * @public
 */
export const POSTURE_CHECK_IDS = checkIdsWhere('posture');
