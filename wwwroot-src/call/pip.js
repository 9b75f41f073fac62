// Picture-in-picture: "Pop out" keeps the call in view over other windows. Where the browser has Document
// Picture-in-Picture the small window shows whoever speaks (or a shared screen), with Mute and Leave; elsewhere the
// speaker's video itself goes picture-in-picture. Where neither exists the button says so. A call feature.

/** @param {import('./call.js').FeatureContext} context */
export function install({ store, view, root }) {
  const button = /** @type {HTMLButtonElement} */ (root.querySelector('#pip-button'));
  const documentPip = 'documentPictureInPicture' in window;
  if (!documentPip && !document.pictureInPictureEnabled) {
    button.disabled = true;
    button.title = 'This browser cannot pop out the call.';
    return;
  }
  /** Who the small window shows: a shared screen, else whoever speaks, else the first other person. */
  const featured = () => {
    const others = store.others();
    const peer = others.find((p) => p.screenSharing) ?? others.find((p) => p.speaking) ?? others[0];
    const tile = peer && view.tileOf(peer.id);
    if (!tile) return null;
    const video = tile.querySelector(peer.screenSharing ? 'video[data-screen]' : 'video:not([data-screen])');
    return { peer, stream: video?.srcObject ?? null };
  };

  button.addEventListener('click', async () => {
    const shown = featured();
    if (!shown?.stream) {
      view.showNotice('Nobody else is in the call yet: there is nothing to pop out.');
      return;
    }
    try {
      if (documentPip) await popOut(shown);
      else await view.tileOf(shown.peer.id).querySelector('video:not([data-screen])').requestPictureInPicture();
    } catch (error) {
      view.showAlert(`Could not pop out the call: ${error.message}`);
    }
  });

  async function popOut(first) {
    const pip = await window.documentPictureInPicture.requestWindow({ width: 360, height: 240 });
    for (const sheet of document.querySelectorAll('link[rel=stylesheet]')) pip.document.head.append(sheet.cloneNode());
    const body = pip.document.body;
    body.className = 'pip';
    const video = Object.assign(pip.document.createElement('video'), { autoplay: true, playsInline: true, muted: true });
    const name = pip.document.createElement('p');
    const controls = pip.document.createElement('div');
    for (const [label, target] of [['Mute', '#mute-button'], ['Leave', '#leave-button']]) {
      const b = Object.assign(pip.document.createElement('button'), { type: 'button', textContent: label });
      b.addEventListener('click', () => root.querySelector(target).click()); // the call's own buttons do the work
      controls.append(b);
    }
    body.append(video, name, controls);
    const follow = () => {
      const now = featured() ?? first;
      if (video.srcObject !== now.stream) video.srcObject = now.stream;
      name.textContent = now.peer.screenSharing ? `${now.peer.displayName}'s screen` : now.peer.displayName;
      controls.firstChild.textContent = root.querySelector('#mute-button').textContent;
    };
    follow();
    const timer = setInterval(follow, 500);
    pip.addEventListener('pagehide', () => clearInterval(timer));
  }
}
