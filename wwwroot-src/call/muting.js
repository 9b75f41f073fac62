// Muting others: a host (the owner or a co-host) turns someone's microphone or camera off, or every microphone but the
// hosts'; in a room that asks to unmute it stays off until the host allows it (the person raises their hand to ask).
// The server checks who may and refuses a held-off unmute; every page stops playing what the host turned off
// (view.js plays a peer's tracks only while the server says they are on). A call feature (install wires it).

import { hubErrorMessage } from './signaling.js';

/** @param {import('./call.js').FeatureContext} context */
export function install({ signaling, store, view, root, selfMedia }) {
  const report = (e) => view.showAlert(hubErrorMessage(e));
  const name = (id) => store.get(id)?.displayName ?? 'this person';

  view.onTileButton('button.mute-peer', (id) => signaling.invoke('MuteParticipant', { participantId: id, kind: 'audio' }).catch(report));
  view.onTileButton('button.stop-peer-video', (id) => signaling.invoke('MuteParticipant', { participantId: id, kind: 'video' }).catch(report));
  view.onTileButton('button.allow-speak', (id) => signaling.invoke('AllowToSpeak', { participantId: id }).catch(report));
  root.querySelector('#mute-all-button')?.addEventListener('click', () => {
    if (confirm('Mute everyone but the hosts?')) signaling.invoke('MuteAll', {}).catch(report);
  });

  signaling.on('MutedByHost', ({ id, kind, by, held }) => {
    const audio = kind === 'audio';
    store.update(id, audio ? { audioMuted: true, audioHeld: held, audioByHost: true } : { videoMuted: true, videoHeld: held, videoByHost: true });
    if (id !== store.selfId) return;
    selfMedia.turnOff(kind);
    const what = audio ? 'muted your microphone' : 'turned your camera off';
    view.showNotice(`${by} ${what}.${held ? ' Raise your hand to ask to turn it on again.' : ''}`);
  });
  signaling.on('AllowedToSpeak', ({ id }) => {
    store.update(id, { audioHeld: false, videoHeld: false, handRaised: false });
    if (id === store.selfId) view.showNotice('The host allows you to speak: unmute when you are ready.');
  });

  // The host's buttons on each tile, and "turned off by the host" until the person turns it on again.
  const draw = (peer) => {
    const tile = view.tileOf(peer.id);
    if (!tile) return;
    if (peer.audioByHost && !peer.audioMuted) store.update(peer.id, { audioByHost: false });
    if (peer.videoByHost && !peer.videoMuted) store.update(peer.id, { videoByHost: false });
    const byHost = [peer.audioByHost && peer.audioMuted && 'audio', peer.videoByHost && peer.videoMuted && 'video'].filter(Boolean).join(' ');
    if (byHost) tile.dataset.mutedByHost = byHost;
    else delete tile.dataset.mutedByHost;
    if (peer.self) return;
    const self = store.self;
    // Hosts are not muted by hosts: the owner never, and co-hosts stay free to speak.
    const moderator = (self?.isHost || self?.isCohost) && !peer.isHost;
    const button = (selector, show, text) => {
      const b = tile.querySelector(selector);
      if (!b) return;
      b.hidden = !show;
      b.textContent = text;
    };
    button('.mute-peer', moderator && !peer.audioMuted, `Mute ${peer.displayName}`);
    button('.stop-peer-video', moderator && !peer.videoMuted, `Stop ${peer.displayName}'s video`);
    button('.allow-speak', moderator && (peer.audioHeld || peer.videoHeld), `Allow ${name(peer.id)} to speak`);
  };
  store.addEventListener('peer', ({ detail: { peer } }) => {
    draw(peer);
    if (peer.self) for (const other of store.others()) draw(other); // whether we may moderate decides their buttons
  });
}
