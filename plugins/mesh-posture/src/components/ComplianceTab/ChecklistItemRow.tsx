import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  CHECKLIST_ANSWER_LABELS,
  ChecklistAnswerRequest,
  ChecklistExemptionRequest,
  ChecklistItem,
  ChecklistItemOutcome,
  ChecklistItemState,
  MESH_POSTURE_CHECKS,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useState } from 'react';
import { StatusIcon } from '../shared/postureParts';
import { AnswerEditor } from './AnswerEditor';
import { ExemptionEditor } from './ExemptionEditor';
import { RelativeTime } from '../shared/RelativeTime';

const useStyles = makeStyles(theme => ({
  row: {
    padding: theme.spacing(1.5, 0),
    borderBottom: `1px solid ${theme.palette.divider}`,
  },
  met: {
    backgroundColor: theme.palette.success?.main ?? '#2e7d32',
    color: theme.palette.success?.contrastText ?? '#fff',
  },
  gap: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  exempt: {
    backgroundColor: theme.palette.info?.main ?? '#0288d1',
    color: theme.palette.info?.contrastText ?? '#fff',
  },
  open: {},
  detail: { marginTop: theme.spacing(0.5) },
  quote: { whiteSpace: 'pre-wrap' },
}));

/** A posture check by its label ("Inbound mTLS"); a module's own check by its id. */
function checkName(id: string): string {
  return (
    (MESH_POSTURE_CHECKS as Record<string, { label: string } | undefined>)[id]
      ?.label ?? id
  );
}

const OUTCOME_LABEL: Record<ChecklistItemOutcome, string> = {
  met: 'Met',
  gap: 'Gap',
  open: 'Open',
  exempt: 'Exempt',
};

/**
 * One item: its outcome, what was answered (or what the mesh says, with
 * the evidence it judged on), any exemption, and for those allowed the
 * controls to answer or exempt it.
 */
export function ChecklistItemRow(props: {
  item: ChecklistItem;
  state: ChecklistItemState;
  version: number;
  canAnswer: boolean;
  canExempt: boolean;
  onAnswer: (request: ChecklistAnswerRequest) => Promise<boolean>;
  onExempt: (request: ChecklistExemptionRequest) => Promise<boolean>;
  onRevokeExemption: () => Promise<boolean>;
}) {
  const { item, state, version, canAnswer, canExempt } = props;
  const classes = useStyles();
  const [editing, setEditing] = useState<'answer' | 'exemption'>();
  const answer = state.answer;
  const exemption = state.exemption;

  return (
    <Box
      className={classes.row}
      role="group"
      aria-label={item.title}
      data-item-id={item.id}
    >
      <Box display="flex" alignItems="flex-start" style={{ gap: 12 }}>
        <Chip
          size="small"
          label={OUTCOME_LABEL[state.outcome]}
          className={classes[state.outcome]}
        />
        <Box flex={1}>
          <Typography variant="body1">{item.title}</Typography>
          {item.description && (
            <Typography variant="body2" color="textSecondary">
              {item.description}
            </Typography>
          )}
          {item.reference && (
            <Typography variant="caption" color="textSecondary">
              {item.reference}
            </Typography>
          )}

          {state.automatic && (
            <Box className={classes.detail} display="flex" style={{ gap: 6 }}>
              <StatusIcon status={state.automatic.status} />
              <Typography variant="body2">
                {`Answered by the mesh (${checkName(
                  state.automatic.check,
                )} check): ${state.automatic.detail}`}
                {state.automatic.observedAt && (
                  <Typography
                    component="span"
                    variant="body2"
                    color="textSecondary"
                  >
                    {' '}
                    · observed <RelativeTime at={state.automatic.observedAt} />
                    {state.automatic.window
                      ? ` over ${state.automatic.window}`
                      : ''}
                    {state.automatic.demo ? ' · demo data' : ''}
                  </Typography>
                )}
              </Typography>
            </Box>
          )}

          {answer && (
            <Box className={classes.detail}>
              <Typography variant="body2">
                <strong>{CHECKLIST_ANSWER_LABELS[answer.value]}</strong>
                {answer.rationale && (
                  <span className={classes.quote}> — {answer.rationale}</span>
                )}
              </Typography>
              {answer.evidence.length > 0 && (
                <Typography variant="body2">
                  Evidence:{' '}
                  {answer.evidence.map((e, i) => (
                    <span key={`${e.url}-${i}`}>
                      {i > 0 && ', '}
                      <Link
                        to={e.url}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        {e.title ?? e.url}
                      </Link>
                    </span>
                  ))}
                </Typography>
              )}
              <Typography variant="caption" color="textSecondary">
                Answered by{' '}
                <EntityRefLink
                  entityRef={answer.answeredBy}
                  defaultKind="user"
                />{' '}
                <RelativeTime at={answer.answeredAt} />
              </Typography>
              {state.needsReanswer && (
                <Typography variant="body2" color="error">
                  The wording of this item changed after this answer (given
                  under template version {answer.templateVersion}): answer it
                  again.
                </Typography>
              )}
            </Box>
          )}

          {exemption && (
            <Box className={classes.detail}>
              <Typography
                variant="body2"
                color={exemption.active ? 'textPrimary' : 'error'}
              >
                {exemption.active ? 'Exempt, expiring' : 'Exemption expired'}{' '}
                <RelativeTime at={exemption.expiresAt} />:{' '}
                <span className={classes.quote}>{exemption.justification}</span>
              </Typography>
              <Typography variant="caption" color="textSecondary">
                Approved by{' '}
                <EntityRefLink
                  entityRef={exemption.approvedBy}
                  defaultKind="user"
                />{' '}
                <RelativeTime at={exemption.approvedAt} />
              </Typography>
            </Box>
          )}

          {!editing && (canAnswer || canExempt) && (
            <Box mt={0.5} display="flex" style={{ gap: 8 }}>
              {canAnswer && item.kind === 'manual' && (
                <Button
                  size="small"
                  color="primary"
                  variant="outlined"
                  onClick={() => setEditing('answer')}
                >
                  {answer ? 'Change answer' : 'Answer'}
                </Button>
              )}
              {canExempt && (
                <Button size="small" onClick={() => setEditing('exemption')}>
                  {exemption ? 'Change exemption' : 'Exempt'}
                </Button>
              )}
              {canExempt && exemption && (
                <Button size="small" onClick={() => props.onRevokeExemption()}>
                  Revoke exemption
                </Button>
              )}
            </Box>
          )}

          {editing === 'answer' && (
            <AnswerEditor
              itemTitle={item.title}
              current={answer}
              baseVersion={version}
              onCancel={() => setEditing(undefined)}
              onSave={async request => {
                const saved = await props.onAnswer(request);
                if (saved) setEditing(undefined);
                return saved;
              }}
            />
          )}
          {editing === 'exemption' && (
            <ExemptionEditor
              itemTitle={item.title}
              current={exemption}
              baseVersion={version}
              onCancel={() => setEditing(undefined)}
              onSave={async request => {
                const saved = await props.onExempt(request);
                if (saved) setEditing(undefined);
                return saved;
              }}
            />
          )}
        </Box>
      </Box>
    </Box>
  );
}
