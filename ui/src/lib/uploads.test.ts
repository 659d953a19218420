import { describe, expect, it } from 'vitest';

import type { UploadItem } from './bindings';
import { canCancel, canRetry, fileName, fraction, reason, summarize, UploadList } from './uploads.svelte';

function item(id: number, overrides: Partial<UploadItem> = {}): UploadItem {
  return {
    id,
    account_id: 'acc',
    path: `/home/me/Inbox/file-${id}.png`,
    name: `file-${id}`,
    tags: [],
    origin: 'drop',
    state: 'queued',
    size: 1000,
    bytes_sent: 0,
    kind: 'image',
    problems: [],
    error: null,
    retry_at: null,
    attempts: 0,
    asset_id: null,
    updated_at: '2026-11-23T10:00:00Z',
    ...overrides,
  };
}

describe('upload items', () => {
  it('says why a file was not sent', () => {
    const rejected = item(1, {
      state: 'rejected',
      problems: [
        { code: 'format_extension_mismatch', message: 'a.jpg: the name says jpeg but the bytes are png' },
        { code: 'media_filesize_too_large', message: 'a.jpg: 12 MiB is over the limit of 10 MiB' },
      ],
    });
    expect(reason(rejected)).toBe(
      'a.jpg: the name says jpeg but the bytes are png; a.jpg: 12 MiB is over the limit of 10 MiB',
    );
    expect(reason(item(2, { state: 'duplicate', asset_id: 'asset_9' }))).toBe('Already in the library as asset_9');
    expect(reason(item(3, { state: 'duplicate', error: 'the same bytes as upload #1, already queued' }))).toBe(
      'the same bytes as upload #1, already queued',
    );
    expect(reason(item(4, { state: 'failed', error: 'HTTP 500' }))).toBe('HTTP 500');
    expect(reason(item(5))).toBe('');
  });

  it('offers cancel while something is left to do, retry once it has ended badly', () => {
    expect(canCancel(item(1, { state: 'uploading' }))).toBe(true);
    expect(canCancel(item(1, { state: 'failed', retry_at: '2026-11-23T10:00:05Z' }))).toBe(true);
    expect(canRetry(item(1, { state: 'failed', retry_at: '2026-11-23T10:00:05Z' }))).toBe(false);
    expect(canRetry(item(1, { state: 'failed' }))).toBe(true);
    expect(canRetry(item(1, { state: 'cancelled' }))).toBe(true);
    expect(canCancel(item(1, { state: 'done' }))).toBe(false);
    expect(canRetry(item(1, { state: 'done' }))).toBe(false);
  });

  it('names files by their last path part, on any platform', () => {
    expect(fileName(item(1, { path: 'C:\\Users\\me\\logo.png' }))).toBe('logo.png');
    expect(fileName(item(1, { path: '/tmp/clip.mp4' }))).toBe('clip.mp4');
  });

  it('measures progress, and counts the bytes of active uploads only', () => {
    expect(fraction(item(1, { state: 'uploading', bytes_sent: 250 }))).toBe(0.25);
    expect(fraction(item(1, { state: 'done', bytes_sent: 0 }))).toBe(1);
    expect(fraction(item(1, { size: null }))).toBe(0);
    const summary = summarize([
      item(1, { state: 'uploading', bytes_sent: 500 }),
      item(2, { state: 'queued' }),
      item(3, { state: 'done', bytes_sent: 1000 }),
      item(4, { state: 'rejected' }),
    ]);
    expect([summary.uploading, summary.queued, summary.done, summary.rejected]).toEqual([1, 1, 1, 1]);
    expect([summary.sent, summary.total]).toEqual([500, 2000]);
  });
});

describe('UploadList', () => {
  it('keeps the newest first and applies changes and progress in place', () => {
    const list = new UploadList();
    list.load([item(1), item(3), item(2)]);
    expect(list.items.map((i) => i.id)).toEqual([3, 2, 1]);
    list.changed(item(4, { state: 'probing' }));
    expect(list.items[0]?.id).toBe(4);
    list.changed(item(2, { state: 'uploading' }));
    list.progress(2, 640);
    expect(list.items.find((i) => i.id === 2)?.bytes_sent).toBe(640);
    // Progress for an item no longer uploading (a late event) changes nothing.
    list.changed(item(2, { state: 'done', bytes_sent: 1000 }));
    list.progress(2, 700);
    expect(list.items.find((i) => i.id === 2)?.bytes_sent).toBe(1000);
    expect(list.active).toBe(true);
    expect(list.summary.done).toBe(1);
  });
});
