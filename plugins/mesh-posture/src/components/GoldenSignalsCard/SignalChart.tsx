import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import type { SignalWindow } from '@mesh-posture/plugin-mesh-posture-common';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  YAxisProps,
} from 'recharts';
import { formatTick, formatUtcTime } from '../shared/format';

/** One line (or, with a fill, an area) of a signal chart. */
export interface SignalSeries {
  /** The field of each point it draws. */
  dataKey: string;
  /** Its name in the legend; the field's name when left out. */
  name?: string;
  colour: string;
  /** Fills the area under it with this colour. */
  fill?: string;
}

/**
 * One golden signal over the window, on a time axis in UTC, with the
 * objective it is held to as a dashed line.
 */
export function SignalChart(props: {
  title: string;
  window: SignalWindow;
  /** Points with their time in `t`, in milliseconds since the epoch. */
  data: object[];
  series: SignalSeries[];
  yAxis: { width: number; domain?: YAxisProps['domain'] };
  /** The tooltip's text and label for a value of a series. */
  tooltip: (value: number, name: string) => [string, string];
  objective?: {
    value: number;
    label: string;
    position: 'insideBottomLeft' | 'insideTopLeft';
  };
  legend?: boolean;
}) {
  const theme = useTheme();
  const { objective } = props;
  return (
    <>
      <Typography variant="caption" color="textSecondary">
        {props.title}
      </Typography>
      <ResponsiveContainer width="100%" height={160}>
        <ComposedChart
          data={props.data}
          margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => formatTick(t, props.window === '7d')}
            minTickGap={40}
            fontSize={11}
          />
          <YAxis
            fontSize={11}
            width={props.yAxis.width}
            domain={props.yAxis.domain}
          />
          <Tooltip
            labelFormatter={(t: number) => formatUtcTime(t, { seconds: true })}
            formatter={props.tooltip}
          />
          {props.legend && <Legend wrapperStyle={{ fontSize: 11 }} />}
          {objective && (
            <ReferenceLine
              y={objective.value}
              // The objective widens the axis rather than fall off it: a
              // healthy service's data sits far from its target.
              ifOverflow="extendDomain"
              stroke={theme.palette.error.main}
              strokeDasharray="4 4"
              label={{
                value: objective.label,
                fontSize: 10,
                position: objective.position,
              }}
            />
          )}
          {props.series.map(s =>
            s.fill ? (
              <Area
                key={s.dataKey}
                type="monotone"
                dataKey={s.dataKey}
                name={s.name}
                stroke={s.colour}
                fill={s.fill}
                isAnimationActive={false}
              />
            ) : (
              <Line
                key={s.dataKey}
                type="monotone"
                dataKey={s.dataKey}
                name={s.name}
                stroke={s.colour}
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            ),
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </>
  );
}
