// Thumbnails that failed while their server was unreachable are asked for again once it answers.
// An account whose sync succeeds after it was offline starts a new round; a tile whose picture
// failed in an earlier round asks again (under a new address, so the web view cannot answer from
// what it remembers of the failure). Tiles whose pictures loaded are left alone.

import { invoke } from '@tauri-apps/api/core';

import type { AccountStatus } from './bindings';

export class ThumbnailRounds {
  /** Moves on when an account is back online. */
  round = $state(0);
  /** Each account's last settled state: online or not (syncing settles nothing). */
  readonly #online = new Map<string, boolean>();
  readonly #forgetFailures: () => Promise<unknown>;

  /** `forgetFailures`: has the core ask servers that did not answer again at once. */
  constructor(forgetFailures: () => Promise<unknown>) {
    this.#forgetFailures = forgetFailures;
  }

  /**
   * The accounts as the status now reports them. When one that was offline (or not yet known)
   * is online, the core first forgets which servers did not answer, then a new round starts;
   * resolves to whether one did.
   */
  async observe(accounts: Pick<AccountStatus, 'account_id' | 'connectivity'>[]): Promise<boolean> {
    let back = false;
    for (const { account_id, connectivity } of accounts) {
      if (connectivity === 'syncing') continue;
      const online = connectivity === 'online';
      if (online && this.#online.get(account_id) === false) back = true;
      this.#online.set(account_id, online);
    }
    if (!back) return false;
    // Should the core not be told, the tiles still ask: they are refused until the back-off ends.
    await this.#forgetFailures().catch(() => undefined);
    this.round += 1;
    return true;
  }
}

export const thumbnailRounds = new ThumbnailRounds(() => invoke('thumbnails_retry'));

/** The address a tile asks for its picture in `round` (0: the first time, the plain address). */
export function roundUrl(url: string, round: number): string {
  return round > 0 ? `${url}?round=${round}` : url;
}
