import { validateChecklistTemplate } from './validateTemplate';

const valid = {
  id: 'internal-standard',
  version: 2,
  title: 'Internal zero-trust standard',
  sections: [
    {
      id: 'transport',
      title: 'Transport',
      items: [
        { id: 'mtls', kind: 'automatic', check: 'inbound-mtls', title: 'mTLS' },
        {
          id: 'owner',
          kind: 'manual',
          title: 'An owner approves callers',
          reference: 'ZT-STD 4.1',
        },
      ],
    },
  ],
};

function errorsOf(raw: unknown): string[] {
  const result = validateChecklistTemplate(raw);
  return result.ok ? [] : result.errors;
}

describe('validateChecklistTemplate', () => {
  it('accepts a good template and returns a clean copy', () => {
    const result = validateChecklistTemplate(valid);
    expect(result).toEqual({ ok: true, template: valid });
    expect(result.ok && result.template).not.toBe(valid);
  });

  it('names every bad field with its path', () => {
    expect(
      errorsOf({
        id: 'Bad Id',
        version: 0,
        title: '',
        owner: 'me',
        sections: [
          {
            id: 'a',
            title: 'A',
            items: [
              { id: 'x', kind: 'robotic', title: 'X' },
              { id: 'y', kind: 'automatic', title: 'Y' },
              { id: 'z', kind: 'manual', title: 'Z', check: 'inbound-mtls' },
              'nonsense',
            ],
          },
          { id: 'a', title: 'Again', items: [] },
        ],
      }),
    ).toEqual([
      'owner: unknown field; allowed: id, version, title, description, sections',
      'id: "Bad Id" is not a valid id: use 1 to 64 lower-case letters, digits and dashes',
      'version: must be a whole number from 1, got number',
      'title: must not be empty',
      'sections[0].items[0].kind: must be "manual" or "automatic", got "robotic"',
      'sections[0].items[1].check: must be a string, got undefined',
      'sections[0].items[2].check: unknown field; allowed: id, kind, title, description, reference',
      'sections[0].items[3]: must be an object, got "nonsense"',
      'sections[1].items: must be a non-empty list',
    ]);
  });

  it('refuses duplicate item ids across sections and duplicate section ids', () => {
    const item = { id: 'same', kind: 'manual', title: 'Same' };
    expect(
      errorsOf({
        ...valid,
        sections: [
          { id: 's', title: 'S', items: [item] },
          { id: 't', title: 'T', items: [item] },
          { id: 's', title: 'S again', items: [{ ...item, id: 'other' }] },
        ],
      }),
    ).toEqual([
      'sections[1].items[0].id: "same" is already used at sections[0].items[0]',
      'sections[2].id: "s" is already used at sections[0]',
    ]);
  });

  it('refuses text over its limit and things that are not templates', () => {
    expect(errorsOf({ ...valid, title: 'x'.repeat(301) })).toEqual([
      'title: must be at most 300 characters',
    ]);
    expect(errorsOf(['a list'])).toEqual([
      'template: must be an object, got a list',
    ]);
    expect(errorsOf({ ...valid, version: 1.5 })).toEqual([
      'version: must be a whole number from 1, got number',
    ]);
    expect(errorsOf({ ...valid, sections: undefined })).toEqual([
      'sections: must be a non-empty list',
    ]);
  });
});
