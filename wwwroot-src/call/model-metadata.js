// Background blur's model, made acceptable to MediaPipe's Tasks runtime. The selfie segmentation model that
// @mediapipe/selfie_segmentation ships takes float RGB in 0..1 and gives, per pixel, how sure it is that this is the
// person, but it carries no TFLite metadata saying so, and Tasks refuses a float input without its normalization
// ("NormalizationOptions metadata"). withImageMetadata adds that metadata to the model's bytes in the browser.
//
// A TFLite model is a FlatBuffer whose offsets only point forward. New objects are therefore put right after the
// file's 8-byte header, ahead of everything old: a new root Model table (pointing on to the old operator codes,
// subgraphs and buffers), a buffers list with one more buffer holding the metadata, and a metadata list naming it
// "TFLITE_METADATA". The old bytes move up by a multiple of 16, so their own offsets and alignment stay as they were.
// Field numbers follow TFLite's schema.fbs (Model, Buffer, Metadata) and metadata_schema.fbs (ModelMetadata ...).

/** The TFLite Model table's fields, by number. */
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, signatureDefs: 7 };
const IMAGE_PROPERTIES = 2; // ContentProperties union: FeatureProperties 1, ImageProperties 2
const NORMALIZATION_OPTIONS = 1; // ProcessUnitOptions union
const RGB = 1, GRAYSCALE = 2; // ColorSpaceType

/**
 * The model with metadata saying: the input is an RGB image normalized as (x - 0) / 255, the output a grayscale image.
 * @param {Uint8Array} model a TFLite model without metadata of its own ("TFLITE_METADATA")
 * @returns {Uint8Array}
 */
export function withImageMetadata(model) {
  const old = new Reader(model);
  const root = old.root();
  const buffers = old.vector(root, MODEL.buffers);
  const metadata = old.vector(root, MODEL.metadata);
  const keep = (field) => (old.has(root, field) ? { at: old.ref(root, field) } : null);

  const writer = new Writer(8); // the header comes last: the root offset is known only then
  const fields = [];
  if (old.has(root, MODEL.version)) fields[MODEL.version] = { u32: old.u32(old.field(root, MODEL.version)) };
  for (const field of [MODEL.operatorCodes, MODEL.subgraphs, MODEL.description, MODEL.metadataBuffer, MODEL.signatureDefs]) fields[field] = keep(field);
  fields[MODEL.buffers] = {
    vector: [...buffers.map((at) => ({ at })), { table: [{ vector: [...modelMetadata()], of: 'u8', align: 16 }] }],
  };
  fields[MODEL.metadata] = {
    vector: [...metadata.map((at) => ({ at })), { table: [{ string: 'TFLITE_METADATA' }, { u32: buffers.length }] }],
  };
  const rootAt = writer.write({ table: fields });
  writer.pad(16, 8); // the old bytes (from offset 8) keep their alignment
  const shift = writer.size - 8;
  writer.resolveOld((at) => at + shift);
  const prefix = writer.bytes();
  new DataView(prefix.buffer).setUint32(0, rootAt, true);
  prefix.set(model.subarray(4, 8), 4); // "TFL3"
  const result = new Uint8Array(prefix.length + model.length - 8);
  result.set(prefix);
  result.set(model.subarray(8), prefix.length);
  return result;
}

/** The ModelMetadata FlatBuffer ("M001") of an image-to-mask model. */
function modelMetadata() {
  const image = (colorSpace) => ({ table: [{ u8: IMAGE_PROPERTIES }, { table: [{ u8: colorSpace }] }] });
  const range = { table: [{ vector: [1], of: 'f32' }, { vector: [0], of: 'f32' }] }; // Stats: max, min
  const input = { table: [{ string: 'image' }, null, null, image(RGB),
    { vector: [{ table: [{ u8: NORMALIZATION_OPTIONS }, { table: [{ vector: [0], of: 'f32' }, { vector: [255], of: 'f32' }] }] }] }, range] };
  const output = { table: [{ string: 'segmentation' }, null, null, image(GRAYSCALE), null, range] };
  const writer = new Writer(8);
  const rootAt = writer.write({ table: [{ string: 'Selfie segmentation' }, null, null,
    { vector: [{ table: [null, null, { vector: [input] }, { vector: [output] }] }] }] });
  const bytes = writer.bytes();
  new DataView(bytes.buffer).setUint32(0, rootAt, true);
  bytes.set([0x4d, 0x30, 0x30, 0x31], 4); // "M001"
  return bytes;
}

