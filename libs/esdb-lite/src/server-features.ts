import type { sendUnaryData, ServerUnaryCall, ServiceDefinition } from '@grpc/grpc-js';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';

export const SERVER_VERSION = 'esdb-lite (EventStoreDB gRPC protocol)';

/**
 * ServerFeatures.GetSupportedMethods: the client asks once per connection and, among other
 * things, appends through BatchAppend only when it is listed.
 */
export function supportedMethodsHandler(services: ServiceDefinition[]) {
  const methods = services.flatMap((service) =>
    Object.values(service).map((method) => {
      const [, serviceName, methodName] = method.path.split('/');
      return new SupportedMethod().setServiceName(serviceName.toLowerCase()).setMethodName(methodName.toLowerCase());
    }),
  );
  const answer = new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(SERVER_VERSION);
  return (_call: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>): void => callback(null, answer);
}
