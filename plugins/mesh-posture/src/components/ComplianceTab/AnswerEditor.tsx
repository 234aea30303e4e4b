import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import IconButton from '@material-ui/core/IconButton';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  ChecklistAnswer,
  CHECKLIST_ANSWER_LABELS,
  CHECKLIST_ANSWER_VALUES,
  CHECKLIST_ANSWERS_REQUIRING_RATIONALE,
  CHECKLIST_INPUT_LIMITS,
  ChecklistAnswerRequest,
  ChecklistAnswerValue,
  ChecklistRequestValidation,
  validateChecklistAnswerRequest,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useId, useState } from 'react';
import { ItemEditorForm } from './ItemEditorForm';

type Draft = {
  value?: ChecklistAnswerValue;
  rationale: string;
  evidence: Array<{ url: string; title: string }>;
};

/**
 * The form for one manual item: Yes / No / Partially / Not applicable, a
 * rationale (required for anything but Yes), evidence links. It checks
 * with the same rules as the server and keeps its draft until saved, also
 * across a conflict.
 */
export function AnswerEditor(props: {
  itemTitle: string;
  current?: ChecklistAnswer;
  baseVersion: number;
  onSave: (request: ChecklistAnswerRequest) => Promise<boolean>;
  onCancel: () => void;
}) {
  const { itemTitle, current, baseVersion, onSave, onCancel } = props;
  const [draft, setDraft] = useState<Draft>(() => ({
    value: current?.value,
    rationale: current?.rationale ?? '',
    evidence: (current?.evidence ?? []).map(e => ({
      url: e.url,
      title: e.title ?? '',
    })),
  }));
  const id = useId();

  const needsRationale =
    draft.value !== undefined &&
    CHECKLIST_ANSWERS_REQUIRING_RATIONALE.includes(draft.value);

  const check = (): ChecklistRequestValidation<ChecklistAnswerRequest> => {
    if (!draft.value) return { ok: false, errors: ['Choose an answer'] };
    return validateChecklistAnswerRequest({
      baseVersion,
      value: draft.value,
      rationale: draft.rationale,
      evidence: draft.evidence
        .filter(e => e.url.trim() || e.title.trim())
        .map(e => ({
          url: e.url.trim(),
          ...(e.title.trim() ? { title: e.title } : {}),
        })),
    });
  };

  const setLink = (i: number, field: 'url' | 'title', text: string) =>
    setDraft(d => ({
      ...d,
      evidence: d.evidence.map((e, j) =>
        j === i ? { ...e, [field]: text } : e,
      ),
    }));

  return (
    <ItemEditorForm
      label={`Answer "${itemTitle}"`}
      saveText="Save answer"
      check={check}
      onSave={onSave}
      onCancel={onCancel}
    >
      <FormControl component="fieldset">
        <FormLabel component="legend">Answer</FormLabel>
        <RadioGroup
          row
          aria-label="Answer"
          value={draft.value ?? ''}
          onChange={e =>
            setDraft(d => ({
              ...d,
              value: e.target.value as ChecklistAnswerValue,
            }))
          }
        >
          {CHECKLIST_ANSWER_VALUES.map(value => (
            <FormControlLabel
              key={value}
              value={value}
              control={<Radio color="primary" />}
              label={CHECKLIST_ANSWER_LABELS[value]}
            />
          ))}
        </RadioGroup>
      </FormControl>
      <TextField
        id={`${id}-rationale`}
        label={needsRationale ? 'Rationale (required)' : 'Rationale'}
        multiline
        minRows={2}
        fullWidth
        margin="dense"
        variant="outlined"
        value={draft.rationale}
        inputProps={{ maxLength: CHECKLIST_INPUT_LIMITS.rationale }}
        onChange={e => setDraft(d => ({ ...d, rationale: e.target.value }))}
      />
      <Typography variant="subtitle2" style={{ marginTop: 8 }}>
        Evidence links
      </Typography>
      {draft.evidence.map((link, i) => (
        <Box key={i} display="flex" alignItems="center" style={{ gap: 8 }}>
          <TextField
            id={`${id}-evidence-url-${i}`}
            label={`Evidence URL ${i + 1}`}
            margin="dense"
            variant="outlined"
            style={{ flex: 2 }}
            value={link.url}
            placeholder="https://…"
            onChange={e => setLink(i, 'url', e.target.value)}
          />
          <TextField
            id={`${id}-evidence-title-${i}`}
            label={`Evidence title ${i + 1}`}
            margin="dense"
            variant="outlined"
            style={{ flex: 1 }}
            value={link.title}
            onChange={e => setLink(i, 'title', e.target.value)}
          />
          <IconButton
            aria-label={`Remove evidence link ${i + 1}`}
            onClick={() =>
              setDraft(d => ({
                ...d,
                evidence: d.evidence.filter((_, j) => j !== i),
              }))
            }
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Box>
      ))}
      {draft.evidence.length < CHECKLIST_INPUT_LIMITS.evidenceLinks && (
        <Button
          size="small"
          onClick={() =>
            setDraft(d => ({
              ...d,
              evidence: [...d.evidence, { url: '', title: '' }],
            }))
          }
        >
          Add evidence link
        </Button>
      )}
    </ItemEditorForm>
  );
}
