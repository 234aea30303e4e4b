import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Alert from '@material-ui/lab/Alert';
import type { ChecklistRequestValidation } from '@mesh-posture/plugin-mesh-posture-common';
import { ReactNode, useState } from 'react';

/**
 * The form both item editors share: named for its item, checked on submit
 * with the server's own rules, the errors above Save and Cancel, both
 * disabled while saving.
 */
export function ItemEditorForm<R>(props: {
  label: string;
  saveText: string;
  /** The request the fields make, or what is wrong with them. */
  check: () => ChecklistRequestValidation<R>;
  onSave: (request: R) => Promise<boolean>;
  onCancel: () => void;
  children: ReactNode;
}) {
  const { label, saveText, check, onSave, onCancel, children } = props;
  const [errors, setErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    const result = check();
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
      aria-label={label}
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
      {children}
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
          {saveText}
        </Button>
        <Button onClick={onCancel} disabled={saving}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
}
