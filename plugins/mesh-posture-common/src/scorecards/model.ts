import type { ChecklistView } from '../checklists/types';
import type { SloAssessment } from '../signals/types';
import type { PostureCheck } from '../types';
import {
  EntityScore,
  EntityScorecard,
  SCORE_CHECK_IDS,
  ScoreCheck,
  ScoreCheckId,
  ScorecardFilter,
  ScorecardModel,
  ScoreLevel,
  ScoreRollup,
} from './types';

/**
 * The default model. Transport security weighs most (PSD2 and PCI DSS 4.2.1
 * ask for it on every hop), then who may call and the certificates that
 * make it work, then the network beneath the mesh and operations. The
 * weights add up to 100.
 * @public
 */
export const DEFAULT_SCORECARD_MODEL: ScorecardModel = {
  weights: {
    'inbound-mtls': 20,
    'outbound-mtls': 15,
    // Unmeshed pods also fail the mTLS checks: their weight is there too.
    'meshed-pods': 10,
    'default-deny': 10,
    // Defence in depth: what holds when a proxy is bypassed or absent.
    'network-default-deny': 5,
    // Where data can leave: only to declared destinations.
    'egress-declared': 5,
    'no-over-grants': 5,
    certificates: 10,
    'golden-signals': 5,
    'progressive-delivery': 5,
    checklists: 10,
  },
  warnCredit: 0.5,
  levels: [
    {
      name: 'Gold',
      minScore: 90,
      requires: [
        'inbound-mtls',
        'outbound-mtls',
        'meshed-pods',
        'certificates',
      ],
    },
    { name: 'Silver', minScore: 75, requires: ['inbound-mtls', 'meshed-pods'] },
    { name: 'Bronze', minScore: 50 },
  ],
};

/** @public */
export function isScoreCheckId(value: unknown): value is ScoreCheckId {
  return (
    typeof value === 'string' &&
    (SCORE_CHECK_IDS as readonly string[]).includes(value)
  );
}

/**
 * Builds a model from configuration, over the defaults: weights of the
 * checks named (0 leaves a check out), the warning credit, and levels.
 * Throws an error naming the key at fault.
 * @public
 */
export function scorecardModelFrom(
  input: {
    weights?: Record<string, unknown>;
    warnCredit?: unknown;
    levels?: Array<{ name?: unknown; minScore?: unknown; requires?: unknown }>;
  },
  where = 'meshPosture.scorecards',
): ScorecardModel {
  const weights = { ...DEFAULT_SCORECARD_MODEL.weights };
  for (const [id, weight] of Object.entries(input.weights ?? {})) {
    if (!isScoreCheckId(id)) {
      throw new Error(
        `${where}.weights.${id} is not a check; use one of ${SCORE_CHECK_IDS.join(
          ', ',
        )}`,
      );
    }
    if (
      typeof weight !== 'number' ||
      !Number.isFinite(weight) ||
      weight < 0 ||
      weight > 1000
    ) {
      throw new Error(`${where}.weights.${id} must be a number from 0 to 1000`);
    }
    weights[id] = weight;
  }
  if (Object.values(weights).every(w => w === 0)) {
    throw new Error(
      `${where}.weights: at least one check needs a weight above 0`,
    );
  }
  let warnCredit = DEFAULT_SCORECARD_MODEL.warnCredit;
  if (input.warnCredit !== undefined) {
    if (
      typeof input.warnCredit !== 'number' ||
      !(input.warnCredit >= 0 && input.warnCredit <= 1)
    ) {
      throw new Error(`${where}.warnCredit must be a number from 0 to 1`);
    }
    warnCredit = input.warnCredit;
  }
  let levels = DEFAULT_SCORECARD_MODEL.levels;
  if (input.levels !== undefined) {
    if (!Array.isArray(input.levels) || input.levels.length > 10) {
      throw new Error(`${where}.levels must be a list of at most 10 levels`);
    }
    const names = new Set<string>();
    levels = input.levels.map((level, i) => {
      const at = `${where}.levels[${i}]`;
      if (
        typeof level?.name !== 'string' ||
        !/^[\p{L}\p{N} _-]{1,40}$/u.test(level.name)
      ) {
        throw new Error(
          `${at}.name must be 1 to 40 letters, digits, spaces, _ or -`,
        );
      }
      if (
        names.has(level.name.toLocaleLowerCase('en-US')) ||
        level.name.toLowerCase() === 'none'
      ) {
        throw new Error(`${at}.name "${level.name}" is used twice or reserved`);
      }
      names.add(level.name.toLocaleLowerCase('en-US'));
      if (
        typeof level.minScore !== 'number' ||
        !(level.minScore >= 0 && level.minScore <= 100)
      ) {
        throw new Error(`${at}.minScore must be a number from 0 to 100`);
      }
      const requires = level.requires ?? [];
      if (!Array.isArray(requires) || !requires.every(isScoreCheckId)) {
        throw new Error(
          `${at}.requires must list checks among ${SCORE_CHECK_IDS.join(', ')}`,
        );
      }
      return {
        name: level.name,
        minScore: level.minScore,
        ...(requires.length > 0
          ? { requires: requires as ScoreCheckId[] }
          : {}),
      };
    });
  }
  return {
    weights,
    warnCredit,
    levels: [...levels].sort((a, b) => b.minScore - a.minScore),
  };
}

