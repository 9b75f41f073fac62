// Entry of the call page island: wires the signaling connection, local media and the mesh to the page's markup, and
// lists the call's features. The page's phase lives in one state machine (state.js), everyone's state in the peer
// store (store.js); both are visible to people (words) and to tests (data-call-state, data-self-id, data-peer-id ...).

import { Signaling, hubErrorMessage } from './signaling.js';
import { LocalMedia } from './media.js';
import { Mesh } from './mesh.js';
import { ViewReports } from './sizing.js';
import { LinkIndicators } from './links.js';
import { CallView } from './view.js';
import { PeerStore } from './store.js';
import { INITIAL, IN_CALL, transition } from './state.js';
import { nextSpeaking, shortcutFor } from './rules.js';
import * as chat from './chat.js';
import * as effects from './effects.js';
import * as hands from './hands.js';
import * as lobby from './lobby.js';
import * as moderation from './moderation.js';
import * as muting from './muting.js';
import * as pip from './pip.js';
import * as privacy from './privacy.js';
import * as reactions from './reactions.js';
import * as recording from './recording.js';

/**
 * What a call feature gets to wire itself: the hub (its own methods through invoke and on), the peer store, the view,
 * the call's root element, this page's own camera and microphone (a host may turn them off), and each new mesh of
 * peer connections (one per join or resume) as it is made.
 * @typedef {{ signaling: Signaling, store: PeerStore, view: CallView, root: HTMLElement,
 *   selfMedia: SelfMedia, onMesh: (listener: (mesh: Mesh) => void) => void }} FeatureContext
 * @typedef {{ turnOff: (kind: 'audio' | 'video') => void,
 *   process: (kind: 'audio' | 'video', effect: ((track: MediaStreamTrack) => Promise<{ track: MediaStreamTrack, stop: () => void }>) | null) => Promise<void> }} SelfMedia
 */

/** The call's features, each a module with install(context). */
const FEATURES = [chat, effects, hands, lobby, moderation, muting, pip, privacy, reactions, recording];

const root = document.getElementById('call');
const roomId = root.dataset.roomId;
const store = new PeerStore();
const view = new CallView(root, store);
const media = new LocalMedia();
const signaling = new Signaling(root.dataset.hubUrl,
  { keepAliveMs: Number(root.dataset.keepAliveMs) || undefined, serverTimeoutMs: Number(root.dataset.serverTimeoutMs) || undefined });
const selfMedia = {
  turnOff(kind) {
    if (kind === 'audio') media.setAudioMuted(true);
    else media.setVideoMuted(true);
    store.update(store.selfId, { audioMuted: media.audioMuted, videoMuted: media.videoMuted });
    view.showMediaControls(mediaControls());
  },
  /** An effect on (or off) what is sent of a kind: the new track goes on every pair and into the self view. */
  async process(kind, effect) {
    const track = await media.setEffect(kind, effect);
    if (!track) return;
    if (mesh) {
      await mesh.replaceTrack(track);
      view.showSelf(media.stream);
    } else {
      view.showPreview(media.stream, media.problem);
      if (kind === 'audio') meterPreview();
    }
  },
};
/** @type {((mesh: Mesh) => void)[]} */
const meshListeners = [];
const onMesh = (listener) => meshListeners.push(listener);
for (const feature of FEATURES) feature.install({ signaling, store, view, root, selfMedia, onMesh });
const tokenKey = `meshmeet.token.${roomId}`;
// Set while this tab is in the call, so a reload rejoins with the same identity instead of showing the pre-join screen.
const activeKey = `meshmeet.active.${roomId}`;
const nameKey = 'meshmeet.name';
const shortcutsKey = 'meshmeet.shortcuts';

/** The page's phase (state.js); every change goes through dispatch. */
let call = INITIAL;
/** @param {Parameters<typeof transition>[1]} event @returns {boolean} whether the state changed */
function dispatch(event) {
  const before = call;
  call = transition(call, event);
  return call !== before;
}
/** The peer connections, while in the call. @type {Mesh | null} */
let mesh = null;
/**
 * The room's events that arrive while a join (or resume) is under way, held until its answer has built the mesh. The
 * answer lists who was there at one moment; someone who joins, leaves or mutes around that moment can be announced
 * before the answer arrives, and applied then the event would miss the mesh (none yet, or the one the answer replaces).
 * @type {(() => void)[] | null}
 */
