import { FileHandle, open } from 'node:fs/promises';

/**
 * Makes committed WAL frames durable without blocking the event loop. SQLite commits with
 * `synchronous=NORMAL` (a write, no fsync); this then fsyncs the WAL file on libuv's thread
 * pool, which is exactly the sync `synchronous=FULL` would have done inside the commit. Commits
 * that happen while a sync runs share the next one.
 */
export class WalSync {
  private handle: Promise<FileHandle> | null = null;
  private running: Promise<void> | null = null;
  private again: Promise<void> | null = null;

  constructor(private readonly walFile: string) {}

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.fsync().finally(() => (this.running = null));
      return this.running;
    }
    // A sync already running may have started before our commit: wait for the next one.
    this.again ??= this.running.then(() => {
      this.again = null;
      return this.sync();
    });
    return this.again;
  }

  private async fsync(): Promise<void> {
    this.handle ??= open(this.walFile, 'r');
    await (await this.handle).sync();
  }

  async close(): Promise<void> {
    await this.running;
    await this.again;
    await (await this.handle?.catch(() => null))?.close();
    this.handle = null;
  }
}
