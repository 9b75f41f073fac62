// Background blur: the camera's picture with everything but the person blurred, made in this browser. MediaPipe's
// selfie segmentation model (selfie_segmentation_landscape.tflite from @mediapipe/selfie_segmentation) finds the
// person. It runs in MediaPipe's Tasks runtime (@mediapipe/tasks-vision) on the CPU (XNNPACK, WASM SIMD where the
// browser has it): the older package's own runtime runs only on WebGL, which took ~400 ms a frame on a machine without
// a GPU. Tasks wants metadata the model lacks; model-metadata.js adds it. Both are served by this app from /lib and
// loaded only when someone turns blur on. The frames are made in a worker (blur.worker.js); the result is a track that
// goes on every pair in place of the camera's (media.js setEffect).
//
// It must not cost the call. The blurred picture is at most 480x270 at 24 fps (what a call's tiles mostly show; the
// browser scales the camera down before the worker sees it), segmentation runs on a 256x144 copy, and when frames
// fall behind it segments only every second, third or fourth frame (the person's outline from the last one). If even
// that cannot make 15 fps for 15 s it gives up, and the person is told (onGiveUp). Until the first outline the whole
// picture is blurred: nothing of the room shows while blur starts.

import { blurPace } from './rules.js';
import { withImageMetadata } from './model-metadata.js';

const TASKS = new URL('/lib/tasks-vision/', location.href).href;
const MODEL = '/lib/selfie-segmentation/selfie_segmentation_landscape.tflite';
/** The most made: every pixel and every frame costs on the CPU, a call's tiles rarely show more than this, and
 * 24 frames a second look as smooth as 30 to most people. */
const LARGEST = { width: 480, height: 270, frameRate: 24 };

/** @type {Promise<ArrayBuffer> | null} the model with its metadata, fetched once for the page */
let model = null;

/** Whether this browser can hand camera frames to a worker and take frames back (Chromium's breakout box). */
export const canBlur = () => 'MediaStreamTrackProcessor' in window && 'MediaStreamTrackGenerator' in window;

/**
 * Makes the blurred track from the camera's.
 * @param {MediaStreamTrack} camera
 * @param {{ onGiveUp: () => void }} hooks
 * @returns {Promise<{ track: MediaStreamTrack, stop: () => void, size: () => { width?: number, height?: number } }>}
 */
export async function blurBackground(camera, { onGiveUp }) {
  if (!canBlur()) throw new Error('this browser cannot process camera frames; Chrome, Edge and other Chromium browsers can');
  model ??= fetch(MODEL).then(async (response) => {
    if (!response.ok) throw new Error('its model could not be loaded');
    return withImageMetadata(new Uint8Array(await response.arrayBuffer())).buffer;
  });
  model.catch(() => { model = null; }); // a later attempt may work (the server was away)
  const bytes = (await model).slice(0); // the worker takes its own copy
  // The frames come already scaled to what the worker makes (by the browser's capture pipeline, cheaply), so the
  // worker's first draw does not scale too.
  const source = camera.clone();
  await source.applyConstraints({ width: { max: LARGEST.width }, height: { max: LARGEST.height }, frameRate: { max: LARGEST.frameRate } })
    .catch(() => {});
  const processor = new MediaStreamTrackProcessor({ track: source });
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  generator.contentHint = 'motion';
  const worker = new Worker('/app/call/blur.worker.js');
  const frameMs = 1000 / Math.min(LARGEST.frameRate, camera.getSettings().frameRate || 30);
  let pace = { every: 1, slowSince: null };
  let ready = false;
  /** The size of the frames made, once the first is. */
  let size = { width: undefined, height: undefined };
  const stop = () => {
    worker.terminate();
    generator.stop();
    source.stop();
  };
  await new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === 'ready') {
        ready = true;
        resolve(undefined);
      } else if (data.type === 'failed') {
        stop();
        if (ready) onGiveUp(); // once running, a failure ends it as a machine too slow for it would
        else reject(new Error(data.message));
      } else if (data.type === 'size') {
        size = { width: data.width, height: data.height };
      } else if (data.type === 'report' && data.frames > 0) {
        const every = pace.every;
        pace = blurPace(pace, { costMs: data.costMs, frames: data.frames, frameMs, now: performance.now() });
        if (pace.every !== every) worker.postMessage({ type: 'pace', every: pace.every });
        if (pace.giveUp) {
          stop();
          onGiveUp();
        }
      }
    };
    worker.onerror = (event) => {
      stop();
      reject(new Error(event.message || 'its worker could not start'));
    };
    worker.postMessage({ type: 'start', tasks: TASKS, model: bytes, largest: LARGEST, readable: processor.readable, writable: generator.writable },
      [bytes, processor.readable, generator.writable]);
  });
  return { track: generator, stop, size: () => size };
}
