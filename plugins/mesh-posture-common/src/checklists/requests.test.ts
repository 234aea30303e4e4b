import {
  evidenceUrlProblem,
  parseExpiry,
  validateChecklistAnswerRequest,
  validateChecklistAttestationRequest,
  validateChecklistExemptionRequest,
} from './requests';

const errorsOf = (r: { ok: boolean; errors?: string[] }) =>
  r.ok ? [] : r.errors;

describe('validateChecklistAnswerRequest', () => {
  it('accepts an answer and normalises it', () => {
    expect(
      validateChecklistAnswerRequest({
        baseVersion: 3,
        value: 'partial',
        rationale: '  STRIDE done for the public API only \n',
        evidence: [
          {
            url: ' https://wiki.demo-bank.example/tm ',
            title: ' Threat model ',
          },
          { url: 'http://intranet.example/adr/12' },
        ],
      }),
    ).toEqual({
      ok: true,
      value: {
        baseVersion: 3,
        value: 'partial',
        rationale: 'STRIDE done for the public API only',
        evidence: [
          { url: 'https://wiki.demo-bank.example/tm', title: 'Threat model' },
          { url: 'http://intranet.example/adr/12' },
        ],
      },
    });
    expect(
      validateChecklistAnswerRequest({ baseVersion: 0, value: 'yes' }),
    ).toEqual({
      ok: true,
      value: { baseVersion: 0, value: 'yes', evidence: [] },
    });
  });

  it('stores every line ending as LF: CR, CRLF, NEL, LS and PS', () => {
    const result = validateChecklistAnswerRequest({
      baseVersion: 1,
      value: 'no',
      rationale: 'a\rb\r\nc\u0085d\u2028e\u2029f\ng',
    });
    expect(result).toMatchObject({
      ok: true,
      value: { rationale: 'a\nb\nc\nd\ne\nf\ng' },
    });
    expect(
      validateChecklistAttestationRequest({ baseVersion: 1, comment: 'x\ry' }),
    ).toMatchObject({ value: { comment: 'x\ny' } });
  });

  it('requires a rationale for No, Partially and Not applicable', () => {
    for (const value of ['no', 'partial', 'not-applicable']) {
      expect(
        errorsOf(
          validateChecklistAnswerRequest({
            baseVersion: 1,
            value,
            rationale: '   ',
          }),
        ),
      ).toEqual([`rationale is required when the answer is ${value}`]);
    }
  });

  it('refuses unknown values and fields, missing versions, long text and control characters', () => {
    expect(
      errorsOf(
        validateChecklistAnswerRequest({
          value: 'maybe',
          answeredBy: 'user:default/someone-else',
          rationale: 'x'.repeat(4001),
        }),
      ),
    ).toEqual([
      'unknown field "answeredBy"; allowed: baseVersion, value, rationale, evidence',
      'baseVersion is required: the checklist version the change was made on (a whole number from 0)',
      'value must be one of yes, no, partial, not-applicable',
      'rationale must be at most 4000 characters',
    ]);
    expect(
      errorsOf(
        validateChecklistAnswerRequest({ baseVersion: -1, value: 'yes' }),
      ),
    ).toHaveLength(1);
    expect(
      errorsOf(
        validateChecklistAnswerRequest({ baseVersion: '2', value: 'yes' }),
      ),
    ).toHaveLength(1);
    expect(
      errorsOf(
        validateChecklistAnswerRequest({
          baseVersion: 1,
          value: 'no',
          rationale: 'a\u0000b',
        }),
      ),
    ).toEqual(['rationale must not contain control characters']);
    expect(errorsOf(validateChecklistAnswerRequest('yes'))).toEqual([
      'the body must be a JSON object',
    ]);
  });

  it('accepts only https and http evidence links without credentials', () => {
    const links = (evidence: unknown) =>
      errorsOf(
        validateChecklistAnswerRequest({
          baseVersion: 1,
          value: 'yes',
          evidence,
        }),
      );
    expect(
      links([
        // eslint-disable-next-line no-script-url
        { url: 'javascript:alert(1)' },
        { url: 'file:///etc/passwd' },
        { url: 'https://user:secret@wiki.example/x' },
        { url: '/relative/path' },
        { url: 'https://ok.example', title: 'x'.repeat(201) },
        { url: 'https://ok.example', kind: 'doc' },
        'https://not-an-object.example',
      ]),
    ).toEqual([
      'evidence[0]: url must be an https: or http: URL, not javascript:',
      'evidence[1]: url must be an https: or http: URL, not file:',
      'evidence[2]: url must not contain a user name or password',
      'evidence[3]: url is not an absolute URL',
      'evidence[4]: title must be at most 200 characters',
      'evidence[5]: unknown field "kind"; allowed: url, title',
      'evidence[6] must be an object {url, title}',
    ]);
    expect(links(Array(11).fill({ url: 'https://ok.example' }))).toEqual([
      'evidence must have at most 10 links',
    ]);
    expect(links({ url: 'https://ok.example' })).toEqual([
      'evidence must be a list of {url, title}',
    ]);
    expect(evidenceUrlProblem(`https://ok.example/${'a'.repeat(2048)}`)).toBe(
      'must be at most 2048 characters',
    );
  });
});

