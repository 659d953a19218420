import { describe, expect, it } from 'vitest';

import type { Connectivity } from './bindings';
import { roundUrl, ThumbnailRounds } from './thumbnailRounds.svelte';

const status = (connectivity: Connectivity, account_id = 'acct_team') => ({ account_id, connectivity });

/** Rounds whose core is a list of the times it was told to forget, seen by `round` then. */
function counting() {
  const forgotten: number[] = [];
  const rounds: ThumbnailRounds = new ThumbnailRounds(async () => forgotten.push(rounds.round));
  return { rounds, forgotten };
}

describe('ThumbnailRounds', () => {
  it('starts a round when an offline account comes back online, the core told first', async () => {
    const { rounds, forgotten } = counting();
    expect(await rounds.observe([status('offline')])).toBe(false);
    expect(await rounds.observe([status('syncing')])).toBe(false);
    expect(rounds.round).toBe(0);
    expect(await rounds.observe([status('online')])).toBe(true);
    expect(rounds.round).toBe(1);
    expect(forgotten).toEqual([0]); // before the round moved on
    // Staying online (and syncing again) is no new round.
    expect(await rounds.observe([status('syncing')])).toBe(false);
    expect(await rounds.observe([status('online')])).toBe(false);
    expect(rounds.round).toBe(1);
    expect(forgotten).toHaveLength(1);
  });

  it('counts an account first seen unknown, then online, as back', async () => {
    const { rounds } = counting();
    await rounds.observe([status('unknown')]);
    expect(await rounds.observe([status('online')])).toBe(true);
  });

  it('starts no round for an account first seen online, nor for one that fails again', async () => {
    const { rounds, forgotten } = counting();
    expect(await rounds.observe([status('online')])).toBe(false);
    expect(await rounds.observe([status('offline', 'acct_other')])).toBe(false);
    expect(await rounds.observe([status('online'), status('offline', 'acct_other')])).toBe(false);
    expect(rounds.round).toBe(0);
    expect(forgotten).toEqual([]);
  });

  it('starts one round however many accounts come back at once', async () => {
    const { rounds } = counting();
    await rounds.observe([status('offline', 'a'), status('offline', 'b')]);
    await rounds.observe([status('online', 'a'), status('online', 'b')]);
    expect(rounds.round).toBe(1);
  });

  it('still starts the round when the core cannot be told', async () => {
    const rounds = new ThumbnailRounds(() => Promise.reject(new Error('the window is closing')));
    await rounds.observe([status('offline')]);
    expect(await rounds.observe([status('online')])).toBe(true);
    expect(rounds.round).toBe(1);
  });
});

describe('roundUrl', () => {
  it('keeps the plain address for the first request and makes a new one for each retry', () => {
    const url = 'thumb://localhost/acct/asset_1/256';
    expect(roundUrl(url, 0)).toBe(url);
    expect(roundUrl(url, 2)).toBe(`${url}?round=2`);
  });
});
