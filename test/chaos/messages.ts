// Random request messages built from descriptors: every field gets a value of its own wire type, mostly plausible
// (known clouds, regions, names) so calls reach the clouds, sometimes hostile (oversized, control characters,
// long repeated fields, out-of-range enums). Mutations and raw bytes cover what does not decode at all.
import { type DescField, type DescMessage, fromBinary, ScalarType } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { Prng } from './prng.ts';

/** Words that make requests land on real objects of the fleet's clouds. */
export interface Vocabulary {
  clouds: string[];
  regions: string[];
  /** Names and ids likely to exist: images, flavors, seeded servers ... */
  names: string[];
}

export interface GenerateOptions {
  /** The largest oversized string (bytes); 1 MB in the chaos run, smaller in npm test. */
  maxStringBytes: number;
  /** The longest repeated field. */
  maxRepeated: number;
  /** A bound on one message's size, so nested repeated fields cannot multiply without end. */
  maxMessageBytes: number;
}

/** What is left of the size bound while one message is built. */
interface Budget {
  left: number;
}

const MAX_DEPTH = 6;

export function randomMessage(desc: DescMessage, rng: Prng, vocab: Vocabulary, options: GenerateOptions): Uint8Array {
  return build(desc, rng, vocab, options, 0, { left: options.maxMessageBytes });
}

function build(
  desc: DescMessage,
  rng: Prng,
  vocab: Vocabulary,
  options: GenerateOptions,
  depth: number,
  budget: Budget,
): Uint8Array {
  const writer = new BinaryWriter();
  const chosenOneofs = new Map(
    desc.oneofs.map((oneof) => [oneof, rng.chance(0.85) ? rng.pick(oneof.fields) : undefined]),
  );
  for (const field of desc.fields) {
    if (field.oneof && chosenOneofs.get(field.oneof) !== field) continue;
    // Proto3 omits defaults: leave a field out often, as real clients do.
    if (!field.oneof && rng.chance(0.35)) continue;
    if (budget.left <= 0) break;
    writeField(writer, field, rng, vocab, options, depth, budget);
  }
  const bytes = writer.finish();
  budget.left -= bytes.length;
  return bytes;
}

function writeField(
  writer: BinaryWriter,
  field: DescField,
  rng: Prng,
  vocab: Vocabulary,
  options: GenerateOptions,
  depth: number,
  budget: Budget,
): void {
  switch (field.fieldKind) {
    case 'scalar':
      writeScalar(writer, field.number, field.scalar, rng, vocab, options, field.name, budget);
      return;
    case 'enum':
      return void writer.tag(field.number, WireType.Varint).int32(
        enumValue(
          field.enum.values.map((v) => v.number),
          rng,
        ),
      );
    case 'message':
      if (depth >= MAX_DEPTH) return;
      return void writer
        .tag(field.number, WireType.LengthDelimited)
        .bytes(build(field.message, rng, vocab, options, depth + 1, budget));
    case 'list': {
      const count = repeatCount(rng, options, depth);
      for (let i = 0; i < count && budget.left > 0; i++) {
        if (field.listKind === 'scalar')
          writeScalar(writer, field.number, field.scalar, rng, vocab, options, field.name, budget);
        else if (field.listKind === 'enum')
          writer.tag(field.number, WireType.Varint).int32(
            enumValue(
              field.enum.values.map((v) => v.number),
              rng,
            ),
          );
        else if (depth < MAX_DEPTH)
          writer
            .tag(field.number, WireType.LengthDelimited)
            .bytes(build(field.message, rng, vocab, options, depth + 1, budget));
      }
      return;
    }
    case 'map': {
      const count = repeatCount(rng, options, depth);
      for (let i = 0; i < count && budget.left > 0; i++) {
        const entry = new BinaryWriter();
        writeScalar(entry, 1, field.mapKey, rng, vocab, options, 'key', budget);
        if (field.mapKind === 'scalar') writeScalar(entry, 2, field.scalar, rng, vocab, options, 'value', budget);
        else if (field.mapKind === 'enum')
          entry.tag(2, WireType.Varint).int32(
            enumValue(
              field.enum.values.map((v) => v.number),
              rng,
            ),
          );
        else if (depth < MAX_DEPTH)
          entry.tag(2, WireType.LengthDelimited).bytes(build(field.message, rng, vocab, options, depth + 1, budget));
        writer.tag(field.number, WireType.LengthDelimited).bytes(entry.finish());
      }
      return;
    }
  }
}

function repeatCount(rng: Prng, options: GenerateOptions, depth: number): number {
  if (depth === 0 && rng.chance(0.03)) return rng.int(100, options.maxRepeated);
  return rng.int(0, 3);
}

function enumValue(valid: number[], rng: Prng): number {
  return rng.chance(0.9) ? rng.pick(valid) : rng.pick([-1, 99, 2 ** 31 - 1, -(2 ** 31)]);
}

const EDGE_INTS = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1];
const EDGE_BIGINTS = [0n, 1n, -1n, 2n ** 31n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)];
const EDGE_DOUBLES = [0, -0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, 5e-324];

