// The settings screen's logic, kept out of its components so it is unit-tested
// (settings.test.ts): the blank account form, what a connection test found in words, the
// tags field, and the sync intervals offered.

import type { AccountForm, AccountSettings, ConnectionReport, UnsentWork } from './bindings';
import { formatCount } from './format';

/** Intervals offered between two full syncs, in minutes. */
export const SYNC_INTERVALS: { minutes: number; label: string }[] = [
  { minutes: 1, label: 'Every minute' },
  { minutes: 5, label: 'Every 5 minutes' },
  { minutes: 15, label: 'Every 15 minutes' },
  { minutes: 60, label: 'Every hour' },
  { minutes: 360, label: 'Every 6 hours' },
  { minutes: 1440, label: 'Once a day' },
];

/** The intervals to offer: the standard ones, plus the current one when it is not among them. */
export function intervalChoices(current: number): { minutes: number; label: string }[] {
  if (SYNC_INTERVALS.some((choice) => choice.minutes === current)) return SYNC_INTERVALS;
  const label = current % 60 === 0 ? `Every ${current / 60} hours` : `Every ${current} minutes`;
  return [...SYNC_INTERVALS, { minutes: current, label }].sort((a, b) => a.minutes - b.minutes);
}

export function blankForm(provider: string): AccountForm {
  return { name: '', provider, base_url: '', api_key: '' };
}

/** The form for changing `account`: its key is never read back, so the field starts empty. */
export function formFor(account: AccountSettings): AccountForm {
  return { name: account.name, provider: account.provider, base_url: account.base_url, api_key: '' };
}

/** What the form still lacks before it can be saved, or null when it is complete. */
export function missingField(form: AccountForm, adding: boolean): string | null {
  if (form.name.trim() === '') return 'Give the account a name.';
  if (form.base_url.trim() === '') return 'Enter the address of the account’s API.';
  if (adding && form.api_key.trim() === '') return 'Enter the API key.';
  return null;
}

/** "Connected: 1,284 assets", or how much the first page held when the API gives no total. */
export function describeConnection(report: ConnectionReport): string {
  if (report.total !== null) return `Connected: ${formatCount(report.total, 'asset')}`;
  return `Connected: ${formatCount(report.first_page, 'asset')} on the first page`;
}

/** Tags typed as "a, b ,,c": trimmed, empty ones dropped, each once. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}

/** Why removing an account asks again: "Team has 2 edits and 1 upload not sent yet. …" */
export function describeUnsent(work: UnsentWork): string {
  const parts = [
    work.edits > 0 ? formatCount(work.edits, 'edit') : null,
    work.uploads > 0 ? formatCount(work.uploads, 'upload') : null,
  ].filter((part) => part !== null);
  const them = work.edits + work.uploads > 1 ? 'them' : 'it';
  return `${work.name} has ${parts.join(' and ')} not sent yet. Removing it discards ${them}.`;
}
