import type { Bus, ConsumeOptions, Consumer } from './bus';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SuperviseHooks {
  onFailure?: (error: unknown, attempt: number) => void;
  maxDelayMs?: number;
}

/**
 * Keeps a consumer running: when it fails (the broker went away, a handler gave up) it is
 * started again after a backoff, from the last committed offsets, until stopped.
 */
export function consumeWithRestarts(bus: Bus, options: ConsumeOptions, hooks: SuperviseHooks = {}): Consumer {
  let current: Consumer | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;
  const done = (async () => {
    for (let attempt = 0; !stopped; ) {
      try {
        current = await bus.consume(options);
        if (stopped) return await current.stop();
        await current.done;
        attempt = 0;
      } catch (error) {
        if (stopped) return;
        attempt++;
        hooks.onFailure?.(error, attempt);
      }
      if (stopped) return;
      await Promise.race([sleep(Math.min(hooks.maxDelayMs ?? 15_000, 250 * 2 ** Math.min(attempt, 10))), new Promise<void>((r) => (wake = r))]);
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      wake?.();
      await current?.stop();
      await done;
    },
  };
}
