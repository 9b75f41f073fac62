import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Reader, withImageMetadata } from '../call/model-metadata.js';

const MODEL_FILE = new URL('../../node_modules/@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite', import.meta.url);
const original = new Uint8Array(readFileSync(MODEL_FILE));
const changed = withImageMetadata(original);
const before = new Reader(original);
const after = new Reader(changed);

test('the model keeps its identifier, its operators, subgraphs and every buffer, byte for byte', () => {
  assert.equal(new TextDecoder().decode(changed.subarray(4, 8)), 'TFL3');
  for (const field of [1, 2]) assert.equal(after.vector(after.root(), field).length, before.vector(before.root(), field).length);
  const oldBuffers = before.vector(before.root(), 4);
  const newBuffers = after.vector(after.root(), 4);
  assert.equal(newBuffers.length, oldBuffers.length + 1);
  const shift = changed.length - original.length;
  assert.equal(shift % 16, 0, 'the old bytes keep their alignment');
  for (let i = 0; i < oldBuffers.length; i++) assert.equal(newBuffers[i], oldBuffers[i] + shift);
  assert.deepEqual(changed.subarray(shift + 8), original.subarray(8));
});

test('the metadata says: RGB in, normalized as (x - 0) / 255, a grayscale mask out', () => {
  const entries = after.vector(after.root(), 6);
  const entry = entries.find((e) => after.string(e, 0) === 'TFLITE_METADATA');
  assert.ok(entry, 'a TFLITE_METADATA entry');
  const buffer = after.vector(after.root(), 4)[after.u32(after.field(entry, 1))];
  const dataAt = after.ref(buffer, 0);
  assert.equal((dataAt + 4) % 16, 0, 'the metadata bytes are 16-aligned');
  const metadata = new Reader(changed.subarray(dataAt + 4, dataAt + 4 + after.u32(dataAt)));
  assert.equal(new TextDecoder().decode(metadata.bytes.subarray(4, 8)), 'M001');
  const [subgraph] = metadata.vector(metadata.root(), 3);
  const [input] = metadata.vector(subgraph, 2);
  const [output] = metadata.vector(subgraph, 3);
  assert.equal(metadata.string(input, 0), 'image');
  const [unit] = metadata.vector(input, 4);
  assert.equal(metadata.bytes[metadata.field(unit, 0)], 1, 'NormalizationOptions');
  const normalization = metadata.ref(unit, 1);
  assert.deepEqual([metadata.floats(normalization, 0), metadata.floats(normalization, 1)], [[0], [255]]);
  const content = (tensor) => metadata.bytes[metadata.field(metadata.ref(metadata.ref(tensor, 3), 1), 0)];
  assert.deepEqual([content(input), content(output)], [1, 2], 'RGB in, grayscale out');
});
