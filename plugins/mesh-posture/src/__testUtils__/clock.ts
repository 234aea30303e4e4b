/** When the fixtures were read: the tests' "now". */
export const TEST_NOW = '2026-11-22T10:00:00.000Z';

/**
 * Sets `Date.now()` to read `at` in each test, still ticking, so that
 * relative times ("in 12 days", "3 hours ago") are the same on every run.
 */
export function pretendNow(at: string = TEST_NOW) {
  let spy: jest.SpyInstance | undefined;
  beforeEach(() => {
    const realNow = Date.now;
    const offset = Date.parse(at) - realNow();
    spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
  });
  afterEach(() => spy?.mockRestore());
}
