import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL, transition } from '../call/state.js';

const run = (...events) => events.reduce(transition, INITIAL);

test('a join goes from the pre-join screen to the call', () => {
  const s = run({ type: 'join' }, { type: 'connected' }, { type: 'joined', selfId: 'me', name: 'Ann' });
  assert.deepEqual({ phase: s.phase, selfId: s.selfId, name: s.name, connected: s.connected }, { phase: 'in-call', selfId: 'me', name: 'Ann', connected: true });
});

test('a second Join while joining or in the call changes nothing', () => {
  const joining = run({ type: 'join' });
  assert.equal(transition(joining, { type: 'join' }), joining);
  const inCall = run({ type: 'join' }, { type: 'joined', selfId: 'me', name: 'Ann' });
  assert.equal(transition(inCall, { type: 'join' }), inCall);
});

test('a refused join shows the error and may be tried again', () => {
  const failed = run({ type: 'join' }, { type: 'join-failed' });
  assert.equal(failed.phase, 'error');
  assert.equal(transition(failed, { type: 'join' }).phase, 'joining');
});

test('a lost server connection is resumed in place, and one lost for good ends the call', () => {
  const inCall = run({ type: 'join' }, { type: 'connected' }, { type: 'joined', selfId: 'me', name: 'Ann' });
  const reconnecting = transition(inCall, { type: 'reconnecting' });
  assert.equal(reconnecting.phase, 'reconnecting');
  assert.equal(transition(reconnecting, { type: 'joined' }).phase, 'in-call');
  assert.equal(transition(reconnecting, { type: 'joined' }).name, 'Ann', 'the resume keeps the name');
  const lost = transition(reconnecting, { type: 'disconnected' });
  assert.deepEqual([lost.phase, lost.ended, lost.connected], ['ended', 'lost', false]);
});

test('after the end nothing brings the call back', () => {
  const ended = run({ type: 'join' }, { type: 'joined', selfId: 'me', name: 'Ann' }, { type: 'ended', reason: 'kicked' });
  assert.equal(ended.ended, 'kicked');
  for (const type of ['join', 'joined', 'reconnecting', 'ended']) assert.equal(transition(ended, { type }), ended, type);
  assert.throws(() => transition(ended, { type: 'teleported' }));
});