function writeScalar(
  writer: BinaryWriter,
  no: number,
  type: ScalarType,
  rng: Prng,
  vocab: Vocabulary,
  options: GenerateOptions,
  name: string,
  budget: Budget,
): void {
  const small = rng.chance(0.7);
  switch (type) {
    case ScalarType.STRING: {
      const text = randomString(rng, vocab, options, name);
      budget.left -= text.length;
      return void writer.tag(no, WireType.LengthDelimited).string(text);
    }
    case ScalarType.BYTES: {
      const bytes = rng.bytes(rng.chance(0.05) ? rng.int(0, options.maxStringBytes) : rng.int(0, 64));
      budget.left -= bytes.length;
      return void writer.tag(no, WireType.LengthDelimited).bytes(bytes);
    }
    case ScalarType.BOOL:
      return void writer.tag(no, WireType.Varint).bool(rng.chance(0.5));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32: {
      const v = small ? rng.int(0, 64) : rng.pick(EDGE_INTS.filter((n) => n <= 2 ** 31 - 1));
      if (type === ScalarType.INT32) writer.tag(no, WireType.Varint).int32(v);
      else if (type === ScalarType.SINT32) writer.tag(no, WireType.Varint).sint32(v);
      else writer.tag(no, WireType.Bit32).sfixed32(v);
      return;
    }
    case ScalarType.UINT32:
    case ScalarType.FIXED32: {
      const v = small ? rng.int(0, 64) : rng.pick(EDGE_INTS.filter((n) => n >= 0));
      if (type === ScalarType.UINT32) writer.tag(no, WireType.Varint).uint32(v);
      else writer.tag(no, WireType.Bit32).fixed32(v);
      return;
    }
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64: {
      const v = small ? BigInt(rng.int(0, 4096)) : rng.pick(EDGE_BIGINTS);
      if (type === ScalarType.INT64) writer.tag(no, WireType.Varint).int64(v);
      else if (type === ScalarType.SINT64) writer.tag(no, WireType.Varint).sint64(v);
      else writer.tag(no, WireType.Bit64).sfixed64(v);
      return;
    }
    case ScalarType.UINT64:
    case ScalarType.FIXED64: {
      const v = small ? BigInt(rng.int(0, 4096)) : rng.pick(EDGE_BIGINTS.filter((n) => n >= 0n));
      if (type === ScalarType.UINT64) writer.tag(no, WireType.Varint).uint64(v);
      else writer.tag(no, WireType.Bit64).fixed64(v);
      return;
    }
    case ScalarType.DOUBLE:
      return void writer.tag(no, WireType.Bit64).double(small ? rng.next() * 100 : rng.pick(EDGE_DOUBLES));
    case ScalarType.FLOAT:
      return void writer
        .tag(no, WireType.Bit32)
        .float(
          small ? rng.next() * 100 : rng.pick(EDGE_DOUBLES.filter((d) => Math.abs(d) < 3e38 || !Number.isFinite(d))),
        );
  }
}

const HOSTILE = [
  '',
  ' ',
  '../../etc/passwd',
  "' OR 1=1 --",
  '%00',
  '\u0000',
  '\u202e',
  '😀'.repeat(40),
  '{"json":true}',
  '*',
  'a/b?c#d',
];

function randomString(rng: Prng, vocab: Vocabulary, options: GenerateOptions, field: string): string {
  return rng.weighted<() => string>([
    [50, () => plausible(rng, vocab, field)],
    [15, () => randomText(rng, rng.int(1, 40))],
    [10, () => rng.pick(HOSTILE)],
    [6, () => 'x'.repeat(Math.min(options.maxStringBytes, rng.pick([255, 256, 1024, 4096])))],
    [options.maxStringBytes > 16 * 1024 ? 3 : 0, () => 'y'.repeat(rng.int(16 * 1024, options.maxStringBytes))],
  ])();
}

function plausible(rng: Prng, vocab: Vocabulary, field: string): string {
  if (field === 'cloud') return rng.chance(0.8) ? rng.pick(vocab.clouds) : '';
  if (field === 'region') return rng.chance(0.7) ? rng.pick(vocab.regions) : '';
  if (field === 'zone' || field.endsWith('domain_id') || field.endsWith('domain_name'))
    return rng.chance(0.8) ? '' : 'nova';
  if (field === 'request_id') return `fuzz-${rng.int(0, 30)}`; // few ids: retries with different bodies
  if (field === 'md5') return rng.chance(0.5) ? 'd41d8cd98f00b204e9800998ecf8427e' : randomText(rng, 32);
  if (field === 'resume_token')
    return rng.chance(0.5) ? '' : Buffer.from(rng.bytes(rng.int(1, 64))).toString('base64url');
  return rng.chance(0.7) ? rng.pick(vocab.names) : `fuzz-${rng.int(0, 999)}`;
}

function randomText(rng: Prng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(rng.chance(0.9) ? rng.int(32, 126) : rng.int(0, 0x2fff));
  return out;
}

/** Byte-level damage to a valid message: flips, truncation, insertions, a length prefix that lies. */
export function mutate(bytes: Uint8Array, rng: Prng): Uint8Array {
  const out = [...bytes];
  const edits = rng.int(1, 4);
  for (let i = 0; i < edits; i++) {
    const at = out.length ? rng.int(0, out.length - 1) : 0;
    rng.weighted<() => void>([
      [
        4,
        () => {
          if (out.length) out[at] ^= 1 << rng.int(0, 7);
        },
      ],
      [
        2,
        () => {
          out.length = at;
        },
      ],
      [2, () => out.splice(at, 0, ...rng.bytes(rng.int(1, 8)))],
      [
        1,
        () => {
          if (out.length) out[at] = rng.pick([0x0a, 0xff, 0x80, 0x7f]);
        },
      ],
    ])();
  }
  return Uint8Array.from(out);
}

/** Whether the node's decoder (else protobuf-es) reads the bytes as this message: "a request that decoded". */
export function decodes(desc: DescMessage, bytes: Uint8Array, nodeDecode?: (bytes: Uint8Array) => unknown): boolean {
  try {
    if (nodeDecode) nodeDecode(bytes);
    else fromBinary(desc, bytes);
    return true;
  } catch {
    return false;
  }
}