let held = null;
/** A room event's handler that waits for the join under way, if any. */
const afterJoin = (handler) => (event) => (held ? held.push(() => handler(event)) : handler(event));
/** This page's one certificate for all its connections, for as long as the page lives (resumes keep it). */
let certificate = null;
/** What this page shows of each peer, told to that peer so it sends no bigger video than that (sizing.js). */
const viewReports = new ViewReports(view.stage, (peerId, report) => mesh?.sendControl(peerId, report));
/** Each peer's link (direct or relayed, and how well) on its tile, from the mesh's statistics (links.js). */
const links = new LinkIndicators((peerId) => view.tileOf(peerId));
/** Timer that fetches fresh TURN credentials before the ones the mesh holds run out. */
let iceRefresh = 0;

/** The preview being opened: a camera can take seconds to start, or wait on the browser's permission prompt. */
let previewing = Promise.resolve();

function preview(choice) {
  previewing = (async () => {
    await media.open(choice);
    view.showPreview(media.stream, media.problem);
    view.fillDevices(await media.devices(), media.deviceStream);
    meterPreview();
  })();
  return previewing;
}

/** The microphone's level under the preview (of what is sent: after noise suppression). */
function meterPreview() {
  if (call.phase !== 'prejoin' && call.phase !== 'error') return;
  media.stopMeter();
  media.meterLevel((level) => view.showMicLevel(level));
}

async function join(displayName) {
  if (call.phase !== 'prejoin' && call.phase !== 'error') return; // one join at a time, and none while in the call
  const name = displayName.trim();
  if (!name || name.length > 40) {
    view.showNameError(name ? 'Your name must be at most 40 characters.' : 'Type your name so the others know who you are.');
    return;
  }
  dispatch({ type: 'join' });
  view.showNameError('');
  view.setState('joining', 'Joining…');
  try {
    // The join waits for the camera and microphone the person chose: joining while they start would give every
    // connection an empty stream. If they cannot be had (refused, none), it goes on without them, as the pre-join
    // screen says.
    await previewing.catch(() => {});
    media.stopMeter();
    if (!call.connected) {
      await signaling.start();
      dispatch({ type: 'connected' });
    }
    await enter(name);
  } catch (error) {
    sessionStorage.removeItem(activeKey);
    if (dispatch({ type: 'join-failed' })) {
      view.setState('error', 'Could not join.');
      view.showAlert(hubErrorMessage(error));
    }
  }
}

/**
 * Joins (or resumes) and connects to everyone already there; in a room that asks to join, knocks and waits.
 * @param {string} name @param {string} [admissionTicket] what the host's Admit gave this page in the lobby
 */
async function enter(name, admissionTicket) {
  // Made before the join: nothing may wait between the join's answer and the mesh (announcements would pass it by).
  certificate ??= await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' });
  held = [];
  const result = await signaling.joinRoom({ roomId, displayName: name, reconnectToken: localStorage.getItem(tokenKey) ?? undefined,
    admissionTicket }).catch((error) => { held = null; throw error; });
  if (result.waiting) {
    held = null;
    dispatch({ type: 'waiting', name });
    view.setState('waiting', result.hostPresent ? WAITING_WORDS : NO_HOST_WORDS);
    return;
  }
  localStorage.setItem(tokenKey, result.reconnectToken);
  localStorage.setItem(nameKey, name);
  sessionStorage.setItem(activeKey, '1');
  const selfId = result.selfId;
  // A resume keeps the seat and what the server stored with it (a raised hand); the others arrive again in peers.
  const handRaised = result.resumed && (store.self?.handRaised ?? false);
  // What the host holds off stays off, also after a reload.
  if (result.self?.audioHeld) media.setAudioMuted(true);
  if (result.self?.videoHeld) media.setVideoMuted(true);
  mesh?.close();
  store.clear();
  store.selfId = selfId;
  store.add({ id: selfId, displayName: name, isHost: result.isHost, isCohost: result.isCohost === true, audioMuted: media.audioMuted, videoMuted: media.videoMuted,
    screenSharing: media.screenTrack !== null, handRaised, audioHeld: result.self?.audioHeld === true, videoHeld: result.self?.videoHeld === true });
  mesh = new Mesh({ selfId, signaling, media, iceServers: result.iceServers, iceTransportPolicy: result.iceTransportPolicy,
    uplinkBudgetKbps: result.uplinkBudgetKbps, certificate, isMuted: (id) => store.isFullyMuted(id),
    isAudioMuted: (id) => store.get(id)?.audioMuted === true });
  mesh.addEventListener('remote-stream', ({ detail }) => view.showPeerStream(detail.peerId, detail.stream));
  mesh.addEventListener('remote-screen', ({ detail }) => view.showPeerScreen(detail.peerId, detail.stream));
  mesh.addEventListener('peer-state', ({ detail }) => store.update(detail.peerId, { connection: detail.state }));
  mesh.addEventListener('control-open', ({ detail }) => viewReports.resend(detail.peerId));
  mesh.addEventListener('link-stats', ({ detail }) => links.update(detail.peerId, detail.report));
  for (const listener of meshListeners) listener(mesh);
  view.enterCall({ selfId, name, stream: media.stream });
  view.showMediaControls(mediaControls());
  dispatch({ type: 'joined', selfId, name });
  for (const peer of result.peers) {
    if (store.add(peer)) mesh.connect(peer.id, { initiator: false });
  }
  // The hub announces a newcomer only to those seated before them, so whoever was announced meanwhile waits for our
  // offer: replaying the announcement makes it (in place of the waiting connection above, if the answer listed them too).
  const late = held ?? [];
  held = null;
  for (const apply of late) apply();
  view.setState('in-call', describeRoom(store.count, result.capacity));
  scheduleIceRefresh(result.iceRefreshSeconds);
  if (media.screenTrack) await mesh.shareScreen(media.screenTrack); // a resume while sharing
  if (media.audioMuted || media.videoMuted || media.screenTrack) await sendMediaState();
}

