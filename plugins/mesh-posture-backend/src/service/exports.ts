import { createHash } from 'node:crypto';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Response } from 'express';

/** The headers an export's integrity and provenance travel in. */
export const EXPORT_HEADERS = {
  sha256: 'X-Mesh-Posture-SHA256',
  generatedAt: 'X-Mesh-Posture-Generated-At',
  generatedBy: 'X-Mesh-Posture-Generated-By',
} as const;

/** Who an export is generated for, as the evidence names them. */
export function exportActor(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? 'a service';
}

/**
 * Sends an export with the SHA-256 of its exact bytes (RFC 9530
 * `Content-Digest`, and in hex, as an assessor quotes it) and when and for
 * whom it was generated: what an auditor needs to show the file they hold
 * is the one the portal produced. The body itself names the same time and
 * person (and, for evidence, stable ids), so the file stands alone too.
 */
export function sendExport(
  res: Response,
  e: {
    body: string;
    contentType: string;
    generatedAt: string;
    generatedBy: string;
    /** Served as an attachment with this name; inline without. */
    filename?: string;
  },
): void {
  const bytes = Buffer.from(e.body, 'utf8');
  const digest = createHash('sha256').update(bytes);
  const hex = digest.copy().digest('hex');
  res
    .status(200)
    .type(e.contentType)
    .set('Content-Digest', `sha-256=:${digest.digest('base64')}:`)
    .set(EXPORT_HEADERS.sha256, hex)
    .set(EXPORT_HEADERS.generatedAt, e.generatedAt)
    .set(EXPORT_HEADERS.generatedBy, e.generatedBy)
    // The portal's frontend runs on another origin: let it read them.
    .set(
      'Access-Control-Expose-Headers',
      [
        'Content-Disposition',
        'Content-Digest',
        ...Object.values(EXPORT_HEADERS),
      ].join(', '),
    );
  if (e.filename) {
    res.set('Content-Disposition', `attachment; filename="${e.filename}"`);
  }
  res.send(bytes);
}
