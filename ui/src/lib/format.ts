// Pure formatting for what the grid and status bar show. Kept free of DOM and Svelte so it is
// unit-tested directly (format.test.ts).

import type { AccountStatus } from './bindings';

// The UI's words are English, so its numbers are too, whatever the system locale.
const numbers = new Intl.NumberFormat('en-US');

/** "1 asset", "12 assets", "12,345 assets". */
export function formatCount(count: number, noun: string): string {
  return `${numbers.format(count)} ${noun}${count === 1 ? '' : 's'}`;
}

// Decimal units (1 KB = 1000 bytes), as file managers on Linux and macOS show them.
const SIZE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** "812 B", "24.1 KB", "512 KB", "2.3 MB": one decimal below 100, none from 100 on. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  // Pick the unit after rounding, so 999,960 bytes reads "1.0 MB" rather than "1000.0 KB".
  while (unit < SIZE_UNITS.length - 1 && roundForDisplay(value) >= 1000) {
    value /= 1000;
    unit += 1;
  }
  const shown = roundForDisplay(value);
  return `${shown < 100 ? shown.toFixed(1) : shown.toFixed(0)} ${SIZE_UNITS[unit]}`;
}

function roundForDisplay(value: number): number {
  return value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
}

/** "0:07", "1:00", "59:59", "1:00:00". Anything audible reads at least "0:01". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const total = seconds > 0 ? Math.max(1, Math.round(seconds)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "512×512", or null when either side is unknown. */
export function formatDimensions(width: number | null, height: number | null): string | null {
  return width != null && height != null ? `${width}×${height}` : null;
}

/**
 * Where an asset is used, from the counts the account last reported: "3 videos · 1 template",
 * "not used", or "—" when the account never reported them.
 */
export function formatUsage(videos: number | null, templates: number | null): string {
  if (videos == null && templates == null) return '—';
  const parts: string[] = [];
  if (videos) parts.push(formatCount(videos, 'video'));
  if (templates) parts.push(formatCount(templates, 'template'));
  return parts.length > 0 ? parts.join(' · ') : 'not used';
}

/** The tile's usage badge ("3 uses", with the counts spelled out as its title), or null when unused or unknown. */
export function usageBadge(videos: number | null, templates: number | null): { text: string; title: string } | null {
  const uses = (videos ?? 0) + (templates ?? 0);
  if (uses === 0) return null;
  return { text: formatCount(uses, 'use'), title: `Used in ${formatUsage(videos, templates)} (as last synced)` };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "2 min ago", "3 h ago", "1 day ago", then the date ("on 2025-03-04"). */
export function formatRelativeTime(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'at an unknown time';
  // A timestamp slightly ahead of this clock (another machine's) still means "just now".
  const elapsed = Math.max(0, now - then);
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  if (elapsed < 30 * DAY) return formatCount(Math.floor(elapsed / DAY), 'day') + ' ago';
  return `on ${new Date(then).toISOString().slice(0, 10)}`;
}

/**
 * One account in the status bar: "Local library · offline: <error> · synced 2 min ago", then how
 * many edits wait for the remote and how many it refused, when there are any.
 */
export function formatAccountStatus(account: AccountStatus, now: number): string {
  const error = account.last_error ? `: ${account.last_error}` : '';
  const synced = account.last_sync_at
    ? `synced ${formatRelativeTime(account.last_sync_at, now)}`
    : 'never synced';
  const pending = account.pending_edits > 0 ? ` · ${formatCount(account.pending_edits, 'edit')} pending` : '';
  const refused = account.rejected_edits > 0 ? ` · ${formatCount(account.rejected_edits, 'edit')} refused` : '';
  return `${account.name} · ${formatConnectivity(account)}${error} · ${synced}${pending}${refused}`;
}

/** "online", "syncing", "syncing 2,000 of 100,000" once a listing reports progress. */
function formatConnectivity(account: AccountStatus): string {
  if (account.connectivity !== 'syncing' || account.sync_listed == null) return account.connectivity;
  const of = account.sync_total == null ? '' : ` of ${numbers.format(account.sync_total)}`;
  return `syncing ${numbers.format(account.sync_listed)}${of}`;
}
