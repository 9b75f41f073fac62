// The host's controls: kick (optionally locking the room), lock and unlock, end for everyone, and co-hosts: the owner
// lets someone moderate this call, and takes it back. The server checks that the caller owns the room or is a co-host
// (one rule); these controls show only on such a page. A call feature (install wires it).

import { hubErrorMessage } from './signaling.js';

/** @param {import('./call.js').FeatureContext} context */
export function install({ signaling, store, view, root }) {
  const $ = (selector) => root.querySelector(selector);
  const lockButton = $('#lock-button');
  const report = (e) => view.showAlert(hubErrorMessage(e));
  let locked = false;
  const showLocked = (value) => {
    locked = value;
    if (!lockButton) return;
    lockButton.textContent = locked ? 'Unlock room' : 'Lock room';
    lockButton.setAttribute('aria-pressed', String(locked));
  };

  view.onTileButton('button.kick', (peerId) => {
    const name = store.get(peerId)?.displayName ?? 'this person';
    if (!confirm(`Remove ${name} from the call? They will not be able to rejoin this room.`)) return;
    signaling.invoke('KickParticipant', { participantId: peerId, lockRoom: $('#lock-on-kick')?.checked ?? false }).catch(report);
  });
  $('#end-button')?.addEventListener('click', () => {
    if (confirm('End the call for everyone?')) signaling.invoke('EndRoom', {}).catch(report);
  });
  lockButton?.addEventListener('click', () => signaling.invoke('SetRoomLock', { locked: !locked }).catch(report));
  signaling.addEventListener('joined', ({ detail }) => showLocked(detail.locked));
  signaling.on('RoomLockChanged', (message) => showLocked(message.locked));

  view.onTileButton('button.make-cohost', (peerId) => {
    signaling.invoke('SetCohost', { participantId: peerId, cohost: !store.get(peerId)?.isCohost }).catch(report);
  });
  const controls = $('[data-moderator-controls]');
  store.addEventListener('peer', ({ detail: { peer } }) => {
    if (peer.self && controls) controls.hidden = !(peer.isHost || peer.isCohost);
  });
  signaling.on('CohostChanged', ({ id, cohost }) => {
    const wasCohost = store.get(id)?.isCohost;
    store.update(id, { isCohost: cohost });
    if (id !== store.selfId || wasCohost === cohost) return;
    view.showNotice(cohost ? 'The host made you a co-host: you can remove people, lock the room and end the call.'
      : 'You are no longer a co-host.');
  });
}
