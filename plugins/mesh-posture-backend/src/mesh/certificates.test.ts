import { selfSignedPem } from '../__testUtils__/testCertificates';
import {
  CertificateParseError,
  certificateStatuses,
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