function credit(status: ScoreCheck['status'], model: ScorecardModel): number {
  if (status === 'pass') return 1;
  if (status === 'warn') return model.warnCredit;
  return 0;
}

/**
 * Scores checks: the weighted share of credit over the checks that apply,
 * 0..100, and the highest level whose score and required passes are met.
 * A check missing from `checks` counts as unknown.
 * @public
 */
export function scoreEntity(
  checks: ScoreCheck[],
  model: ScorecardModel,
): EntityScore {
  const byId = new Map(checks.map(c => [c.id, c]));
  const complete: ScoreCheck[] = SCORE_CHECK_IDS.filter(
    id => model.weights[id] > 0,
  ).map(
    id => byId.get(id) ?? { id, status: 'unknown', detail: 'not reported' },
  );
  let earned = 0;
  let possible = 0;
  for (const c of complete) {
    if (c.status === 'not-applicable') continue;
    possible += model.weights[c.id];
    earned += model.weights[c.id] * credit(c.status, model);
  }
  const score = possible > 0 ? Math.round((1000 * earned) / possible) / 10 : 0;
  const passes = (id: ScoreCheckId) => {
    const status = complete.find(c => c.id === id)?.status;
    // A required check that does not apply, or is weighted out, holds nobody back.
    return (
      status === undefined || status === 'pass' || status === 'not-applicable'
    );
  };
  const level: ScoreLevel | undefined = [...model.levels]
    .sort((a, b) => b.minScore - a.minScore)
    .find(l => score >= l.minScore && (l.requires ?? []).every(passes));
  return { score, level: level?.name ?? null, checks: complete };
}

/**
 * The posture checks that are scored, as the posture reported them. The
 * posture itself says when a check does not apply (a direction with no
 * requests from proxies that report, a workload with no proxy); the score
 * takes that as it is and never turns an unknown into one.
 * @public
 */
export function scoreChecksFromPosture(
  checks: PostureCheck[] | undefined,
  unavailable?: string,
): ScoreCheck[] {
  const ids: ScoreCheckId[] = [
    'inbound-mtls',
    'outbound-mtls',
    'meshed-pods',
    'default-deny',
    'network-default-deny',
    'egress-declared',
    'no-over-grants',
    'certificates',
  ];
  return ids.map(id => {
    const found = checks?.find(c => c.id === id);
    return found
      ? { id, status: found.status, detail: found.detail }
      : {
          id,
          status: 'unknown',
          detail: unavailable ?? 'the posture did not report it',
        };
  });
}

