import { BadRequestException, Controller, Get, NotFoundException, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ProofRequestError } from '@arbiter/ledger';
import { LedgerProofs } from '@arbiter/notary';
import { ArbiterCore } from '../arbiter-core';
import { ApiKeyGuard } from './api-key.guard';
import { ZodPipe } from './zod-query';

const treeSize = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const inclusionQuery = z
  .object({
    leaf: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    chain: z.string().min(1).max(200).optional(),
    seq: z.coerce.number().int().min(0).optional(),
    size: treeSize.optional(),
  })
  .refine((q) => (q.leaf === undefined) !== (q.chain === undefined || q.seq === undefined), { message: 'give either leaf, or chain and seq' });
const consistencyQuery = z.object({ from: treeSize, to: treeSize });

/**
 * The Merkle log over HTTP (LEDGER-SPEC §5): the latest signed checkpoint, and RFC 9162 inclusion
 * and consistency proofs an auditor checks against checkpoints they hold.
 */
@Controller('v1/ledger')
@UseGuards(ApiKeyGuard)
export class LedgerController {
  private readonly proofs: LedgerProofs;

  constructor(core: ArbiterCore) {
    this.proofs = new LedgerProofs(core.platform.store, core.platform.readModels);
  }

  @Get('checkpoint')
  async checkpoint() {
    const checkpoint = await this.proofs.checkpoint();
    if (!checkpoint) throw new NotFoundException('no checkpoint has been signed yet');
    return checkpoint;
  }

  /** `leaf` (or the entry's `chain` and `seq`) in the tree of `size` leaves; by default the latest checkpoint's size. */
  @Get('proofs/inclusion')
  async inclusion(@Query(new ZodPipe(inclusionQuery)) query: z.infer<typeof inclusionQuery>) {
    const leaf = query.leaf ?? (await this.proofs.leafOf(query.chain!, query.seq!));
    if (leaf === null) throw new NotFoundException(`no leaf holds ${query.chain}#${query.seq} yet`);
    return this.answer(async () => this.proofs.inclusion(leaf, query.size ?? (await this.latestSize())));
  }

  @Get('proofs/consistency')
  async consistency(@Query(new ZodPipe(consistencyQuery)) query: z.infer<typeof consistencyQuery>) {
    return this.answer(() => this.proofs.consistency(query.from, query.to));
  }

  private async latestSize(): Promise<number> {
    return (await this.checkpoint()).size;
  }

  private async answer<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ProofRequestError) throw new BadRequestException(e.message);
      throw e;
    }
  }
}
