import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
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
  MESH_POSTURE_CHECKS,
  ScorecardModel,
} from '@mesh-posture/plugin-mesh-posture-common';
import { formatScore } from '../shared/format';
import { LevelChip, ScoreCheckIcon } from '../shared/scoreParts';

const nowrap = { whiteSpace: 'nowrap' as const };

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
    // Nine check columns need room: scroll sideways on narrow screens.
    <Box overflow="auto">
      <Table size="small" aria-label="Scorecards, worst first">
        <TableHead>
          <TableRow>
            <TableCell>Service</TableCell>
            <TableCell>Owner</TableCell>
            <TableCell>System</TableCell>
            <TableCell align="right" style={nowrap}>
              Score
            </TableCell>
            <TableCell>Level</TableCell>
            {checks.map(id => (
              <TableCell key={id} align="center" style={nowrap}>
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
              <TableCell style={nowrap}>
                <EntityRefLink entityRef={e.entityRef} title={e.title} />
                {e.missing.length > 0 && (
                  <Typography variant="caption" display="block" color="error">
                    Missing: {e.missing.join(', ')}
                  </Typography>
                )}
              </TableCell>
              <TableCell style={nowrap}>
                {e.owner ? <EntityRefLink entityRef={e.owner} /> : '—'}
              </TableCell>
              <TableCell style={nowrap}>
                {e.system ? <EntityRefLink entityRef={e.system} /> : '—'}
              </TableCell>
              <TableCell align="right" style={nowrap}>
                <strong>{formatScore(e.score)}</strong>
              </TableCell>
              <TableCell>
                <LevelChip level={e.level} />
              </TableCell>
              {checks.map(id => {
                const check = e.checks.find(c => c.id === id);
                return (
                  <TableCell key={id} align="center" style={{ padding: 4 }}>
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
