import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useRef, useState } from 'react';

/*
 * Every card of the suite knows when its data is the demo mesh's, and an
 * entity page holds several of them: the banner shows once, on the first
 * card mounted, and moves to the next when that one goes.
 */
let shown: number[] = [];
let nextId = 0;
const listeners = new Set<() => void>();

function publish(next: number[]) {
  shown = next;
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** "Demo data", once per page, wherever the suite's cards show demo data. */
export function DemoBanner() {
  // React 16 and 17 too (the plugin's peer range): no useId here.
  const id = useRef(0);
  if (id.current === 0) id.current = ++nextId;
  const [first, setFirst] = useState<number | undefined>(undefined);
  useEffect(() => {
    const mine = id.current;
    const unsubscribe = subscribe(() => setFirst(shown[0]));
    publish([...shown, mine]);
    return () => {
      unsubscribe();
      publish(shown.filter(x => x !== mine));
    };
  }, []);
  if (first !== id.current) return null;
  return (
    <Box mb={1}>
      <Alert severity="info">
        Demo data: Mesh Posture shows its built-in simulated mesh on this page
        (meshPosture.demo), not a real cluster.
      </Alert>
    </Box>
  );
}
