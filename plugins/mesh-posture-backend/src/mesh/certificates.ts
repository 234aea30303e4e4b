import { X509Certificate } from 'node:crypto';
import type {
  CertificateRole,
  CertificateStatus,
  MeshKind,
} from '@mesh-posture/plugin-mesh-posture-common';
import { statusOf } from '@mesh-posture/plugin-mesh-posture-node';

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The common name of a subject, or the whole subject when it has none. */
function subjectName(cert: X509Certificate): string {
  const cn = cert.subject.split('\n').find(part => part.startsWith('CN='));
  return cn ? cn.slice(3) : cert.subject.replace(/\n/g, ', ');
}

export class CertificateParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateParseError';
  }
}

/**
 * Reads every certificate of a PEM bundle (a trust-anchor bundle holds
 * several during a rotation). Throws when the text holds none, or a block
 * that is not a certificate.
 */
export function parsePemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new CertificateParseError('no PEM certificate found');
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new CertificateParseError(
        `certificate ${i + 1} of the bundle is not valid X.509: ${
          (error as Error).message
        }`,
      );
    }
  });
}

/** The status of each certificate of a bundle, judged at `now`. */
export function certificateStatuses(
  pem: string,
  context: {
    cluster: string;
    mesh: MeshKind;
    role: CertificateRole;
    location: string;
    now: Date;
  },
): CertificateStatus[] {
  return parsePemBundle(pem).map(cert =>
    statusOf(
      {
        subject: subjectName(cert),
        notBefore: new Date(cert.validFrom),
        notAfter: new Date(cert.validTo),
      },
      context,
    ),
  );
}

/**
 * Why a certificate chain is not issued by any of the trust anchors, as
 * `linkerd check` asks of the issuer ("issuer cert is issued by the trust
 * anchor": linkerd/linkerd2 pkg/healthcheck/healthcheck.go verifies the
 * issuer's credentials against a pool of the anchors, with the rest of its
 * PEM as intermediates); undefined when it is. Signatures are checked, not
 * names alone.
 */
export function notIssuedByAnchors(
  chainPem: string,
  anchorsPem: string,
): string | undefined {
  const [leaf, ...intermediates] = parsePemBundle(chainPem);
  const anchors = parsePemBundle(anchorsPem);
  const issued = (child: X509Certificate, parent: X509Certificate) =>
    child.checkIssued(parent) && child.verify(parent.publicKey);
  // Climb from the issuer through its intermediates, one step each, until
  // an anchor signed the step reached.
  const climb = (
    from: X509Certificate,
    left: X509Certificate[],
  ): X509Certificate => {
    if (anchors.some(a => issued(from, a))) return from;
    const parent = left.find(i => issued(from, i));
    return parent
      ? climb(
          parent,
          left.filter(i => i !== parent),
        )
      : from;
  };
  const current = climb(leaf, intermediates);
  if (anchors.some(a => issued(current, a))) return undefined;
  return `not issued by any trust anchor of the bundle (signed by "${
    subjectName(current) === subjectName(leaf)
      ? current.issuer.replace(/\n/g, ', ')
      : subjectName(current)
  }"), so proxies cannot verify the certificates it issues`;
}

interface Conditioned {
  status?: {
    conditions?: Array<{
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
    }>;
  };
}

/** A False condition in words; its text, written from the cluster, kept short. */
function conditionFalse(
  object: Conditioned,
  type: string,
  who: string,
): string | undefined {
  const condition = object.status?.conditions?.find(c => c.type === type);
  if (condition?.status !== 'False') return undefined;
  const message = (condition.message ?? '').slice(0, 200);
  return `${who} not ${type}${
    condition.reason ? ` (${condition.reason.slice(0, 60)})` : ''
  }${message ? `: ${message}` : ''}`;
}

/** What cert-manager's Ready condition says against a Certificate, if anything. */
export function notReady(certificate: Conditioned): string | undefined {
  return conditionFalse(certificate, 'Ready', 'cert-manager reports it');
}

/** Renewals run late by less than this before they count as failing. */
const RENEWAL_GRACE_MS = 3600_000;

/**
 * Why cert-manager cannot keep a Certificate current: not Ready, or its
 * renewal time (status.renewalTime, cert-manager pkg/apis/certmanager/v1
 * types_certificate.go) passed and it was not renewed, which leaves it
 * Ready until it lapses; the Issuing condition says why.
 */
export function certManagerProblem(
  certificate: Conditioned & {
    status?: { renewalTime?: string; notAfter?: string };
  },
  now: Date,
): string | undefined {
  const unready = notReady(certificate);
  if (unready) return unready;
  const renewal = Date.parse(certificate.status?.renewalTime ?? '');
  if (!Number.isFinite(renewal) || now.getTime() - renewal < RENEWAL_GRACE_MS) {
    return undefined;
  }
  const issuing = certificate.status?.conditions?.find(
    c => c.type === 'Issuing' && c.status === 'False',
  );
  const why = issuing
    ? [issuing.reason?.slice(0, 60), issuing.message?.slice(0, 200)]
        .filter(Boolean)
        .join(': ')
    : '';
  return `cert-manager has not renewed it since its renewal time ${new Date(
    renewal,
  ).toISOString()}${why ? ` (${why})` : ''}`;
}

/**
 * What trust-manager's Synced condition says against the Bundle that
 * writes the trust anchors' ConfigMap (trust.cert-manager.io/v1alpha1
 * Bundle status, cert-manager/trust-manager pkg/apis/trust/v1alpha1
 * types_bundle.go `BundleConditionSynced`): the ConfigMap may be stale.
 */
export function notSynced(bundle: Conditioned): string | undefined {
  const why = conditionFalse(
    bundle,
    'Synced',
    'trust-manager reports its Bundle',
  );
  return why ? `${why}; the anchors read may be out of date` : undefined;
}

/**
 * The anchors a proxy holds that the current bundle does not, when it holds
 * none of the current ones: such a proxy cannot verify peers whose
 * certificates chain to the current anchors. `linkerd check --proxy`
 * compares the injected `LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS` with the
 * bundle ("data plane proxies certificate match CA", linkerd/linkerd2
 * pkg/healthcheck/healthcheck.go checkPodsProxiesCertificate); a bundle
 * that still shares an anchor is the middle of a rotation and works.
 */
export function staleAnchors(
  heldPem: string,
  currentPem: string,
): X509Certificate[] {
  const held = parsePemBundle(heldPem);
  const current = new Set(
    parsePemBundle(currentPem).map(c => c.fingerprint256),
  );
  return held.some(c => current.has(c.fingerprint256)) ? [] : held;
}
