import {
  describeChecklistTemplate,
  diffChecklistTemplates,
  summarizeChecklistTemplateDiff,
} from './diff';
import type { ChecklistTemplate } from './types';

const v1: ChecklistTemplate = {
  id: 'std',
  version: 1,
  title: 'Standard',
  sections: [
    {
      id: 'a',
      title: 'A',
      items: [
        { id: 'kept', kind: 'manual', title: 'Kept as is' },
        { id: 'moved', kind: 'manual', title: 'Moves to another section' },
        { id: 'reworded', kind: 'manual', title: 'Old wording' },
        {
          id: 'rebound',
          kind: 'automatic',
          check: 'inbound-mtls',
          title: 'mTLS',
        },
        { id: 'dropped', kind: 'manual', title: 'Dropped' },
      ],
    },
  ],
};

const v2: ChecklistTemplate = {
  id: 'std',
  version: 2,
  title: 'Standard, revised',
  sections: [
    {
      id: 'a',
      title: 'A',
      items: [
        { id: 'kept', kind: 'manual', title: 'Kept as is' },
        { id: 'reworded', kind: 'manual', title: 'New wording' },
        {
          id: 'rebound',
          kind: 'automatic',
          check: 'outbound-mtls',
          title: 'mTLS',
        },
        { id: 'new', kind: 'manual', title: 'New item' },
      ],
    },
    {
      id: 'b',
      title: 'B',
      items: [
        { id: 'moved', kind: 'manual', title: 'Moves to another section' },
      ],
    },
  ],
};

describe('diffChecklistTemplates', () => {
  it('tells which answers carry over and which must be given again', () => {
    const diff = diffChecklistTemplates(v1, v2);
    expect(diff).toEqual({
      added: ['new'],
      removed: ['dropped'],
      changed: ['reworded', 'rebound'],
      unchanged: ['kept', 'moved'],
    });
    expect(summarizeChecklistTemplateDiff(diff)).toBe(
      '2 items changed, 1 item added, 1 item removed',
    );
    expect(summarizeChecklistTemplateDiff(diffChecklistTemplates(v1, v1))).toBe(
      'no item changed',
    );
  });

  it('fingerprints items by wording, not by position or template version', () => {
    const a = describeChecklistTemplate(v1, 'config');
    const b = describeChecklistTemplate(v2, 'file');
    expect(a.itemFingerprints.kept).toBe(b.itemFingerprints.kept);
    expect(a.itemFingerprints.moved).toBe(b.itemFingerprints.moved);
    expect(a.itemFingerprints.reworded).not.toBe(b.itemFingerprints.reworded);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.source).toBe('config');
    expect(a.itemFingerprints.kept).toMatch(/^[0-9a-f]{14}$/);
  });
});
