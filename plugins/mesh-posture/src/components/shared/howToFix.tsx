import { CopyTextButton, Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  CheckRemediation,
  checkRemediation,
  CheckStatus,
  MESH_POSTURE_CHECKS,
  MeshKind,
  MeshPosture,
  ProxylessWorkload,
  RemediationContext,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useState } from 'react';

/*
 * What to do about a failing or warning check, from the table of checks in
 * -common: a sentence, the mesh's docs and snippets to copy, per mesh the
 * entity's workloads run on.
 */

const useStyles = makeStyles(theme => ({
  snippet: {
    position: 'relative',
    margin: theme.spacing(0.5, 0, 1),
    padding: theme.spacing(1, 5, 1, 1),
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    whiteSpace: 'pre',
    overflowX: 'auto',
  },
  copy: { position: 'absolute', top: 0, right: 0 },
  toggle: { textTransform: 'none', padding: theme.spacing(0, 0.5) },
}));

const MESH_NAMES: Record<string, string> = {
  linkerd: 'Linkerd',
  istio: 'Istio',
};

/** A mesh as people write it: "Linkerd", "Istio", or its own name. */
export function meshName(mesh: MeshKind): string {
  return MESH_NAMES[mesh] ?? mesh;
}

/** Namespace and workload, where the workloads have only one of each. */
function contextOf(workloads: WorkloadRef[]): RemediationContext {
  const namespaces = [...new Set(workloads.map(w => w.namespace))];
  const names = [...new Set(workloads.map(w => w.name))];
  return {
    ...(namespaces.length === 1 ? { namespace: namespaces[0] } : {}),
    ...(names.length === 1 && namespaces.length === 1
      ? { workload: names[0] }
      : {}),
  };
}

/**
 * The remediation of a check on each mesh of the workloads it is about,
 * with their namespace and name filled in where there is one of each.
 */
export function remediationsFor(
  checkId: string,
  workloads: Array<{ workload: WorkloadRef; mesh: MeshKind }>,
): Array<{ mesh: MeshKind; remediation?: CheckRemediation }> {
  const meshes = [...new Set(workloads.map(w => w.mesh))].sort();
  return meshes.map(mesh => ({
    mesh,
    remediation: checkRemediation(
      checkId,
      mesh,
      contextOf(workloads.filter(w => w.mesh === mesh).map(w => w.workload)),
    ),
  }));
}

/** A snippet as it is copied, with a button that copies it. */
function Snippet(props: { title: string; text: string }) {
  const classes = useStyles();
  return (
    <Box>
      <Typography variant="caption" color="textSecondary">
        {props.title}
      </Typography>
      <Box component="pre" className={classes.snippet}>
        <code>{props.text}</code>
        <Box className={classes.copy}>
          <CopyTextButton
            text={props.text}
            aria-label={`Copy: ${props.title}`}
            tooltipText="Copied"
          />
        </Box>
      </Box>
    </Box>
  );
}

/** One mesh's remediation: the sentence, the snippets, the docs. */
export function RemediationSteps(props: {
  remediation: CheckRemediation;
  /** Said before the sentence when the workloads run on several meshes. */
  mesh?: string;
}) {
  const { remediation } = props;
  return (
    <Box>
      <Typography variant="body2">
        {props.mesh && <b>{props.mesh}: </b>}
        {remediation.summary}
      </Typography>
      {remediation.snippets.map(s => (
        <Snippet key={s.title} title={s.title} text={s.text} />
      ))}
      {remediation.docs.length > 0 && (
        <Typography variant="caption" component="div">
          {remediation.docs.map((d, i) => (
            <span key={d.url}>
              {i > 0 && ' · '}
              <Link to={d.url}>{d.title}</Link>
            </span>
          ))}
        </Typography>
      )}
    </Box>
  );
}

/** Every mesh's remediation of a check, or the table's sentence for a mesh it does not know. */
function Remediations(props: {
  checkId: string;
  workloads: Array<{ workload: WorkloadRef; mesh: MeshKind }>;
}) {
  const found = remediationsFor(props.checkId, props.workloads);
  const several = found.length > 1;
  const fallback = (
    MESH_POSTURE_CHECKS as Record<string, { fix: string } | undefined>
  )[props.checkId]?.fix;
  return (
    <Box display="grid" gridGap={8}>
      {found.map(({ mesh, remediation }) =>
        remediation ? (
          <RemediationSteps
            key={mesh}
            remediation={remediation}
            mesh={several ? meshName(mesh) : undefined}
          />
        ) : (
          <Typography key={mesh} variant="body2">
            {several && <b>{meshName(mesh)}: </b>}
            {fallback}
          </Typography>
        ),
      )}
      {found.length === 0 && fallback && (
        <Typography variant="body2">{fallback}</Typography>
      )}
    </Box>
  );
}

/**
 * "How to fix", beside a check that fails or warns: opens to what to do
 * on the entity's meshes. Nothing beside any other check.
 */
export function HowToFix(props: {
  check: { id: string; status: CheckStatus; title: string };
  posture: Pick<MeshPosture, 'workloads'>;
}) {
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const { check, posture } = props;
  if (check.status !== 'fail' && check.status !== 'warn') return null;
  // About the pods: the workloads that lack a proxy, where some do.
  const lacking = posture.workloads.filter(w => w.meshedPods < w.totalPods);
  const workloads =
    check.id === 'meshed-pods' && lacking.length > 0
      ? lacking
      : posture.workloads;
  const id = `how-to-fix-${check.id}`;
  return (
    <Box>
      <Button
        size="small"
        color="primary"
        className={classes.toggle}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
        endIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
      >
        How to fix
      </Button>
      <Collapse in={open} unmountOnExit>
        <Box id={id} role="region" aria-label={`How to fix: ${check.title}`}>
          <Remediations checkId={check.id} workloads={workloads} />
        </Box>
      </Collapse>
    </Box>
  );
}

/** The workloads of a posture whose running pods all lack a proxy. */
export function proxylessOf(
  posture: Pick<MeshPosture, 'workloads'>,
): ProxylessWorkload[] {
  return posture.workloads
    .filter(w => w.totalPods > 0 && w.meshedPods === 0)
    .map(w => ({ workload: w.workload, mesh: w.mesh, pods: w.totalPods }));
}

/**
 * Workloads without a proxy are not observable, not idle: says so, what is
 * seen of them instead, and how to put them in the mesh.
 */
export function NotInMesh(props: {
  workloads: ProxylessWorkload[];
  /** What is seen of them instead, or that nothing is. */
  seen?: string;
}) {
  const { workloads } = props;
  if (workloads.length === 0) return null;
  return (
    <Alert severity="warning" aria-label="Not in the mesh">
      <AlertTitle>Not in the mesh</AlertTitle>
      {workloads.map(w => (
        <Typography
          key={`${w.workload.cluster}/${w.workload.namespace}/${w.workload.name}`}
          variant="body2"
        >
          {w.workload.namespace}/{w.workload.name} runs without a{' '}
          {meshName(w.mesh)} proxy (0 of {w.pods}{' '}
          {w.pods === 1 ? 'pod' : 'pods'} meshed), so its own traffic cannot be
          observed.
        </Typography>
      ))}
      {props.seen && (
        <Typography variant="body2" gutterBottom>
          {props.seen}
        </Typography>
      )}
      <Box mt={1}>
        <Typography variant="subtitle2">How to fix</Typography>
        <Remediations checkId="meshed-pods" workloads={workloads} />
      </Box>
    </Alert>
  );
}
