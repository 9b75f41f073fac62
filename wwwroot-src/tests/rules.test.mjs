import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIO_KBPS, SerialQueue, bitratePlan, isPolite } from '../call/rules.js';

test('exactly one side of every pair is polite', () => {
  const ids = ['AAAAAAAAAAAAAAAAAAAAAA', 'zzzzzzzzzzzzzzzzzzzzzz', 'Mk3-_q9aaaaaaaaaaaaaaa', 'Mk3-_q9aaaaaaaaaaaaaab'];
  for (const a of ids) for (const b of ids) {
    if (a === b) continue;
    assert.notEqual(isPolite(a, b), isPolite(b, a), `${a} / ${b}`);
  }
  assert.throws(() => isPolite('same', 'same'));
});

test('all uploads together stay within the budget for every room size', () => {
  for (const budget of [1000, 2500, 5000]) {
    for (let peers = 1; peers <= 5; peers++) {
      const plan = bitratePlan(peers, budget);
      const total = peers * (plan.maxBitrateKbps + AUDIO_KBPS);
      assert.ok(total <= Math.max(budget, peers * (100 + AUDIO_KBPS)), `budget ${budget}, ${peers} peers: ${total} kbps`);
    }
  }
});

test('video bitrate and resolution go down as the room grows', () => {
  const plans = [1, 2, 3, 4, 5].map((n) => bitratePlan(n, 2500));
  for (let i = 1; i < plans.length; i++) {
    assert.ok(plans[i].maxBitrateKbps < plans[i - 1].maxBitrateKbps);
    assert.ok(plans[i].scaleResolutionDownBy >= plans[i - 1].scaleResolutionDownBy);
  }
  assert.deepEqual(bitratePlan(1, 2500), { maxBitrateKbps: 1500, scaleResolutionDownBy: 1, maxFramerate: 30 });
  assert.deepEqual(bitratePlan(5, 2500), { maxBitrateKbps: 460, scaleResolutionDownBy: 2, maxFramerate: 24 });
});

test('a tiny uplink still gets a floor of usable video at low resolution', () => {
  assert.deepEqual(bitratePlan(5, 500), { maxBitrateKbps: 100, scaleResolutionDownBy: 4, maxFramerate: 15 });
});

test('the signaling queue runs jobs strictly in order even when earlier ones are slower', async () => {
  const queue = new SerialQueue();
  const order = [];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await Promise.all([
    queue.push(async () => { await sleep(30); order.push('description'); }),
    queue.push(async () => { await sleep(1); order.push('candidate 1'); }),
    queue.push(() => { order.push('candidate 2'); }),
  ]);
  assert.deepEqual(order, ['description', 'candidate 1', 'candidate 2']);
});

test('a failing job rejects its own promise but does not stop the queue', async () => {
  const queue = new SerialQueue();
  const failed = queue.push(async () => { throw new Error('bad sdp'); });
  const next = queue.push(async () => 'still running');
  await assert.rejects(failed, /bad sdp/);
  assert.equal(await next, 'still running');
});

test('a chat message is trimmed text of 1 to 1000 characters without control characters', async () => {
  const { cleanChatText } = await import('../call/rules.js');
  assert.deepEqual(cleanChatText('  hi\r\nthere  '), { text: 'hi\nthere' });
  assert.ok(cleanChatText('   ').error);
  assert.equal(cleanChatText('x'.repeat(1000)).text.length, 1000);
  assert.ok(cleanChatText('x'.repeat(1001)).error);
  assert.ok(cleanChatText('bell\u0007').error);
  assert.deepEqual(cleanChatText('<b>tags stay text</b>'), { text: '<b>tags stay text</b>' });
});
