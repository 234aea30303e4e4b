import { EntityDisplayName } from '@backstage/plugin-catalog-react';
import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import type { ScoreTrendResponse } from '@mesh-posture/plugin-mesh-posture-common';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatDay } from '../shared/format';
import { shortRef } from '../shared/scoreParts';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

/** One row per day: the catalog's score and each group's. */
export function trendRows(trend: ScoreTrendResponse) {
  const rows = new Map<string, Record<string, number | string>>();
  const row = (at: string) => {
    const day = formatDay(at);
    const found = rows.get(day) ?? { day };
    rows.set(day, found);
    return found;
  };
  for (const p of trend.catalog) row(p.at).catalog = p.score;
  for (const g of trend.groups) {
    for (const p of g.points) row(p.at)[shortRef(g.key)] = p.score;
  }
  return [...rows.values()].sort((a, b) =>
    String(a.day).localeCompare(String(b.day)),
  );
}

/** The catalog's mean score over time, with one line per owner or system. */
export function ScoreTrendChart(props: {
  trend: ScoreTrendResponse | undefined;
  groupBy: 'owner' | 'system';
  days: number;
  onGroupBy: (groupBy: 'owner' | 'system') => void;
  onDays: (days: number) => void;
}) {
  const { trend, groupBy, days, onGroupBy, onDays } = props;
  const rows = trend ? trendRows(trend) : [];
  // Owners and systems by their display names in the legend and tooltip.
  const refOf = new Map(
    (trend?.groups ?? []).flatMap(g =>
      g.key ? [[shortRef(g.key), g.key] as const] : [],
    ),
  );
  const named = (key: string): ReactNode => {
    const ref = refOf.get(key);
    return ref ? (
      <EntityDisplayName entityRef={ref} hideIcon disableTooltip />
    ) : (
      key
    );
  };
  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={groupBy}
          onChange={(_, value) => value && onGroupBy(value)}
          aria-label="Group the trend by"
        >
          <ToggleButton value="owner">By owner</ToggleButton>
          <ToggleButton value="system">By system</ToggleButton>
        </ToggleButtonGroup>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={days}
          onChange={(_, value) => value && onDays(value)}
          aria-label="Days of trend"
        >
          <ToggleButton value={30}>30 days</ToggleButton>
          <ToggleButton value={90}>90 days</ToggleButton>
        </ToggleButtonGroup>
      </Box>
      {rows.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No snapshots in the last {days} days.
        </Typography>
      ) : (
        <div style={{ width: '100%', height: 280 }}>
          {/* A fixed height: the chart never measures as 0×0 (recharts warns). */}
          <ResponsiveContainer width="100%" height={280}>
            <LineChart data={rows}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis domain={[0, 100]} />
              <Tooltip
                formatter={(value: number, name: string) => [
                  value,
                  named(name),
                ]}
              />
              <Legend formatter={(value: string) => named(value)} />
              <Line
                type="monotone"
                dataKey="catalog"
                name="Whole catalog"
                stroke="#000"
                strokeWidth={3}
                dot={false}
                isAnimationActive={false}
              />
              {(trend?.groups ?? []).map((g, i) => (
                <Line
                  key={g.key ?? 'none'}
                  type="monotone"
                  dataKey={shortRef(g.key)}
                  stroke={PALETTE[i % PALETTE.length]}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </Box>
  );
}