function scheduleIceRefresh(seconds) {
  clearTimeout(iceRefresh);
  if (!seconds) return;
  iceRefresh = setTimeout(async () => {
    try {
      const fresh = await signaling.refreshIceServers();
      mesh?.setIceServers(fresh.iceServers);
      scheduleIceRefresh(fresh.iceRefreshSeconds);
    } catch (error) {
      // Not seated any more, or the server is away: a resume brings fresh credentials with it.
      console.warn('MeshMeet: could not refresh TURN credentials', error);
    }
  }, seconds * 1000);
}

const mediaControls = () => ({ audioMuted: media.audioMuted, videoMuted: media.videoMuted, hasAudio: media.has('audio'), hasVideo: media.has('video') });

/** One attempt at a time to open a camera or microphone that was missing. */
let addingDevices = Promise.resolve();

/**
 * A camera or microphone that was missing and now opens (plugged in, or its permission granted late) joins the
 * preview, or, in the call, goes into that slot on every pair (no renegotiation) and the others are told it is on.
 */
function addMissingDevices() {
  addingDevices = addingDevices.then(async () => {
    await previewing.catch(() => {});
    if (call.phase === 'ended' || (media.has('audio') && media.has('video'))) return;
    const tracks = await media.openMissing();
    if (tracks.length === 0) return;
    view.fillDevices(await media.devices(), media.deviceStream);
    const nouns = tracks.map((t) => (t.kind === 'video' ? 'camera' : 'microphone')).join(' and ');
    if (!mesh) {
      view.showPreview(media.stream, media.problem);
      meterPreview();
      return;
    }
    for (const track of tracks) await mesh.replaceTrack(track);
    view.showSelf(media.stream);
    view.showMediaControls(mediaControls());
    store.update(store.selfId, { audioMuted: media.audioMuted, videoMuted: media.videoMuted });
    await sendMediaState();
    view.showNotice(`Your ${nouns} ${tracks.length > 1 ? 'are' : 'is'} now on in the call.`);
  }).catch((e) => console.warn('MeshMeet: could not add a device that came late', e));
}

const sendMediaState = () => signaling.setMediaState(media.audioMuted, media.videoMuted, media.screenTrack !== null)
  .catch((e) => view.showAlert(hubErrorMessage(e)));

async function shareScreen(share) {
  if (share) {
    let track;
    try {
      track = await media.startScreen();
    } catch (error) {
      if (error?.name !== 'NotAllowedError') view.showAlert(`Could not share the screen: ${error.message}`);
      return; // the person cancelled the browser's picker
    }
    await mesh?.shareScreen(track);
  } else {
    media.stopScreen();
    await mesh?.shareScreen(null);
  }
  view.setSharing(media.screenTrack !== null);
  store.update(store.selfId, { screenSharing: media.screenTrack !== null });
  await sendMediaState();
}

