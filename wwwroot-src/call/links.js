// The link indicator on each peer's tile: how the pair's media travels (straight between the two browsers, or through
// the TURN relay) and how well, from the pair's own WebRTC statistics, which only a mesh can show per person. "Their
// upload" is what arrives from the peer (inbound), "your upload" what the peer's browser says it gets from us
// (remote-inbound). The mesh reads the statistics once a second for its repair and hands them on ('link-stats').
// The shown quality is held (LINK_HOLD_MS): a short blip does not make the tile flicker or alarm anyone.

/** How long a new quality must last before the tile shows it: worse sooner than better. */
export const LINK_HOLD_MS = { worse: 4000, better: 8000 };
const RANK = { good: 0, fair: 1, poor: 2 };

/**
 * What one getStats() report says of a pair, as running counters (compare two with linkWindow).
 * @param {Iterable<[string, any]> | Map<string, any>} report an RTCStatsReport (or a Map of stats by id)
 */
export function linkCounters(report) {
  const stats = new Map(report);
  const all = [...stats.values()];
  const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  // Chromium names the selected pair on the transport; Firefox marks the pair itself.
  const pair = stats.get(transport?.selectedCandidatePairId) ?? all.find((s) => s.type === 'candidate-pair' && s.selected);
  const candidateType = (id) => stats.get(id)?.candidateType;
  const relayed = pair && (candidateType(pair.localCandidateId) === 'relay' || candidateType(pair.remoteCandidateId) === 'relay');
  const inbound = { packets: 0, lost: 0, freezes: 0, fps: 0, width: 0, height: 0 };
  const outbound = { lost: 0, packets: 0, rttMs: null, fps: 0, width: 0, height: 0, limitation: 'none' };
  for (const s of all) {
    if (s.type === 'inbound-rtp') {
      inbound.packets += s.packetsReceived ?? 0;
      inbound.lost += Math.max(0, s.packetsLost ?? 0);
      if (s.kind === 'video') {
        inbound.freezes += s.freezeCount ?? 0;
        inbound.fps = Math.max(inbound.fps, s.framesPerSecond ?? 0);
        inbound.width = Math.max(inbound.width, s.frameWidth ?? 0);
        inbound.height = Math.max(inbound.height, s.frameHeight ?? 0);
      }
    } else if (s.type === 'remote-inbound-rtp') {
      outbound.lost += Math.max(0, s.packetsLost ?? 0);
      if (s.roundTripTime !== undefined) outbound.rttMs = Math.max(outbound.rttMs ?? 0, s.roundTripTime * 1000);
    } else if (s.type === 'outbound-rtp') {
      outbound.packets += s.packetsSent ?? 0;
      if (s.kind === 'video' && (s.frameWidth ?? 0) > outbound.width) {
        Object.assign(outbound, { fps: s.framesPerSecond ?? 0, width: s.frameWidth, height: s.frameHeight ?? 0 });
        outbound.limitation = s.qualityLimitationReason ?? 'none';
      }
    }
  }
  const rttMs = pair?.currentRoundTripTime !== undefined ? pair.currentRoundTripTime * 1000 : outbound.rttMs;
  return { path: pair ? (relayed ? 'relay' : 'direct') : null, rttMs, inbound, outbound };
}

/**
 * The quality of each direction over the time between two readings: loss from the packet counters, the round trip,
 * and video freezes the receiver counted meanwhile.
 */
export function linkWindow(before, after) {
  const lossOf = (lost, packets) => (lost + packets > 0 ? lost / (lost + packets) : 0);
  const d = (key, side) => Math.max(0, after[side][key] - (before?.[side][key] ?? 0));
  const rttMs = after.rttMs ?? 0;
  return {
    theirs: linkQuality({ rttMs, loss: lossOf(d('lost', 'inbound'), d('packets', 'inbound')), freezes: d('freezes', 'inbound') }),
    yours: linkQuality({ rttMs, loss: lossOf(d('lost', 'outbound'), d('packets', 'outbound')),
      freezes: after.outbound.limitation === 'bandwidth' ? 1 : 0 }),
  };
}

