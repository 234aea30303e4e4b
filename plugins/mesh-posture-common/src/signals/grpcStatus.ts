/** gRPC status codes by number, as in grpc/doc/statuscodes.md. */
const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/**
 * A failed request's status for people: `HTTP 503`, `HTTP 0 (no response)`,
 * `gRPC UNAVAILABLE (14)`. The meshes label gRPC statuses by number.
 * @public
 */
export function describeStatus(
  protocol: 'http' | 'grpc',
  status: string,
): string {
  if (protocol === 'http') {
    if (status === '0') return 'HTTP 0 (no response)';
    return /^\d{3}$/.test(status) ? `HTTP ${status}` : status;
  }
  const code = /^\d{1,2}$/.test(status) ? Number(status) : NaN;
  const name = GRPC_STATUS_NAMES[code];
  return name ? `gRPC ${name} (${code})` : `gRPC ${status}`;
}
