import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormControl from '@material-ui/core/FormControl';
import Grid from '@material-ui/core/Grid';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  AdmittedIdentity,
  DEFAULT_POSTURE_WINDOW,
  MeshPosture,
  PortAccess,
  POSTURE_WINDOWS,
  PostureWindow,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ReactNode, useState } from 'react';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';
import {
  formatAgo,
  formatExpiry,
  formatRate,
  formatUtcTime,
} from '../shared/format';
import {
  EdgeTable,
  PostureNotices,
  sourceName,
  STATUS_TEXT,
  StatusIcon,
  useStyles,
  certificateStatusFor,
} from '../shared/postureParts';
import { DataflowHistory } from '../DataflowHistory';

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

function workloadName(w: { namespace: string; kind: string; name: string }) {
  return `${w.namespace}/${w.name}`;
}

/** The whole posture document, section by section. */
export function ZeroTrustReport({ posture }: { posture: MeshPosture }) {
  const classes = useStyles();
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
          <Table size="small" aria-label="Checks">
            <TableBody>
              {posture.verdict.checks.map(c => (
                <TableRow key={c.id}>
                  <TableCell>
                    <StatusIcon status={c.status} />
                  </TableCell>
                  <TableCell>{c.title}</TableCell>
                  <TableCell>{c.detail}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box className={classes.section}>
            <Typography variant="caption" color="textSecondary">
              Rates over {posture.window}; callers over {posture.callerWindow};
              updated {formatAgo(posture.freshness.ageSeconds)}
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
        <Table size="small" aria-label="Workloads">
          <TableHead>
            <TableRow>
              <TableCell>Workload</TableCell>
              <TableCell>Cluster</TableCell>
              <TableCell>Mesh</TableCell>
              <TableCell>Pods meshed</TableCell>
              <TableCell>Ready</TableCell>
              <TableCell>Data plane</TableCell>
              <TableCell>Proxy</TableCell>
              <TableCell>Identity</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {posture.workloads.map(w => (
              <TableRow
                key={`${w.workload.cluster}/${w.workload.namespace}/${w.workload.name}`}
              >
                <TableCell>
                  {w.workload.kind} {workloadName(w.workload)}
                </TableCell>
                <TableCell>{w.workload.cluster}</TableCell>
                <TableCell>{w.mesh}</TableCell>
                <TableCell>
                  {w.meshedPods}/{w.totalPods}
                </TableCell>
                <TableCell>{w.readyPods}</TableCell>
                <TableCell>{w.dataPlane}</TableCell>
                <TableCell>{w.proxyVersions.join(', ') || '—'}</TableCell>
                <TableCell className={classes.mono}>
                  {w.identity ?? '—'}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
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
        empty="Authorization policies could not be judged for this entity."
      >
        <Table size="small" aria-label="Authorization by port">
          <TableHead>
            <TableRow>
              <TableCell>Workload</TableCell>
              <TableCell>Port</TableCell>
              <TableCell>Access</TableCell>
              <TableCell>Admitted</TableCell>
              <TableCell>Why</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {posture.authorization.map(p => (
              <TableRow key={`${workloadName(p.workload)}|${p.port}`}>
                <TableCell>{workloadName(p.workload)}</TableCell>
                <TableCell className={classes.nowrap}>
                  {p.port === '*' ? 'other ports' : p.port}
                  {p.mtlsMode && (
                    <Typography
                      variant="caption"
                      display="block"
                      color="textSecondary"
                    >
                      mTLS {p.mtlsMode}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  <AccessChip access={p.access} />
                </TableCell>
                <TableCell>
                  {p.grants.length === 0
                    ? '—'
                    : p.grants.map(g => (
                        <Box key={g.policy} mb={0.5}>
                          <Typography variant="caption" display="block">
                            {g.policy}
                          </Typography>
                          <Typography
                            variant="caption"
                            className={classes.mono}
                          >
                            {[
                              ...g.identities,
                              ...(g.unauthenticated
                                ? g.networks.map(n => `network ${n}`)
                                : []),
                            ].join(', ') || 'nobody'}
                          </Typography>
                        </Box>
                      ))}
                </TableCell>
                <TableCell>{p.explanation}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>

      <Section
        title="Admitted identities"
        count={posture.admittedIdentities.length}
        empty="No identity is admitted by name."
      >
        <Table size="small" aria-label="Admitted identities">
          <TableHead>
            <TableRow>
              <TableCell>Identity</TableCell>
              <TableCell>Workload</TableCell>
              <TableCell>Granted by</TableCell>
              <TableCell>Used</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {posture.admittedIdentities.map(a => (
              <TableRow key={`${workloadName(a.workload)}|${a.identity}`}>
                <TableCell className={classes.mono}>{a.identity}</TableCell>
                <TableCell>{workloadName(a.workload)}</TableCell>
                <TableCell>{a.grantedBy.join(', ')}</TableCell>
                <TableCell>
                  <SeenChip admitted={a} window={posture.callerWindow} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>

      <Section
        title="Denied callers"
        count={posture.deniedCallers.length}
        empty={`No request was refused in the last ${posture.callerWindow}.`}
      >
        <Table size="small" aria-label="Denied callers">
          <TableHead>
            <TableRow>
              <TableCell>Caller</TableCell>
              <TableCell>Workload</TableCell>
              <TableCell>Refused by</TableCell>
              <TableCell align="right">Refused</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {posture.deniedCallers.map(d => (
              <TableRow
                key={`${workloadName(d.workload)}|${d.identity}|${d.policy}`}
              >
                <TableCell className={classes.mono}>
                  {d.identity ?? 'unidentified client'}
                </TableCell>
                <TableCell>{workloadName(d.workload)}</TableCell>
                <TableCell>{d.policy ?? '—'}</TableCell>
                <TableCell align="right">
                  {Math.round(d.count)}{' '}
                  {d.protocol === 'tcp' ? 'connections' : 'requests'}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>

      <Section
        title="Certificates"
        count={posture.certificates.length}
        empty="No certificate could be read."
      >
        <Table size="small" aria-label="Certificates">
          <TableHead>
            <TableRow>
              <TableCell />
              <TableCell>Role</TableCell>
              <TableCell>Subject</TableCell>
              <TableCell>Cluster</TableCell>
              <TableCell>Read from</TableCell>
              <TableCell>Not after</TableCell>
              <TableCell>Expiry</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {posture.certificates.map(c => (
              <TableRow
                key={`${c.cluster}|${c.role}|${c.subject}|${c.notAfter}`}
              >
                <TableCell>
                  <StatusIcon status={certificateStatusFor(posture, c)} />
                </TableCell>
                <TableCell>{c.role.replace('-', ' ')}</TableCell>
                <TableCell>{c.subject}</TableCell>
                <TableCell>{c.cluster}</TableCell>
                <TableCell>{c.location}</TableCell>
                <TableCell className={classes.nowrap}>
                  {formatUtcTime(c.notAfter)}
                </TableCell>
                <TableCell>
                  {c.role === 'workload' && c.daysToExpiry === 0
                    ? `renews daily; expires in ${Math.max(
                        0,
                        Math.round(
                          (new Date(c.notAfter).getTime() -
                            new Date(posture.generatedAt).getTime()) /
                            3600_000,
                        ),
                      )} h`
                    : formatExpiry(c.daysToExpiry)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
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
