import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import {
  CHECKLIST_INPUT_LIMITS,
  ChecklistExemptionRequest,
  ChecklistExemptionView,
  validateChecklistExemptionRequest,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useId, useState } from 'react';
import { formatDay } from '../shared/format';

const DAY = 864e5;

/**
 * The form an approver grants an exemption with: a justification and an
 * expiry (at most a year away). The approver is whoever saves it.
 */
export function ExemptionEditor(props: {
  itemTitle: string;
  current?: ChecklistExemptionView;
  baseVersion: number;
  onSave: (request: ChecklistExemptionRequest) => Promise<boolean>;
  onCancel: () => void;
}) {
  const { itemTitle, current, baseVersion, onSave, onCancel } = props;
  const [justification, setJustification] = useState(
    current?.justification ?? '',
  );
  const [expiresAt, setExpiresAt] = useState(() =>
    current?.active
      ? formatDay(current.expiresAt)
      : formatDay(Date.now() + 30 * DAY),
  );
  const [errors, setErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const id = useId();

  const save = async () => {
    const result = validateChecklistExemptionRequest(
      { baseVersion, justification, expiresAt },
      new Date(),
    );
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors([]);
    setSaving(true);
    try {
      await onSave(result.value);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Box
      component="form"
      aria-label={`Exempt "${itemTitle}"`}
      mt={1}
      p={2}
      border={1}
      borderColor="divider"
      borderRadius={4}
      onSubmit={(e: { preventDefault(): void }) => {
        e.preventDefault();
        save();
      }}
    >
      <TextField
        id={`${id}-justification`}
        label="Justification (required)"
        multiline
        minRows={2}
        fullWidth
        margin="dense"
        variant="outlined"
        value={justification}
        inputProps={{ maxLength: CHECKLIST_INPUT_LIMITS.justification }}
        onChange={e => setJustification(e.target.value)}
      />
      <TextField
        id={`${id}-expires`}
        label="Expires on"
        type="date"
        margin="dense"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
        value={expiresAt}
        onChange={e => setExpiresAt(e.target.value)}
      />
      {errors.length > 0 && (
        <Alert severity="error" role="alert" style={{ marginTop: 8 }}>
          {errors.map(e => (
            <div key={e}>{e}</div>
          ))}
        </Alert>
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }}>
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={saving}
        >
          Save exemption
        </Button>
        <Button onClick={onCancel} disabled={saving}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
}
