import { InfoCard, TableColumn } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormControl from '@material-ui/core/FormControl';
import Grid from '@material-ui/core/Grid';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import {
  AdmittedIdentity,
  canaryRoles,
  DEFAULT_POSTURE_WINDOW,
  describeBypass,
  MeshPosture,
  NetworkDirectionPolicy,
  NetworkIsolation,
  PortAccess,
  POSTURE_WINDOWS,
  PostureWindow,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ReactNode, useState } from 'react';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';
import {
  describeInstant,
  formatCount,
  formatExpiry,
  formatRate,
  formatRefusedCount,
} from '../shared/format';
import { RelativeTime } from '../shared/RelativeTime';
import { EgressSection } from '../EgressSection';
import {
  CheckFindingText,
  EdgeTable,
  PostureNotices,
  sourceName,
  STATUS_TEXT,
  StatusIcon,
  useStyles,
  certificateStatusFor,
  IdentityText,
  WorkloadWithRole,
} from '../shared/postureParts';
import { DataflowHistory } from '../DataflowHistory';
import { TrafficGraph } from '../TrafficGraph';
import { ReportTable } from './ReportTable';
import { HowToFix, NotInMesh, proxylessOf } from '../shared/howToFix';

/**
 * What the pods' settings send around their proxies, and pods on the host
 * network: traffic no figure above covers.
 */
function OutsideTheMesh({ workloads }: { workloads: Workload[] }) {
  const lines = workloads.flatMap(w => [
    ...(w.meshedPods > 0 ? w.bypass ?? [] : []).map(b => ({
      key: `${workloadKey(w.workload)}|${b.direction}|${b.setting}`,
      text: `${w.workload.name}: ${describeBypass(b)}`,
    })),
    ...(w.hostNetworkPods
      ? [
          {
            key: `${workloadKey(w.workload)}|hostNetwork`,
            text: `${w.workload.name}: ${w.hostNetworkPods} ${
              w.hostNetworkPods === 1 ? 'pod runs' : 'pods run'
            } on the host network (spec.hostNetwork), where no sidecar can capture traffic`,
          },
        ]
      : []),
  ]);
  if (lines.length === 0) return null;
  return (
    <Box mt={1} role="list" aria-label="Outside the mesh">
      <Typography variant="subtitle2">Outside the mesh</Typography>
      {lines.map(l => (
        <Typography key={l.key} variant="body2" role="listitem">
          <StatusIcon status="fail" /> {l.text}
        </Typography>
      ))}
    </Box>
  );
}

const ACCESS_TEXT: Record<PortAccess, string> = {
  deny: 'default-deny',
  authenticated: 'any mesh identity',
  cluster: 'cluster networks',
  open: 'open',
  audit: 'audit only',
};

function AccessChip({ access }: { access: PortAccess }) {
  const classes = useStyles();
  let className = classes.middling;
  if (access === 'deny') className = classes.good;
  if (access === 'open' || access === 'audit') className = classes.bad;
  return (
    <Chip size="small" label={ACCESS_TEXT[access]} className={className} />
  );
}

function SeenChip({
  admitted,
  window,
}: {
  admitted: AdmittedIdentity;
  window: string;
}) {
  const classes = useStyles();
  if (admitted.seen === true) {
    return <Chip size="small" label="calls" className={classes.good} />;
  }
  if (admitted.seen === false) {
    return (
      <Chip
        size="small"
        label={`never seen in ${window}`}
        className={classes.middling}
      />
    );
  }
  return <Chip size="small" label="not judged" />;
}

/**
 * One direction of a workload's network policy: whether it denies by
 * default, and what its rules let through.
 */
