import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatDay, formatScore, formatTick } from '../shared/format';

const DAY = 24 * 3600_000;

/**
 * An entity's score over its last `days`, on a time axis of UTC days with
 * a tick a week, and the score's whole range (0 to 100) so a drop reads as
 * large as it is. Each snapshot's score holds until the next one.
 */
export function ScoreSparkline(props: {
  history: Array<{ at: string; score: number }>;
  days: number;
}) {
  const { days } = props;
  const to = Date.now();
  const from = to - days * DAY;
  const data = props.history
    .map(h => ({ t: Date.parse(h.at), score: h.score }))
    .filter(p => p.t >= from && p.t <= to);
  // A tick every seven days back from today's UTC midnight, oldest first.
  const today = Math.floor(to / DAY) * DAY;
  const ticks = Array.from(
    { length: Math.floor(days / 7) + 1 },
    (_, i) => today - i * 7 * DAY,
  )
    .filter(t => t >= from)
    .reverse();
  const title = `Score, last ${days} days`;
  return (
    <Box mt={1} role="figure" aria-label={title}>
      <Typography variant="caption" color="textSecondary" component="p">
        {title}
      </Typography>
      <ResponsiveContainer width="100%" height={120}>
        <LineChart
          data={data}
          margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={[from, to]}
            ticks={ticks}
            // Few, chosen ticks: every one is drawn.
            interval={0}
            tickFormatter={(t: number) => formatTick(t, true)}
            fontSize={11}
          />
          <YAxis
            domain={[0, 100]}
            ticks={[0, 50, 100]}
            interval={0}
            width={32}
            fontSize={11}
          />
          <Tooltip
            labelFormatter={(t: number) => formatDay(t)}
            formatter={(value: number) => [formatScore(value), 'Score']}
          />
          <Line
            type="stepAfter"
            dataKey="score"
            stroke="#1f77b4"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}
