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

/**
 * Whether an identity pattern admits callers across namespaces, i.e. is as
 * broad as "any authenticated caller": `*`; a Linkerd pattern other than
 * one namespace's `*.<ns>.serviceaccount.identity.…` (`*.cluster.local`
 * matches every identity of the trust domain: linkerd2 MeshTLSAuthentication
 * suffix matching); an Istio principal whose wildcard reaches past one
 * namespace (`cluster.local/*`; Istio's prefix/suffix matching,
 * pilot/pkg/security/authz/matcher/string.go).
 */
export function isMeshWide(pattern: string): boolean {
  const p = normalize(pattern);
  if (!p.includes('*')) return false;
  if (p === '*') return true;
  if (/^\*\.[^.*]+\.serviceaccount\.identity\.[^*]+$/.test(p)) return false;
  if (/^[^/]*\/ns\/[^/*]+\/(sa\/[^/]*|\*)$/.test(p)) return false;
  return true;
}
