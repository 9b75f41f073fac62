import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIO_KBPS, REPORT_WAIT_MS, VIDEO_STEPS, bitratePlan, stepFor, stepSize, uplinkPlan } from '../call/rules.js';

const HD = { width: 1280, height: 720 };
const shown = (width, height) => ({ visible: true, width, height });
const hidden = { visible: false, width: 0, height: 0 };
const total = (plan) => [...plan.values()].reduce((sum, { camera, screen }) =>
  sum + AUDIO_KBPS + (camera.active ? camera.maxBitrateKbps : 0) + (screen?.active ? screen.maxBitrateKbps : 0), 0);

test('every step of every usual camera encodes at even sizes and never above the camera', () => {
  for (const source of [HD, { width: 640, height: 480 }, { width: 1920, height: 1080 }, { width: 960, height: 540 }, { width: 1366, height: 768 }]) {
    for (const { height } of VIDEO_STEPS) {
      const size = stepSize(source, height);
      assert.equal(size.width % 2, 0, `${source.width}x${source.height} at ${height}p: ${size.width}`);
      assert.equal(size.height % 2, 0);
      assert.ok(size.width <= source.width && size.height <= source.height);
      assert.ok(size.scaleResolutionDownBy >= 1);
    }
  }
});

test('a receiver gets the smallest step at or above the size it shows, or the whole camera', () => {
  assert.equal(VIDEO_STEPS[stepFor(HD, { width: 300, height: 170 })].height, 180);
  assert.equal(VIDEO_STEPS[stepFor(HD, { width: 321, height: 100 })].height, 270); // wider than 320x180
  assert.equal(VIDEO_STEPS[stepFor(HD, { width: 640, height: 360 })].height, 360);
  assert.equal(VIDEO_STEPS[stepFor(HD, { width: 1000, height: 560 })].height, 720);
  assert.equal(VIDEO_STEPS[stepFor(HD, { width: 2560, height: 1440 })].height, 720);
  // A 480p camera shown big is sent whole, at the bitrate of the step that covers it.
  const vga = { width: 640, height: 480 };
  assert.deepEqual(stepSize(vga, VIDEO_STEPS[stepFor(vga, { width: 1280, height: 720 })].height), { width: 640, height: 480, scaleResolutionDownBy: 1 });
  assert.equal(VIDEO_STEPS[stepFor(vga, { width: 400, height: 300 })].height, 360);
});

test('what receivers ask for is given when it fits, and the budget is kept when it does not', () => {
  const roomy = uplinkPlan({ source: HD, budgetKbps: 10000, peers: [
    { id: 'big', waitedMs: 0, report: shown(1280, 720) }, { id: 'small', waitedMs: 0, report: shown(320, 180) }] });
  assert.equal(roomy.get('big').camera.height, 720);
  assert.equal(roomy.get('small').camera.height, 180);

  for (const budget of [1500, 2500, 4000]) {
    for (let n = 1; n <= 5; n++) {
      const peers = Array.from({ length: n }, (_, i) => ({ id: `p${i}`, waitedMs: 0, report: shown(1280, 720) }));
      const plan = uplinkPlan({ source: HD, budgetKbps: budget, peers });
      const floors = n * (AUDIO_KBPS + VIDEO_STEPS[0].maxBitrateKbps);
      assert.ok(total(plan) <= Math.max(budget, floors), `${n} peers in ${budget} kbps: ${total(plan)}`);
    }
  }
});

test('over the budget the biggest request steps down first, and nobody shown goes under the floor', () => {
  const plan = uplinkPlan({ source: HD, budgetKbps: 1500, peers: [
    { id: 'big', waitedMs: 0, report: shown(1280, 720) }, { id: 'mid', waitedMs: 0, report: shown(640, 360) }] });
  assert.ok(plan.get('big').camera.height >= plan.get('mid').camera.height);
  assert.equal(plan.get('mid').camera.height, 360);
  assert.ok(total(plan) <= 1500);

  const starved = uplinkPlan({ source: HD, budgetKbps: 100, peers: [
    { id: 'a', waitedMs: 0, report: shown(1280, 720) }, { id: 'b', waitedMs: 0, report: shown(640, 360) }] });
  for (const { camera } of starved.values()) {
    assert.equal(camera.active, true);
    assert.equal(camera.height, 180);
    assert.equal(camera.maxBitrateKbps, VIDEO_STEPS[0].maxBitrateKbps);
  }
});

test('a receiver that does not show the camera gets none, and frees its share for the others', () => {
  const peers = [{ id: 'away', waitedMs: 0, report: hidden }, { id: 'here', waitedMs: 0, report: shown(1280, 720) }];
  const plan = uplinkPlan({ source: HD, budgetKbps: 1700, peers });
  assert.equal(plan.get('away').camera.active, false);
  assert.equal(plan.get('away').camera.maxBitrateKbps, 0);
  assert.equal(plan.get('here').camera.height, 720);
});

test('a new pair starts small, and falls back to the room-size plan when no report comes', () => {
  const peers = (waitedMs) => [{ id: 'new', waitedMs, report: null }, { id: 'other', waitedMs: 0, report: shown(640, 360) }];
  const early = uplinkPlan({ source: HD, budgetKbps: 2500, peers: peers(REPORT_WAIT_MS - 1) }).get('new').camera;
  assert.deepEqual([early.width, early.height, early.active], [320, 180, true]);
  const late = uplinkPlan({ source: HD, budgetKbps: 2500, peers: peers(REPORT_WAIT_MS) }).get('new').camera;
  assert.equal(late.fallback, true);
  assert.equal(late.maxBitrateKbps, bitratePlan(2, 2500).maxBitrateKbps);
  assert.equal(late.scaleResolutionDownBy, bitratePlan(2, 2500).scaleResolutionDownBy);
});

test('a shared screen keeps its share; the camera beside it is a thumbnail; a receiver not showing it gets none', () => {
  const plan = uplinkPlan({ source: HD, budgetKbps: 2500, sharingScreen: true, peers: [
    { id: 'watching', waitedMs: 0, report: { ...shown(1280, 720), screenShown: true } },
    { id: 'elsewhere', waitedMs: 0, report: { ...shown(1280, 720), screenShown: false } }] });
  assert.equal(plan.get('watching').screen.active, true);
  assert.ok(plan.get('watching').screen.maxBitrateKbps >= 500);
  assert.equal(plan.get('elsewhere').screen.active, false);
  for (const { camera } of plan.values()) assert.ok(camera.height <= 270);
  assert.ok(total(plan) <= 2500);
});