/** In the call: another camera or microphone, on every connection at once, nobody renegotiates. */
async function switchDevice(kind, deviceId) {
  await mesh?.replaceTrack(await media.switchDevice(kind, deviceId));
  view.showSelf(media.stream);
  view.fillDevices(await media.devices(), media.deviceStream);
  return media.deviceTrack(kind);
}

// Who is speaking, from the audio level each peer's connection receives (a few times a second).
const speaking = new Map();
setInterval(() => {
  if (!mesh) return;
  const now = performance.now();
  for (const [id, level] of mesh.audioLevels()) {
    const state = nextSpeaking(speaking.get(id) ?? { speaking: false, loudAt: -Infinity }, level, now, store.get(id)?.audioMuted ?? true);
    speaking.set(id, state);
    store.update(id, { speaking: state.speaking });
  }
}, 200);

function describeRoom(count, capacity) {
  return count === 1 ? 'You are the only one here. Share the link to invite others.' : `${count} of ${capacity} people in the call`;
}

function finish(state, title, message) {
  sessionStorage.removeItem(activeKey);
  dispatch({ type: 'ended', reason: state });
  clearTimeout(iceRefresh);
  mesh?.close();
  mesh = null;
  store.clear();
  media.close();
  view.showEnded(state, title, message);
  signaling.stop();
}

signaling.addEventListener('peer-joined', afterJoin(({ detail: peer }) => {
  if (!mesh || !store.add(peer)) return;
  mesh.connect(peer.id, { initiator: true }); // existing peers offer to the newcomer (also after a resume)
  view.setStatus(describeRoom(store.count, Number(root.dataset.capacity)));
}));
signaling.addEventListener('peer-left', afterJoin(({ detail }) => {
  mesh?.forget(detail.id);
  links.forget(detail.id);
  speaking.delete(detail.id);
  store.remove(detail.id);
  view.setStatus(describeRoom(store.count, Number(root.dataset.capacity)));
}));
signaling.addEventListener('signal', afterJoin(({ detail }) => { if (!store.hasLeft(detail.from)) mesh?.handleSignal(detail); }));
signaling.addEventListener('media-state', afterJoin(({ detail }) => store.update(detail.id,
  { audioMuted: detail.audioMuted, videoMuted: detail.videoMuted, screenSharing: detail.screenSharing })));
signaling.addEventListener('kicked', ({ detail }) => finish('kicked', 'You were removed from the call', detail.reason));
signaling.addEventListener('room-closed', ({ detail }) => finish('closed',
  detail.reason === 'deleted' ? 'The room was deleted' : 'The host ended the call',
  detail.reason === 'deleted' ? 'This room no longer exists.' : 'The call is over. You can join again later.'));
// The lobby, as the guest sees it: let in (join with the ticket), turned away, or told the host has come.
const WAITING_WORDS = 'Waiting for the host to let you in.';
const NO_HOST_WORDS = "The host isn't here yet. You'll join as soon as they let you in.";
signaling.on('Admitted', async ({ ticket }) => {
  if (!dispatch({ type: 'admitted' })) return;
  view.setState('joining', 'The host let you in. Joining…');
  try {
    await enter(call.name, ticket);
  } catch (error) {
    if (dispatch({ type: 'join-failed' })) {
      view.setState('error', 'Could not join.');
      view.showAlert(hubErrorMessage(error));
    }
  }
});
signaling.on('Denied', ({ reason }) => {
  if (call.phase === 'waiting') finish('denied', "You weren't let in", `${reason} You can ask again in a few minutes.`);
});
signaling.on('LobbyHost', ({ present }) => { if (call.phase === 'waiting') view.setStatus(present ? WAITING_WORDS : NO_HOST_WORDS); });

signaling.addEventListener('reconnecting', () => {
  if (dispatch({ type: 'reconnecting' })) view.setState('reconnecting', 'Connection to the server lost. Reconnecting…');
});
signaling.addEventListener('reconnected', async () => {
  if (call.phase === 'waiting') {
    // A new connection has no knock: knock again (the old one went with the old connection).
    await enter(call.name).catch((error) => finish('error', 'Could not ask to join', hubErrorMessage(error)));
    return;
  }
  if (!IN_CALL.has(call.phase)) return;
  try {
    await enter(call.name); // resumes the same identity with the reconnect token
  } catch (error) {
    finish('error', 'Could not rejoin the call', hubErrorMessage(error));
  }
});
signaling.addEventListener('closed', () => {
  const wasInCall = IN_CALL.has(call.phase) || call.phase === 'waiting';
  dispatch({ type: 'disconnected' });
  if (wasInCall) finish('error', 'Connection lost', 'The connection to the server was lost. Check your network and join again.');
});

