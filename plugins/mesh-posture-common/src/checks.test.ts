import {
  BUILT_IN_MESHES,
  checkRemediation,
  MESH_POSTURE_CHECKS,
  POSTURE_CHECK_IDS,
} from './checks';
import { CERTIFICATE_WARNING_DAYS } from './posture/assessPosture';
import { SCORE_CHECK_IDS, SCORE_CHECK_TITLES } from './scorecards/types';
import { KNOWN_POSTURE_CHECK_IDS } from './checklists/templates';

describe('the table of checks', () => {
  it('gives the scorecards their checks in the order the CSV columns have', () => {
    expect(SCORE_CHECK_IDS).toEqual([
      'inbound-mtls',
      'outbound-mtls',
      'meshed-pods',
      'default-deny',
      'network-default-deny',
      'egress-declared',
      'no-over-grants',
      'certificates',
      'golden-signals',
      'progressive-delivery',
      'checklists',
    ]);
    expect(SCORE_CHECK_TITLES['inbound-mtls']).toBe('Inbound mTLS');
  });

  it('gives checklist templates the posture checks they may bind to', () => {
    expect([...KNOWN_POSTURE_CHECK_IDS].sort()).toEqual(
      [
        'certificates',
        'default-deny',
        'denied-callers',
        'egress-declared',
        'inbound-mtls',
        'meshed-pods',
        'network-default-deny',
        'no-over-grants',
        'outbound-mtls',
      ].sort(),
    );
    expect(KNOWN_POSTURE_CHECK_IDS).toBe(POSTURE_CHECK_IDS);
  });

  it('says the certificate threshold the assessment uses', () => {
    expect(MESH_POSTURE_CHECKS.certificates.title).toContain(
      `${CERTIFICATE_WARNING_DAYS} days`,
    );
  });

  it('has a title, a label, what a pass means and a fix for every check', () => {
    for (const [id, check] of Object.entries(MESH_POSTURE_CHECKS)) {
      for (const text of [
        check.title,
        check.label,
        check.column,
        check.passes,
        check.fix,
      ]) {
        expect({ id, text: text.trim().length > 0 }).toEqual({
          id,
          text: true,
        });
      }
    }
  });
});

describe('how to fix each check', () => {
  const ids = Object.keys(MESH_POSTURE_CHECKS) as Array<
    keyof typeof MESH_POSTURE_CHECKS
  >;
  // Every check of the table can fail or warn (the posture's, the
  // scorecards' golden signals, canary and checklists alike).
  const every = ids.flatMap(id => BUILT_IN_MESHES.map(mesh => ({ id, mesh })));

  it.each(every)('says what to do about $id on $mesh', ({ id, mesh }) => {
    const remediation = checkRemediation(id, mesh)!;
    expect(remediation.summary).toMatch(/^[A-Z].*\.$/);
    for (const snippet of remediation.snippets) {
      expect(snippet.title.trim()).not.toBe('');
      // YAML refuses tabs; a copied line with trailing blanks is noise.
      expect(snippet.text).not.toMatch(/\t| +$/m);
    }
  });

  it.each(every.filter(({ id }) => id !== 'checklists'))(
    "links $id on $mesh to the mesh's own documentation",
    ({ id, mesh }) => {
      const { docs } = checkRemediation(id, mesh)!;
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        // Network policy is Kubernetes' own, beside either mesh.
        const kubernetes =
          id === 'network-default-deny'
            ? '|kubernetes\\.io\\/docs\\/concepts\\/'
            : '';
        expect(doc.url).toMatch(
          new RegExp(
            mesh === 'linkerd'
              ? `^https://(linkerd\\.io/2/(tasks|reference|features)/|docs\\.flagger\\.app/${kubernetes})`
              : `^https://(istio\\.io/latest/docs/|docs\\.flagger\\.app/${kubernetes})`,
          ),
        );
      }
    },
  );

  it('gives the inject annotation or label for pods without a proxy', () => {
    const linkerd = checkRemediation('meshed-pods', 'linkerd', {
      namespace: 'messaging',
      workload: 'notifications',
    })!;
    expect(linkerd.snippets[0].text).toBe(
      'kubectl annotate namespace messaging linkerd.io/inject=enabled\nkubectl rollout restart deployment/notifications --namespace messaging',
    );
    expect(linkerd.snippets[1].text).toContain('linkerd.io/inject: enabled');
    const istio = checkRemediation('meshed-pods', 'istio', {
      namespace: 'cards',
    })!;
    const text = istio.snippets.map(s => s.text).join('\n');
    expect(text).toContain(
      'kubectl label namespace cards istio-injection=enabled',
    );
    expect(text).toContain('istio.io/rev=<revision>');
    expect(text).toContain(
      'kubectl label namespace cards istio.io/dataplane-mode=ambient',
    );
  });

  it('gives a Server and AuthorizationPolicy, or an Istio AuthorizationPolicy, for default-deny', () => {
    const linkerd = checkRemediation('default-deny', 'linkerd')!
      .snippets.map(s => s.text)
      .join('\n');
    expect(linkerd).toContain('config.linkerd.io/default-inbound-policy=deny');
    expect(linkerd).toContain(
      'apiVersion: policy.linkerd.io/v1beta3\nkind: Server',
    );
    expect(linkerd).toContain(
      'apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication',
    );
    expect(linkerd).toContain(
      'apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy',
    );
    expect(linkerd).toContain('requiredAuthenticationRefs:');
    const istio = checkRemediation('default-deny', 'istio')!.snippets[0].text;
    expect(istio).toContain(
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy',
    );
    expect(istio).toContain('spec: {}');
    expect(istio).toContain('cluster.local/ns/<caller-namespace>/sa/');
  });

  it('sends certificates to linkerd check --proxy and the rotation docs', () => {
    const linkerd = checkRemediation('certificates', 'linkerd', {
      namespace: 'payments',
    })!;
    expect(linkerd.snippets[0].text).toBe(
      'linkerd check --proxy --namespace payments',
    );
    expect(linkerd.docs.map(d => d.url)).toContain(
      'https://linkerd.io/2/tasks/manually-rotating-control-plane-tls-credentials/',
    );
    expect(checkRemediation('certificates', 'istio')!.docs[0].url).toBe(
      'https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/',
    );
  });

  it('leaves the placeholders it does not know, and knows no other mesh', () => {
    const partial = checkRemediation('meshed-pods', 'linkerd', {
      namespace: 'messaging',
    })!;
    expect(partial.snippets[0].text).toContain('deployment/<workload>');
    expect(checkRemediation('meshed-pods', 'kuma')).toBeUndefined();
    expect(checkRemediation('meshed-pods', 'constructor')).toBeUndefined();
    expect(checkRemediation('toString', 'linkerd')).toBeUndefined();
  });
});
