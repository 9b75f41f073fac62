import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLUR_PACE, blurPace } from '../call/rules.js';

const FRAME_MS = 1000 / 30;
/** A report a second for `seconds`, each saying a frame cost costMs and (unless told) as many frames as that allows. */
function run(pace, costMs, seconds, start = 0, frames = Math.min(30, Math.floor(1000 / costMs))) {
  let now = start;
  for (let s = 0; s < seconds; s++) pace = blurPace(pace, { costMs, frames, frameMs: FRAME_MS, now: now += 1000 });
  return { pace, now };
}
const fresh = { every: 1, slowSince: null };

test('a machine that keeps up segments every frame and never gives up', () => {
  const { pace } = run(fresh, 8, 30);
  assert.equal(pace.every, 1);
  assert.equal(pace.giveUp, false);
});

test('falling behind segments fewer frames, a step a second, and comes back when it is quick again', () => {
  let { pace, now } = run(fresh, 30, 1);
  assert.equal(pace.every, 2);
  ({ pace, now } = run(pace, 30, 5, now));
  assert.equal(pace.every, BLUR_PACE.slowest);
  assert.equal(pace.giveUp, false, 'fast enough for 15 fps: it goes on');
  ({ pace } = run(pace, 5, 5, now));
  assert.equal(pace.every, 1);
  assert.equal(pace.slowSince, null);
});

test('between 40 % and 80 % of a frame it stays where it is', () => {
  const { pace } = run({ every: 3, slowSince: null }, 20, 10);
  assert.equal(pace.every, 3);
});

test('slower than 15 fps at the slowest pace for long enough, it gives up', () => {
  let { pace, now } = run(fresh, 80, 4);
  assert.equal(pace.every, BLUR_PACE.slowest);
  assert.equal(pace.giveUp, false);
  ({ pace } = run(pace, 80, BLUR_PACE.giveUpMs / 1000, now));
  assert.equal(pace.giveUp, true);
});

test('frames made at 15 a second or more never give up, whatever a frame cost (a busy machine, not blur)', () => {
  const { pace } = run(fresh, 80, 60, 0, 20);
  assert.equal(pace.giveUp, false);
});

test('one slow second among quick ones does not give up', () => {
  let { pace, now } = run({ every: BLUR_PACE.slowest, slowSince: null }, 80, 1);
  ({ pace } = run(pace, 10, 10, now));
  assert.equal(pace.giveUp, false);
});