/** Whether the golden signals are within the objectives. @public */
export function scoreCheckFromSlo(
  slo: SloAssessment | undefined,
  unavailable?: string,
): ScoreCheck {
  const id = 'golden-signals';
  if (!slo)
    return {
      id,
      status: 'unknown',
      detail: unavailable ?? 'signals could not be read',
    };
  const statuses = [slo.successRate, slo.latencyP99];
  const describe = `success rate ${slo.successRate}, p99 latency ${slo.latencyP99}`;
  if (statuses.includes('breached'))
    return { id, status: 'fail', detail: `objective breached: ${describe}` };
  if (slo.successRate === 'no-traffic')
    return { id, status: 'unknown', detail: 'no requests to judge' };
  if (slo.successRate === 'unknown')
    return { id, status: 'unknown', detail: `not judged: ${describe}` };
  if (statuses.includes('at-risk'))
    return { id, status: 'warn', detail: `objective at risk: ${describe}` };
  return { id, status: 'pass', detail: `objectives met: ${describe}` };
}

/** Whether a progressive delivery tool (Flagger) guards the entity's releases. @public */
export function scoreCheckFromCanaries(
  canaries: string[] | undefined,
  unavailable?: string,
): ScoreCheck {
  const id = 'progressive-delivery';
  if (!canaries)
    return {
      id,
      status: 'unknown',
      detail: unavailable ?? 'canaries could not be read',
    };
  if (canaries.length === 0) {
    return {
      id,
      status: 'fail',
      detail: "no Flagger Canary targets the entity's workloads",
    };
  }
  return {
    id,
    status: 'pass',
    detail: `released through ${canaries.join(', ')}`,
  };
}

/** Whether every checklist that applies is attested, and still current. @public */
export function scoreCheckFromChecklists(
  checklists: ChecklistView[] | undefined,
  unavailable?: string,
): ScoreCheck {
  const id = 'checklists';
  if (!checklists)
    return {
      id,
      status: 'unknown',
      detail: unavailable ?? 'checklists could not be read',
    };
  if (checklists.length === 0)
    return { id, status: 'not-applicable', detail: 'no checklist applies' };
  // Checklists by their titles, as the Compliance tab names them: the id is
  // the template's key, not a name people know it by.
  const title = (c: ChecklistView) => c.template.title || c.template.id;
  const never = checklists.filter(c => !c.attestation).map(title);
  const stale = checklists
    .filter(c => c.attestation?.state === 'stale')
    .map(title);
  const expiring = checklists
    .filter(c => c.attestation?.state === 'expiring')
    .map(title);
  const parts = [
    never.length ? `never attested: ${never.join(', ')}` : '',
    stale.length ? `stale: ${stale.join(', ')}` : '',
    expiring.length ? `expiring: ${expiring.join(', ')}` : '',
  ].filter(Boolean);
  if (never.length || stale.length)
    return { id, status: 'fail', detail: parts.join('; ') };
  if (expiring.length) return { id, status: 'warn', detail: parts.join('; ') };
  return {
    id,
    status: 'pass',
    detail: `${checklists.length} checklist${
      checklists.length === 1 ? '' : 's'
    } attested and current`,
  };
}

/** Worst first: lowest score, then most failing checks, then by ref. @public */
export function compareWorstFirst(
  a: EntityScorecard,
  b: EntityScorecard,
): number {
  const failing = (e: EntityScorecard) =>
    e.checks.filter(c => c.status === 'fail').length;
  return (
    a.score - b.score ||
    failing(b) - failing(a) ||
    a.entityRef.localeCompare(b.entityRef)
  );
}

