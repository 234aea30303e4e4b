import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import {
  SCORE_CHECK_TITLES,
  ScoreCheckId,
  ScoreRollup,
} from '@mesh-posture/plugin-mesh-posture-common';
import { formatScore } from '../shared/format';

function levels(rollup: ScoreRollup) {
  return Object.entries(rollup.levels)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${n} ${name === 'none' ? 'no level' : name}`)
    .join(', ');
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

/** Mean score, levels and most failing checks of each owner or system. */
export function ScoreRollups(props: { title: string; rollups: ScoreRollup[] }) {
  const { title, rollups } = props;
  return (
    <Table size="small" aria-label={title}>
      <TableHead>
        <TableRow>
          <TableCell>{title}</TableCell>
          <TableCell align="right">Services</TableCell>
          <TableCell align="right">Mean score</TableCell>
          <TableCell>Levels</TableCell>
          <TableCell>Most failing</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rollups.map(r => (
          <TableRow key={r.key ?? 'none'}>
            <TableCell>
              {r.key ? <EntityRefLink entityRef={r.key} /> : 'none'}
            </TableCell>
            <TableCell align="right">{r.entities}</TableCell>
            <TableCell align="right">{formatScore(r.score)}</TableCell>
            <TableCell>{levels(r)}</TableCell>
            <TableCell>{failing(r)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
