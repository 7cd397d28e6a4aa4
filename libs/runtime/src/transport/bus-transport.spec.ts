import { Controller, INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusMessage } from '@arbiter/bus';
import { consumeN } from '@arbiter/bus/testing';
import { SqliteBus } from '@arbiter/bus-sqlite';
import { ContractViolation } from '@arbiter/contracts';
import { StoreUnavailableError } from '@arbiter/event-store';
import { BusContext } from './bus-context';
import { BusTransport } from './bus-transport';
import { isTransient } from './reasoner-transport';
import { RethrowRpcErrors } from './rethrow-rpc-errors.filter';

const handled: string[] = [];
let storeDownFor = 0;

@Controller()
@UseFilters(RethrowRpcErrors)
class OrdersController {
  @EventPattern('orders')
  async onOrder(@Payload() message: BusMessage, @Ctx() context: BusContext): Promise<void> {
    const text = Buffer.from(message.value).toString('utf8');
    if (text === 'poison') throw new ContractViolation('not an order');
    if (text === 'needs-the-store' && storeDownFor-- > 0) throw new StoreUnavailableError('the store is down');
    handled.push(`${context.getTopic()}:${text}`);
  }
}

@Module({ controllers: [OrdersController] })
class OrdersModule {}

describe('the bus transport for NestJS microservices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-bus-transport-'));
  let bus: SqliteBus;
  let app: INestMicroservice;

  beforeEach(async () => {
    handled.length = 0;
    bus = new SqliteBus(join(dir, `bus-${Date.now()}.db`));
    const strategy = new BusTransport({ bus, group: 'orders-service', deadLetters: { isPermanent: (e) => e instanceof ContractViolation, isTransient, baseDelayMs: 5 } });
    app = await NestFactory.createMicroservice(OrdersModule, { strategy, logger: false });
    await app.listen();
  });
  afterEach(async () => {
    await app.close();
    await bus.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const publish = (...values: string[]) => bus.publish('orders', values.map((value) => ({ key: 'cus_1', value })));
  const settled = async () => {
    while ((await bus.lag('orders-service', ['orders'])) > 0n) await new Promise((r) => setTimeout(r, 10));
  };

  it('hands each message of a topic to the @EventPattern handler named for it, in order, and commits after', async () => {
    await publish('o-1', 'o-2', 'o-3');
    await settled();
    expect(handled).toEqual(['orders:o-1', 'orders:o-2', 'orders:o-3']);
  });

  it('dead-letters what the handler refuses as bad input, with the reason, and keeps the partition flowing', async () => {
    await publish('o-1', 'poison', 'o-2');
    await settled();
    expect(handled).toEqual(['orders:o-1', 'orders:o-2']);
    const [dead] = await consumeN(bus, 'dlq-check', ['orders.dlq'], 1, 5_000);
    expect(Buffer.from(dead.value).toString('utf8')).toBe('poison');
    expect(dead.headers).toMatchObject({ 'dlq-reason': 'not an order', 'dlq-topic': 'orders' });
  });

  it('holds the partition while the store is down and goes on, in order, once it is back', async () => {
    storeDownFor = 3;
    await publish('needs-the-store', 'o-after');
    await settled();
    expect(handled).toEqual(['orders:needs-the-store', 'orders:o-after']);
    expect(await consumeN(bus, 'dlq-check-2', ['orders.dlq'], 1, 300)).toEqual([]);
  });
});
