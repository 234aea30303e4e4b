import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import CloseIcon from '@material-ui/icons/Close';
import { makeStyles } from '@material-ui/core/styles';
import {
  CHECKLIST_ANSWER_LABELS,
  ChecklistEvent,
  checklistItems,
  ChecklistTemplate,
  plural,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useEffect, useState } from 'react';
import { meshPostureApiRef } from '../../api';
import { errorMessage } from './errorMessage';
import { RelativeTime } from '../shared/RelativeTime';

const PAGE = 50;

const useStyles = makeStyles(theme => ({
  paper: { width: 520, maxWidth: '100vw', padding: theme.spacing(2, 3) },
  quote: { whiteSpace: 'pre-wrap' },
}));

function Change(props: { event: ChecklistEvent; titles: Map<string, string> }) {
  const { event, titles } = props;
  const classes = useStyles();
  const title = (id: string) => `"${titles.get(id) ?? id}"`;
  switch (event.kind) {
    case 'answer':
      return (
        <>
          <Typography variant="body2">
            Answered {title(event.itemId)}:{' '}
            {event.old
              ? CHECKLIST_ANSWER_LABELS[event.old.value]
              : 'unanswered'}{' '}
            → <strong>{CHECKLIST_ANSWER_LABELS[event.new.value]}</strong>
          </Typography>
          {event.new.rationale && (
            <Typography variant="body2" className={classes.quote}>
              {event.new.rationale}
            </Typography>
          )}
          {event.new.evidence.length > 0 && (
            <Typography variant="caption" color="textSecondary">
              Evidence:{' '}
              {event.new.evidence.map(e => e.title ?? e.url).join(', ')}
            </Typography>
          )}
        </>
      );
    case 'exemption':
      return event.new ? (
        <>
          <Typography variant="body2">
            Exempted {title(event.itemId)}, to expire{' '}
            <RelativeTime at={event.new.expiresAt} />
          </Typography>
          <Typography variant="body2" className={classes.quote}>
            {event.new.justification}
          </Typography>
        </>
      ) : (
        <Typography variant="body2">
          Revoked the exemption of {title(event.itemId)}
        </Typography>
      );
    case 'attestation': {
      const p = event.new.progress;
      return (
        <>
          <Typography variant="body2">
            Attested the checklist (template version {event.templateVersion}
            ): {p.met} met, {plural(p.gaps, 'gap')}, {p.exempt} exempt, {p.open}{' '}
            open
          </Typography>
          {event.new.automatic.length > 0 && (
            <Typography variant="caption" color="textSecondary">
              The mesh said:{' '}
              {event.new.automatic
                .map(a => `${titles.get(a.itemId) ?? a.itemId} ${a.status}`)
                .join(' · ')}
            </Typography>
          )}
          {event.new.comment && (
            <Typography variant="body2" className={classes.quote}>
              {event.new.comment}
            </Typography>
          )}
        </>
      );
    }
    default:
      return null;
  }
}

/**
 * Every change of one checklist, newest first: who, when, from what to
 * what. Loaded when opened, and again whenever the checklist's version
 * changes.
 */
export function HistoryDrawer(props: {
  open: boolean;
  onClose: () => void;
  entityRef: CompoundEntityRef;
  template: ChecklistTemplate;
  version: number;
}) {
  const { open, onClose, entityRef, template, version } = props;
  const api = useApi(meshPostureApiRef);
  const classes = useStyles();
  const [events, setEvents] = useState<ChecklistEvent[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();
  const titles = new Map(
    checklistItems(template).map(({ item }) => [item.id, item.title]),
  );

  const load = async (beforeVersion?: number) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.getChecklistHistory(entityRef, template.id, {
        limit: PAGE,
        ...(beforeVersion !== undefined ? { beforeVersion } : {}),
      });
      setEvents(previous =>
        beforeVersion === undefined
          ? page.events
          : [...previous, ...page.events],
      );
      setHasMore(page.hasMore);
    } catch (e) {
      setError(new Error(errorMessage(e)));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (open) load();
    // Reload when the drawer opens and after every change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, version]);

  return (
    <Drawer
      anchor="right"
      open={open}
      onClose={onClose}
      classes={{ paper: classes.paper }}
    >
      <Box
        role="dialog"
        aria-label={`History of ${template.title}`}
        display="flex"
        flexDirection="column"
      >
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="h5">History of {template.title}</Typography>
          <IconButton aria-label="Close history" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        <Typography variant="body2" color="textSecondary">
          Every change is kept; nothing is edited in place.
        </Typography>
        {error && <ResponseErrorPanel error={error} />}
        {!loading && !error && events.length === 0 && (
          <Typography variant="body2" style={{ marginTop: 16 }}>
            No changes yet.
          </Typography>
        )}
        <List aria-label="Changes">
          {events.map(event => (
            <ListItem key={event.version} divider alignItems="flex-start">
              <Box>
                <Typography variant="caption" color="textSecondary">
                  #{event.version} · <RelativeTime at={event.createdAt} /> ·{' '}
                  <EntityRefLink entityRef={event.actor} defaultKind="user" />
                </Typography>
                <Change event={event} titles={titles} />
              </Box>
            </ListItem>
          ))}
        </List>
        {loading && <Progress />}
        {hasMore && !loading && (
          <Button onClick={() => load(events[events.length - 1]?.version)}>
            Older changes
          </Button>
        )}
      </Box>
    </Drawer>
  );
}
