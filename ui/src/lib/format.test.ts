import { describe, expect, it } from 'vitest';

import type { AccountStatus } from './bindings';
import {
  formatAccountStatus,
  formatCount,
  formatDimensions,
  formatDuration,
  formatRelativeTime,
  formatSize,
  formatUsage,
  usageBadge,
} from './format';

describe('formatCount', () => {
  it('agrees in number and groups thousands', () => {
    expect(formatCount(0, 'asset')).toBe('0 assets');
    expect(formatCount(1, 'asset')).toBe('1 asset');
    expect(formatCount(12, 'asset')).toBe('12 assets');
    expect(formatCount(12345, 'asset')).toBe('12,345 assets');
    expect(formatCount(1234567, 'asset')).toBe('1,234,567 assets');
  });
});

describe('formatSize', () => {
  it('shows bytes whole below a kilobyte', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(812)).toBe('812 B');
    expect(formatSize(999)).toBe('999 B');
  });

  it('uses decimal units with one decimal below 100', () => {
    expect(formatSize(1000)).toBe('1.0 KB');
    expect(formatSize(24_100)).toBe('24.1 KB');
    expect(formatSize(2_300_000)).toBe('2.3 MB');
    expect(formatSize(1_200_000_000)).toBe('1.2 GB');
    expect(formatSize(3_500_000_000_000)).toBe('3.5 TB');
  });

  it('drops the decimal from 100 on', () => {
    expect(formatSize(512_000)).toBe('512 KB');
    expect(formatSize(99_960)).toBe('100 KB');
  });

  it('moves to the next unit when rounding reaches 1000', () => {
    expect(formatSize(999_499)).toBe('999 KB');
    expect(formatSize(999_960)).toBe('1.0 MB');
  });

  it('stays in terabytes however large', () => {
    expect(formatSize(5_000_000_000_000_000)).toBe('5000 TB');
  });

  it('shows nothing for a nonsensical size', () => {
    expect(formatSize(-1)).toBe('');
    expect(formatSize(Number.NaN)).toBe('');
  });
});

describe('formatDuration', () => {
  it('shows m:ss under an hour', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(60)).toBe('1:00');
    expect(formatDuration(61.4)).toBe('1:01');
    expect(formatDuration(3599)).toBe('59:59');
  });

  it('shows h:mm:ss from an hour on', () => {
    expect(formatDuration(3600)).toBe('1:00:00');
    expect(formatDuration(3661)).toBe('1:01:01');
    expect(formatDuration(36_000)).toBe('10:00:00');
  });

  it('rounds to the nearest second, but never shows a short clip as 0:00', () => {
    expect(formatDuration(1.5)).toBe('0:02');
    expect(formatDuration(0.2)).toBe('0:01');
    expect(formatDuration(59.6)).toBe('1:00');
  });

  it('shows nothing for a nonsensical duration', () => {
    expect(formatDuration(-3)).toBe('');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('');
  });
});

describe('formatDimensions', () => {
  it('needs both sides', () => {
    expect(formatDimensions(512, 512)).toBe('512×512');
    expect(formatDimensions(1920, 1080)).toBe('1920×1080');
    expect(formatDimensions(null, 1080)).toBeNull();
    expect(formatDimensions(1920, null)).toBeNull();
  });
});