function NetworkDirection({
  isolation,
  direction,
}: {
  isolation: NetworkIsolation;
  direction: 'ingress' | 'egress';
}) {
  const classes = useStyles();
  const d: NetworkDirectionPolicy = isolation[direction];
  const allowsAll = d.rules.filter(r => r.allowsAll);
  let chip;
  if (d.unisolatedPods === isolation.pods) {
    chip = <Chip size="small" label="open" className={classes.bad} />;
  } else if (d.unisolatedPods > 0) {
    chip = (
      <Chip
        size="small"
        label={`open on ${d.unisolatedPods} of ${isolation.pods} pods`}
        className={classes.bad}
      />
    );
  } else if (allowsAll.length > 0) {
    chip = (
      <Chip size="small" label="allows everything" className={classes.bad} />
    );
  } else {
    chip = (
      <Chip size="small" label="deny by default" className={classes.good} />
    );
  }
  return (
    <Box>
      {chip}
      {d.policies.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No NetworkPolicy of type{' '}
          {direction === 'ingress' ? 'Ingress' : 'Egress'} selects its pods.
        </Typography>
      ) : (
        d.rules.map((r, i) => (
          <Typography
            key={`${r.policy}|${i}`}
            variant="body2"
            className={classes.peer}
            title={`NetworkPolicy ${r.policy}`}
          >
            {direction === 'ingress' ? 'from ' : 'to '}
            {r.peers.join(' or ')} on {r.ports.join(', ')}
          </Typography>
        ))
      )}
      {d.policies.length > 0 && d.rules.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          nothing allowed ({d.policies.join(', ')})
        </Typography>
      )}
    </Box>
  );
}

function MeshPortsCell({ isolation }: { isolation: NetworkIsolation }) {
  const classes = useStyles();
  if (isolation.meshPorts.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        none (no proxy)
      </Typography>
    );
  }
  return (
    <Box>
      {isolation.meshPorts.map(p => (
        <Typography
          key={p.port}
          variant="body2"
          component="div"
          className={classes.nowrap}
        >
          {p.port} {p.name}{' '}
          <Chip
            size="small"
            label={p.allowed ? 'open' : 'closed'}
            className={p.allowed ? classes.good : classes.bad}
          />
          {p.from && (
            <Typography
              variant="caption"
              display="block"
              color="textSecondary"
              className={classes.peer}
              style={{ whiteSpace: 'normal' }}
            >
              from {p.from.join(' or ')}
            </Typography>
          )}
        </Typography>
      ))}
    </Box>
  );
}

function Section(props: {
  title: string;
  children: ReactNode;
  empty?: string;
  count: number;
}) {
  return (
    <Grid item xs={12}>
      <InfoCard title={props.title}>
        {props.count === 0 ? (
          <Typography variant="body2" color="textSecondary">
            {props.empty ?? 'Nothing to show.'}
          </Typography>
        ) : (
          props.children
        )}
      </InfoCard>
    </Grid>
  );
}

/**
 * A workload in full, for keys: a canary and its primary, or one name on
 * two clusters, are different workloads.
 */
function workloadKey(w: MeshPosture['workloads'][number]['workload']) {
  return `${w.cluster}/${w.namespace}/${w.kind}/${w.name}`;
}

function workloadName(w: { namespace: string; kind: string; name: string }) {
  return `${w.namespace}/${w.name}`;
}

type Check = MeshPosture['verdict']['checks'][number];
type Workload = MeshPosture['workloads'][number];
type PortAuthorization = MeshPosture['authorization'][number];
type DeniedCaller = MeshPosture['deniedCallers'][number];
type RefusedCall = NonNullable<MeshPosture['refusedCalls']>[number];
type Certificate = MeshPosture['certificates'][number];

/** A workload certificate renews daily: say in how many hours this one expires. */
function certificateExpiry(posture: MeshPosture, c: Certificate): string {
  if (c.role !== 'workload' || c.daysToExpiry !== 0) {
    return formatExpiry(c.daysToExpiry);
  }
  const hours = Math.round(
    (new Date(c.notAfter).getTime() - new Date(posture.generatedAt).getTime()) /
      3600_000,
  );
  return `renews daily; expires in ${Math.max(0, hours)} h`;
}

