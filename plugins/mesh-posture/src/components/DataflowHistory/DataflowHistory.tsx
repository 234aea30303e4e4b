import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  compareMtlsShare,
  DataflowResponse,
  describePlaintextReason,
  formatByteRate,
  plural,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { meshPostureApiRef } from '../../api';
import { formatDay, formatRate, formatShare } from '../shared/format';
import { RelativeTime } from '../shared/RelativeTime';
import { PosturePending } from '../shared/entityPosture';
import { IdentityText, PeerLink, useStyles } from '../shared/postureParts';

type Flow = DataflowResponse['flows'][number];

/**
 * A flow from the asked entity's side: flows seen at a peer are turned
 * round. `own` is the entity's workload on the flow (a canary and its
 * primary are two, with the same peers).
 */
export function fromEntitySide(
  flow: Flow,
  entityRef: string,
): Flow & { seenBy: 'this service' | 'the peer'; own: string } {
  if (flow.entityRef === entityRef) {
    return { ...flow, seenBy: 'this service', own: flow.workload.name };
  }
  return {
    ...flow,
    direction:
      flow.direction === 'inbound'
        ? ('outbound' as const)
        : ('inbound' as const),
    peer: {
      entityRef: flow.entityRef,
      namespace: flow.workload.namespace,
      workload: flow.workload.name,
    },
    seenBy: 'the peer',
    own: flow.peer.workload ?? flow.workload.name,
  };
}

/** What tells two rows apart: every field that names the flow. */
const flowKey = (f: ReturnType<typeof fromEntitySide>) =>
  JSON.stringify([
    f.seenBy,
    f.own,
    f.direction,
    f.protocol,
    f.cluster,
    f.workload,
    f.peer,
  ]);

function MinShareChip({ share }: { share: number | null }) {
  const classes = useStyles();
  if (share === null) {
    // No proxy reported whether it was encrypted: neither good nor bad.
    return <Chip size="small" label="not observed" variant="outlined" />;
  }
  if (share >= 1) {
    return <Chip size="small" label="always mTLS" className={classes.good} />;
  }
  return (
    <Chip
      size="small"
      label={`${formatShare(share)} mTLS at worst`}
      className={classes.bad}
    />
  );
}

/**
 * Which services talked to this one, and it to them, over a period, and
 * whether it was encrypted: the flows the scorecard snapshots observed, for
 * audits (PCI DSS 1.2 and 10).
 */
export function DataflowHistory({ entity }: { entity: CompoundEntityRef }) {
  const api = useApi(meshPostureApiRef);
  const classes = useStyles();
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const [to, setTo] = useState(formatDay(new Date()));
  const [from, setFrom] = useState(formatDay(Date.now() - 30 * 24 * 3600_000));
  const { value, loading, error } = useAsync(
    () => api.getDataflow([entityRef], { from, to }),
    [api, entityRef, from, to],
  );
  const flows = (value?.flows ?? [])
    .map(f => fromEntitySide(f, entityRef))
    .sort(
      (a, b) =>
        compareMtlsShare(a.minMtlsShare, b.minMtlsShare) ||
        a.direction.localeCompare(b.direction),
    );
  // A canary and its primary: name the entity's workload on each row.
  const severalWorkloads = new Set(flows.map(f => f.own)).size > 1;
  return (
    <InfoCard
      title="Who talked to this service"
      subheader="Flows observed by the scorecard snapshots, with the least encrypted share seen (PCI DSS 1.2, 10)"
    >
      <Box display="flex" style={{ gap: 16 }} mb={2}>
        <TextField
          label="From"
          type="date"
          size="small"
          value={from}
          onChange={e => e.target.value && setFrom(e.target.value)}
          InputLabelProps={{ shrink: true }}
        />
        <TextField
          label="To"
          type="date"
          size="small"
          value={to}
          onChange={e => e.target.value && setTo(e.target.value)}
          InputLabelProps={{ shrink: true }}
        />
      </Box>
      <PosturePending state={{ loading, error }} />
      {value && !loading && (
        <>
          <Typography variant="body2" color="textSecondary">
            {plural(value.runs, 'snapshot')} between {from} and {to}.
          </Typography>
          {flows.length === 0 ? (
            <Typography variant="body2">
              No flows observed in the period.
            </Typography>
          ) : (
            <Box overflow="auto">
              <Table size="small" aria-label="Observed flows">
                <TableHead>
                  {/* Headers never break inside a word; the peer column wraps. */}
                  <TableRow className={classes.nowrap}>
                    <TableCell>In/Out</TableCell>
                    {severalWorkloads && <TableCell>Workload</TableCell>}
                    <TableCell>Peer</TableCell>
                    <TableCell>Encryption</TableCell>
                    <TableCell>Seen</TableCell>
                    <TableCell align="right">Snapshots</TableCell>
                    <TableCell align="right">Peak rate</TableCell>
                    <TableCell>Seen by</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {flows.map(f => (
                    <TableRow key={flowKey(f)}>
                      <TableCell>
                        {f.direction === 'inbound' ? 'In' : 'Out'}
                      </TableCell>
                      {severalWorkloads && (
                        <TableCell className={classes.nowrap}>
                          {f.own}
                        </TableCell>
                      )}
                      <TableCell className={classes.peer}>
                        <PeerLink peer={f.peer} />
                        {f.peer.identity && (
                          <Box>
                            <IdentityText identity={f.peer.identity} />
                          </Box>
                        )}
                      </TableCell>
                      <TableCell>
                        <MinShareChip share={f.minMtlsShare} />
                        {f.plaintextReasons.length > 0 && (
                          // In words; the mesh's own codes on hover.
                          <Tooltip
                            title={`reported as: ${f.plaintextReasons.join(
                              ', ',
                            )}`}
                          >
                            <Typography variant="caption" display="block">
                              {f.plaintextReasons
                                .map(describePlaintextReason)
                                .join('; ')}
                            </Typography>
                          </Tooltip>
                        )}
                        {(f.unverifiedReasons ?? []).length > 0 && (
                          <Typography
                            variant="caption"
                            color="textSecondary"
                            display="block"
                          >
                            {(f.unverifiedReasons ?? []).join('; ')}
                          </Typography>
                        )}
                      </TableCell>
                      {/* One column, first and last, so the table fits at 1280 px. */}
                      <TableCell className={classes.nowrap}>
                        first <RelativeTime at={f.firstSeen} />
                        <br />
                        last <RelativeTime at={f.lastSeen} />
                      </TableCell>
                      <TableCell align="right">{f.observations}</TableCell>
                      <TableCell align="right" className={classes.nowrap}>
                        {f.protocol === 'tcp' &&
                        f.maxBytesPerSecond !== undefined
                          ? `${formatByteRate(f.maxBytesPerSecond)} TCP`
                          : formatRate(f.maxRequestsPerSecond)}
                      </TableCell>
                      <TableCell>{f.seenBy}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
        </>
      )}
    </InfoCard>
  );
}
