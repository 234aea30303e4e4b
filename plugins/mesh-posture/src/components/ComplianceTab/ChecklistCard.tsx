import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  CHECKLIST_INPUT_LIMITS,
  checklistAttestationBlockers,
  ChecklistAttestationView,
  ChecklistView,
  EXEMPTION_WARNING_DAYS,
  plural,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ReactNode, useState } from 'react';
import { ChecklistConflictError, meshPostureApiRef } from '../../api';
import { ChecklistItemRow } from './ChecklistItemRow';
import { HistoryDrawer } from './HistoryDrawer';
import { errorMessage } from './errorMessage';
import { RelativeTime } from '../shared/RelativeTime';

function AttestationBanner(props: { attestation?: ChecklistAttestationView }) {
  const a = props.attestation;
  if (!a) {
    return <Alert severity="info">Not attested yet.</Alert>;
  }
  const who = (
    <>
      <EntityRefLink entityRef={a.attestedBy} defaultKind="user" />{' '}
      <RelativeTime at={a.attestedAt} /> (template version {a.templateVersion})
    </>
  );
  if (a.state === 'stale') {
    return (
      <Alert severity="error">
        <strong>Attestation stale.</strong> Attested by {who}.
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
          {a.reasons.map(r => (
            <li key={`${r.code}-${r.itemId ?? ''}`}>{r.message}</li>
          ))}
        </ul>
      </Alert>
    );
  }
  if (a.state === 'expiring') {
    return (
      <Alert severity="warning">
        <strong>
          Attestation expires <RelativeTime at={a.validUntil} />.
        </strong>{' '}
        Attested by {who}.
      </Alert>
    );
  }
  return (
    <Alert severity="success">
      Attested by {who}; it expires <RelativeTime at={a.validUntil} />.
      {a.comment ? ` “${a.comment}”` : ''}
    </Alert>
  );
}

/**
 * One checklist: progress, attestation, banners, every item by section,
 * and for those allowed the controls to answer, exempt and attest. A write
 * based on an outdated version shows the current state and keeps the
 * user's draft open.
 */
