import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINK_HOLD_MS, linkCounters, linkQuality, linkWindow, nextLinkQuality } from '../call/links.js';

/** A getStats() report as Chromium gives it: the transport names the selected pair. */
function chromiumReport({ local = 'host', remote = 'host', rtt = 0.02, inbound = {}, remoteInbound = {}, outbound = {} } = {}) {
  return new Map(Object.entries({
    T: { type: 'transport', selectedCandidatePairId: 'P' },
    P: { type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: rtt },
    X: { type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R', currentRoundTripTime: 9 },
    L: { type: 'local-candidate', candidateType: local },
    L2: { type: 'local-candidate', candidateType: 'relay' },
    R: { type: 'remote-candidate', candidateType: remote },
    IA: { type: 'inbound-rtp', kind: 'audio', packetsReceived: inbound.audio ?? 500, packetsLost: inbound.audioLost ?? 0 },
    IV: { type: 'inbound-rtp', kind: 'video', packetsReceived: inbound.video ?? 1000, packetsLost: inbound.videoLost ?? 0,
      freezeCount: inbound.freezes ?? 0, framesPerSecond: 30, frameWidth: 640, frameHeight: 360 },
    RV: { type: 'remote-inbound-rtp', kind: 'video', packetsLost: remoteInbound.lost ?? 0, roundTripTime: 0.03 },
    OV: { type: 'outbound-rtp', kind: 'video', packetsSent: outbound.sent ?? 1000, framesPerSecond: 30, frameWidth: 320,
      frameHeight: 180, qualityLimitationReason: outbound.limitation ?? 'none' },
  }));
}

test('the path is the one of the selected candidate pair, not of any other pair', () => {
  assert.equal(linkCounters(chromiumReport()).path, 'direct');
  assert.equal(linkCounters(chromiumReport({ local: 'relay' })).path, 'relay');
  assert.equal(linkCounters(chromiumReport({ remote: 'relay' })).path, 'relay');
  assert.equal(linkCounters(chromiumReport({ local: 'srflx', remote: 'prflx' })).path, 'direct');
  assert.equal(Math.round(linkCounters(chromiumReport({ rtt: 0.12 })).rttMs), 120);
});

test('Firefox marks the selected pair itself', () => {
  const report = new Map(Object.entries({
    P: { type: 'candidate-pair', selected: true, localCandidateId: 'L', remoteCandidateId: 'R' },
    L: { type: 'local-candidate', candidateType: 'relay' },
    R: { type: 'remote-candidate', candidateType: 'host' },
  }));
  assert.equal(linkCounters(report).path, 'relay');
});

test('no selected pair yet: no path, nothing to show', () => {
  assert.equal(linkCounters(new Map()).path, null);
});

test('counters add audio and video and keep the biggest video size', () => {
  const c = linkCounters(chromiumReport({ inbound: { audio: 100, video: 300, videoLost: 7, freezes: 2 } }));
  assert.deepEqual(c.inbound, { packets: 400, lost: 7, freezes: 2, fps: 30, width: 640, height: 360 });
  assert.equal(c.outbound.width, 320);
});

test('each direction is judged over the window between two readings, not over the whole call', () => {
  const before = linkCounters(chromiumReport({ inbound: { video: 1000, videoLost: 200 } }));
  // 200 packets lost long ago, none since: their upload is good now.
  const after = linkCounters(chromiumReport({ inbound: { video: 1500, videoLost: 200 } }));
  assert.equal(linkWindow(before, after).theirs, 'good');
  // 50 of the last 550 lost (9 %): fair, just under poor's 10 %.
  const lossy = linkCounters(chromiumReport({ inbound: { video: 2000, videoLost: 250 } }));
  assert.equal(linkWindow(after, lossy).theirs, 'fair');
  const bad = linkCounters(chromiumReport({ inbound: { video: 2400, videoLost: 350 } }));
  assert.equal(linkWindow(lossy, bad).theirs, 'poor');
  // A freeze the receiver counted meanwhile makes it fair.
  const frozen = linkCounters(chromiumReport({ inbound: { video: 2900, videoLost: 350, freezes: 1 } }));
  assert.equal(linkWindow(bad, frozen).theirs, 'fair');
  // Our upload: the peer's loss of our packets, and an encoder held back by bandwidth.
  const sent = linkCounters(chromiumReport({ outbound: { sent: 2000 }, remoteInbound: { lost: 0 } }));
  const lostOurs = linkCounters(chromiumReport({ outbound: { sent: 2500 }, remoteInbound: { lost: 60 } }));
  assert.equal(linkWindow(sent, lostOurs).yours, 'poor');
  assert.equal(linkWindow(sent, linkCounters(chromiumReport({ outbound: { sent: 2500, limitation: 'bandwidth' } }))).yours, 'fair');
  assert.equal(linkWindow(sent, linkCounters(chromiumReport({ outbound: { sent: 2500, limitation: 'cpu' } }))).yours, 'good');
});

test('quality from round trip and loss', () => {
  assert.equal(linkQuality({ rttMs: 40, loss: 0, freezes: 0 }), 'good');
  assert.equal(linkQuality({ rttMs: 260, loss: 0, freezes: 0 }), 'fair');
  assert.equal(linkQuality({ rttMs: 40, loss: 0.05, freezes: 0 }), 'fair');
  assert.equal(linkQuality({ rttMs: 600, loss: 0, freezes: 0 }), 'poor');
  assert.equal(linkQuality({ rttMs: 40, loss: 0.2, freezes: 0 }), 'poor');
});

test('the first reading shows at once; a blip shorter than the hold never shows', () => {
  let state = nextLinkQuality({ shown: null, next: null, since: 0 }, 'good', 0);
  assert.equal(state.shown, 'good');
  state = nextLinkQuality(state, 'poor', 1000);
  state = nextLinkQuality(state, 'poor', 1000 + LINK_HOLD_MS.worse - 1);
  assert.equal(state.shown, 'good');
  state = nextLinkQuality(state, 'good', 1000 + LINK_HOLD_MS.worse);
  assert.equal(state.shown, 'good');
  // A new bad spell starts its wait again.
  state = nextLinkQuality(state, 'fair', 10_000);
  assert.equal(nextLinkQuality(state, 'fair', 10_000 + LINK_HOLD_MS.worse - 1).shown, 'good');
});

test('worse shows after the hold (fair and poor readings both count), better only after the longer hold', () => {
  let state = { shown: 'good', next: null, since: 0 };
  state = nextLinkQuality(state, 'fair', 1000);
  state = nextLinkQuality(state, 'poor', 3000);
  state = nextLinkQuality(state, 'poor', 1000 + LINK_HOLD_MS.worse);
  assert.equal(state.shown, 'poor');
  state = nextLinkQuality(state, 'good', 20_000);
  state = nextLinkQuality(state, 'good', 20_000 + LINK_HOLD_MS.worse);
  assert.equal(state.shown, 'poor', 'better waits longer than worse');
  state = nextLinkQuality(state, 'good', 20_000 + LINK_HOLD_MS.better);
  assert.equal(state.shown, 'good');
});
