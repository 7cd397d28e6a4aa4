import type { ServerWritableStream } from '@grpc/grpc-js';

/**
 * Writes to a server stream, waiting while the client is slow (gRPC flow control), and tells
 * the caller when the client has gone so it can stop producing.
 */
export class CallWriter<Response> {
  private gone = false;
  private readonly goneListeners: Array<() => void> = [];

  constructor(private readonly call: ServerWritableStream<unknown, Response>) {
    const markGone = () => {
      if (this.gone) return;
      this.gone = true;
      for (const listener of this.goneListeners.splice(0)) listener();
    };
    call.on('cancelled', markGone);
    call.on('close', markGone);
  }

  get closed(): boolean {
    return this.gone || this.call.cancelled;
  }

  onGone(listener: () => void): void {
    if (this.closed) listener();
    else this.goneListeners.push(listener);
  }

  async write(response: Response): Promise<void> {
    if (this.closed) return;
    if (this.call.write(response)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        resolve();
      };
      this.call.on('drain', done);
      this.onGone(done);
    });
  }
}