/**
 * One direction's quality. Poor: a call is hard to follow (half a second's delay, a tenth of the packets lost).
 * Fair: noticeable (a quarter second, a few percent, a freeze, or an encoder held back by the bandwidth).
 * @param {{ rttMs: number, loss: number, freezes: number }} sample
 * @returns {'good' | 'fair' | 'poor'}
 */
export function linkQuality({ rttMs, loss, freezes }) {
  if (rttMs >= 500 || loss >= 0.1) return 'poor';
  if (rttMs >= 250 || loss >= 0.03 || freezes > 0) return 'fair';
  return 'good';
}

/**
 * One step of the shown quality: a reading different from what is shown must hold for LINK_HOLD_MS (worse or better)
 * before it is shown. The first reading is shown at once.
 * @param {{ shown: string | null, next: string | null, since: number }} state
 * @param {'good' | 'fair' | 'poor'} quality
 * @param {number} now milliseconds
 */
export function nextLinkQuality(state, quality, now) {
  if (state.shown === null || quality === state.shown) return { shown: quality, next: null, since: now };
  // Readings that change their mind restart the wait; one that is at least as far from what is shown keeps it.
  const worse = RANK[quality] > RANK[state.shown];
  const same = state.next !== null && (RANK[state.next] > RANK[state.shown]) === worse;
  const since = same ? state.since : now;
  if (now - since >= LINK_HOLD_MS[worse ? 'worse' : 'better']) return { shown: quality, next: null, since: now };
  return { shown: state.shown, next: quality, since };
}

const worst = (a, b) => (RANK[a] >= RANK[b] ? a : b);

/** Draws each peer's link on its tile (data-link-path, data-link-quality, and a tooltip that tells the two uploads apart). */
export class LinkIndicators {
  #tileOf;
  /** Per peer: the last counters and each direction's held quality. */
  #peers = new Map();

  /** @param {(peerId: string) => HTMLElement | null | undefined} tileOf */
  constructor(tileOf) { this.#tileOf = tileOf; }

  /** A fresh reading of one pair's statistics (RTCStatsReport). */
  update(peerId, report, now = performance.now()) {
    const counters = linkCounters(report);
    const peer = this.#peers.get(peerId) ?? { counters: null, theirs: { shown: null, next: null, since: now }, yours: { shown: null, next: null, since: now } };
    this.#peers.set(peerId, peer);
    if (!counters.path) return; // not connected (yet): the tile's connection text says so
    const window = linkWindow(peer.counters, counters);
    peer.counters = counters;
    peer.theirs = nextLinkQuality(peer.theirs, window.theirs, now);
    peer.yours = nextLinkQuality(peer.yours, window.yours, now);
    this.#draw(peerId, counters, peer);
  }

  forget(peerId) { this.#peers.delete(peerId); }

  #draw(peerId, counters, { theirs, yours }) {
    const tile = this.#tileOf(peerId);
    const badge = tile?.querySelector('.link');
    if (!tile || !badge) return;
    const quality = worst(theirs.shown, yours.shown);
    if (tile.dataset.linkPath !== counters.path) tile.dataset.linkPath = counters.path;
    if (tile.dataset.linkQuality !== quality) tile.dataset.linkQuality = quality;
    const name = tile.querySelector('.name')?.textContent ?? 'them';
    const video = (side) => (side.width ? `, video ${side.width}x${side.height} at ${Math.round(side.fps)} fps` : '');
    const text = [
      counters.path === 'relay' ? `Through the relay server to ${name}` : `Straight to ${name}`,
      `Their upload: ${theirs.shown}${video(counters.inbound)}`,
      `Your upload: ${yours.shown}${video(counters.outbound)}${counters.outbound.limitation === 'bandwidth' ? ' (held back by your bandwidth)' : ''}`,
      counters.rttMs !== null ? `Round trip ${Math.round(counters.rttMs)} ms` : '',
    ].filter(Boolean).join('\n');
    if (badge.title !== text) {
      badge.title = text;
      badge.setAttribute('aria-label', `Connection ${quality}. ${text.replaceAll('\n', '. ')}`);
    }
  }
}
