import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import {
  SCORE_CHECK_TITLES,
  ScoreCheck,
  ScoreCheckStatus,
} from '@mesh-posture/plugin-mesh-posture-common';

export const SCORE_STATUS_TEXT: Record<ScoreCheckStatus, string> = {
  pass: 'passes',
  warn: 'warns',
  fail: 'fails',
  unknown: 'unknown (no data)',
  'not-applicable': 'does not apply',
};

/** A check as an icon whose tooltip and accessible name say what it saw. */
export function ScoreCheckIcon({ check }: { check: ScoreCheck }) {
  const label = `${SCORE_CHECK_TITLES[check.id]} ${
    SCORE_STATUS_TEXT[check.status]
  }: ${check.detail}`;
  let icon;
  switch (check.status) {
    case 'pass':
      icon = <StatusOK />;
      break;
    case 'warn':
      icon = <StatusWarning />;
      break;
    case 'fail':
      icon = <StatusError />;
      break;
    case 'not-applicable':
      icon = <span>–</span>;
      break;
    default:
      // No data is not a pass: shown apart from passing and failing.
      icon = <StatusPending />;
  }
  return (
    <Tooltip title={label}>
      <span role="img" aria-label={label}>
        {icon}
      </span>
    </Tooltip>
  );
}

const LEVEL_COLOURS: Record<string, string> = {
  gold: '#c9a227',
  silver: '#8a9597',
  bronze: '#a0643b',
};

/** The level reached, or "Below every level". */
export function LevelChip({ level }: { level: string | null }) {
  if (!level) {
    return <Chip size="small" variant="outlined" label="No level" />;
  }
  const colour = LEVEL_COLOURS[level.toLocaleLowerCase('en-US')];
  return (
    <Chip
      size="small"
      label={level}
      style={colour ? { backgroundColor: colour, color: '#fff' } : undefined}
    />
  );
}

/** `group:default/payments-team` → `payments-team`, for labels. */
export function shortRef(ref: string | null): string {
  if (!ref) return 'none';
  const [, rest = ref] = ref.split(':');
  return rest.startsWith('default/') ? rest.slice('default/'.length) : rest;
}
