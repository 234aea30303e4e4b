import { InfoCard, TableColumn } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import type {
  EgressCall,
  EgressPolicy,
  MeshPosture,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ReportTable } from '../ZeroTrustContent/ReportTable';
import { WorkloadWithRole } from '../shared/postureParts';

// Names, hosts and counts never break inside a word.
const NOWRAP = { whiteSpace: 'nowrap' } as const;

const workloadCell = (w: EgressCall['workload']) => (
  <WorkloadWithRole name={`${w.namespace}/${w.name}`} role={undefined} />
);

/** A host may break after its dots, never inside a label. */
function HostName({ text }: { text: string }) {
  const parts = text.split('.');
  return (
    <span style={NOWRAP}>
      {parts.map((part, i) => (
        <span key={i}>
          {i > 0 && (
            <>
              .<wbr />
            </>
          )}
          {part}
        </span>
      ))}
    </span>
  );
}

const ROUTE_TEXT: Record<EgressCall['route'], string> = {
  declared: 'declared',
  passthrough: 'undeclared, let through',
  blocked: 'undeclared, refused',
  gateway: 'through the egress gateway',
};

/** Undeclared first: what went out, then what was refused. */
const ROUTE_ORDER: EgressCall['route'][] = [
  'passthrough',
  'gateway',
  'blocked',
  'declared',
];

const PROTOCOL_TEXT: Record<EgressCall['protocol'], string> = {
  http: 'HTTP',
  grpc: 'gRPC',
  tls: 'TLS',
  tcp: 'TCP',
};

const key = (w: EgressCall['workload']) =>
  `${w.cluster}/${w.namespace}/${w.kind}/${w.name}`;

function RouteChip({ call }: { call: EgressCall }) {
  return (
    <Tooltip title={call.via}>
      <Chip
        size="small"
        label={ROUTE_TEXT[call.route]}
        color={call.route === 'passthrough' ? 'secondary' : 'default'}
        variant={call.route === 'declared' ? 'outlined' : 'default'}
      />
    </Tooltip>
  );
}

function destinationOf(call: EgressCall) {
  if (call.host) {
    return (
      <HostName text={`${call.host}${call.port ? `:${call.port}` : ''}`} />
    );
  }
  return `unnamed${call.port ? ` (port ${call.port})` : ''}`;
}

function countText(call: EgressCall) {
  const noun =
    call.protocol === 'http' || call.protocol === 'grpc'
      ? 'request'
      : 'connection';
  return `${call.count.toLocaleString('en-US')} ${noun}${
    call.count === 1 ? '' : 's'
  }`;
}

/**
 * How a call leaves the pod: the application's own TLS, TLS the proxy
 * originates for a declared host, or plaintext HTTP; a TCP connection's
 * content is not seen.
 */
function leavesAs(call: EgressCall, policies: EgressPolicy[]) {
  if (call.protocol === 'tls') return { text: "TLS (the app's)" };
  if (call.protocol === 'tcp') return { text: 'not seen (TCP)' };
  const originated = policies
    .filter(
      p =>
        p.workload.cluster === call.workload.cluster &&
        p.workload.namespace === call.workload.namespace &&
        p.workload.name === call.workload.name,
    )
    .flatMap(p => p.declared)
    .find(d => d.host === call.host && d.tlsOriginatedBy);
  return originated
    ? { text: "TLS (the proxy's)", why: originated.tlsOriginatedBy }
    : { text: 'plaintext', plaintext: true };
}

function LeavesAs(props: { call: EgressCall; policies: EgressPolicy[] }) {
  const how = leavesAs(props.call, props.policies);
  const text = (
    <Typography
      variant="body2"
      component="span"
      color={how.plaintext ? 'error' : 'inherit'}
      style={NOWRAP}
    >
      {how.text}
    </Typography>
  );
  return how.why ? <Tooltip title={how.why}>{text}</Tooltip> : text;
}

/**
 * Zero trust tab section "Egress": what each workload may reach outside the
 * mesh, and where its calls out went in the window, declared or not.
 */
export function EgressSection(props: { posture: MeshPosture }) {
  const { posture } = props;
  const egress = posture.egress;
  const gaps = posture.gaps.filter(g => g.topic === 'egress');
  const policyColumns: TableColumn<EgressPolicy>[] = [
    {
      title: 'Workload',
      width: '24%',
      render: p => workloadCell(p.workload),
    },
    {
      title: 'Undeclared',
      width: '12%',
      headerStyle: NOWRAP,
      render: p => (
        <Chip
          size="small"
          label={p.mode === 'declared-only' ? 'refused' : 'let through'}
          color={p.mode === 'declared-only' ? 'primary' : 'secondary'}
        />
      ),
    },
    { title: 'Decided by', render: p => p.decidedBy },
    {
      title: 'Declared',
      render: p =>
        p.declared.length === 0
          ? 'nothing'
          : p.declared
              .map(
                d =>
                  `${d.host}${
                    d.ports.length ? ` (${d.ports.join(', ')})` : ''
                  }`,
              )
              .join(', '),
    },
  ];
  const callColumns: TableColumn<EgressCall>[] = [
    {
      title: 'Workload',
      width: '20%',
      render: c => workloadCell(c.workload),
    },
    { title: 'Destination', width: '28%', render: c => destinationOf(c) },
    {
      title: 'Protocol',
      width: '8%',
      headerStyle: NOWRAP,
      render: c => PROTOCOL_TEXT[c.protocol],
    },
    {
      title: 'Leaves as',
      headerStyle: NOWRAP,
      render: c => <LeavesAs call={c} policies={egress?.policies ?? []} />,
    },
    { title: 'Route', render: c => <RouteChip call={c} /> },
    {
      title: `In ${posture.window}`,
      align: 'right',
      headerStyle: NOWRAP,
      cellStyle: NOWRAP,
      render: c => countText(c),
    },
  ];
  return (
    <Grid item xs={12}>
      <InfoCard title="Egress">
        {!egress ? (
          <Typography variant="body2" color="textSecondary">
            Egress could not be read
            {gaps.length > 0 ? `: ${gaps.map(g => g.message).join('; ')}` : '.'}
          </Typography>
        ) : (
          <>
            <Typography variant="body2" color="textSecondary" paragraph>
              Where the mesh lets each workload call outside it, and the calls
              out its proxies counted in the last {posture.window}.
            </Typography>
            <ReportTable
              label="Egress policy"
              columns={policyColumns}
              data={egress.policies}
              rowId={p => key(p.workload)}
            />
            {egress.calls.length === 0 ? (
              <Typography variant="body2" color="textSecondary">
                No call out of the mesh in the last {posture.window}.
              </Typography>
            ) : (
              <ReportTable
                label="Calls out of the mesh"
                columns={callColumns}
                data={[...egress.calls].sort(
                  (a, b) =>
                    ROUTE_ORDER.indexOf(a.route) -
                      ROUTE_ORDER.indexOf(b.route) || b.count - a.count,
                )}
                rowId={c =>
                  `${key(c.workload)}|${c.host}|${c.port}|${c.protocol}|${
                    c.route
                  }`
                }
              />
            )}
            {gaps.map(g => (
              <Typography
                key={`${g.cluster}|${g.message}`}
                variant="caption"
                color="textSecondary"
                display="block"
              >
                {g.cluster}: {g.message}
              </Typography>
            ))}
          </>
        )}
      </InfoCard>
    </Grid>
  );
}