/** The whole posture document, section by section. */
export function ZeroTrustReport({ posture }: { posture: MeshPosture }) {
  const classes = useStyles();

  const checkColumns: TableColumn<Check>[] = [
    // The icon column as narrow as its icon; the text gets the width.
    { render: c => <StatusIcon status={c.status} />, width: '48px' },
    {
      render: c => (
        <CheckFindingText check={c} posture={posture} detail={false} />
      ),
      width: '40%',
    },
    {
      render: c => (
        <>
          {c.detail}
          <HowToFix check={c} posture={posture} />
        </>
      ),
    },
  ];
  const proxyless = proxylessOf(posture);

  const roleOf = canaryRoles(posture.workloads.map(w => w.workload));
  const workloadColumns: TableColumn<Workload>[] = [
    {
      title: 'Workload',
      render: w => (
        <WorkloadWithRole
          name={`${w.workload.kind} ${workloadName(w.workload)}`}
          role={roleOf(w.workload)}
        />
      ),
    },
    {
      title: 'Cluster',
      render: w => <span className={classes.nowrap}>{w.workload.cluster}</span>,
    },
    // Few columns, so that none is narrower than its longest word at 1280 px.
    {
      title: 'Pods meshed',
      render: w => (
        <span className={classes.nowrap}>
          {w.meshedPods}/{w.totalPods} · {w.readyPods} ready
        </span>
      ),
    },
    {
      title: 'Data plane',
      render: w => (
        <span className={classes.nowrap}>
          {w.mesh} {w.dataPlane}
        </span>
      ),
    },
    // What runs: a canary and its primary differ here while it rolls out.
    {
      title: 'Image',
      render: w => (
        <span className={classes.nowrap}>{w.imageTags?.join(', ') || '—'}</span>
      ),
    },
    {
      title: 'Proxy',
      render: w => (
        <span className={classes.nowrap}>
          {w.proxyVersions.join(', ') || '—'}
        </span>
      ),
    },
    {
      title: 'Identity',
      render: w =>
        w.identity ? (
          <span className={classes.mono}>
            <IdentityText identity={w.identity} />
          </span>
        ) : (
          '—'
        ),
    },
  ];

  const portColumns: TableColumn<PortAuthorization>[] = [
    {
      title: 'Workload',
      render: p => (
        <WorkloadWithRole
          name={workloadName(p.workload)}
          role={roleOf(p.workload)}
        />
      ),
    },
    {
      title: 'Port',
      render: p => (
        <span className={classes.nowrap}>
          {p.port === '*' ? 'other ports' : p.port}
          {p.mtlsMode && (
            <Typography variant="caption" display="block" color="textSecondary">
              mTLS {p.mtlsMode}
            </Typography>
          )}
        </span>
      ),
    },
    { title: 'Access', render: p => <AccessChip access={p.access} /> },
    {
      title: 'Admitted',
      render: p =>
        p.grants.length === 0
          ? '—'
          : p.grants.map(g => (
              <Box
                key={`${g.policy}|${g.identities.join(',')}|${g.networks.join(
                  ',',
                )}`}
                mb={0.5}
              >
                <Typography variant="caption" display="block">
                  {g.policy}
                </Typography>
                <Typography variant="caption" className={classes.mono}>
                  {g.identities.map(identity => (
                    <Box key={identity}>
                      <IdentityText identity={identity} />
                    </Box>
                  ))}
                  {(g.unauthenticated
                    ? g.networks.map(n => `network ${n}`)
                    : []
                  ).join(', ')}
                  {g.identities.length === 0 &&
                    !(g.unauthenticated && g.networks.length > 0) &&
                    'nobody'}
                </Typography>
              </Box>
            )),
    },
    { title: 'Why', render: p => p.explanation },
  ];

  // The rules get the room: a peer or port is never broken mid-word.
  const networkColumns: TableColumn<NetworkIsolation>[] = [
    {
      title: 'Workload',
      width: '22%',
      // Four columns leave room for the whole name on one line.
      render: n => (
        <span className={classes.nowrap}>
          <WorkloadWithRole
            name={workloadName(n.workload)}
            role={roleOf(n.workload)}
          />
        </span>
      ),
    },
    {
      title: 'Ingress',
      width: '31%',
      render: n => <NetworkDirection isolation={n} direction="ingress" />,
    },
    {
      title: 'Egress',
      width: '31%',
      render: n => <NetworkDirection isolation={n} direction="egress" />,
    },
    {
      title: "Mesh's ports",
      render: n => <MeshPortsCell isolation={n} />,
    },
  ];
  const networkGaps = posture.gaps.filter(g => g.topic === 'network');

  const identityColumns: TableColumn<AdmittedIdentity>[] = [
    {
      title: 'Identity',
      render: a => (
        <span className={classes.mono}>
          <IdentityText identity={a.identity} />
        </span>
      ),
    },
    { title: 'Workload', render: a => workloadName(a.workload) },
    { title: 'Granted by', render: a => a.grantedBy.join(', ') },
    {
      title: 'Used',
      render: a => <SeenChip admitted={a} window={posture.callerWindow} />,
    },
  ];

  const deniedColumns: TableColumn<DeniedCaller>[] = [
    {
      title: 'Caller',
      render: d => (
        <span className={classes.mono}>
          {d.identity ? (
            <IdentityText identity={d.identity} />
          ) : (
            'unidentified client'
          )}
        </span>
      ),
    },
    { title: 'Workload', render: d => workloadName(d.workload) },
    { title: 'Refused by', render: d => d.policy ?? '—' },
    {
      title: 'Refused',
      align: 'right',
      render: d => {
        const count = Math.round(d.count);
        const noun = d.protocol === 'tcp' ? 'connection' : 'request';
        return `${formatCount(count)} ${count === 1 ? noun : `${noun}s`}`;
      },
    },
  ];

  const refusedColumns: TableColumn<RefusedCall>[] = [
    {
      title: 'Workload',
      render: r => (
        <WorkloadWithRole
          name={workloadName(r.workload)}
          role={roleOf(r.workload)}
        />
      ),
    },
    {
      title: 'Called',
      render: r => `${r.peer.namespace}/${r.peer.workload}`,
    },
    { title: 'Refused by', render: r => r.policy ?? '—' },
    {
      title: 'Refused',
      align: 'right',
      render: r => formatRefusedCount(r),
    },
  ];

  const certificateColumns: TableColumn<Certificate>[] = [
    {
      render: c => <StatusIcon status={certificateStatusFor(posture, c)} />,
      width: '48px',
    },
    { title: 'Role', render: c => c.role.replace('-', ' ') },
    {
      title: 'Subject',
      render: c => (
        <>
          <span className={classes.nowrap}>{c.subject}</span>
          {c.problem && (
            <Typography variant="caption" color="error" display="block">
              {c.problem}
            </Typography>
          )}
        </>
      ),
    },
    { title: 'Cluster', render: c => c.cluster },
    { title: 'Read from', render: c => c.location },
    {
      // Said the way the checks say it; the exact notAfter on hover.
      title: 'Expiry',
      render: c => (
        <time
          dateTime={describeInstant(c.notAfter).iso}
          title={`not after ${describeInstant(c.notAfter).exact}`}
        >
          {certificateExpiry(posture, c)}
        </time>
      ),
    },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Verdict">
          <Box display="flex" alignItems="center" mb={1}>
            <StatusIcon status={posture.verdict.status} />
            <Typography variant="h6">
              {STATUS_TEXT[posture.verdict.status]} — {posture.verdict.summary}
            </Typography>
          </Box>
          <PostureNotices posture={posture} showGaps />
          {proxyless.length > 0 && (
            <Box mb={2}>
              <NotInMesh
                workloads={proxyless}
                seen="Its traffic below is what its callers' proxies report sending it; what it sends is not observed, and no authorization policy applies to it."
              />
            </Box>
          )}
          <ReportTable
            label="Checks"
            header={false}
            columns={checkColumns}
            data={posture.verdict.checks}
            rowId={c => c.id}
          />
          <Box className={classes.section}>
            <Typography variant="caption" color="textSecondary">
              Rates over {posture.window}; callers over {posture.callerWindow};
              updated <RelativeTime at={posture.generatedAt} />
              {posture.freshness.cached ? ' (cached)' : ''} · sources:{' '}
              {posture.sources
                .map(s => `${sourceName(s)} ${s.status} in ${s.durationMs} ms`)
                .join(', ') || 'none'}
            </Typography>
          </Box>
        </InfoCard>
      </Grid>

      <Section
        title="Workloads"
        count={posture.workloads.length}
        empty="No running workload matched this entity."
      >
        <ReportTable
          label="Workloads"
          columns={workloadColumns}
          data={posture.workloads}
          rowId={w => workloadKey(w.workload)}
        />
        <OutsideTheMesh workloads={posture.workloads} />
      </Section>

      <Section
        title="Traffic graph"
        count={posture.edges.length + posture.deniedCallers.length}
        empty={`No traffic in the last ${posture.window}.`}
      >
        <TrafficGraph posture={posture} />
      </Section>

      <Section
        title="Traffic"
        count={posture.edges.length}
        empty={`No requests in the last ${posture.window}.`}
      >
        <EdgeTable edges={posture.edges} />
        {(posture.inbound.probeRequestsPerSecond ?? 0) > 0 && (
          <Typography variant="caption" color="textSecondary" display="block">
            Kubelet probes:{' '}
            {formatRate(posture.inbound.probeRequestsPerSecond!)}, plaintext by
            design (the mesh gives them a route of their own); not counted in
            the mTLS share.
          </Typography>
        )}
      </Section>

      <Section
        title="Authorization by port"
        count={posture.authorization.length}
        empty={
          proxyless.length > 0 && posture.meshedPods === 0
            ? 'No pod runs a proxy, so no authorization policy is enforced.'
            : 'Authorization policies could not be judged for this entity.'
        }
      >
        <ReportTable
          label="Authorization by port"
          columns={portColumns}
          data={posture.authorization}
          rowId={p => `${workloadKey(p.workload)}|${p.port}`}
        />
      </Section>

      <Section
        title="Network policy"
        count={posture.networkIsolation?.length ?? 0}
        empty={
          posture.networkIsolation
            ? 'No workload with running pods to judge.'
            : `Kubernetes network policies could not be read${
                networkGaps.length > 0
                  ? `: ${networkGaps.map(g => g.message).join('; ')}`
                  : '.'
              }`
        }
      >
        <ReportTable
          label="Network policy"
          columns={networkColumns}
          data={posture.networkIsolation ?? []}
          rowId={n => workloadKey(n.workload)}
        />
      </Section>

      <EgressSection posture={posture} />

      <Section
        title="Admitted identities"
        count={posture.admittedIdentities.length}
        empty="No identity is admitted by name."
      >
        <ReportTable
          label="Admitted identities"
          columns={identityColumns}
          data={posture.admittedIdentities}
          rowId={a => `${workloadKey(a.workload)}|${a.identity}`}
        />
      </Section>

      <Section
        title="Denied callers"
        count={posture.deniedCallers.length}
        empty={`No request was refused in the last ${posture.callerWindow}.`}
      >
        <ReportTable
          label="Denied callers"
          columns={deniedColumns}
          data={posture.deniedCallers}
          rowId={d =>
            `${workloadKey(d.workload)}|${d.identity}|${d.policy}|${d.protocol}`
          }
        />
      </Section>

      {posture.refusedCalls && (
        <Section
          title="Refused calls"
          count={posture.refusedCalls.length}
          empty={`No call of the workloads running now was refused in the last ${posture.callerWindow}.`}
        >
          <Typography variant="body2" color="textSecondary" paragraph>
            Calls the service made that the callee's proxy refused for want of
            an authorization, counted by the caller's proxy and confirmed by the
            callee's, over the last {posture.callerWindow}. They are read for
            the workloads that have pods now: one scaled to zero (a canary
            between rollouts) shows while it runs.
          </Typography>
          <ReportTable
            label="Refused calls"
            columns={refusedColumns}
            data={posture.refusedCalls}
            rowId={r =>
              `${workloadKey(r.workload)}|${r.peer.namespace}/${
                r.peer.workload
              }|${r.protocol}`
            }
          />
        </Section>
      )}

      <Section
        title="Certificates"
        count={posture.certificates.length}
        empty="No certificate could be read."
      >
        <ReportTable
          label="Certificates"
          columns={certificateColumns}
          data={posture.certificates}
          rowId={c =>
            `${c.cluster}|${c.mesh}|${c.role}|${c.location}|${c.subject}|${c.notAfter}`
          }
        />
      </Section>
    </Grid>
  );
}

/**
 * Entity tab "Zero trust": the full posture of the entity's workloads —
 * workloads and data plane, every edge, authorization per port, admitted
 * identities and whether they are used, denied callers, certificates.
 * @public
 */
export function ZeroTrustContent() {
  const [window, setWindow] = useState<PostureWindow>(DEFAULT_POSTURE_WINDOW);
  const posture = useEntityPosture(
    (api, ref) => api.getPosture(ref, { window }),
    [window],
  );

  if (!posture.available) {
    return <PosturePending state={posture} />;
  }
  return (
    <Box>
      <Box display="flex" justifyContent="flex-end" mb={2}>
        <FormControl variant="outlined" size="small">
          <InputLabel id="zero-trust-window">Window</InputLabel>
          <Select
            labelId="zero-trust-window"
            label="Window"
            value={window}
            onChange={e => setWindow(e.target.value as PostureWindow)}
          >
            {POSTURE_WINDOWS.map(w => (
              <MenuItem key={w} value={w}>
                {w}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </Box>
      <PosturePending state={posture} />
      {posture.value && <ZeroTrustReport posture={posture.value} />}
      <Box mt={3}>
        <DataflowHistory entity={posture.entityRef} />
      </Box>
    </Box>
  );
}
