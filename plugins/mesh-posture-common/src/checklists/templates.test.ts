import { KNOWN_POSTURE_CHECK_IDS } from './templates';
import {
  BUILT_IN_CHECKLIST_TEMPLATES,
  pciDssV4Template,
  threatModelTemplate,
  zeroTrustTemplate,
} from './templates';
import { checklistTemplateFingerprint } from './fingerprint';
import { checklistItems } from './diff';
import { validateChecklistTemplate } from './validateTemplate';

describe('the built-in checklist templates', () => {
  it.each(BUILT_IN_CHECKLIST_TEMPLATES.map(t => [t.id, t]))(
    '%s passes the validation config templates go through, unchanged',
    (_id, template) => {
      const result = validateChecklistTemplate(template);
      expect(result).toEqual({ ok: true, template });
    },
  );

  it('pins the content of each version: change a word, raise the version', () => {
    // When this fails, raise the template's version and update the value:
    // deployed backends refuse a stored version whose content changed.
    expect(
      Object.fromEntries(
        BUILT_IN_CHECKLIST_TEMPLATES.map(t => [
          `${t.id}@${t.version}`,
          checklistTemplateFingerprint(t),
        ]),
      ),
    ).toEqual({
      'threat-model@2': '16e14a9c99b348',
      'pci-dss-v4@3': '08a0d42be62b0e',
      'zero-trust@4': '16c6ea404a010d',
    });
  });

  it('binds automatic items only to posture checks that exist or are coming', () => {
    for (const template of BUILT_IN_CHECKLIST_TEMPLATES) {
      const checks = checklistItems(template).flatMap(({ item }) =>
        item.kind === 'automatic' ? [item.check] : [],
      );
      expect(
        checks.filter(check => !KNOWN_POSTURE_CHECK_IDS.includes(check)),
      ).toEqual([]);
    }
  });

  it('asks the four OWASP questions and the security checklist in the threat model, and answers its defence in depth from the mesh', () => {
    const ids = checklistItems(threatModelTemplate).map(i => i.item.id);
    expect(ids).toEqual([
      'what-are-we-building',
      'what-can-go-wrong',
      'what-are-we-doing',
      'did-we-do-a-good-job',
      'authn-non-repudiation',
      'authz-every-operation',
      'role-based-access',
      'request-time-decisions',
      'trust-boundaries',
      'operations-logged',
      'no-sensitive-data-in-logs',
      'audit-logs-tagged',
      'exfiltration-paths-declared',
      'network-denies-by-default',
    ]);
    // The mesh answers only for the threats it can see: exfiltration and a
    // bypassed proxy; the model itself stays the team's to answer.
    expect(
      checklistItems(threatModelTemplate).flatMap(({ item }) =>
        item.kind === 'automatic' ? [item.check] : [],
      ),
    ).toEqual(['egress-declared', 'network-default-deny']);
  });

  it('covers PCI DSS v4.0 requirements 1, 4, 6, 7, 8 and 10, each item with its reference', () => {
    expect(
      pciDssV4Template.sections.map(
        s => /^Requirement (\d+):/.exec(s.title)?.[1],
      ),
    ).toEqual(['1', '4', '6', '7', '8', '10']);
    for (const section of pciDssV4Template.sections) {
      const number = section.id.replace('req-', '');
      for (const item of section.items) {
        expect(item.reference).toMatch(
          new RegExp(`^PCI DSS v4\\.0 Req\\. ${number}(\\.|$|,)`),
        );
      }
    }
    const requirement4 = pciDssV4Template.sections.find(s => s.id === 'req-4')!;
    expect(
      requirement4.items.filter(i => i.kind === 'automatic').map(i => i.id),
    ).toEqual([
      'req-4-inbound-mtls',
      'req-4-outbound-mtls',
      'req-4-meshed-pods',
      'req-4-certificates',
    ]);
  });

  it('states the four zero-trust principles as its sections', () => {
    expect(zeroTrustTemplate.sections.map(s => s.title)).toEqual([
      'The network is always hostile',
      'Locality is not trust',
      'Every device, user and request is authenticated and authorized',
      'Policies are dynamic',
    ]);
    const checks = checklistItems(zeroTrustTemplate).flatMap(({ item }) =>
      item.kind === 'automatic' ? [item.check] : [],
    );
    expect(checks.sort()).toEqual([...KNOWN_POSTURE_CHECK_IDS].sort());
  });
});
