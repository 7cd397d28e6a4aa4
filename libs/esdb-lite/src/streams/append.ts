import type { sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import { EventStore, NewEvent, WrongExpectedVersionError } from '@arbiter/event-store';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { AppendReq, AppendResp } from '@eventstore/db-client/generated/streams_pb';
import { toServiceError } from '../protocol/errors';
import { expectedRevision } from '../protocol/expected-revision';
import { streamName } from '../protocol/identifiers';
import { toNewEvent } from '../protocol/proposed-events';

/**
 * Streams.Append: the options, then the events, on one client stream; one answer. A wrong
 * expected revision is an answer (the client raises WrongExpectedVersionError from it), a
 * deleted stream a failed call.
 */
export function appendHandler(store: EventStore) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    let header: AppendReq.Options | undefined;
    const events: NewEvent[] = [];
    let invalid: unknown = null;
    call.on('data', (request: AppendReq) => {
      try {
        if (request.hasOptions()) header = request.getOptions();
        else if (request.hasProposedMessage()) events.push(toNewEvent(request.getProposedMessage()!));
      } catch (error) {
        invalid ??= error;
      }
    });
    call.on('end', () => {
      if (invalid) return callback(toServiceError(invalid));
      if (!header) return callback(toServiceError(new TypeError('an append starts with its options')));
      appendEvents(store, header, events).then(
        (response) => callback(null, response),
        (error) => callback(toServiceError(error)),
      );
    });
  };
}

async function appendEvents(store: EventStore, header: AppendReq.Options, events: NewEvent[]): Promise<AppendResp> {
  const stream = streamName(header.getStreamIdentifier());
  const expected = expectedRevision(header, () => (header.hasRevision() ? header.getRevision() : undefined));
  try {
    const result = await store.append(stream, events, expected);
    const position = new AppendResp.Position().setCommitPosition(result.position.commit.toString(10)).setPreparePosition(result.position.prepare.toString(10));
    return new AppendResp().setSuccess(new AppendResp.Success().setCurrentRevision(result.nextExpectedRevision.toString(10)).setPosition(position));
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    return new AppendResp().setWrongExpectedVersion(wrongExpectedVersion(error));
  }
}

function wrongExpectedVersion(error: WrongExpectedVersionError): AppendResp.WrongExpectedVersion {
  const answer = new AppendResp.WrongExpectedVersion();
  if (error.actual === 'no_stream') answer.setCurrentNoStream(new Empty());
  else answer.setCurrentRevision(error.actual.toString(10));
  if (error.expected === 'any') answer.setExpectedAny(new Empty());
  else if (error.expected === 'no_stream') answer.setExpectedNoStream(new Empty());
  else if (error.expected === 'stream_exists') answer.setExpectedStreamExists(new Empty());
  else answer.setExpectedRevision(error.expected.toString(10));
  return answer;
}
