import type { ServerWritableStream } from '@grpc/grpc-js';
import type { EventStore } from '@arbiter/event-store';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { CallWriter } from '../protocol/call-writer';
import { toServiceError } from '../protocol/errors';
import type { UuidFormat } from '../protocol/identifiers';
import type { LiveSubscriptions } from './live-subscriptions';
import { readAll } from './read-all';
import { readStream } from './read-stream';
import { subscribeToAll } from './subscribe-all';
import { subscribeToStream } from './subscribe-stream';

/** Streams.Read carries four operations: reads and subscriptions, of one stream or of $all. */
export function readHandler(store: EventStore, subscriptions: LiveSubscriptions) {
  return async (call: ServerWritableStream<ReadReq, ReadResp>): Promise<void> => {
    const writer = new CallWriter<ReadResp>(call);
    try {
      const options = call.request.getOptions();
      if (!options) throw new TypeError('a read needs options');
      const uuidFormat: UuidFormat = options.getUuidOption()?.hasStructured() ? 'structured' : 'string';
      const subscription = options.getCountOptionCase() === ReadReq.Options.CountOptionCase.SUBSCRIPTION;
      if (options.hasStream()) {
        if (subscription) await subscribeToStream(store, subscriptions, options, writer, uuidFormat);
        else await readStream(store, options, writer, uuidFormat);
      } else if (options.hasAll()) {
        if (subscription) await subscribeToAll(store, subscriptions, options, writer, uuidFormat);
        else await readAll(store, options, writer, uuidFormat);
      } else throw new TypeError('a read names a stream or $all');
      if (!writer.closed) call.end();
    } catch (error) {
      if (!writer.closed) call.emit('error', toServiceError(error));
    }
  };
}
