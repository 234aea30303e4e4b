import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  EntityScorecard,
  SCORE_CHECK_IDS,
  SCORE_CHECK_TITLES,
  ScorecardModel,
} from '@mesh-posture/plugin-mesh-posture-common';
import { LevelChip, ScoreCheckIcon } from '../shared/scoreParts';

/** Every entity, worst first as the backend sorted them, one icon per check. */
export function ScorecardTable(props: {
  entities: EntityScorecard[];
  model: ScorecardModel;
}) {
  const { entities, model } = props;
  const checks = SCORE_CHECK_IDS.filter(id => model.weights[id] > 0);
  if (entities.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No service matches the filters.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Scorecards, worst first">
      <TableHead>
        <TableRow>
          <TableCell>Service</TableCell>
          <TableCell>Owner</TableCell>
          <TableCell>System</TableCell>
          <TableCell align="right">Score</TableCell>
          <TableCell>Level</TableCell>
          {checks.map(id => (
            <TableCell key={id} align="center">
              <Tooltip
                title={`${SCORE_CHECK_TITLES[id]} (weight ${model.weights[id]})`}
              >
                <span>{SCORE_CHECK_TITLES[id]}</span>
              </Tooltip>
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {entities.map(e => (
          <TableRow key={e.entityRef} data-testid="scorecard-row">
            <TableCell>
              <EntityRefLink entityRef={e.entityRef} title={e.title} />
              {e.missing.length > 0 && (
                <Typography variant="caption" display="block" color="error">
                  Missing: {e.missing.join(', ')}
                </Typography>
              )}
            </TableCell>
            <TableCell>
              {e.owner ? <EntityRefLink entityRef={e.owner} /> : '—'}
            </TableCell>
            <TableCell>
              {e.system ? <EntityRefLink entityRef={e.system} /> : '—'}
            </TableCell>
            <TableCell align="right">
              <strong>{e.score.toFixed(1)}</strong>
            </TableCell>
            <TableCell>
              <LevelChip level={e.level} />
            </TableCell>
            {checks.map(id => {
              const check = e.checks.find(c => c.id === id);
              return (
                <TableCell key={id} align="center">
                  {check ? <ScoreCheckIcon check={check} /> : '—'}
                </TableCell>
              );
            })}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
