import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BusMessage } from '@arbiter/bus';
import { decodeDomainEvent, domainTopics } from '@arbiter/contracts';
import { ArbiterCore } from '../arbiter-core';
import { BusContext } from '../transport/bus-context';
import { RethrowRpcErrors } from '../transport/rethrow-rpc-errors.filter';

/** Domain events in, decisions into the ledger: the reasoner's handlers on the bus transport. */
@Controller()
@UseFilters(RethrowRpcErrors)
export class ReasonerController {
  constructor(private readonly core: ArbiterCore) {}

  @EventPattern(domainTopics)
  async decide(@Payload() message: BusMessage, @Ctx() context: BusContext): Promise<void> {
    const event = decodeDomainEvent(message.value);
    await this.core.engine.decide(event, { topic: context.getTopic(), partition: context.getPartition(), offset: message.offset.toString() });
  }
}
