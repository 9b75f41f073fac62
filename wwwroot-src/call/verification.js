// The room code: a few words everyone in the call reads aloud. They match on every page only if the certificate each
// page sees for every other page, on the live DTLS connection of that pair, is the one that page really holds: a
// signaling server that swapped fingerprints to sit in the middle of a pair changes the words on the pages at both ends.
//
// Each page sends one certificate on all its connections (mesh.js). The code is a hash of the sorted set of every
// participant's fingerprint as this page sees it (its own, and each peer's from the pair's DTLS transport) and of one
// random nonce per participant. The nonces are exchanged over each pair's data channel, inside DTLS, commit first:
// a page reveals its nonce to a peer only after that peer's hash commitment to its own nonce has arrived on the same
// channel, and takes one commitment per peer per round. A server in the middle therefore has to fix its certificate
// and its nonce before it learns the honest pages' nonces, and cannot grind through certificates or nonces until short
// codes match: without the commitments it could (4 words are 32 bits).
//
// A round is one membership of the call (the ids of everyone in it) and a round number. Anyone joining or leaving makes
// a new round with new nonces, so nonces once revealed are never used again. A peer that commits anew on a new channel
// (its page reloaded, or a repaired connection came from somewhere else) moves everyone to the next round number;
// a commitment changed on the same channel, or a reveal that does not match its commitment, marks that pair unverified.
//
// Pages also tell each other the fingerprints they see (for themselves and for their peers). That names the pair that
// does not agree; the code is what people compare, since a server in the middle of every pair of a page could keep
// those reports consistent for that page.
// Pure: no DOM, no RTCPeerConnection; WebCrypto only (node tests run it as it is).

/** Words of the code, one per byte of the hash: 256 short, concrete words that are hard to mishear for each other. */
export const CODE_WORDS = Object.freeze([
  'anchor', 'apple', 'arrow', 'atlas', 'badge', 'bagel', 'bamboo', 'banjo', 'barn', 'basket', 'beach', 'beard',
  'bell', 'berry', 'bike', 'bird', 'blanket', 'boat', 'bone', 'book', 'boot', 'bottle', 'bread', 'brick', 'bridge',
  'broom', 'bucket', 'button', 'cabin', 'cactus', 'cake', 'camel', 'candle', 'canoe', 'canyon', 'carpet', 'carrot',
  'castle', 'cave', 'cello', 'chair', 'cheese', 'cherry', 'chess', 'circle', 'cliff', 'clock', 'cloud', 'clover',
  'coat', 'comet', 'compass', 'coral', 'corn', 'cotton', 'cowboy', 'crab', 'crane', 'crown', 'cup', 'daisy',
  'desert', 'diamond', 'dinner', 'doctor', 'dolphin', 'donkey', 'door', 'dragon', 'drum', 'eagle', 'earth', 'engine',
  'falcon', 'farm', 'feather', 'fence', 'fiddle', 'field', 'finger', 'fire', 'flag', 'flute', 'forest', 'fork',
  'fossil', 'fountain', 'fox', 'frog', 'garden', 'garlic', 'ghost', 'giant', 'ginger', 'glacier', 'glove', 'goat',
  'grape', 'guitar', 'hammer', 'harbor', 'harp', 'hat', 'hawk', 'helmet', 'hill', 'honey', 'horse', 'hotel',
  'iceberg', 'igloo', 'island', 'ivy', 'jacket', 'jaguar', 'jelly', 'jungle', 'kayak', 'kettle', 'key', 'kite',
  'kitten', 'ladder', 'lake', 'lamp', 'lantern', 'lemon', 'letter', 'lion', 'lizard', 'lobster', 'magnet', 'mango',
  'map', 'maple', 'marble', 'meadow', 'melon', 'mirror', 'monkey', 'moon', 'moose', 'mountain', 'muffin', 'needle',
  'nest', 'noodle', 'ocean', 'olive', 'onion', 'orange', 'orbit', 'otter', 'owl', 'paddle', 'palace', 'panda',
  'paper', 'parrot', 'peach', 'peanut', 'pearl', 'pencil', 'penguin', 'pepper', 'piano', 'pickle', 'pigeon',
  'pillow', 'pilot', 'pine', 'pirate', 'planet', 'plum', 'pocket', 'pony', 'potato', 'pumpkin', 'puzzle', 'quilt',
  'rabbit', 'radio', 'rainbow', 'raven', 'river', 'robot', 'rocket', 'rose', 'ruby', 'saddle', 'sail', 'salad',
  'salmon', 'sandal', 'scarf', 'shadow', 'shark', 'sheep', 'shell', 'ship', 'shovel', 'silver', 'skate', 'sled',
  'snail', 'snake', 'sock', 'sofa', 'spider', 'spoon', 'squirrel', 'star', 'stone', 'storm', 'sugar', 'summer',
  'sun', 'swan', 'sword', 'table', 'taco', 'teapot', 'tiger', 'toast', 'tomato', 'tooth', 'torch', 'tower',
  'tractor', 'train', 'tree', 'trumpet', 'tulip', 'turtle', 'umbrella', 'unicorn', 'valley', 'vase', 'violin',
  'volcano', 'wagon', 'walnut', 'walrus', 'water', 'whale', 'wheat', 'wheel', 'whistle', 'window', 'winter',
  'wizard', 'wolf', 'yacht', 'yogurt', 'zebra', 'zipper'
]);
export const WORDS_IN_CODE = 4;
/** After this long a peer that has not completed the check is named as one this page cannot verify. */
export const CHECK_MS = 20000;
const MAX_ROUNDS_KEPT = 6;

