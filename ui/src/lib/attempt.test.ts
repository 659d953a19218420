import { describe, expect, it } from 'vitest';

import { Attempt } from './attempt.svelte';

describe('Attempt', () => {
  it('is working while the action runs and clears an earlier failure', async () => {
    const attempt = new Attempt();
    attempt.failure = 'an earlier failure';
    let release: () => void = () => {};
    const running = attempt.run(() => new Promise<void>((resolve) => (release = resolve)));
    expect(attempt.working).toBe(true);
    expect(attempt.failure).toBeNull();
    release();
    await running;
    expect(attempt.working).toBe(false);
    expect(attempt.failure).toBeNull();
  });

  it('keeps why the action failed, and never rejects', async () => {
    const attempt = new Attempt();
    await expect(attempt.run(() => Promise.reject('the address must be an http:// URL'))).resolves.toBeUndefined();
    expect(attempt.failure).toBe('the address must be an http:// URL');
    expect(attempt.working).toBe(false);
  });
});
