import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import {
  SCORE_CHECK_TITLES,
  ScoreCheckId,
  ScoreRollup,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Fragment } from 'react';
import { formatScore } from '../shared/format';

/** "4 Silver, 1 Bronze": a count and its level never apart. */
function levels(rollup: ScoreRollup) {
  const entries = Object.entries(rollup.levels).sort((a, b) => b[1] - a[1]);
  return entries.map(([name, n], i) => (
    <Fragment key={name}>
      {i > 0 && ' '}
      <span style={{ whiteSpace: 'nowrap' }}>
        {n} {name === 'none' ? 'no level' : name}
        {i < entries.length - 1 && ','}
      </span>
    </Fragment>
  ));
}

function failing(rollup: ScoreRollup) {
  const top = Object.entries(rollup.failing)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .slice(0, 3);
  if (top.length === 0) return 'none';
  return top
    .map(([id, n]) => `${SCORE_CHECK_TITLES[id as ScoreCheckId]} (${n})`)
    .join(', ');
}

const useStyles = makeStyles(theme => ({
  // Half a page wide beside its twin: headings and figures on one line,
  // the tight padding leaves the long lists the room to wrap between words.
  cell: {
    padding: theme.spacing(0.75, 1),
    wordBreak: 'normal',
    overflowWrap: 'normal',
  },
  nowrap: { whiteSpace: 'nowrap', padding: theme.spacing(0.75, 1) },
}));

/** Mean score, levels and most failing checks of each owner or system. */
export function ScoreRollups(props: { title: string; rollups: ScoreRollup[] }) {
  const { title, rollups } = props;
  const classes = useStyles();
  return (
    <Table size="small" aria-label={title}>
      <TableHead>
        <TableRow>
          <TableCell className={classes.nowrap}>{title}</TableCell>
          <TableCell align="right" className={classes.nowrap}>
            Services
          </TableCell>
          <TableCell align="right" className={classes.nowrap}>
            Mean score
          </TableCell>
          <TableCell className={classes.nowrap}>Levels</TableCell>
          <TableCell className={classes.nowrap}>Most failing</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rollups.map(r => (
          <TableRow key={r.key ?? 'none'}>
            <TableCell className={classes.nowrap}>
              {r.key ? <EntityRefLink entityRef={r.key} /> : 'none'}
            </TableCell>
            <TableCell align="right" className={classes.nowrap}>
              {r.entities}
            </TableCell>
            <TableCell align="right" className={classes.nowrap}>
              {formatScore(r.score)}
            </TableCell>
            <TableCell className={classes.cell}>{levels(r)}</TableCell>
            <TableCell className={classes.cell}>{failing(r)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
