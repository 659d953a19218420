// One user action at a time (a save, a test, a removal): `working` while it runs, so its buttons
// wait, and `failure` says why the last one failed. Reactive, for the forms that show both.

import { errorMessage } from './errors';

export class Attempt {
  working = $state(false);
  failure = $state<string | null>(null);

  /** Runs `action`; a rejection becomes `failure` (never thrown on). */
  async run(action: () => Promise<void>): Promise<void> {
    this.working = true;
    this.failure = null;
    try {
      await action();
    } catch (error) {
      this.failure = errorMessage(error);
    } finally {
      this.working = false;
    }
  }
}
