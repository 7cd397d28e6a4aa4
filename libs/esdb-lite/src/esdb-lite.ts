import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { EventStore } from '@arbiter/event-store';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { gossipHandler } from './gossip';
import { supportedMethodsHandler } from './server-features';
import { appendHandler } from './streams/append';
import { batchAppendHandler } from './streams/batch-append';
import { deleteHandler, tombstoneHandler } from './streams/delete';
import { LiveSubscriptions } from './streams/live-subscriptions';
import { readHandler } from './streams/read';
import { UNIMPLEMENTED_SERVICES, unimplementedHandlers } from './unimplemented-services';

export interface EsdbLiteOptions {
  /** The store that keeps the events; the server owns it from here and closes it on close(). */
  store: EventStore;
  /** 0 (the default) picks a free port; read it back from the result. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface EsdbLite {
  /** The connection string for the official clients: `esdb://host:port?tls=false`. */
  url: string;
  host: string;
  port: number;
  /** Ends every call (subscribers see the server go away), then closes the store. */
  close(): Promise<void>;
}

/** EventStoreDB sizes events up to 16 MB; the official client accepts 17 MB messages. */
const MAX_MESSAGE_BYTES = 17 * 1024 * 1024;
/** Clients keep their BatchAppend call open for good, so a graceful shutdown only waits this long. */
const GRACEFUL_SHUTDOWN_MS = 250;

/**
 * A development server that speaks EventStoreDB's gRPC protocol, insecure mode only, over an
 * event store behind the port: the official clients connect to it as to EventStoreDB.
 */
export async function startEsdbLite(options: EsdbLiteOptions): Promise<EsdbLite> {
  const host = options.host ?? '127.0.0.1';
  const { store } = options;
  const subscriptions = new LiveSubscriptions(store);
  const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES });
  const address = { host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port: 0 };
  server.addService(StreamsService, {
    read: readHandler(store, subscriptions),
    append: appendHandler(store),
    batchAppend: batchAppendHandler(store),
    delete: deleteHandler(store),
    tombstone: tombstoneHandler(store),
  });
  server.addService(GossipService, { read: gossipHandler(() => address) });
  server.addService(ServerFeaturesService, { getSupportedMethods: supportedMethodsHandler([StreamsService, GossipService, ServerFeaturesService]) });
  for (const { name, service } of UNIMPLEMENTED_SERVICES) server.addService(service, unimplementedHandlers(name, service));
  try {
    address.port = await bind(server, `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`);
  } catch (error) {
    server.forceShutdown();
    await store.close();
    throw new Error(`esdb-lite could not listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`);
  }
  let closing: Promise<void> | null = null;
  return {
    url: `esdb://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}?tls=false`,
    host: address.host,
    port: address.port,
    close: () => (closing ??= shutDown(server, subscriptions, store)),
  };
}

function bind(server: Server, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(target, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
  });
}

async function shutDown(server: Server, subscriptions: LiveSubscriptions, store: EventStore): Promise<void> {
  await subscriptions.closeAll();
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, GRACEFUL_SHUTDOWN_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
  await store.close();
}
