import { InfoCard, Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import {
  plural,
  SCORE_CHECK_TITLES,
  ScoreCheck,
} from '@mesh-posture/plugin-mesh-posture-common';
import { zeroTrustPageRouteRef } from '../../routes';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';
import { formatScore } from '../shared/format';
import { RelativeTime } from '../shared/RelativeTime';
import {
  LevelChip,
  SCORE_STATUS_TEXT,
  ScoreCheckIcon,
} from '../shared/scoreParts';
import { ScoreSparkline } from './ScoreSparkline';

/** The card's glance back: a month, as the demo seeds. */
const DAYS = 30;
/** How often the card asks again while the first snapshot is being taken. */
const FIRST_SNAPSHOT_POLL_MS = 5000;

const ORDER: Record<ScoreCheck['status'], number> = {
  fail: 0,
  unknown: 1,
  warn: 2,
  pass: 3,
  'not-applicable': 4,
};

/**
 * Entity card "Zero-trust score": the entity's score and level from the
 * latest snapshot, what holds it back, and its score over 30 days.
 */
export function ZeroTrustScoreCard() {
  const pageLink = useRouteRef(zeroTrustPageRouteRef);
  const [asked, setAsked] = useState(0);
  // Asked for any entity: the card says when no snapshot has scored it.
  const score = useEntityPosture(
    (api, ref) => api.getEntityScore(ref, { days: DAYS }),
    [asked],
    { needsWorkloads: false },
  );
  // No run stored at all (latestRun null, not merely absent): the first
  // snapshot is on its way. Ask again until it is stored, and keep saying
  // so meanwhile rather than flashing progress at each ask.
  const [firstPending, setFirstPending] = useState(false);
  useEffect(() => {
    if (score.value) {
      setFirstPending(!score.value.current && score.value.latestRun === null);
    }
  }, [score.value]);
  useEffect(() => {
    if (!firstPending) return undefined;
    const timer = setTimeout(
      () => setAsked(n => n + 1),
      FIRST_SNAPSHOT_POLL_MS,
    );
    return () => clearTimeout(timer);
  }, [firstPending, asked]);
  // The page may not be installed in every app.
  let pageHref: string | undefined;
  try {
    pageHref = pageLink?.();
  } catch {
    pageHref = undefined;
  }
  const deepLink = pageHref
    ? { title: 'All services', link: pageHref }
    : undefined;

  if (firstPending && !score.error) {
    return (
      <InfoCard title="Zero-trust score" deepLink={deepLink}>
        <Typography variant="body2">
          The first scorecard snapshot is being taken. This card shows the score
          as soon as it is stored.
        </Typography>
      </InfoCard>
    );
  }
  if (!score.value) {
    return (
      <InfoCard title="Zero-trust score">
        <PosturePending state={score} />
      </InfoCard>
    );
  }
  const { current, latestRun } = score.value;
  if (!current) {
    return (
      <InfoCard title="Zero-trust score" deepLink={deepLink}>
        <Typography variant="body2">
          No scorecard snapshot has included this service yet. The snapshot task
          scores every service that maps to workloads on its schedule
          {latestRun ? (
            <>
              ; the latest snapshot, taken{' '}
              <RelativeTime at={latestRun.finishedAt} />, scored{' '}
              {plural(latestRun.entities, 'service')}.
            </>
          ) : (
            '.'
          )}
        </Typography>
      </InfoCard>
    );
  }
  const holdingBack = [...current.checks]
    .filter(c => c.status !== 'pass' && c.status !== 'not-applicable')
    .sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const { history } = score.value;
  return (
    <InfoCard
      title="Zero-trust score"
      subheader={
        // One element: the subheader lays its children out as flex items,
        // which would drop the spaces between them.
        <span>
          From the snapshot taken <RelativeTime at={current.at} />
          {current.demo ? ' (demo data)' : ''}
        </span>
      }
      deepLink={deepLink}
    >
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="h3" component="p" aria-label="Score">
          {formatScore(current.score)}
        </Typography>
        <LevelChip level={current.level} />
      </Box>
      {history.length > 1 && <ScoreSparkline history={history} days={DAYS} />}
      {holdingBack.length === 0 ? (
        <Typography variant="body2">Every scored check passes.</Typography>
      ) : (
        <List dense aria-label="What holds the score back">
          {holdingBack.map(c => (
            <ListItem key={c.id}>
              <ListItemIcon>
                <ScoreCheckIcon check={c} />
              </ListItemIcon>
              <ListItemText
                primary={`${SCORE_CHECK_TITLES[c.id]} ${
                  SCORE_STATUS_TEXT[c.status]
                }`}
                secondary={c.detail}
              />
            </ListItem>
          ))}
        </List>
      )}
      {pageHref && (
        <Typography variant="body2">
          <Link to={pageHref}>Compare with every service</Link>
        </Typography>
      )}
    </InfoCard>
  );
}
