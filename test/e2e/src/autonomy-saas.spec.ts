import { CustomerStory } from '@arbiter/simulator';
import { decideOverHttp, tell } from './autonomy-helpers';
import { Running, freshDataDir, startAllInOne } from './harness';

describe('SaaS churn and upgrade interventions, end to end on simulated usage histories', () => {
  let running: Running;
  const now = new Date().toISOString();
  const account = (id: string, registeredDaysAgo: number, history: number[]) =>
    new CustomerStory({ customerId: id, now, seed: 21 }).registered(registeredDaysAgo, { segment: 'business' }).usage('api_calls', history);
  const declining = account('acc_declining', 420, [9_800, 10_400, 9_900, 10_100, 9_700, 10_300, 9_600, 10_000]);
  const steady = account('acc_steady', 420, [3_100, 2_900, 3_050, 2_950, 3_000, 3_080, 2_920, 3_010]);
  const young = account('acc_young', 20, [9_800, 10_400, 9_900, 10_100, 9_700, 10_300]);
  const growing = account('acc_growing', 200, [20_000, 21_000, 19_500, 20_500, 20_000, 21_500]);
  const report = (story: CustomerStory, value: number) =>
    story.trigger('usage.reported', { accountId: story.customerId, metric: 'api_calls', value, periodStart: new Date(Date.parse(now) - 86_400_000).toISOString(), periodEnd: now });

  beforeAll(async () => {
    running = await startAllInOne(freshDataDir());
    await tell(running, [...declining.events(), ...steady.events(), ...young.events(), ...growing.events()]);
  }, 120_000);
  afterAll(() => running.close());

  it('given the same report of 3,000 calls, reaches out (with a discount) to the account that used 10,000 and leaves the steady one alone', async () => {
    const fell = (await decideOverHttp(running, report(declining, 3_000))).body.decisions[0];
    const same = (await decideOverHttp(running, report(steady, 3_000))).body.decisions[0];
    expect(fell).toMatchObject({ outcome: 'approved', action: { type: 'engagement.churn-outreach', params: { channel: 'success-call', discountBps: 1000 } } });
    expect(same).toMatchObject({ outcome: 'approved', action: { type: 'engagement.none', params: {} } });
  });

  it('offers a three-week-old account outreach without a discount', async () => {
    const d = (await decideOverHttp(running, report(young, 3_000))).body.decisions[0];
    expect(d.action).toEqual({ type: 'engagement.churn-outreach', params: { channel: 'success-call', discountBps: 0 } });
  });

  it('does not contact an account again within the week', async () => {
    await running.settle();
    const again = (await decideOverHttp(running, report(declining, 2_500))).body.decisions[0];
    expect(again.action).toEqual({ type: 'engagement.none', params: {} });
  });

  it('offers a growing account a larger plan', async () => {
    const d = (await decideOverHttp(running, report(growing, 60_000))).body.decisions[0];
    expect(d).toMatchObject({ outcome: 'approved', action: { type: 'engagement.upgrade-offer', params: { plan: 'enterprise', trialDays: 14 } } });
  });
});
