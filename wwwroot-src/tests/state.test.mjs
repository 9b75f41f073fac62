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

test('a guest in the lobby waits, is let in with a ticket and joins; a denied one is done', () => {
  const waiting = run({ type: 'join' }, { type: 'connected' }, { type: 'waiting', name: 'Ann' });
  assert.deepEqual([waiting.phase, waiting.name], ['waiting', 'Ann']);
  assert.equal(transition(waiting, { type: 'join' }), waiting, 'Join again while waiting does nothing');
  assert.equal(transition(waiting, { type: 'joined' }).phase, 'in-call', 'a knock answered by a seat');
  const admitted = transition(waiting, { type: 'admitted' });
  assert.equal(admitted.phase, 'joining');
  assert.equal(transition(admitted, { type: 'joined', selfId: 'me' }).phase, 'in-call');
  assert.equal(transition(admitted, { type: 'join-failed' }).phase, 'error', 'the room filled meanwhile');
  const denied = transition(waiting, { type: 'ended', reason: 'denied' });
  assert.deepEqual([denied.phase, denied.ended], ['ended', 'denied']);
  assert.equal(transition(denied, { type: 'admitted' }), denied, 'a late Admitted after a denial changes nothing');
  assert.equal(transition(waiting, { type: 'disconnected' }).phase, 'ended');
});