/** @public */
export function matchesScorecardFilter(
  entity: EntityScorecard,
  filter: ScorecardFilter,
): boolean {
  const any = (wanted: string[] | undefined, values: Array<string | null>) =>
    !wanted ||
    wanted.length === 0 ||
    values.some(v => wanted.includes(v ?? ''));
  return (
    any(filter.owner, [entity.owner]) &&
    any(filter.system, [entity.system]) &&
    any(filter.lifecycle, [entity.lifecycle]) &&
    any(filter.cluster, entity.clusters) &&
    any(filter.mesh, entity.meshes) &&
    any(filter.level, [entity.level ?? 'none'])
  );
}

/** The values each filter can take. @public */
export function scorecardFacets(
  entities: EntityScorecard[],
): Required<ScorecardFilter> {
  const values = (pick: (e: EntityScorecard) => Array<string | null>) =>
    [
      ...new Set(entities.flatMap(pick).filter((v): v is string => Boolean(v))),
    ].sort();
  return {
    owner: values(e => [e.owner]),
    system: values(e => [e.system]),
    lifecycle: values(e => [e.lifecycle]),
    cluster: values(e => e.clusters),
    mesh: values(e => e.meshes),
    level: values(e => [e.level ?? 'none']),
  };
}

/** Groups entities by owner or system; worst group first. @public */
export function rollUpScores(
  entities: EntityScorecard[],
  keyOf: (e: EntityScorecard) => string | null,
): ScoreRollup[] {
  const groups = new Map<string | null, EntityScorecard[]>();
  for (const e of entities) {
    const key = keyOf(e);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.entries()]
    .map(([key, members]) => {
      const levels: Record<string, number> = {};
      const failing: ScoreRollup['failing'] = {};
      for (const m of members) {
        const level = m.level ?? 'none';
        levels[level] = (levels[level] ?? 0) + 1;
        for (const c of m.checks) {
          if (c.status === 'fail') failing[c.id] = (failing[c.id] ?? 0) + 1;
        }
      }
      const mean = members.reduce((n, m) => n + m.score, 0) / members.length;
      return {
        key,
        entities: members.length,
        score: Math.round(mean * 10) / 10,
        levels,
        failing,
      };
    })
    .sort(
      (a, b) => a.score - b.score || String(a.key).localeCompare(String(b.key)),
    );
}

// What a spreadsheet runs as a formula: a cell starting with = + - @ (or
// their full-width forms), also after leading spaces, tabs or line breaks,
// which Excel and LibreOffice skip; and any cell starting with tab or CR.
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/**
 * A CSV cell: quoted, and never read as a formula by a spreadsheet.
 * @public
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim()
    ? `"${text.replace(/"/g, '""')}"`
    : text;
}

/**
 * The scorecard as CSV (RFC 4180, CRLF): one row per entity, one column per
 * check. Cells that a spreadsheet would run as a formula are defused.
 * @public
 */
export function scorecardsCsv(
  entities: EntityScorecard[],
  runAt?: string,
): string {
  const header = [
    'entity',
    'title',
    'owner',
    'system',
    'lifecycle',
    'clusters',
    'meshes',
    'score',
    'level',
    ...SCORE_CHECK_IDS,
    'failing_details',
    'snapshot_at',
  ];
  const rows = entities.map(e => {
    const status = (id: ScoreCheckId) =>
      e.checks.find(c => c.id === id)?.status ?? '';
    const failing = e.checks
      .filter(c => c.status === 'fail' || c.status === 'unknown')
      .map(c => `${c.id}: ${c.detail}`)
      .join(' | ');
    return [
      e.entityRef,
      // The name people know it by, as Backstage shows it: its title, else
      // its name.
      e.title ?? e.entityRef.slice(e.entityRef.lastIndexOf('/') + 1),
      e.owner,
      e.system,
      e.lifecycle,
      e.clusters.join(' '),
      e.meshes.join(' '),
      e.score.toFixed(1),
      e.level ?? 'none',
      ...SCORE_CHECK_IDS.map(status),
      failing,
      runAt ?? '',
    ];
  });
  return `${[header, ...rows]
    .map(r => r.map(csvCell).join(','))
    .join('\r\n')}\r\n`;
}
