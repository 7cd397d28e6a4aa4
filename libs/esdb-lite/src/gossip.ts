import { randomUUID } from 'node:crypto';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import { uuidFromString } from './protocol/identifiers';
import { ticks } from './protocol/positions';

/** Gossip.Read: a cluster of one, the leader, so `esdb+discover://` connection strings work too. */
export function gossipHandler(address: () => { host: string; port: number }) {
  const instanceId = uuidFromString(randomUUID(), 'string');
  return (_call: ServerUnaryCall<Empty, ClusterInfo>, callback: sendUnaryData<ClusterInfo>): void => {
    const { host, port } = address();
    const member = new MemberInfo()
      .setInstanceId(instanceId)
      .setTimeStamp(ticks(new Date()))
      .setState(MemberInfo.VNodeState.LEADER)
      .setIsAlive(true)
      .setHttpEndPoint(new EndPoint().setAddress(host).setPort(port));
    callback(null, new ClusterInfo().setMembersList([member]));
  };
}
