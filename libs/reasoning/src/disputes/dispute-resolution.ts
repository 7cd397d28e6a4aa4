import type { DomainEvent } from '@arbiter/contracts';
import type { Json } from '@arbiter/ledger';
import { clampTo, integerBound, optionOf } from '../allowed';
import type { DecisionPoint, ReasoningInput, ReasonerResult } from '../decision-point';
import { disputePrompt, disputePromptData } from './prompt';

type DisputeOpened = Extract<DomainEvent, { type: 'dispute.opened' }>;

/**
 * Phrases that try to steer a decision-maker rather than describe what happened. Finding one
 * does not change what is allowed (the policy decides that); it makes the heuristic ask for
 * evidence instead of trusting the story.
 */
const STEERING = [/ignore (all |any )?(previous|prior|above) (instructions|rules)/i, /\bsystem prompt\b/i, /\byou are now\b/i, /\bas an ai\b/i, /\b(approve|refund) (this|me) (immediately|now)\b/i, /\btwice the amount\b/i];

export function looksLikeSteering(messages: { text: string }[]): boolean {
  return messages.some((m) => STEERING.some((re) => re.test(m.text)));
}

interface OrderFacts {
  known: boolean;
  status?: string;
  totalCents?: number;
}

/**
 * The offline dispute reasoner, from transaction history and the messages: serial disputers and
 * steering messages get a request for evidence; undelivered orders and damaged goods from buyers
 * in good standing (or against sellers who are often disputed) get a refund bounded by the
 * dispute; a seller's delivery proof against a delivered order gets the buyer asked for evidence;
 * unauthorized-charge claims are refunded with low confidence, which the policy sends to a human.
 */
export function disputeHeuristic(input: ReasoningInput<DisputeOpened>): ReasonerResult {
  const reasoner = { kind: 'heuristic' as const, name: 'dispute-resolution/1' };
  const { data } = input.event;
  const m = input.memory;
  const order = input.facts.order as unknown as OrderFacts;
  const sellerDisputes = Number(input.facts.sellerDisputes90d ?? 0);
  const refundOption = optionOf(input, 'dispute.refund');
  const refundCents = clampTo(data.amountCents, integerBound(refundOption, 'refundCents'));
  const evidence = (from: 'buyer' | 'seller', confidenceBps: number, why: string): ReasonerResult => ({
    proposal: { type: 'dispute.request-evidence', params: { from, dueDays: clampTo(7, integerBound(optionOf(input, 'dispute.request-evidence'), 'dueDays')) }, confidenceBps, rationale: why },
    reasoner,
  });
  const refund = (confidenceBps: number, why: string): ReasonerResult =>
    refundOption ? { proposal: { type: 'dispute.refund', params: { refundCents }, confidenceBps, rationale: why }, reasoner } : evidence('buyer', 5000, `${why}, but a refund is not allowed here`);
  const goodStanding = m.stats.orders >= 3 && m.disputes.opened365d <= 1;
  const sellerSpoke = data.messages.some((msg) => msg.from === 'seller');
  const sellerClaimsDelivery = data.messages.some((msg) => msg.from === 'seller' && /deliver|tracking|front desk|signed/i.test(msg.text));

  if (looksLikeSteering(data.messages)) return evidence('buyer', 6500, 'a message tries to instruct the decision rather than describe the problem: evidence first');
  if (m.disputes.opened365d >= 3) return evidence('buyer', 7000, `the buyer opened ${m.disputes.opened365d} disputes in the past year`);
  if (data.reason === 'unauthorized_charge') return refund(4000, 'unauthorized charge claimed: a refund is likely right, but fraud needs a human look');
  if (data.reason === 'item_not_received') {
    if (order.known && order.status === 'placed') return refund(8500, 'the order was never delivered');
    if (sellerClaimsDelivery) return evidence('buyer', 7000, 'the seller reports the parcel as delivered');
    return goodStanding || sellerDisputes >= 3 ? refund(7500, 'no proof of delivery, buyer in good standing or seller often disputed') : evidence('seller', 7000, 'no proof of delivery yet');
  }
  if (sellerDisputes >= 3) return refund(7500, `the seller had ${sellerDisputes} disputes in 90 days`);
  if (goodStanding) return refund(7500, `buyer in good standing (${m.stats.orders} orders, ${m.disputes.opened365d} earlier disputes)`);
  return sellerSpoke ? evidence('buyer', 7000, 'the seller disputes the claim; the buyer is asked for evidence') : evidence('seller', 7000, 'the seller has not answered yet');
}

export const disputeResolution: DecisionPoint<'dispute.opened'> = {
  id: 'dispute.resolution',
  triggers: ['dispute.opened'],
  subjectOf: (e) => e.data.buyerId,
  subjectRefOf: (e) => e.data.disputeId,
  memory: ['disputes'],
  gatherFacts: async (e, reader, memory) => {
    const order = await reader.order(e.data.orderId);
    return {
      order: (order ? { known: true, status: order.status, totalCents: order.totalCents, placedAt: order.placedAt } : { known: false }) as { [key: string]: Json },
      sellerDisputes90d: await reader.sellerDisputes90d(e.data.sellerId, memory.asOf ?? new Date().toISOString(), e.data.disputeId),
    };
  },
  heuristic: disputeHeuristic,
  prompt: disputePrompt,
  promptData: disputePromptData,
};
