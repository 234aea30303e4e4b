import { MeshPostureClient } from '../api';

/** Where the tests' msw handlers serve the backend. */
export const TEST_BASE_URL = 'http://localhost:7007/api/mesh-posture';

/** The real client, talking to msw through the global fetch. */
export function testMeshPostureClient(): MeshPostureClient {
  return new MeshPostureClient({
    discoveryApi: { getBaseUrl: async () => TEST_BASE_URL },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
}

/**
 * jsdom lays nothing out, so every box is 0×0 and recharts would skip the
 * charts: give elements the size they have in a browser, for each test.
 */
export function mockLayout(width: number, height: number) {
  beforeEach(() => {
    jest.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({
      width,
      height,
      top: 0,
      left: 0,
      right: width,
      bottom: height,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
  });
  afterEach(() => jest.restoreAllMocks());
}
