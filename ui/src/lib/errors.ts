/**
 * The text to show for a failed call. Trove's commands reject with their message as a plain
 * string; the IPC layer itself (or a bug) rejects with an Error.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