const encoder = new TextEncoder();
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const isHex64 = (value) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

/** A SHA-256 fingerprint as 64 lowercase hex digits ('AB:CD:…' from getStats or an SDP), or null. */
export function normalizeFingerprint(value) {
  const digits = String(value ?? '').replace(/:/g, '').toLowerCase();
  return isHex64(digits) ? digits : null;
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export const sha256Hex = async (text) => hex(await sha256(text));

export const randomNonce = () => hex(crypto.getRandomValues(new Uint8Array(32)));

export const commitmentOf = (nonce) => sha256Hex(`meshmeet-commit\n${nonce}`);

/**
 * The code from everyone's fingerprint (as one page sees them) and everyone's nonce: the same sets in any order give
 * the same words.
 * @param {string[]} fingerprints @param {string[]} nonces
 */
export async function roomCode(fingerprints, nonces) {
  const digest = await sha256(`meshmeet-room-code-v1\n${[...fingerprints].sort().join('\n')}\n\n${[...nonces].sort().join('\n')}`);
  return Array.from(digest.subarray(0, WORDS_IN_CODE), (b) => CODE_WORDS[b]).join(' ');
}

/**
 * One page's side of the check with every peer. Feed it who is in the call (members), the pair's channel opening,
 * what arrives on it (receive) and the fingerprint the pair's DTLS transport shows (observe); it sends its messages
 * through send(peerId, message) and tells onChange when the code or its status may have changed (read status()).
 */
export class Verifier {
  #selfId;
  #fingerprint;
  #send;
  #onChange;
  /** The others in the call, and since when each has been (performance.now()). @type {Map<string, number>} */
  #members = new Map();
  #membership = '';
  #round = 0;
  /** This page's nonce and commitment for the current round. */
  #mine = null;
  /** @type {Map<string, PeerCheck>} */
  #peers = new Map();
  /** Messages are handled one at a time, in order: hashing is asynchronous. */
  #queue = Promise.resolve();
  #code = '';

  /**
   * @param {{ selfId: string, fingerprint: string, send: (peerId: string, message: object) => void,
   *   onChange?: () => void }} options fingerprint: this page's own certificate's SHA-256
   */
  constructor({ selfId, fingerprint, send, onChange = () => {} }) {
    this.#selfId = selfId;
    this.#fingerprint = normalizeFingerprint(fingerprint);
    this.#send = send;
    this.#onChange = onChange;
  }

  /** Who else is in the call now. A change starts a new round. @param {string[]} ids @param {number} now */
  setMembers(ids, now) {
    return this.#run(async () => {
      const others = ids.filter((id) => id !== this.#selfId);
      for (const id of others) if (!this.#members.has(id)) this.#members.set(id, now);
      for (const id of [...this.#members.keys()]) {
        if (!others.includes(id)) {
          this.#members.delete(id);
          this.#peers.delete(id);
        }
      }
      const membership = [this.#selfId, ...others].sort().join(',');
      if (membership === this.#membership && this.#mine) return;
      this.#membership = membership;
      // Round numbers only grow, so no round is ever entered twice; a peer already in this membership may be ahead.
      let ahead = 0;
      for (const peer of this.#peers.values()) {
        for (const key of peer.commits.keys()) if (key.startsWith(`${membership}#`)) ahead = Math.max(ahead, Number(key.split('#')[1]));
      }
      await this.#newRound(Math.max(this.#round + 1, ahead));
    });
  }

  /** The pair's data channel opened (again): the check with that peer starts over on it. */
  opened(peerId) {
    return this.#run(async () => {
      const peer = this.#peer(peerId);
      peer.channel += 1;
      peer.open = true;
      peer.sent.clear();
      this.#commitTo(peerId);
      this.#tellSeen(peerId);
    });
  }

  /** The fingerprint of the peer's certificate on the pair's live DTLS transport (null while there is none). */
  observe(peerId, fingerprint) {
    return this.#run(async () => {
      const value = normalizeFingerprint(fingerprint);
      const peer = this.#peer(peerId);
      if (peer.observed === value) return;
      peer.observed = value;
      for (const id of this.#peers.keys()) this.#tellSeen(id);
    });
  }

  /** The pair could not be connected at all (the mesh gave up on it), or it was again. */
  setUnreachable(peerId, unreachable) {
    return this.#run(async () => { this.#peer(peerId).unreachable = unreachable; });
  }

  /** A message of the check from a peer's data channel (anything else is not ours: false). */
  receive(peerId, message) {
    if (!['code-commit', 'code-reveal', 'code-seen'].includes(message?.type)) return false;
    this.#run(() => this.#handle(this.#peer(peerId), peerId, message));
    return true;
  }

  /** Everything asked for so far has been handled (tests). */
  settled() { return this.#queue; }

  /**
   * The code as this page can tell it, and whom it cannot verify.
   * @param {number} now performance.now()
   * @returns {{ code: string, status: 'pending' | 'verified' | 'unverified', problems: { ids: string[], reason: string }[] }}
   */
  status(now) {
    const problems = [];
    for (const [id, since] of this.#members) {
      const peer = this.#peers.get(id);
      const claims = peer?.claims;
      if (peer?.broken) problems.push({ ids: [id], reason: peer.broken });
      else if (peer?.unreachable) problems.push({ ids: [id], reason: 'unreachable' });
      else if (claims?.self && peer.observed && claims.self !== peer.observed) problems.push({ ids: [id], reason: 'their-certificate' });
      else if (claims?.seen[this.#selfId] && claims.seen[this.#selfId] !== this.#fingerprint) problems.push({ ids: [id], reason: 'your-certificate' });
      else if (!this.#complete(id) && now - since > CHECK_MS) problems.push({ ids: [id], reason: 'no-answer' });
      // What this peer sees of a third one, against what that one says it holds (and we see it hold).
      for (const [otherId, seen] of Object.entries(claims?.seen ?? {})) {
        const other = this.#peers.get(otherId);
        if (otherId === this.#selfId || !this.#members.has(otherId) || !other?.claims?.self) continue;
        const ids = [id, otherId].sort();
        if (other.claims.self === other.observed && seen !== other.claims.self
          && !problems.some((p) => p.reason === 'their-pair' && p.ids.join() === ids.join())) problems.push({ ids, reason: 'their-pair' });
      }
    }
    const complete = [...this.#members.keys()].every((id) => this.#complete(id));
    const code = complete ? this.#code : '';
    return { code, status: problems.length > 0 ? 'unverified' : complete ? 'verified' : 'pending', problems };
  }

  #complete(id) {
    const peer = this.#peers.get(id);
    return !!peer?.observed && peer.nonces.has(this.#key());
  }

  #key() { return `${this.#membership}#${this.#round}`; }

  #peer(id) {
    let peer = this.#peers.get(id);
    if (!peer) this.#peers.set(id, peer = new PeerCheck());
    return peer;
  }

  async #handle(peer, peerId, message) {
    if (message.type === 'code-seen') {
      peer.claims = seenClaims(message);
      return;
    }
    const [membership, roundText] = String(message.round ?? '').split('#');
    const round = Number(roundText);
    if (!Number.isSafeInteger(round) || round < 0 || membership.length > 2000) return;
    const key = `${membership}#${round}`;
    if (message.type === 'code-commit') {
      if (!isHex64(message.commitment)) return;
      const known = peer.commits.get(key);
      if (known && known.value !== message.commitment) {
        // The same peer, the same round, another nonce: on the same channel that is not an honest page; on a new one
        // it is a reloaded page (or another endpoint): a new round, with new nonces for everyone.
        if (known.channel === peer.channel) peer.broken = 'changed-commitment';
        else if (key === this.#key()) await this.#newRound(this.#round + 1);
        return;
      }
      remember(peer.commits, key, { value: message.commitment, channel: peer.channel });
      // Another page of the same membership is a round ahead: follow it.
      if (membership === this.#membership && round > this.#round) await this.#newRound(round);
      else this.#revealTo(peerId);
      return;
    }
    // code-reveal
    // One for a round or a channel that is over (a reload, a repair crossed it) is late, not false: it counts for nothing.
    const commit = peer.commits.get(key);
    if (!commit || commit.channel !== peer.channel || typeof message.nonce !== 'string' || message.nonce.length > 200) return;
    if (await commitmentOf(message.nonce) !== commit.value) {
      peer.broken = 'reveal-mismatch';
      return;
    }
    remember(peer.nonces, key, message.nonce);
  }

  async #newRound(round) {
    this.#round = round;
    const nonce = randomNonce();
    this.#mine = { key: this.#key(), nonce, commitment: await commitmentOf(nonce) };
    for (const peer of this.#peers.values()) peer.sent.clear();
    for (const id of this.#peers.keys()) this.#commitTo(id);
  }

  /** Our commitment for the round, once per channel; then our nonce if theirs is here already. */
  #commitTo(peerId) {
    const peer = this.#peers.get(peerId);
    if (!this.#mine || !peer?.open || !this.#members.has(peerId)) return;
    if (!peer.sent.has('commit')) {
      this.#send(peerId, { type: 'code-commit', round: this.#mine.key, commitment: this.#mine.commitment });
      peer.sent.add('commit');
    }
    this.#revealTo(peerId);
  }

  /** Our nonce goes only to a peer that committed to its own on this channel, after our commitment went there. */
  #revealTo(peerId) {
    const peer = this.#peers.get(peerId);
    const theirs = peer?.commits.get(this.#mine?.key);
    if (!peer?.sent.has('commit') || peer.sent.has('reveal') || theirs?.channel !== peer.channel) return;
    this.#send(peerId, { type: 'code-reveal', round: this.#mine.key, nonce: this.#mine.nonce });
    peer.sent.add('reveal');
  }

  #tellSeen(peerId) {
    const peer = this.#peers.get(peerId);
    if (!peer?.open || !this.#members.has(peerId)) return;
    const seen = {};
    for (const [id, other] of this.#peers) if (other.observed && this.#members.has(id)) seen[id] = other.observed;
    this.#send(peerId, { type: 'code-seen', self: this.#fingerprint, seen });
  }

  /** Runs a step after the previous ones, then recomputes the code. */
  #run(step) {
    this.#queue = this.#queue.then(step).then(() => this.#recompute()).catch((e) => console.warn('MeshMeet: room code', e));
    return this.#queue;
  }

  async #recompute() {
    const ids = [...this.#members.keys()];
    const key = this.#key();
    this.#code = this.#mine && ids.every((id) => this.#complete(id))
      ? await roomCode([this.#fingerprint, ...ids.map((id) => this.#peers.get(id).observed)],
        [this.#mine.nonce, ...ids.map((id) => this.#peers.get(id).nonces.get(key))])
      : '';
    this.#onChange();
  }
}

class PeerCheck {
  /** How many times the pair's channel opened: commitments count for the channel they came on. */
  channel = 0;
  open = false;
  /** What went to the peer on this channel in this round ('commit', 'reveal'). */
  sent = new Set();
  /** Fingerprint of the peer's certificate on the live DTLS transport. @type {string | null} */
  observed = null;
  /** Commitments by round. @type {Map<string, { value: string, channel: number }>} */
  commits = new Map();
  /** Revealed nonces that matched their commitment, by round. @type {Map<string, string>} */
  nonces = new Map();
  /** What the peer says it holds and sees of the others. @type {{ self: string | null, seen: Record<string, string> } | null} */
  claims = null;
  /** Why this pair cannot be verified, for good. @type {string | null} */
  broken = null;
  unreachable = false;
}

/** Keeps a few rounds (a peer cannot make a page hold more). */
function remember(map, key, value) {
  map.set(key, value);
  while (map.size > MAX_ROUNDS_KEPT) map.delete(map.keys().next().value);
}

/** A peer's report of the fingerprints it sees, as fingerprints only (it comes from another browser). */
function seenClaims(message) {
  const seen = {};
  for (const [id, value] of Object.entries(message.seen ?? {}).slice(0, 10)) {
    const fingerprint = normalizeFingerprint(value);
    if (fingerprint && id.length <= 100) seen[id] = fingerprint;
  }
  return { self: normalizeFingerprint(message.self), seen };
}
