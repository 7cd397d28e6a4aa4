import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { EventStore, NewEvent } from '@arbiter/event-store';
import { AllStreamPosition, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { toBatchStatus } from '../protocol/errors';
import { expectedRevision } from '../protocol/expected-revision';
import { streamName, uuidToString } from '../protocol/identifiers';
import { toNewEvent } from '../protocol/proposed-events';

interface PendingBatch {
  correlation: UUID;
  options: BatchAppendReq.Options | undefined;
  events: NewEvent[];
  invalid: unknown;
}

/**
 * Streams.BatchAppend: one long-lived duplex call per client carries many appends, each in
 * chunks under a correlation id (options in the first, `is_final` on the last); every append
 * gets one answer with that id, a failure in-band as a google.rpc.Status.
 */
export function batchAppendHandler(store: EventStore) {
  return (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void => {
    const pending = new Map<string, PendingBatch>();
    const inFlight = new Set<Promise<void>>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId() ?? new UUID();
      const key = correlationKey(correlation);
      const batch = pending.get(key) ?? { correlation, options: request.getOptions(), events: [], invalid: null };
      pending.set(key, batch);
      try {
        for (const message of request.getProposedMessagesList()) batch.events.push(toNewEvent(message));
      } catch (error) {
        batch.invalid ??= error;
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);
      const done = appendBatch(store, batch).then((response) => {
        if (!call.cancelled) call.write(response);
      });
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    });
    call.on('end', () => {
      void Promise.allSettled([...inFlight]).then(() => call.end());
    });
  };
}

function correlationKey(correlation: UUID): string {
  try {
    return uuidToString(correlation);
  } catch {
    return '';
  }
}

async function appendBatch(store: EventStore, batch: PendingBatch): Promise<BatchAppendResp> {
  const response = new BatchAppendResp().setCorrelationId(batch.correlation);
  const options = batch.options;
  if (options) response.setStreamIdentifier(options.getStreamIdentifier() ?? new StreamIdentifier());
  try {
    if (batch.invalid) throw batch.invalid;
    if (!options) throw new TypeError('the first chunk of a batch append carries its options');
    const stream = streamName(options.getStreamIdentifier());
    const expected = expectedRevision(options, () => (options.hasStreamPosition() ? options.getStreamPosition() : undefined));
    const result = await store.append(stream, batch.events, expected);
    const position = new AllStreamPosition().setCommitPosition(result.position.commit.toString(10)).setPreparePosition(result.position.prepare.toString(10));
    return response.setSuccess(new BatchAppendResp.Success().setCurrentRevision(result.nextExpectedRevision.toString(10)).setPosition(position));
  } catch (error) {
    return response.setError(toBatchStatus(error));
  }
}
