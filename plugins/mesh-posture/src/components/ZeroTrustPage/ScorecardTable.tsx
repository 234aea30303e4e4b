import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EntityScorecard,
  SCORE_CHECK_IDS,
  SCORE_CHECK_TITLES,
  MESH_POSTURE_CHECKS,
  ScorecardModel,
} from '@mesh-posture/plugin-mesh-posture-common';
import { formatScore } from '../shared/format';
import { LevelChip, ScoreCheckIcon } from '../shared/scoreParts';

const useStyles = makeStyles(theme => ({
  nowrap: { whiteSpace: 'nowrap' },
  // The service stays in view when the table scrolls sideways.
  service: {
    whiteSpace: 'nowrap',
    position: 'sticky',
    left: 0,
    zIndex: 1,
    // Opaque, in its row's colour, so what scrolls beneath does not show.
    backgroundColor: 'inherit',
  },
  serviceHeader: { backgroundColor: theme.palette.background.paper },
  // A check column is as wide as its icon: its short name breaks between
  // words only, its full name and weight are on hover.
  checkHeader: {
    padding: theme.spacing(0.5),
    fontSize: theme.typography.caption.fontSize,
    lineHeight: 1.2,
    wordBreak: 'normal',
    overflowWrap: 'normal',
    hyphens: 'none',
  },
  checkCell: { padding: theme.spacing(0.5) },
  // Ten check columns beside them: the text columns' padding kept tight so
  // the table fits a 1280 px screen.
  compact: { padding: theme.spacing(0.75, 1) },
}));

/** Every entity, worst first as the backend sorted them, one icon per check. */
export function ScorecardTable(props: {
  entities: EntityScorecard[];
  model: ScorecardModel;
}) {
  const { entities, model } = props;
  const classes = useStyles();
  const checks = SCORE_CHECK_IDS.filter(id => model.weights[id] > 0);
  if (entities.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No service matches the filters.
      </Typography>
    );
  }
  return (
    // The check columns need room: scroll sideways on narrow screens.
    <Box overflow="auto">
      <Table size="small" aria-label="Scorecards, worst first">
        <TableHead>
          <TableRow>
            <TableCell
              className={`${classes.service} ${classes.serviceHeader} ${classes.compact}`}
            >
              Service
            </TableCell>
            <TableCell className={classes.compact}>Owner</TableCell>
            <TableCell className={classes.compact}>System</TableCell>
            <TableCell
              align="right"
              className={`${classes.nowrap} ${classes.compact}`}
            >
              Score
            </TableCell>
            <TableCell className={classes.compact}>Level</TableCell>
            {checks.map(id => (
              <TableCell
                key={id}
                align="center"
                className={classes.checkHeader}
              >
                <Tooltip
                  title={`${SCORE_CHECK_TITLES[id]} (weight ${model.weights[id]})`}
                >
                  <span aria-label={SCORE_CHECK_TITLES[id]}>
                    {MESH_POSTURE_CHECKS[id].column}
                  </span>
                </Tooltip>
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {entities.map(e => (
            <TableRow key={e.entityRef} data-testid="scorecard-row">
              <TableCell className={`${classes.service} ${classes.compact}`}>
                <EntityRefLink entityRef={e.entityRef} title={e.title} />
                {e.missing.length > 0 && (
                  <Typography variant="caption" display="block" color="error">
                    Missing: {e.missing.join(', ')}
                  </Typography>
                )}
              </TableCell>
              <TableCell className={`${classes.nowrap} ${classes.compact}`}>
                {e.owner ? <EntityRefLink entityRef={e.owner} /> : '—'}
              </TableCell>
              <TableCell className={`${classes.nowrap} ${classes.compact}`}>
                {e.system ? <EntityRefLink entityRef={e.system} /> : '—'}
              </TableCell>
              <TableCell
                align="right"
                className={`${classes.nowrap} ${classes.compact}`}
              >
                <strong>{formatScore(e.score)}</strong>
              </TableCell>
              <TableCell className={classes.compact}>
                <LevelChip level={e.level} />
              </TableCell>
              {checks.map(id => {
                const check = e.checks.find(c => c.id === id);
                return (
                  <TableCell
                    key={id}
                    align="center"
                    className={classes.checkCell}
                  >
                    {check ? <ScoreCheckIcon check={check} /> : '—'}
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
