import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIO_KBPS, SerialQueue, bitratePlan, isPolite, recordingGrid, recordingWords, waitedFor } from '../call/rules.js';

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

test('a shared screen gets most of each upload and everything still fits the budget', async () => {
  const { screenSharePlan } = await import('../call/rules.js');
  for (let peers = 1; peers <= 5; peers++) {
    const { screen, camera } = screenSharePlan(peers, 2500);
    assert.ok(screen.maxBitrateKbps > camera.maxBitrateKbps, `${peers} peers`);
    assert.ok(screen.maxBitrateKbps >= 300, `text stays legible with ${peers} peers: ${screen.maxBitrateKbps}`);
    assert.ok(peers * (screen.maxBitrateKbps + camera.maxBitrateKbps + AUDIO_KBPS) <= 2500 + peers * 50, `${peers} peers over budget`);
    assert.equal(screen.scaleResolutionDownBy, 1);
    assert.ok(camera.scaleResolutionDownBy >= 2);
  }
});

test('speaking follows the audio level with a short hold, and never while muted', async () => {
  const { nextSpeaking, SPEAKING_HOLD_MS } = await import('../call/rules.js');
  let state = { speaking: false, loudAt: -Infinity };
  state = nextSpeaking(state, 0.001, 0, false);
  assert.equal(state.speaking, false);
  state = nextSpeaking(state, 0.2, 100, false);
  assert.equal(state.speaking, true);
  state = nextSpeaking(state, 0.01, 200, false); // quieter, but above the silence line once speaking
  assert.equal(state.speaking, true);
  state = nextSpeaking(state, 0.0, 200 + SPEAKING_HOLD_MS, false);
  assert.equal(state.speaking, true, 'a pause between words');
  state = nextSpeaking(state, 0.0, 250 + SPEAKING_HOLD_MS, false);
  assert.equal(state.speaking, false);
  assert.equal(nextSpeaking({ speaking: true, loudAt: 1000 }, 0.9, 1000, true).speaking, false);
});

test('shortcuts are plain letters outside text fields', async () => {
  const { shortcutFor } = await import('../call/rules.js');
  assert.equal(shortcutFor({ key: 'm', target: { tagName: 'BODY' } }), 'mute');
  assert.equal(shortcutFor({ key: 'V', target: { tagName: 'BUTTON' } }), 'video');
  assert.equal(shortcutFor({ key: 'h' }), 'hand');
  assert.equal(shortcutFor({ key: 'c', target: { tagName: 'DIV' } }), 'chat');
  assert.equal(shortcutFor({ key: 'm', target: { tagName: 'TEXTAREA' } }), null);
  assert.equal(shortcutFor({ key: 'm', target: { tagName: 'INPUT' } }), null);
  assert.equal(shortcutFor({ key: 'c', ctrlKey: true }), null);
  assert.equal(shortcutFor({ key: 'x' }), null);
});

test('the SDP session id tells a new connection from a renegotiation', async () => {
  const { sdpSessionId } = await import('../call/rules.js');
  assert.equal(sdpSessionId('v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n'), '4611731400430051336');
  assert.equal(sdpSessionId('v=0\r\ns=-\r\n'), null);
});

test('descriptions of one connection are ordered by their session version; other connections are not comparable', async () => {
  const { sdpOrder } = await import('../call/rules.js');
  const sdp = (session, version) => `v=0\r\no=- ${session} ${version} IN IP4 127.0.0.1\r\ns=-\r\n`;
  assert.equal(sdpOrder(sdp('4611731400430051336', 3), sdp('4611731400430051336', 2)), 1);
  assert.equal(sdpOrder(sdp('4611731400430051336', 2), sdp('4611731400430051336', 2)), 0);
  assert.equal(sdpOrder(sdp('4611731400430051336', 2), sdp('4611731400430051336', 10)), -1, 'as numbers, not text');
  assert.equal(sdpOrder(sdp('1', 5), sdp('2', 1)), null);
  assert.equal(sdpOrder(sdp('1', 5), undefined), null);
});

test('the lobby says how long each guest has waited', () => {
  const t0 = Date.parse('2026-12-07T10:00:00Z');
  assert.equal(waitedFor(t0, t0 + 20_000), 'just now');
  assert.equal(waitedFor(t0, t0 + 61_000), 'waiting 1 min');
  assert.equal(waitedFor(t0, t0 + 59 * 60_000), 'waiting 59 min');
  assert.equal(waitedFor(t0, t0 + 125 * 60_000), 'waiting 2 h 5 min');
  assert.equal(waitedFor(t0 + 5000, t0), 'just now', 'a clock a little ahead of the server');
});

test('the recording banner names who records', () => {
  assert.equal(recordingWords([]), '');
  assert.equal(recordingWords(['Ann']), 'Ann is recording this call.');
  assert.equal(recordingWords(['You']), 'You are recording this call.');
  assert.equal(recordingWords(['You', 'Ann', 'Ben']), 'You, Ann and Ben are recording this call.');
});

test('a recording lays its tiles out in a grid as square as it can be', () => {
  assert.deepEqual(recordingGrid(1, 1280, 720), [{ x: 0, y: 0, w: 1280, h: 720 }]);
  assert.deepEqual(recordingGrid(3, 1280, 720).map((t) => [t.x, t.y]), [[0, 0], [640, 0], [0, 360]]);
  assert.equal(recordingGrid(6, 1280, 720).length, 6);
  assert.deepEqual(recordingGrid(6, 1280, 720)[5], { x: 852, y: 360, w: 426, h: 360 });
});
