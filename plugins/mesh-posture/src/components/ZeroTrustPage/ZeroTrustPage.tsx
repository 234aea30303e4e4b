import {
  Content,
  EmptyState,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import InfoOutlined from '@material-ui/icons/InfoOutlined';
import Alert from '@material-ui/lab/Alert';
import {
  meshPostureSnapshotCreatePermission,
  plural,
  ScorecardFilter,
  ScorecardsResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshPostureApiRef } from '../../api';
import { download } from '../shared/download';
import { RelativeTime } from '../shared/RelativeTime';
import { useNotify } from '../shared/notify';
import { FILTER_KEYS, ScorecardFilters } from './ScorecardFilters';
import { ScorecardTable } from './ScorecardTable';
import { ScoreRollups } from './ScoreRollups';
import { ScoreTrendChart } from './ScoreTrendChart';
import { ScoringModelPanel } from './ScoringModelPanel';

/** How often the page asks again while the first snapshot is being taken. */
const FIRST_SNAPSHOT_POLL_MS = 5000;

/** The filter kept in the URL, so a filtered view can be shared. */
function useFilterInUrl(): [ScorecardFilter, (f: ScorecardFilter) => void] {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => {
    const f: ScorecardFilter = {};
    for (const key of FILTER_KEYS) {
      const values = params.getAll(key);
      if (values.length > 0) f[key] = values;
    }
    return f;
  }, [params]);
  const setFilter = (next: ScorecardFilter) => {
    const query = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      for (const v of next[key] ?? []) query.append(key, v);
    }
    setParams(query, { replace: true });
  };
  return [filter, setFilter];
}

function RunLine({ run }: { run: NonNullable<ScorecardsResponse['run']> }) {
  // What the run cost is for whoever runs the backend: on hover, not in the
  // sentence every reader reads.
  const cost = `${plural(
    run.prometheusQueries,
    'Prometheus query',
    'Prometheus queries',
  )} and ${plural(
    run.kubernetesReads,
    'Kubernetes read',
  )} for the whole catalog`;
  return (
    <Typography variant="body2" color="textSecondary">
      Scores from the snapshot taken <RelativeTime at={run.finishedAt} />:{' '}
      {plural(run.entities, 'service')}.
      <Tooltip title={cost}>
        <IconButton size="small" aria-label={`About this snapshot: ${cost}`}>
          <InfoOutlined fontSize="small" />
        </IconButton>
      </Tooltip>
    </Typography>
  );
}

