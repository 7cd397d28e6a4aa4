import type { ServerWritableStream, ServiceDefinition, UntypedHandleCall, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { MonitoringService } from '@eventstore/db-client/generated/monitoring_grpc_pb';
import { OperationsService } from '@eventstore/db-client/generated/operations_grpc_pb';
import { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { ProjectionsService } from '@eventstore/db-client/generated/projections_grpc_pb';
import { UsersService } from '@eventstore/db-client/generated/users_grpc_pb';
import { unimplemented } from './protocol/errors';

/** What esdb-lite leaves to EventStoreDB, by the name a user knows it under. */
export const UNIMPLEMENTED_SERVICES: Array<{ name: string; service: ServiceDefinition }> = [
  { name: 'persistent subscriptions', service: PersistentSubscriptionsService },
  { name: 'projections', service: ProjectionsService },
  { name: 'users', service: UsersService },
  { name: 'operations', service: OperationsService },
  { name: 'monitoring', service: MonitoringService },
];

/**
 * Every method of the service answers UNIMPLEMENTED with a message naming the operation,
 * rather than gRPC's bare "method not found".
 */
export function unimplementedHandlers(name: string, service: ServiceDefinition): UntypedServiceImplementation {
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const [key, method] of Object.entries(service)) {
    const error = unimplemented(`${name} (${method.path})`);
    const failStream = (call: ServerWritableStream<unknown, unknown>) => void call.emit('error', error);
    const failCall = (_call: unknown, callback: sendUnaryData<unknown>) => callback(error);
    handlers[key] = (method.responseStream ? failStream : failCall) as UntypedHandleCall;
  }
  return handlers;
}
