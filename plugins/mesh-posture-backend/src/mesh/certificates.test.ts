import {
  issuedCa,
  selfSignedPem,
  testCa,
} from '../__testUtils__/testCertificates';
import {
  CertificateParseError,
  certManagerProblem,
  certificateStatuses,
  notIssuedByAnchors,
  notReady,
  parsePemBundle,
} from './certificates';

const DAY = 24 * 3600_000;
const now = new Date('2026-11-22T12:00:00Z');
const context = {
  cluster: 'prod',
  mesh: 'linkerd' as const,
  role: 'trust-anchor' as const,
  location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
  now,
};

describe('certificateStatuses', () => {
  it('reads every certificate of a rotating trust bundle with its expiry', async () => {
    const current = await selfSignedPem({
      commonName: 'root.linkerd.cluster.local',
      notBefore: new Date(now.getTime() - 10 * DAY),
      notAfter: new Date(now.getTime() + 212 * DAY + 3600_000),
    });
    const previous = await selfSignedPem({
      commonName: 'root.linkerd.cluster.local',
      notBefore: new Date(now.getTime() - 300 * DAY),
      notAfter: new Date(now.getTime() + 25 * DAY + 3600_000),
    });
    const statuses = certificateStatuses(`${current}\n${previous}`, context);
    expect(statuses).toHaveLength(2);
    expect(statuses.map(s => s.daysToExpiry)).toEqual([212, 25]);
    expect(statuses[0]).toMatchObject({
      subject: 'root.linkerd.cluster.local',
      role: 'trust-anchor',
      cluster: 'prod',
    });
  });

  it('gives negative days for an expired certificate', async () => {
    const expired = await selfSignedPem({
      commonName: 'old-root',
      notBefore: new Date(now.getTime() - 400 * DAY),
      notAfter: new Date(now.getTime() - 3 * DAY - 3600_000),
    });
    expect(certificateStatuses(expired, context)[0].daysToExpiry).toBe(-4);
  });

  it('refuses text without certificates and corrupt blocks', () => {
    expect(() => parsePemBundle('not a certificate')).toThrow(
      CertificateParseError,
    );
    expect(() =>
      parsePemBundle(
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      ),
    ).toThrow(CertificateParseError);
  });
});

describe('notIssuedByAnchors, as linkerd check judges the issuer', () => {
  it('accepts an issuer the anchor signed, alone or through an intermediate', async () => {
    const anchor = await testCa('root.linkerd.cluster.local');
    const issuer = await issuedCa(anchor, 'identity.linkerd.cluster.local');
    expect(notIssuedByAnchors(issuer.pem, anchor.pem)).toBeUndefined();
    const intermediate = await issuedCa(anchor, 'intermediate.bank.example');
    const deeper = await issuedCa(
      intermediate,
      'identity.linkerd.cluster.local',
    );
    expect(
      notIssuedByAnchors(`${deeper.pem}\n${intermediate.pem}`, anchor.pem),
    ).toBeUndefined();
    // The intermediate missing from the issuer's PEM breaks the chain.
    expect(notIssuedByAnchors(deeper.pem, anchor.pem)).toMatch(
      /^not issued by any trust anchor/,
    );
  });

  it('checks signatures, not names: a new root with the same name does not vouch for the old issuer', async () => {
    const old = await testCa('root.linkerd.cluster.local');
    const issuer = await issuedCa(old, 'identity.linkerd.cluster.local');
    const rotated = await testCa('root.linkerd.cluster.local');
    expect(notIssuedByAnchors(issuer.pem, rotated.pem)).toBe(
      'not issued by any trust anchor of the bundle (signed by "CN=root.linkerd.cluster.local"), so proxies cannot verify the certificates it issues',
    );
    // During a rotation the bundle holds both: then it is.
    expect(
      notIssuedByAnchors(issuer.pem, `${rotated.pem}\n${old.pem}`),
    ).toBeUndefined();
  });
});

describe('notReady', () => {
  it("reads cert-manager's Ready=False with its reason, and nothing else", () => {
    // Condition shape of cert-manager.io/v1 Certificate status
    // (cert-manager pkg/apis/certmanager/v1/types_certificate.go).
    expect(
      notReady({
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'Issuing',
              message: 'Issuing certificate as Secret does not exist',
            },
          ],
        },
      }),
    ).toBe(
      'cert-manager reports it not Ready (Issuing): Issuing certificate as Secret does not exist',
    );
    expect(
      notReady({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    ).toBeUndefined();
    expect(notReady({})).toBeUndefined();
  });
});

describe('certManagerProblem', () => {
  const at = new Date('2026-11-22T12:00:00Z');
  it('fails a Certificate whose renewal time passed without a renewal, with the Issuing reason', () => {
    expect(
      certManagerProblem(
        {
          status: {
            renewalTime: '2026-11-22T09:00:00Z',
            notAfter: '2026-11-23T10:00:00Z',
            conditions: [
              { type: 'Ready', status: 'True' },
              {
                type: 'Issuing',
                status: 'False',
                reason: 'Failed',
                message: 'The certificate request has failed to complete',
              },
            ],
          },
        },
        at,
      ),
    ).toBe(
      'cert-manager has not renewed it since its renewal time 2026-11-22T09:00:00.000Z (Failed: The certificate request has failed to complete)',
    );
  });

  it('leaves a renewal due within the hour, or still ahead, alone', () => {
    for (const renewalTime of [
      '2026-11-22T11:30:00Z',
      '2026-11-23T09:00:00Z',
    ]) {
      expect(
        certManagerProblem(
          {
            status: {
              renewalTime,
              conditions: [{ type: 'Ready', status: 'True' }],
            },
          },
          at,
        ),
      ).toBeUndefined();
    }
  });
});
