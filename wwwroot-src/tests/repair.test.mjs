import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONNECT_MS, Repair, STALL_MS, newPair, repairStep } from '../call/repair.js';

test('a stalled pair is repaired step by step: ICE restart, new connection, then it gives up', () => {
  let state = newPair(0);
  const step = (packets, now, watching = true) => {
    const result = repairStep(state, packets, now, watching, true);
    state = result.state;
    return result.action;
  };
  assert.equal(step(100, 1000), 'none');
  assert.equal(step(100, 1000 + STALL_MS - 1), 'none');
  assert.equal(step(100, 1000 + STALL_MS), 'restart-ice');
  assert.equal(step(100, 1000 + 2 * STALL_MS - 1), 'none');
  assert.equal(step(100, 1000 + 2 * STALL_MS), 'reconnect');
  assert.equal(step(100, 1000 + 3 * STALL_MS), 'give-up');
  assert.equal(step(100, 1000 + 9 * STALL_MS), 'none', 'gives up once');
  assert.equal(step(150, 1000 + 10 * STALL_MS), 'recovered');
  assert.equal(step(150, 1000 + 10 * STALL_MS + 10), 'none');
  // Not connected, or both camera and microphone muted: nothing to expect, nothing to repair.
  assert.equal(step(150, 1000 + 20 * STALL_MS, false), 'none');
  assert.equal(state.stage, 0);
  // A new connection counts from zero; its first packets end the repair.
  state = { ...state, stage: 2, packets: 0 };
  assert.equal(step(3, 1000 + 21 * STALL_MS), 'recovered');
  // A peer with neither camera nor microphone (which counts as muted) never sent a packet: that is no stall.
  state = newPair(0);
  assert.equal(step(0, 0, false), 'none');
  assert.equal(step(0, 10 * STALL_MS, false), 'none');
});

test('a pair connected to a peer with something to send, and nothing ever arrived, is made again', () => {
  let state = newPair(0);
  const step = (now, watching = true) => {
    const result = repairStep(state, 0, now, watching, true);
    state = result.state;
    return result.action;
  };
  assert.equal(step(CONNECT_MS - 1), 'none');
  assert.equal(step(CONNECT_MS), 'reconnect');
  assert.equal(step(2 * CONNECT_MS), 'give-up');
  assert.equal(step(2 * CONNECT_MS + 1, false), 'recovered', 'the peer muted both: nothing is expected any more');
});

test('a pair that never connects gets a new connection, then is given up, and one that connects late recovers', () => {
  let state = newPair(1000);
  const step = (now, connected = false, packets = 0, watching = connected) => {
    const result = repairStep(state, packets, now, watching, connected);
    state = result.state;
    return result.action;
  };
  assert.equal(step(1000 + CONNECT_MS - 1), 'none');
  assert.equal(step(1000 + CONNECT_MS), 'reconnect');
  assert.equal(step(1000 + 2 * CONNECT_MS - 1), 'none');
  assert.equal(step(1000 + 2 * CONNECT_MS), 'give-up');
  assert.equal(step(1000 + 5 * CONNECT_MS), 'none', 'gives up once');
  assert.equal(step(1000 + 6 * CONNECT_MS, true, 0, false), 'recovered', 'connected at last, to a peer with nothing to send');
  assert.equal(step(1000 + 7 * CONNECT_MS, true, 0, false), 'none');
  state = { ...newPair(0), stage: 3 };
  assert.equal(step(CONNECT_MS, true, 4), 'recovered', 'connected at last, and media flows');
});

test('the mesh\'s repair keeps each pair apart, counts a new connection from zero and forgets a pair that left', () => {
  const repair = new Repair();
  const flowing = { packets: 50, connected: true, muted: false };
  assert.equal(repair.step('a', flowing, 0), 'none');
  assert.equal(repair.step('b', { packets: 0, connected: false, muted: false }, 0), 'none');
  assert.equal(repair.step('a', flowing, STALL_MS), 'restart-ice');
  assert.equal(repair.step('a', flowing, 2 * STALL_MS), 'reconnect');
  repair.replaced('a', 2 * STALL_MS);
  assert.equal(repair.step('a', { ...flowing, packets: 5 }, 2 * STALL_MS + 1000), 'recovered');
  // Muted both ways: silence is expected.
  assert.equal(repair.step('a', { packets: 5, connected: true, muted: true }, 10 * STALL_MS), 'none');
  assert.equal(repair.step('b', { packets: 0, connected: false, muted: false }, CONNECT_MS), 'reconnect');
  repair.forget('b');
  assert.equal(repair.step('b', { packets: 0, connected: false, muted: false }, CONNECT_MS + 1), 'none', 'a new pair starts over');
});

test('a pair that got a new connection meanwhile gets its full time again, and each side its own patience', () => {
  const repair = new Repair((peerId) => (peerId === 'polite-side' ? 2 : 1) * CONNECT_MS);
  const waiting = { packets: 0, connected: false, muted: false };
  repair.step('a', waiting, 0);
  repair.replaced('a', CONNECT_MS - 10); // the peer's new connection was answered just before ours would have been made
  assert.equal(repair.step('a', waiting, CONNECT_MS), 'none');
  assert.equal(repair.step('a', waiting, 2 * CONNECT_MS - 10), 'reconnect');
  repair.step('polite-side', waiting, 0);
  assert.equal(repair.step('polite-side', waiting, CONNECT_MS), 'none');
  assert.equal(repair.step('polite-side', waiting, 2 * CONNECT_MS), 'reconnect');
});
