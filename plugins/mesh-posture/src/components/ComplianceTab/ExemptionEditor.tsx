import TextField from '@material-ui/core/TextField';
import {
  CHECKLIST_INPUT_LIMITS,
  ChecklistExemptionRequest,
  ChecklistExemptionView,
  validateChecklistExemptionRequest,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useId, useState } from 'react';
import { formatDay } from '../shared/format';
import { ItemEditorForm } from './ItemEditorForm';

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
  const id = useId();

  return (
    <ItemEditorForm
      label={`Exempt "${itemTitle}"`}
      saveText="Save exemption"
      check={() =>
        validateChecklistExemptionRequest(
          { baseVersion, justification, expiresAt },
          new Date(),
        )
      }
      onSave={onSave}
      onCancel={onCancel}
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
    </ItemEditorForm>
  );
}