describe('validateChecklistExemptionRequest', () => {
  const now = new Date('2026-12-01T12:00:00Z');

  it('takes a date as the end of that day, UTC', () => {
    expect(
      validateChecklistExemptionRequest(
        {
          baseVersion: 4,
          justification: ' Meshing in Q1 ',
          expiresAt: '2027-03-31',
        },
        now,
      ),
    ).toEqual({
      ok: true,
      value: {
        baseVersion: 4,
        justification: 'Meshing in Q1',
        expiresAt: '2027-03-31T23:59:59.999Z',
      },
    });
    expect(parseExpiry('2027-01-15T10:00:00+01:00')?.toISOString()).toBe(
      '2027-01-15T09:00:00.000Z',
    );
    expect(parseExpiry('2027-02-30')).toBeUndefined();
    // `new Date` would store this as 2027-03-02T12:00:00Z.
    expect(parseExpiry('2027-02-30T12:00:00Z')).toBeUndefined();
    expect(parseExpiry('2027-01-15T10:00:00')).toBeUndefined();
  });

  it('requires a justification and an expiry in the future, at most a year away', () => {
    const errors = (body: object) =>
      errorsOf(
        validateChecklistExemptionRequest({ baseVersion: 1, ...body }, now),
      );
    expect(errors({ expiresAt: '2027-01-01' })).toEqual([
      'justification is required',
    ]);
    expect(errors({ justification: 'x', expiresAt: '2026-11-30' })).toEqual([
      'expiresAt must be in the future',
    ]);
    expect(errors({ justification: 'x', expiresAt: '2028-01-01' })).toEqual([
      'expiresAt must be at most 366 days away',
    ]);
    expect(
      errors({ justification: 'x', expiresAt: '2027-02-30T12:00:00Z' }),
    ).toEqual([
      'expiresAt must be a date (2027-03-31) or a date-time with a zone',
    ]);
    expect(errors({ justification: 'x', expiresAt: 'next spring' })).toEqual([
      'expiresAt must be a date (2027-03-31) or a date-time with a zone',
    ]);
    expect(errors({ justification: 'x' })).toEqual([
      'expiresAt is required: a date like 2027-03-31',
    ]);
    expect(
      errors({ justification: 'x', expiresAt: '2027-01-01', approver: 'me' }),
    ).toEqual([
      'unknown field "approver"; allowed: baseVersion, justification, expiresAt',
    ]);
  });
});

describe('validateChecklistAttestationRequest', () => {
  it('takes an optional comment', () => {
    expect(validateChecklistAttestationRequest({ baseVersion: 7 })).toEqual({
      ok: true,
      value: { baseVersion: 7 },
    });
    expect(
      validateChecklistAttestationRequest({
        baseVersion: 7,
        comment: ' Reviewed with Li ',
      }),
    ).toEqual({
      ok: true,
      value: { baseVersion: 7, comment: 'Reviewed with Li' },
    });
    expect(
      errorsOf(
        validateChecklistAttestationRequest({
          baseVersion: 7,
          comment: 'x'.repeat(2001),
        }),
      ),
    ).toEqual(['comment must be at most 2000 characters']);
  });
});
