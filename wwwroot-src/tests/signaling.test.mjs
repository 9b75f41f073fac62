import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubErrorMessage, reconnectDelay } from '../call/signaling.js';

test('a refusal from the hub reads as the server wrote it', () => {
  const error = new Error("An unexpected error occurred invoking 'JoinRoom' on the server. HubException: This room is full (6 of 6 people).");
  assert.equal(hubErrorMessage(error), 'This room is full (6 of 6 people).');
});

test('a connection turned away by the per-address limits says so in words', () => {
  for (const text of [
    "Failed to complete negotiation with the server: Error: Too Many Requests: Status code '429'",
    "Failed to start the connection: Error: WebSocket failed to connect. Status code '429'",
  ]) {
    assert.equal(hubErrorMessage(new Error(text)), 'Too many connections from your network right now. Wait a minute and try again.');
  }
  // A hub message that happens to mention the number stays as written.
  assert.equal(hubErrorMessage(new Error('x HubException: Room 429 is full.')), 'Room 429 is full.');
});

test('a lost connection is retried at once, then at most every 5 s, for two minutes', () => {
  assert.equal(reconnectDelay({ previousRetryCount: 0, elapsedMilliseconds: 0 }), 0);
  const delays = [1, 2, 3, 4, 5, 6].map((n) => reconnectDelay({ previousRetryCount: n, elapsedMilliseconds: 1000 }));
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000, 5000]);
  assert.equal(reconnectDelay({ previousRetryCount: 30, elapsedMilliseconds: 121_000 }), null);
});
