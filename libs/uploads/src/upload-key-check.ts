import type { EntityManager } from 'typeorm';
import { UploadFailure, UploadFailureCode } from './errors';

/**
 * An upload is processed with the authority of the key that sent it, so that key must still be valid when each batch
 * is recorded, not only when the file arrived: a key revoked because it leaked must not keep writing events from
 * uploads queued before. Checked inside the batch's transaction with a share lock on the key's row, so a revocation
 * either comes before the batch (the batch is refused and rolled back) or waits until it has committed: no event is
 * ever recorded after the key's `revoked_at`. (The enterprise's roles are read by the ledger for every batch.)
 */
export async function assertUploadKeyValid(manager: EntityManager, upload: { id: string; keyId: string; enterpriseId: string }): Promise<void> {
  const rows: { revoked_at: Date | null; enterprise_id: string | null }[] = await manager.query(
    'SELECT revoked_at, enterprise_id FROM api_keys WHERE id = $1 FOR SHARE',
    [upload.keyId],
  );
  const key = rows[0];
  if (key && key.revoked_at === null && key.enterprise_id === upload.enterpriseId) return;
  const when = key?.revoked_at ? ` at ${key.revoked_at.toISOString()}` : '';
  throw new UploadFailure(
    UploadFailureCode.UPLOAD_KEY_REVOKED,
    `The API key that sent this file was revoked${when}: processing stopped. Rows already processed keep their results; send the rest with a valid key.`,
    [{ path: 'apiKey', reason: `revoked${when}` }],
  );
}
