// Background blur's frame work, off the page's main thread (blur.js starts it): the camera's frames come in through
// the stream of a MediaStreamTrackProcessor and the blurred ones go out through a MediaStreamTrackGenerator's, so
// neither a busy page nor a background tab holds them up. A classic worker: MediaPipe's Tasks runtime loads its WASM
// with importScripts.
//
// Per frame: the frame is drawn once (its only conversion from the camera's format); every `every` frames a
// 256x144 copy goes to the selfie segmentation model (MediaPipe Tasks on the CPU), whose confidence per pixel becomes
// the mask's alpha; the frame is cut to the person by the mask and a blurred copy (shrunk to a tenth and stretched
// back: a strong blur for almost nothing) goes behind. Once a second it reports what a frame cost,
// and the page answers with the pace (rules.js blurPace).

const MASK = { width: 256, height: 144 };
const SHRINK = 10;

let every = 1;
/** The largest picture made (blur.js). */
let largest = { width: 640, height: 360 };
/** What each frame of the current second cost, in ms. */
let costs = [];

self.onmessage = async ({ data }) => {
  if (data.type === 'pace') {
    every = data.every;
    return;
  }
  largest = data.largest;
  let segmenter;
  try {
    self.exports = {}; // the CommonJS bundle hands its API to exports
    importScripts(`${data.tasks}vision_bundle.cjs`);
    const { FilesetResolver, ImageSegmenter } = self.exports;
    segmenter = await ImageSegmenter.createFromOptions(await FilesetResolver.forVisionTasks(`${data.tasks}wasm`), {
      baseOptions: { modelAssetBuffer: new Uint8Array(data.model), delegate: 'CPU' },
      runningMode: 'VIDEO',
      outputConfidenceMasks: true,
      outputCategoryMask: false,
    });
  } catch (error) {
    self.postMessage({ type: 'failed', message: error?.message ?? String(error) });
    return;
  }
  self.postMessage({ type: 'ready' });
  // The median, not the mean: a frame the machine stalled on (a join, another tab) says little about blur's cost.
  setInterval(() => {
    costs.sort((a, b) => a - b);
    self.postMessage({ type: 'report', frames: costs.length, costMs: costs[Math.floor(costs.length / 2)] ?? 0 });
    costs = [];
  }, 1000);
  await blur(segmenter, data.readable.getReader(), data.writable.getWriter())
    .catch((error) => self.postMessage({ type: 'failed', message: error?.message ?? String(error) }));
};

async function blur(segmenter, reader, writer) {
  const out = new OffscreenCanvas(1, 1);
  const small = new OffscreenCanvas(1, 1);
  const input = new OffscreenCanvas(MASK.width, MASK.height);
  const mask = new OffscreenCanvas(MASK.width, MASK.height);
  // Every frame is read back (the frame sent, the model's input): canvases kept in memory, not on a GPU, do that best.
  const [draw, shrink, sample, outline] = [out, small, input, mask].map((c) => c.getContext('2d', { willReadFrequently: true }));
  const alpha = outline.createImageData(MASK.width, MASK.height);
  for (let count = 0; ; count++) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    const started = performance.now();
    const { width: w, height: h } = blurredSize(frame.displayWidth, frame.displayHeight);
    if (out.width !== w || out.height !== h) {
      self.postMessage({ type: 'size', width: w, height: h });
      Object.assign(out, { width: w, height: h });
      Object.assign(small, { width: Math.ceil(w / SHRINK), height: Math.ceil(h / SHRINK) });
    }
    const { timestamp } = frame;
    draw.globalCompositeOperation = 'copy';
    draw.drawImage(frame, 0, 0, w, h);
    frame.close();
    if (count % every === 0) {
      sample.drawImage(out, 0, 0, MASK.width, MASK.height);
      segmenter.segmentForVideo(input, performance.now(), (result) => {
        const [confidence] = result.confidenceMasks;
        const person = confidence.getAsFloat32Array();
        for (let i = 0; i < person.length; i++) alpha.data[i * 4 + 3] = person[i] * 255;
        confidence.close();
      });
      outline.putImageData(alpha, 0, 0);
    }

    shrink.drawImage(out, 0, 0, small.width, small.height);
    draw.globalCompositeOperation = 'destination-in';
    draw.drawImage(mask, 0, 0, w, h);
    draw.globalCompositeOperation = 'destination-over';
    draw.drawImage(small, 0, 0, w, h);
    const blurred = new VideoFrame(out, { timestamp });
    costs.push(performance.now() - started);
    await writer.write(blurred); // waiting for the track to take it is not this frame's cost
  }
}

/** The camera's size scaled down (never up) to fit within the largest, both sides even for the encoder. */
function blurredSize(width, height) {
  const scale = Math.min(1, largest.width / width, largest.height / height);
  return { width: 2 * Math.round((width * scale) / 2), height: 2 * Math.round((height * scale) / 2) };
}
