import { ChainWriter } from '@arbiter/ledger';
import { AuditReader, DomainProjector, MemoryReader, StoreProjectionRunner, ledgerProjection, projectorGroup } from '@arbiter/memory';
import { Notary, notaryMigrations } from '@arbiter/notary';
import { PolicyBook, publishPolicies } from '@arbiter/policy';
import { OpenAiReasoner } from '@arbiter/reasoner-openai';
import { DecisionEngine, Reasoner, ReviewDesk, decisionPoints, decisionRelay } from '@arbiter/reasoning';
import type { Logger } from '@arbiter/telemetry';
import type { ArbiterConfig } from './config';
import { KeyRing, bootstrapKeys } from './key-ring';
import { Platform } from './platform';

/**
 * Everything one Arbiter process needs, wired once: adapters, the chain writer, keys, the
 * published policies, the readers and the decision engine. Hosts start the parts they run.
 */
export class ArbiterCore {
  private constructor(
    readonly platform: Platform,
    readonly writer: ChainWriter,
    readonly keyRing: KeyRing,
    readonly policies: PolicyBook,
    readonly memory: MemoryReader,
    readonly audit: AuditReader,
    readonly engine: DecisionEngine,
    readonly reviews: ReviewDesk,
  ) {}

  static async open(config: ArbiterConfig, logger: Logger): Promise<ArbiterCore> {
    const policies = PolicyBook.load(config.policiesDir);
    const platform = await Platform.open(config, logger);
    try {
      await platform.readModels.migrate(notaryMigrations);
      const writer = new ChainWriter(platform.store, config.ledgerId, platform.clock);
      const keyRing = await bootstrapKeys(platform, writer);
      const { published } = await publishPolicies(writer, keyRing.operator, policies.all());
      if (published.length) logger.info('policies published to the ledger', { published });
      const memory = new MemoryReader(platform.readModels);
      const audit = new AuditReader(platform.readModels);
      const engine = new DecisionEngine({
        writer,
        policies,
        points: decisionPoints,
        memory,
        signer: keyRing.reasoner,
        clock: platform.clock,
        reasoner: modelReasoner(config, logger, platform),
        logger,
        metrics: platform.metrics,
      });
      const reviews = new ReviewDesk({ writer, policies, audit, signer: keyRing.reviewer, clock: platform.clock, logger, metrics: platform.metrics });
      return new ArbiterCore(platform, writer, keyRing, policies, memory, audit, engine, reviews);
    } catch (e) {
      await platform.close();
      throw e;
    }
  }

  relay(logger: Logger): StoreProjectionRunner {
    return decisionRelay(this.platform.store, this.platform.bus, this.platform.readModels, this.platform.config.ledgerId, logger, { reviews: this.reviews });
  }

  domainProjector(logger: Logger): DomainProjector {
    return new DomainProjector(this.platform.bus, this.platform.store, { readModels: this.platform.readModels, logger, metrics: this.platform.metrics }, projectorGroup(this.platform.config.ledgerId));
  }

  ledgerProjection(logger: Logger): StoreProjectionRunner {
    return ledgerProjection(this.platform.store, { readModels: this.platform.readModels, logger, metrics: this.platform.metrics });
  }

  /** The notary: the Merkle log of the ledger and its signed checkpoints (LEDGER-SPEC §5). */
  notary(logger: Logger): Notary {
    const { store, readModels, bus, config } = this.platform;
    return new Notary({ store, readModels, bus, ledger: config.ledgerId, signer: this.keyRing.notary, logger });
  }

  close(): Promise<void> {
    return this.platform.close();
  }
}

/** A model behind OPENAI_BASE_URL when one is configured; otherwise every decision point's heuristic decides. */
function modelReasoner(config: ArbiterConfig, logger: Logger, platform: Platform): Reasoner | undefined {
  if (!config.openaiBaseUrl) return undefined;
  // The origin only: a URL may carry credentials, and the key itself is never logged.
  logger.info('model reasoner enabled', { endpoint: new URL(config.openaiBaseUrl).origin, apiKey: config.openaiApiKey ? 'set' : 'not set' });
  return new OpenAiReasoner({ baseURL: config.openaiBaseUrl, apiKey: config.openaiApiKey, logger, metrics: platform.metrics });
}