/** The scorecards: filters, table, roll-ups, trend and model. */
export function ZeroTrustScorecards() {
  const api = useApi(meshPostureApiRef);
  const notify = useNotify();
  const [filter, setFilter] = useFilterInUrl();
  const filterKey = JSON.stringify(filter);
  const [groupBy, setGroupBy] = useState<'owner' | 'system'>('owner');
  const [days, setDays] = useState(30);
  const [busy, setBusy] = useState(false);
  const { allowed: maySnapshot } = usePermission({
    permission: meshPostureSnapshotCreatePermission,
  });

  const scorecards = useAsyncRetry(
    () => api.getScorecards(filter),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, filterKey],
  );
  const trend = useAsync(
    () => api.getScoreTrend({ days, groupBy, filter }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, filterKey, days, groupBy, scorecards.value?.run?.id],
  );
  // No run yet (a fresh database): the first snapshot is on its way. Ask
  // again until it is stored, so the page fills in by itself.
  const firstPending = scorecards.value?.run === null;
  useEffect(() => {
    if (!firstPending) return undefined;
    const timer = setTimeout(scorecards.retry, FIRST_SNAPSHOT_POLL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstPending, scorecards.value]);

  const downloadCsv = async () => {
    try {
      const file = await api.exportScorecardsCsv(filter);
      download(file.filename, file.content);
    } catch (error) {
      notify({
        message: `The CSV could not be exported: ${(error as Error).message}`,
        severity: 'error',
      });
    }
  };

  const downloadCertificates = async () => {
    try {
      const file = await api.exportCertificateInventory('csv');
      download(file.filename, file.content);
    } catch (error) {
      notify({
        message: `The certificate inventory could not be exported: ${
          (error as Error).message
        }`,
        severity: 'error',
      });
    }
  };

  const snapshotNow = async () => {
    setBusy(true);
    try {
      const { run } = await api.takeSnapshot();
      notify({
        message: run
          ? `Snapshot taken: ${plural(run.entities, 'service')} scored.`
          : 'The snapshot is still running; the scores update when it is stored.',
        severity: run ? 'success' : 'info',
        transient: true,
      });
      scorecards.retry();
    } catch (error) {
      notify({
        message: `The snapshot failed: ${(error as Error).message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
  };

  if (scorecards.loading && !scorecards.value) return <Progress />;
  if (scorecards.error) return <ResponseErrorPanel error={scorecards.error} />;
  const data = scorecards.value!;
  const snapshotButton = maySnapshot && (
    <Button variant="outlined" onClick={snapshotNow} disabled={busy}>
      {busy ? 'Taking a snapshot…' : 'Snapshot now'}
    </Button>
  );

  if (!data.run) {
    return (
      <EmptyState
        missing="data"
        title="The first scorecard snapshot is being taken"
        description="The snapshot task scores every service that maps to workloads as soon as the catalog has some, then every meshPosture.snapshot.frequency; a seeded history (the demo's month) is stored with the first snapshot. This page fills in when it is stored."
        action={snapshotButton || undefined}
      />
    );
  }

  const demo = data.entities.some(e => e.demo);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box
          display="flex"
          alignItems="center"
          justifyContent="space-between"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <RunLine run={data.run} />
          <Box display="flex" style={{ gap: 8 }}>
            <Button variant="contained" color="primary" onClick={downloadCsv}>
              Download CSV
            </Button>
            <Tooltip title="Every trust anchor, issuer, root and workload certificate of the latest snapshot, with its expiry and evidence id (PCI DSS v4.0 4.2.1.1)">
              <Button variant="outlined" onClick={downloadCertificates}>
                Certificate inventory
              </Button>
            </Tooltip>
            {snapshotButton}
          </Box>
        </Box>
        {demo && (
          <Alert severity="info" style={{ marginTop: 8 }}>
            Demo data: these scores come from the built-in demo mesh
            (meshPosture.demo), not from a real cluster.
          </Alert>
        )}
        {data.run.failedSources.length > 0 && (
          <Alert severity="warning" style={{ marginTop: 8 }}>
            Sources that failed in this snapshot (their checks are unknown):{' '}
            {data.run.failedSources.join(', ')}
          </Alert>
        )}
      </Grid>
      <Grid item xs={12}>
        <ScorecardFilters
          filter={filter}
          facets={data.facets}
          onChange={setFilter}
        />
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Services, worst first"
          subheader={plural(data.entities.length, 'service')}
        >
          <ScorecardTable entities={data.entities} model={data.model} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="By owner">
          <ScoreRollups title="Owner" rollups={data.rollups.byOwner} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="By system">
          <ScoreRollups title="System" rollups={data.rollups.bySystem} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Trend">
          {trend.error ? (
            <ResponseErrorPanel error={trend.error} />
          ) : (
            <ScoreTrendChart
              trend={trend.value}
              groupBy={groupBy}
              days={days}
              onGroupBy={setGroupBy}
              onDays={setDays}
            />
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <ScoringModelPanel model={data.model} />
      </Grid>
    </Grid>
  );
}

/**
 * The "Zero trust" page: every service's zero-trust score across the
 * catalog, for the platform team.
 */
export function ZeroTrustPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Zero trust"
        subtitle="Mesh posture scorecards across the catalog"
      />
      <Content>
        <ZeroTrustScorecards />
      </Content>
    </Page>
  );
}