export function ChecklistCard(props: {
  entityRef: CompoundEntityRef;
  view: ChecklistView;
  canUpdate: boolean;
  canExempt: boolean;
  onChange: (view: ChecklistView) => void;
}) {
  const { entityRef, view, canUpdate, canExempt, onChange } = props;
  const api = useApi(meshPostureApiRef);
  const [problem, setProblem] = useState<{
    severity: 'error' | 'warning';
    message: string;
  }>();
  const [historyOpen, setHistoryOpen] = useState(false);
  const [attesting, setAttesting] = useState(false);
  const [comment, setComment] = useState('');
  const t = view.template;
  const p = view.progress;

  const run = async (write: () => Promise<ChecklistView>) => {
    try {
      onChange(await write());
      setProblem(undefined);
      return true;
    } catch (error) {
      if (error instanceof ChecklistConflictError) {
        onChange(error.current);
        setProblem({
          severity: 'warning',
          message: `${error.message} Your change is still in the form below the item: review the current answers, then save it again.`,
        });
      } else {
        setProblem({ severity: 'error', message: errorMessage(error) });
      }
      return false;
    }
  };

  const blockers = checklistAttestationBlockers(view);
  const expiringExemptions = view.items.filter(
    i =>
      i.exemption?.active &&
      i.exemption.expiresInDays <= EXEMPTION_WARNING_DAYS,
  );
  const itemTitle = (id: string) =>
    t.sections.flatMap(s => s.items).find(i => i.id === id)?.title ?? id;

  let attestButton: ReactNode = null;
  if (canUpdate) {
    const button = (
      <span>
        <Button
          variant="contained"
          color="primary"
          disabled={blockers.length > 0}
          onClick={() => setAttesting(true)}
        >
          Attest
        </Button>
      </span>
    );
    attestButton =
      blockers.length > 0 ? (
        <Tooltip
          title={`Answer the ${blockers.length} open ${
            blockers.length === 1 ? 'item' : 'items'
          } first`}
        >
          {button}
        </Tooltip>
      ) : (
        button
      );
  }

  return (
    <InfoCard
      title={t.title}
      subheader={
        // One element: the subheader's flex layout would drop the spaces.
        <span>
          Template version {t.version} ({t.source})
          {view.updatedAt && (
            <>
              {' '}
              · last change <RelativeTime at={view.updatedAt} />
            </>
          )}
        </span>
      }
    >
      <Box
        role="region"
        aria-label={`Checklist ${t.title}`}
        display="flex"
        flexDirection="column"
        style={{ gap: 12 }}
      >
        {t.description && (
          <Typography variant="body2" color="textSecondary">
            {t.description}
          </Typography>
        )}
        <Box>
          <Typography variant="body2">
            {p.answered} of {p.total} answered · {p.met} met ·{' '}
            {plural(p.gaps, 'gap')} · {p.exempt} exempt · {p.open} open
          </Typography>
          <LinearProgress
            variant="determinate"
            value={p.total > 0 ? (100 * p.answered) / p.total : 0}
            aria-label={`${t.title} progress`}
          />
        </Box>
        <AttestationBanner attestation={view.attestation} />
        {p.needsReanswer > 0 && (
          <Alert severity="warning">
            The template changed: {p.needsReanswer}{' '}
            {p.needsReanswer === 1 ? 'answer was' : 'answers were'} given to an
            earlier wording and must be given again.
          </Alert>
        )}
        {expiringExemptions.map(i => (
          <Alert severity="warning" key={`expiring-${i.itemId}`}>
            The exemption of “{itemTitle(i.itemId)}” expires{' '}
            <RelativeTime at={i.exemption!.expiresAt} />.
          </Alert>
        ))}
        {problem && (
          <Alert severity={problem.severity} role="alert">
            {problem.message}
          </Alert>
        )}
        <Box display="flex" style={{ gap: 8 }}>
          {attestButton}
          <Button variant="outlined" onClick={() => setHistoryOpen(true)}>
            History
          </Button>
        </Box>

        {t.sections.map(section => (
          <Box key={section.id} component="section">
            <Typography variant="h6">{section.title}</Typography>
            {section.description && (
              <Typography variant="body2" color="textSecondary">
                {section.description}
              </Typography>
            )}
            {section.items.map(item => {
              const state = view.items.find(i => i.itemId === item.id);
              if (!state) return null;
              return (
                <ChecklistItemRow
                  key={item.id}
                  item={item}
                  state={state}
                  version={view.version}
                  canAnswer={canUpdate}
                  canExempt={canExempt}
                  onAnswer={request =>
                    run(() =>
                      api.answerChecklistItem(
                        entityRef,
                        t.id,
                        item.id,
                        request,
                      ),
                    )
                  }
                  onExempt={request =>
                    run(() =>
                      api.exemptChecklistItem(
                        entityRef,
                        t.id,
                        item.id,
                        request,
                      ),
                    )
                  }
                  onRevokeExemption={() =>
                    run(() =>
                      api.revokeChecklistExemption(entityRef, t.id, item.id, {
                        baseVersion: view.version,
                      }),
                    )
                  }
                />
              );
            })}
          </Box>
        ))}
      </Box>

      <HistoryDrawer
        open={historyOpen}
        onClose={() => setHistoryOpen(false)}
        entityRef={entityRef}
        template={t}
        version={view.version}
      />

      <Dialog
        open={attesting}
        onClose={() => setAttesting(false)}
        aria-labelledby={`attest-${t.id}`}
      >
        <DialogTitle id={`attest-${t.id}`}>Attest “{t.title}”</DialogTitle>
        <DialogContent>
          <Typography variant="body2" paragraph>
            You sign off the whole checklist as it stands now (template version{' '}
            {t.version}, {p.met} met, {plural(p.gaps, 'gap')}, {p.exempt}{' '}
            exempt). What the mesh answers, and the evidence it judged on, is
            recorded with your attestation.
          </Typography>
          <TextField
            id={`attest-${t.id}-comment`}
            label="Comment (optional)"
            multiline
            minRows={2}
            fullWidth
            variant="outlined"
            value={comment}
            inputProps={{ maxLength: CHECKLIST_INPUT_LIMITS.comment }}
            onChange={e => setComment(e.target.value)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setAttesting(false)}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            onClick={async () => {
              const saved = await run(() =>
                api.attestChecklist(entityRef, t.id, {
                  baseVersion: view.version,
                  ...(comment.trim() ? { comment: comment.trim() } : {}),
                }),
              );
              setAttesting(false);
              if (saved) setComment('');
            }}
          >
            Sign off
          </Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
}
