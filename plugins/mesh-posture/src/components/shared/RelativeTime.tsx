import { describeInstant, Instant } from './format';

/**
 * A moment the one way the suite shows it: relative ("in 12 days", "3 hours
 * ago"), the exact time in UTC on hover (the `title`), and machine-readable
 * in `dateTime`. A time the backend did not send reads "—".
 */
export function RelativeTime({ at }: { at?: Instant }) {
  if (at === undefined || at === '') return <>—</>;
  const { text, exact, iso } = describeInstant(at);
  return (
    <time dateTime={iso} title={exact}>
      {text}
    </time>
  );
}
