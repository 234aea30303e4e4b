import { parseEntityRef } from '@backstage/catalog-model';
import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import type { MeshPosture } from '@mesh-posture/plugin-mesh-posture-common';
import { useMemo } from 'react';
import {
  TrafficLink,
  TrafficLinkState,
  TrafficNode,
  trafficGraphOf,
} from './trafficGraphModel';

const NODE_WIDTH = 180;
const NODE_HEIGHT = 44;

function useStateColors(): Record<TrafficLinkState, string> {
  const { palette } = useTheme();
  return {
    mtls: palette.success?.main ?? '#2e7d32',
    partial: palette.warning?.main ?? '#ed6c02',
    plaintext: palette.error.main,
    unverified: palette.text.secondary,
    denied: palette.error.main,
  };
}

/** Names longer than a node are cut with an ellipsis; the full one is the title. */
function fit(text: string, max = 24): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function Node({ node }: { node: TrafficNode }) {
  const { palette } = useTheme();
  const entityRoute = useRouteRef(entityRouteRef);
  const box = (
    <g>
      <title>{[node.name, node.detail].filter(Boolean).join(' — ')}</title>
      <rect
        width={NODE_WIDTH}
        height={NODE_HEIGHT}
        rx={6}
        fill={node.own ? palette.primary.main : palette.background.paper}
        stroke={node.own ? palette.primary.dark : palette.divider}
      />
      <text
        x={NODE_WIDTH / 2}
        y={node.detail ? 18 : 27}
        textAnchor="middle"
        fontSize={13}
        fontWeight={node.own ? 600 : 400}
        fill={node.own ? palette.primary.contrastText : palette.text.primary}
      >
        {fit(node.name)}
      </text>
      {node.detail && (
        <text
          x={NODE_WIDTH / 2}
          y={34}
          textAnchor="middle"
          fontSize={11}
          fill={
            node.own ? palette.primary.contrastText : palette.text.secondary
          }
        >
          {fit(node.detail, 28)}
        </text>
      )}
    </g>
  );
  if (!node.entityRef) return box;
  const ref = parseEntityRef(node.entityRef);
  return (
    <a
      href={entityRoute({
        kind: ref.kind.toLocaleLowerCase('en-US'),
        namespace: ref.namespace.toLocaleLowerCase('en-US'),
        name: ref.name,
      })}
      aria-label={`${node.name}${node.detail ? ` (${node.detail})` : ''}`}
    >
      {box}
    </a>
  );
}

function Edge({
  edge,
  colors,
  background,
}: DependencyGraphTypes.RenderEdgeProps<TrafficLink> & {
  colors: Record<TrafficLinkState, string>;
  background: string;
}) {
  const d = edge.points
    .map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`)
    .join(' ');
  const marked = edge.state === 'plaintext' || edge.state === 'denied';
  const dashed = edge.state === 'denied' || edge.state === 'unverified';
  // A custom edge places its own label: on its middle point.
  const middle = edge.points[Math.floor(edge.points.length / 2)];
  return (
    <g>
      <path
        d={d}
        fill="none"
        stroke={colors[edge.state]}
        strokeWidth={marked ? 2.5 : 1.5}
        strokeDasharray={dashed ? '6 4' : undefined}
        markerEnd="url(#mesh-posture-arrow)"
        data-state={edge.state}
      />
      {middle && (
        <text
          x={middle.x}
          y={middle.y - 6}
          textAnchor="middle"
          fontSize={11}
          fill={colors[edge.state]}
          stroke={background}
          strokeWidth={3}
          paintOrder="stroke"
          data-testid="traffic-graph-label"
        >
          {edge.text}
        </text>
      )}
    </g>
  );
}

/**
 * Who the service talks to, one hop out, on the Zero trust tab: its
 * workloads, its callers and callees, each edge coloured by what the mesh
 * proved of it (mTLS, partly, plaintext, not observed) and refused callers
 * dashed; peers link to their entities. Laid out by Backstage's
 * DependencyGraph (dagre).
 */
export function TrafficGraph({ posture }: { posture: MeshPosture }) {
  const colors = useStateColors();
  const { palette } = useTheme();
  // The same arrays while the graph is the same: DependencyGraph lays out
  // again on every new array, and a page that re-renders (the entity
  // re-read, a clock ticking) would keep it from ever settling and showing.
  const graph = trafficGraphOf(posture);
  const shape = JSON.stringify(graph);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const { nodes, links } = useMemo(() => graph, [shape]);
  if (links.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No traffic to draw in the last {posture.window}.
      </Typography>
    );
  }
  return (
    <div role="figure" aria-label="Traffic graph">
      <DependencyGraph<TrafficNode, TrafficLink>
        nodes={nodes}
        edges={links}
        direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
        rankMargin={140}
        nodeMargin={24}
        zoom="enable-on-click"
        fit="contain"
        defs={
          <marker
            id="mesh-posture-arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke" />
          </marker>
        }
        renderNode={({ node }) => <Node node={node} />}
        renderEdge={props => (
          <Edge
            key={`${props.id.v}-${props.id.w}`}
            {...props}
            colors={colors}
            background={palette.background.paper}
          />
        )}
      />
    </div>
  );
}
