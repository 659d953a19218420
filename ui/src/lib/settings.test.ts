import { describe, expect, it } from 'vitest';

import type { AccountSettings } from './bindings';
import { blankForm, describeConnection, describeUnsent, formFor, intervalChoices, missingField, parseTags, SYNC_INTERVALS } from './settings';

describe('settings', () => {
  it('offers the standard intervals, and keeps a non-standard current one among them in order', () => {
    expect(intervalChoices(5)).toBe(SYNC_INTERVALS);
    const choices = intervalChoices(120);
    expect(choices.map((c) => c.minutes)).toEqual([1, 5, 15, 60, 120, 360, 1440]);
    expect(choices.find((c) => c.minutes === 120)?.label).toBe('Every 2 hours');
    expect(intervalChoices(7).find((c) => c.minutes === 7)?.label).toBe('Every 7 minutes');
  });

  it('asks for what the form lacks, the key only when adding', () => {
    const form = blankForm('local');
    expect(missingField(form, true)).toBe('Give the account a name.');
    form.name = 'Team';
    expect(missingField(form, true)).toBe('Enter the address of the account’s API.');
    form.base_url = 'https://assets.example.com';
    expect(missingField(form, true)).toBe('Enter the API key.');
    expect(missingField(form, false)).toBeNull();
    form.api_key = '  ';
    expect(missingField(form, true)).toBe('Enter the API key.');
    form.api_key = 'k';
    expect(missingField(form, true)).toBeNull();
  });

  it('starts a change from the account without its key', () => {
    const account: AccountSettings = {
      id: 'acc_1',
      name: 'Team',
      provider: 'local',
      base_url: 'http://127.0.0.1:8080',
      key_source: 'the OS keychain',
      editable: true,
    };
    expect(formFor(account)).toEqual({ name: 'Team', provider: 'local', base_url: 'http://127.0.0.1:8080', api_key: '' });
  });

  it('says what a connection test found', () => {
    expect(describeConnection({ total: 1284, first_page: 20 })).toBe('Connected: 1,284 assets');
    expect(describeConnection({ total: 1, first_page: 1 })).toBe('Connected: 1 asset');
    expect(describeConnection({ total: null, first_page: 20 })).toBe('Connected: 20 assets on the first page');
  });

  it('reads a tags field', () => {
    expect(parseTags(' spring, hero ,,spring, ')).toEqual(['spring', 'hero']);
    expect(parseTags('')).toEqual([]);
  });

  it('says what removing an account would discard', () => {
    expect(describeUnsent({ name: 'Team', edits: 2, uploads: 1 })).toBe(
      'Team has 2 edits and 1 upload not sent yet. Removing it discards them.',
    );
    expect(describeUnsent({ name: 'Team', edits: 1, uploads: 0 })).toBe('Team has 1 edit not sent yet. Removing it discards it.');
    expect(describeUnsent({ name: 'Team', edits: 0, uploads: 3 })).toBe('Team has 3 uploads not sent yet. Removing it discards them.');
  });
});
