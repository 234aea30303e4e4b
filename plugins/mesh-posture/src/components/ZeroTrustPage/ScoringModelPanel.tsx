import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import {
  SCORE_CHECK_IDS,
  SCORE_CHECK_TITLES,
  ScorecardModel,
} from '@mesh-posture/plugin-mesh-posture-common';
import { formatWholePercent } from '../shared/format';

/** How the score is made, so nobody has to guess. */
export function ScoringModelPanel({ model }: { model: ScorecardModel }) {
  const total = SCORE_CHECK_IDS.reduce((sum, id) => sum + model.weights[id], 0);
  return (
    <Accordion>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography>How the score is made</Typography>
      </AccordionSummary>
      <AccordionDetails>
        <Grid container spacing={3}>
          <Grid item xs={12} md={6}>
            <Table size="small" aria-label="Check weights">
              <TableBody>
                {SCORE_CHECK_IDS.map(id => (
                  <TableRow key={id}>
                    <TableCell>{SCORE_CHECK_TITLES[id]}</TableCell>
                    <TableCell align="right">
                      {model.weights[id] === 0
                        ? 'not scored'
                        : `${model.weights[id]} (${formatWholePercent(
                            (100 * model.weights[id]) / total,
                          )})`}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Grid>
          <Grid item xs={12} md={6}>
            <Typography variant="body2" paragraph>
              A passing check earns its weight, a warning{' '}
              {formatWholePercent(model.warnCredit * 100)} of it; a failing or
              unknown check earns nothing (no data is not a pass); a check that
              does not apply is left out. The score is what was earned out of
              what could be, 0 to 100.
            </Typography>
            <Table size="small" aria-label="Levels">
              <TableBody>
                {[...model.levels]
                  .sort((a, b) => b.minScore - a.minScore)
                  .map(level => (
                    <TableRow key={level.name}>
                      <TableCell>{level.name}</TableCell>
                      <TableCell>
                        score ≥ {level.minScore}
                        {level.requires?.length
                          ? ` and passing: ${level.requires
                              .map(id => SCORE_CHECK_TITLES[id])
                              .join(', ')}`
                          : ''}
                      </TableCell>
                    </TableRow>
                  ))}
              </TableBody>
            </Table>
          </Grid>
        </Grid>
      </AccordionDetails>
    </Accordion>
  );
}
