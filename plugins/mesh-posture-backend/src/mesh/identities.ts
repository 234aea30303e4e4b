/** Istio writes principals with `spiffe://` in metrics and without it in policies. */
function normalize(identity: string): string {
  return identity.replace(/^spiffe:\/\//, '');
}

/**
 * True when an identity matches a policy's identity pattern: exact, `*` for
 * any, or with `*` standing for any text (Linkerd's `*.ns.serviceaccount…`,
 * Istio's prefix and suffix wildcards).
 */
export function identityMatches(pattern: string, identity: string): boolean {
  const p = normalize(pattern);
  const id = normalize(identity);
  if (p === '*') return true;
  if (!p.includes('*')) return p === id;
  const regex = new RegExp(
    `^${p
      .split('*')
      .map(part => part.replace(/[\\^$.|?+()[\]{}]/g, c => `\\${c}`))
      .join('.*')}$`,
  );
  return regex.test(id);
}