describe('formatUsage', () => {
  it('names what uses the asset, leaving out what does not', () => {
    expect(formatUsage(3, 1)).toBe('3 videos · 1 template');
    expect(formatUsage(1, 0)).toBe('1 video');
    expect(formatUsage(0, 2)).toBe('2 templates');
    expect(formatUsage(1200, null)).toBe('1,200 videos');
  });

  it('says when nothing uses it', () => {
    expect(formatUsage(0, 0)).toBe('not used');
    expect(formatUsage(null, 0)).toBe('not used');
  });

  it('shows a dash when the account never reported usage', () => {
    expect(formatUsage(null, null)).toBe('—');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2025-03-04T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('counts minutes, hours and days', () => {
    expect(formatRelativeTime(ago(10_000), now)).toBe('just now');
    expect(formatRelativeTime(ago(60_000), now)).toBe('1 min ago');
    expect(formatRelativeTime(ago(2 * 60_000 + 30_000), now)).toBe('2 min ago');
    expect(formatRelativeTime(ago(59 * 60_000), now)).toBe('59 min ago');
    expect(formatRelativeTime(ago(3 * 3_600_000), now)).toBe('3 h ago');
    expect(formatRelativeTime(ago(24 * 3_600_000), now)).toBe('1 day ago');
    expect(formatRelativeTime(ago(5 * 24 * 3_600_000), now)).toBe('5 days ago');
  });

  it('gives the date past a month', () => {
    expect(formatRelativeTime('2024-12-25T08:00:00Z', now)).toBe('on 2024-12-25');
  });

  it('reads a time slightly in the future as now', () => {
    expect(formatRelativeTime(ago(-5_000), now)).toBe('just now');
  });

  it('accepts RFC 3339 offsets', () => {
    expect(formatRelativeTime('2025-03-04T13:58:00+02:00', now)).toBe('2 min ago');
  });

  it('admits an unreadable time', () => {
    expect(formatRelativeTime('yesterday-ish', now)).toBe('at an unknown time');
  });
});

describe('formatAccountStatus', () => {
  const now = Date.parse('2025-03-04T12:00:00Z');
  const account: AccountStatus = {
    account_id: 'local',
    name: 'Local library',
    provider: 'local',
    connectivity: 'online',
    last_sync_at: '2025-03-04T11:58:00Z',
    last_error: null,
    sync_listed: null,
    sync_total: null,
    asset_count: 3,
    pending_edits: 0,
    rejected_edits: 0,
  };

  it('names the account, its connectivity and its last sync', () => {
    expect(formatAccountStatus(account, now)).toBe('Local library · online · synced 2 min ago');
  });

  it('counts edits waiting for the remote and edits it refused', () => {
    expect(formatAccountStatus({ ...account, pending_edits: 2, rejected_edits: 1 }, now)).toBe(
      'Local library · online · synced 2 min ago · 2 edits pending · 1 edit refused',
    );
  });

  it('says when an account never synced', () => {
    expect(formatAccountStatus({ ...account, connectivity: 'unknown', last_sync_at: null }, now)).toBe(
      'Local library · unknown · never synced',
    );
  });

  it('shows how far a running sync has got', () => {
    const syncing = { ...account, connectivity: 'syncing' as const, sync_listed: 2000, sync_total: 100000 };
    expect(formatAccountStatus(syncing, now)).toBe('Local library · syncing 2,000 of 100,000 · synced 2 min ago');
    expect(formatAccountStatus({ ...syncing, sync_total: null }, now)).toBe(
      'Local library · syncing 2,000 · synced 2 min ago',
    );
    expect(formatAccountStatus({ ...syncing, sync_listed: null }, now)).toBe(
      'Local library · syncing · synced 2 min ago',
    );
  });

  it('carries the last error', () => {
    const offline = { ...account, connectivity: 'offline' as const, last_error: 'connection refused' };
    expect(formatAccountStatus(offline, now)).toBe(
      'Local library · offline: connection refused · synced 2 min ago',
    );
  });
});

describe('usageBadge', () => {
  it('counts every use, and spells them out in its title', () => {
    expect(usageBadge(3, 1)).toEqual({ text: '4 uses', title: 'Used in 3 videos · 1 template (as last synced)' });
    expect(usageBadge(1, null)).toEqual({ text: '1 use', title: 'Used in 1 video (as last synced)' });
    expect(usageBadge(0, 2)?.text).toBe('2 uses');
  });

  it('shows nothing for an asset not in use, or whose use is unknown', () => {
    expect(usageBadge(0, 0)).toBeNull();
    expect(usageBadge(null, null)).toBeNull();
  });
});