view.onJoin = (name) => join(name);
view.readyToJoin();
view.onDeviceChange = (choice) => preview(choice).catch((e) => view.showAlert(`Could not switch device: ${e.message}`));
view.onMute = async (muted) => {
  // The host holds the microphone off: the server decides (and says why not) before anything is heard.
  if (!muted && store.self?.audioHeld && !(await heldOffAllows({ audioMuted: false }))) return;
  media.setAudioMuted(muted);
  store.update(store.selfId, { audioMuted: media.audioMuted });
  await sendMediaState();
};
view.onVideo = async (off) => {
  if (!off && store.self?.videoHeld && !(await heldOffAllows({ videoMuted: false }))) return;
  media.setVideoMuted(off);
  store.update(store.selfId, { videoMuted: media.videoMuted });
  await sendMediaState();
};
view.onScreen = (share) => shareScreen(share);

/** Asks the server first to turn on what the host held off; false (the buttons as they were, and why) if it refuses. */
async function heldOffAllows(change) {
  const next = { audioMuted: media.audioMuted, videoMuted: media.videoMuted, ...change };
  try {
    await signaling.setMediaState(next.audioMuted, next.videoMuted, media.screenTrack !== null);
    return true;
  } catch (error) {
    view.showMediaControls(mediaControls());
    view.showAlert(hubErrorMessage(error));
    return false;
  }
}
media.addEventListener('screen-ended', () => shareScreen(false)); // "Stop sharing" in the browser's own bar
view.onCopyLink = async () => {
  const link = `${location.origin}/r/${roomId}`;
  try {
    await navigator.clipboard.writeText(link);
    view.showNotice(`Link copied: ${link}`);
  } catch {
    view.showNotice(`Copy this link to invite others: ${link}`);
  }
};
view.onCallDevice = (kind, deviceId) => switchDevice(kind, deviceId)
  .then((track) => view.showNotice(`Now using ${track.label || (kind === 'video' ? 'another camera' : 'another microphone')}.`))
  .catch((e) => view.showAlert(`Could not switch device: ${e.message}`));
// A device that goes away mid-call (unplugged): fall back to another one, and say so.
media.addEventListener('device-lost', async ({ detail }) => {
  const noun = detail.kind === 'video' ? 'camera' : 'microphone';
  try {
    const track = await switchDevice(detail.kind, '');
    view.showAlert(`Your ${noun} (${detail.label}) stopped working. Now using ${track.label || `another ${noun}`}.`);
  } catch {
    view.showAlert(`Your ${noun} (${detail.label}) stopped working, and no other ${noun} could be opened.`);
  }
});
media.watchDevices(() => addMissingDevices());
view.setShortcuts(localStorage.getItem(shortcutsKey) !== 'off');
view.onShortcuts = (enabled) => localStorage.setItem(shortcutsKey, enabled ? 'on' : 'off');
document.addEventListener('keydown', (event) => {
  if (call.phase !== 'in-call' || localStorage.getItem(shortcutsKey) === 'off') return;
  const action = shortcutFor(event);
  if (!action) return;
  event.preventDefault();
  view.press(action);
});
view.onLeave = async () => {
  // Not in the call any more from this click on: a page left or reloaded while the server answers must not rejoin.
  sessionStorage.removeItem(activeKey);
  await signaling.leaveRoom().catch(() => {});
  finish('closed', 'You left the call', 'Thanks for joining.');
};

// Start: preview with the remembered devices; a reload of an active call goes straight back in. Whether this is such a
// reload is read before the preview: a person who clicks Join while the camera is still starting marks the tab
// active, and must not be joined a second time when the preview is done.
view.setName(localStorage.getItem(nameKey) ?? '');
const reloadOfActiveCall = sessionStorage.getItem(activeKey) && localStorage.getItem(nameKey);
await preview(LocalMedia.savedPreferences()).catch((e) => view.showAlert(`Camera and microphone: ${e.message}`));
if (reloadOfActiveCall) await join(localStorage.getItem(nameKey));
