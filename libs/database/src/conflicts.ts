/**
 * The one retry policy for transactions that lost a race. A unique violation (23505), serialization failure (40001)
 * or deadlock (40P01) means a concurrent transaction touched the same rows first; running the whole transaction again
 * resolves it, since the rerun sees the other's rows (a second registration of a battery becomes a duplicate or a
 * conflict, not an error). Used by the ledger's ingest and by bulk uploads' batches.
 */
const RETRYABLE_CONFLICTS: ReadonlySet<string> = new Set(['23505', '40001', '40P01']);

/**
 * Attempts in all, the first included, before such a conflict is reported as an error. Each rerun sees more of the
 * competing rows, so a fourth attempt that still conflicts means a contention that retrying does not solve.
 */
export const CONFLICT_ATTEMPTS = 4;

/** Whether the error is a conflict that running the whole transaction again resolves (see CONFLICT_ATTEMPTS). */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CONFLICTS.has(code);
}
