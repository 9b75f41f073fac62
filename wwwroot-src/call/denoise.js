// Noise suppression: the microphone through RNNoise (a small recurrent network trained to keep speech and drop
// noise) in an AudioWorklet, on top of the browser's own echo cancellation. The worklet and its WASM (about 150 KB,
// the SIMD build where the browser has SIMD) come from @sapphi-red/web-noise-suppressor, served by this app from /lib
// and loaded only when suppression is on. Why that package: it ships RNNoise ready as an AudioWorkletNode with its WASM
// as separate files (no inline base64 module, nothing fetched from elsewhere), MIT licensed, and maintained. The
// result is a track that goes on every pair in place of the microphone's (media.js setEffect).

const LIBRARY = '/lib/noise-suppressor/';

/** @type {Promise<ArrayBuffer> | null} the WASM, fetched once for the page */
let wasm = null;

/**
 * @param {MediaStreamTrack} microphone
 * @returns {Promise<{ track: MediaStreamTrack, stop: () => void }>}
 */
export async function suppressNoise(microphone) {
  const { RnnoiseWorkletNode, loadRnnoise } = await import(`${LIBRARY}index.js`);
  wasm ??= loadRnnoise({ url: `${LIBRARY}rnnoise.wasm`, simdUrl: `${LIBRARY}rnnoise_simd.wasm` });
  wasm.catch(() => { wasm = null; });
  // RNNoise works on 48 kHz frames. 'playback' renders in larger blocks, so the audio thread wakes up far less often:
  // with the default, a three-person call on a 2-core machine took 5.1 s from Join to video instead of 2.7 s
  // (scripts/bench); with 'playback', 2.9 s, for a few tens of milliseconds more latency on the microphone.
  const context = new AudioContext({ sampleRate: 48000, latencyHint: 'playback' });
  try {
    await context.audioWorklet.addModule(`${LIBRARY}rnnoise/workletProcessor.js`);
    const node = new RnnoiseWorkletNode(context, { wasmBinary: await wasm, maxChannels: 1 });
    const sink = context.createMediaStreamDestination();
    context.createMediaStreamSource(new MediaStream([microphone])).connect(node).connect(sink);
    resumeOnGesture(context);
    const track = sink.stream.getAudioTracks()[0];
    return {
      track,
      stop() {
        track.stop();
        node.destroy();
        context.close();
      },
    };
  } catch (error) {
    context.close();
    throw error;
  }
}

/** A browser that starts audio only after the person acts (its autoplay rule) gets it going on their next click. */
function resumeOnGesture(context) {
  if (context.state !== 'suspended') return;
  const resume = () => context.resume();
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, resume, { once: true, capture: true });
}
