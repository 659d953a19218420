// The upload queue as the panel shows it: the items the core reported, kept current from its
// events (a change of state replaces an item; progress only moves its byte count).

import { formatCount } from './format';
import type { UploadItem, UploadState } from './bindings';

/** States with something still to happen (a failure waiting for its retry included). */
export function isActive(item: UploadItem): boolean {
  return (
    item.state === 'probing' ||
    item.state === 'queued' ||
    item.state === 'uploading' ||
    (item.state === 'failed' && item.retry_at !== null)
  );
}

export function canCancel(item: UploadItem): boolean {
  return isActive(item);
}

export function canRetry(item: UploadItem): boolean {
  return (
    (item.state === 'failed' && item.retry_at === null) || item.state === 'cancelled' || item.state === 'rejected'
  );
}

/** The file's name, from its path. */
export function fileName(item: UploadItem): string {
  const parts = item.path.split(/[\\/]/);
  return parts[parts.length - 1] || item.path;
}

/** Why the item is where it is, in words; empty when there is nothing to explain. */
export function reason(item: UploadItem): string {
  switch (item.state) {
    case 'rejected':
      return item.problems.map((problem) => problem.message).join('; ');
    case 'duplicate':
      return item.asset_id ? `Already in the library as ${item.asset_id}` : (item.error ?? 'Already queued');
    case 'failed':
      return item.error ?? '';
    default:
      return '';
  }
}

/** Fraction sent, 0 to 1 (done is 1 whatever the byte count says). */
export function fraction(item: UploadItem): number {
  if (item.state === 'done') return 1;
  if (!item.size) return 0;
  return Math.min(1, item.bytes_sent / item.size);
}

export type Summary = Record<UploadState, number> & { sent: number; total: number };

/** Counts per state, and the bytes sent of everything still active (for the overall bar). */
export function summarize(items: Iterable<UploadItem>): Summary {
  const summary: Summary = {
    probing: 0,
    rejected: 0,
    duplicate: 0,
    queued: 0,
    uploading: 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    sent: 0,
    total: 0,
  };
  for (const item of items) {
    summary[item.state] += 1;
    if (isActive(item) && item.size) {
      summary.sent += item.bytes_sent;
      summary.total += item.size;
    }
  }
  return summary;
}

/** "2 uploading · 3 waiting · 1 rejected": what the queue holds, for the panel and the status bar. */
export function queueHeadline(summary: Summary): string {
  return [
    summary.uploading && `${summary.uploading} uploading`,
    summary.probing + summary.queued && `${summary.probing + summary.queued} waiting`,
    summary.done && `${summary.done} done`,
    summary.duplicate && `${formatCount(summary.duplicate, 'duplicate')} skipped`,
    summary.rejected && `${summary.rejected} rejected`,
    summary.failed && `${summary.failed} failed`,
  ]
    .filter(Boolean)
    .join(' · ');
}

export class UploadList {
  /** Newest first, as the core lists them. */
  items = $state<UploadItem[]>([]);

  load(items: UploadItem[]): void {
    this.items = [...items].sort((a, b) => b.id - a.id);
  }

  /** A new state for an item (or a new item, which goes on top). */
  changed(upload: UploadItem): void {
    const at = this.items.findIndex((item) => item.id === upload.id);
    if (at >= 0) this.items[at] = upload;
    else this.items = [upload, ...this.items].sort((a, b) => b.id - a.id);
  }

  progress(id: number, bytesSent: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (item && item.state === 'uploading') item.bytes_sent = bytesSent;
  }

  get summary(): Summary {
    return summarize(this.items);
  }

  get active(): boolean {
    return this.items.some(isActive);
  }
}