/** Reads a FlatBuffer's tables (little-endian; offsets as the format has them). */
export class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(at) { return this.view.getUint32(at, true); }

  root() { return this.u32(0); }

  /** Where a table's field is, or 0 when it is absent. */
  field(table, id) {
    const vtable = table - this.view.getInt32(table, true);
    const entry = 4 + 2 * id;
    return entry < this.view.getUint16(vtable, true) ? (this.view.getUint16(vtable + entry, true) && table + this.view.getUint16(vtable + entry, true)) : 0;
  }

  has(table, id) { return this.field(table, id) !== 0; }

  /** What a table's offset field points at. */
  ref(table, id) {
    const at = this.field(table, id);
    return at + this.u32(at);
  }

  /** The positions a vector of tables (or strings, or vectors) points at; [] when the field is absent. */
  vector(table, id) {
    if (!this.has(table, id)) return [];
    const at = this.ref(table, id);
    return Array.from({ length: this.u32(at) }, (_, i) => at + 4 + 4 * i + this.u32(at + 4 + 4 * i));
  }

  /** The numbers of a vector of 32-bit floats. */
  floats(table, id) {
    const at = this.ref(table, id);
    return Array.from({ length: this.u32(at) }, (_, i) => this.view.getFloat32(at + 4 + 4 * i, true));
  }

  string(table, id) {
    const at = this.ref(table, id);
    return new TextDecoder().decode(this.bytes.subarray(at + 4, at + 4 + this.u32(at)));
  }
}

/**
 * Writes FlatBuffer objects front to back: a parent first, then its children, so every offset points forward.
 * A value is { table: [field values by number, null where absent] }, { vector: [...], of?: 'u8' | 'f32', align? },
 * { string }, { u8 } or { u32 } (a table's scalar fields), or { at } (an object already in the old bytes).
 */
class Writer {
  #bytes = new Uint8Array(1024);
  #view = new DataView(this.#bytes.buffer);
  size = 0;
  /** Offsets into the old bytes, resolved once it is known how far those move. */
  #old = [];

  constructor(start) { this.size = start; }

  bytes() { return this.#bytes.slice(0, this.size); }

  resolveOld(moved) {
    for (const { slot, at } of this.#old) this.#view.setUint32(slot, moved(at) - slot, true);
  }

  /** Zeros up to the next position that is `rest` past a multiple of `align`. */
  pad(align, rest = 0) {
    while (this.size % align !== rest) this.#put(1, (at) => this.#view.setUint8(at, 0));
  }

  /** Writes a value (and what it points to) and returns where it starts. */
  write(value) {
    if ('string' in value) {
      const text = new TextEncoder().encode(value.string);
      this.pad(4);
      const at = this.#u32(text.length);
      for (const byte of [...text, 0]) this.#u8(byte);
      return at;
    }
    if ('vector' in value) {
      this.pad(Math.max(4, value.align ?? 0), Math.max(4, value.align ?? 0) - 4);
      const at = this.#u32(value.vector.length);
      if (value.of === 'u8') for (const byte of value.vector) this.#u8(byte);
      else if (value.of === 'f32') for (const number of value.vector) this.#put(4, (p) => this.#view.setFloat32(p, number, true));
      else this.#children(value.vector.map((child) => ({ slot: this.#u32(0), child })));
      return at;
    }
    // A table: its vtable (sizes and each field's place), then the table: the offset back to the vtable and a 4-byte
    // slot per field present.
    const present = value.table.map((field, id) => ({ field, id })).filter(({ field }) => field != null);
    this.pad(2);
    const vtable = this.#u16(4 + 2 * value.table.length);
    this.#u16(4 + 4 * present.length);
    for (let id = 0; id < value.table.length; id++) {
      const k = present.findIndex((p) => p.id === id);
      this.#u16(k < 0 ? 0 : 4 + 4 * k);
    }
    this.pad(4);
    const table = this.size;
    this.#put(4, (p) => this.#view.setInt32(p, table - vtable, true));
    const children = [];
    for (const { field } of present) {
      if ('u8' in field) this.#put(4, (p) => this.#view.setUint32(p, field.u8, true));
      else if ('u32' in field) this.#u32(field.u32);
      else children.push({ slot: this.#u32(0), child: field });
    }
    this.#children(children);
    return table;
  }

  #children(slots) {
    for (const { slot, child } of slots) {
      if ('at' in child) this.#old.push({ slot, at: child.at });
      else {
        const at = this.write(child); // first: writing may grow the buffer, and with it the view
        this.#view.setUint32(slot, at - slot, true);
      }
    }
  }

  #u8(v) { return this.#put(1, (p) => this.#view.setUint8(p, v)); }

  #u16(v) { return this.#put(2, (p) => this.#view.setUint16(p, v, true)); }

  #u32(v) { return this.#put(4, (p) => this.#view.setUint32(p, v, true)); }

  #put(width, set) {
    if (this.size + width > this.#bytes.length) {
      const bigger = new Uint8Array(this.#bytes.length * 2);
      bigger.set(this.#bytes);
      this.#bytes = bigger;
      this.#view = new DataView(bigger.buffer);
    }
    const at = this.size;
    set(at);
    this.size += width;
    return at;
  }
}
