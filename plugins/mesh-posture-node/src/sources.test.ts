import { SourceError } from './sources';

describe('SourceError', () => {
  it('carries the named status and a user-facing message', () => {
    const error = new SourceError('timeout', 'no answer within 5000 ms');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SourceError');
    expect(error.status).toBe('timeout');
    expect(error.message).toBe('no answer within 5000 ms');
  });
});
