import { MESH_POSTURE_CHECKS, POSTURE_CHECK_IDS } from './checks';
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
        'inbound-mtls',
        'meshed-pods',
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
