/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) for small messages, in
 * plain JavaScript that allocates nothing per call.
 *
 * Why not the platform: WebCrypto is asynchronous and costs about 20 µs a
 * call whatever the size, and `node:crypto` allocates a native object per
 * hash that only the garbage collector frees. Under load both cost a webhook
 * server several times what hashing 1.6 KB does. `bench/load.ts` and
 * `bench/signature_bench.ts` measure the choice.
 *
 * @module
 */

/** The round constants: cube roots of the first 64 primes, fractional bits. */
const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/** The initial hash value: square roots of the first 8 primes, fractional bits. */
const IV = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

const BLOCK = 64;
/** The message schedule, shared: JavaScript runs one compression at a time. */
const W = new Int32Array(64);

/** Σ1 of FIPS 180-4. */
function sigma1(e: number): number {
  return ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
}

/** Σ0 of FIPS 180-4. */
function sigma0(a: number): number {
  return ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
}

/** Runs the compression function over `blocks` 64-byte blocks of `bytes` from `offset`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number, blocks: number): void {
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (; blocks > 0; blocks--, offset += BLOCK) {
    for (let t = 0; t < 16; t++) {
      const at = offset + 4 * t;
      W[t] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!, w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
    }
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    // Eight rounds a turn: a round changes two of the eight words, and the
    // next round reads them under rotated names instead of moving all eight.
    for (let t = 0; t < 64; t += 8) {
      h = (h + sigma1(e) + (g ^ (e & (f ^ g))) + K[t]! + W[t]!) | 0;
      d = (d + h) | 0;
      h = (h + sigma0(a) + ((a & b) | (c & (a | b)))) | 0;
      g = (g + sigma1(d) + (f ^ (d & (e ^ f))) + K[t + 1]! + W[t + 1]!) | 0;
      c = (c + g) | 0;
      g = (g + sigma0(h) + ((h & a) | (b & (h | a)))) | 0;
      f = (f + sigma1(c) + (e ^ (c & (d ^ e))) + K[t + 2]! + W[t + 2]!) | 0;
      b = (b + f) | 0;
      f = (f + sigma0(g) + ((g & h) | (a & (g | h)))) | 0;
      e = (e + sigma1(b) + (d ^ (b & (c ^ d))) + K[t + 3]! + W[t + 3]!) | 0;
      a = (a + e) | 0;
      e = (e + sigma0(f) + ((f & g) | (h & (f | g)))) | 0;
      d = (d + sigma1(a) + (c ^ (a & (b ^ c))) + K[t + 4]! + W[t + 4]!) | 0;
      h = (h + d) | 0;
      d = (d + sigma0(e) + ((e & f) | (g & (e | f)))) | 0;
      c = (c + sigma1(h) + (b ^ (h & (a ^ b))) + K[t + 5]! + W[t + 5]!) | 0;
      g = (g + c) | 0;
      c = (c + sigma0(d) + ((d & e) | (f & (d | e)))) | 0;
      b = (b + sigma1(g) + (a ^ (g & (h ^ a))) + K[t + 6]! + W[t + 6]!) | 0;
      f = (f + b) | 0;
      b = (b + sigma0(c) + ((c & d) | (e & (c | d)))) | 0;
      a = (a + sigma1(f) + (h ^ (f & (g ^ h))) + K[t + 7]! + W[t + 7]!) | 0;
      e = (e + a) | 0;
      a = (a + sigma0(b) + ((b & c) | (d & (b | c)))) | 0;
    }
    a = (a + a0) | 0, b = (b + b0) | 0, c = (c + c0) | 0, d = (d + d0) | 0;
    e = (e + e0) | 0, f = (f + f0) | 0, g = (g + g0) | 0, h = (h + h0) | 0;
  }
  state[0] = a, state[1] = b, state[2] = c, state[3] = d;
  state[4] = e, state[5] = f, state[6] = g, state[7] = h;
}

/**
 * An incremental SHA-256 whose buffers are made once: `reset`, `update` any
 * number of times, then `digest` into an array of eight words. Reuse one
 * instance rather than making one per message.
 *
 * @example
 * ```ts
 * import { Sha256, wordsToHex } from "./sha256.ts";
 *
 * const words = new Int32Array(8);
 * new Sha256().update(new TextEncoder().encode("abc")).digest(words);
 * console.assert(wordsToHex(words).startsWith("ba7816bf"));
 * ```
 */
export class Sha256 {
  readonly #state = new Int32Array(8);
  readonly #block = new Uint8Array(BLOCK);
  #filled = 0;
  #length = 0;

  constructor() {
    this.reset();
  }

  /**
   * Starts a new message, from the initial value or from a saved state.
   * @param state Eight words after `length` bytes, as {@linkcode Sha256.save} gave them.
   * @param length The bytes hashed into `state`, a multiple of 64.
   * @returns This hasher.
   */
  reset(state: Int32Array = IV, length = 0): this {
    this.#state.set(state);
    this.#filled = 0;
    this.#length = length;
    return this;
  }

  /**
   * Copies the state after whole blocks, to resume later with `reset`.
   * @param into Eight words.
   * @throws {RangeError} When a partial block is pending.
   */
  save(into: Int32Array): void {
    if (this.#filled !== 0) throw new RangeError("Cannot save SHA-256 state inside a block");
    into.set(this.#state);
  }

  /**
   * Hashes more bytes.
   * @param bytes The next bytes of the message.
   * @returns This hasher.
   */
  update(bytes: Uint8Array): this {
    let offset = 0;
    const length = bytes.length;
    this.#length += length;
    if (this.#filled > 0) {
      const take = Math.min(BLOCK - this.#filled, length);
      for (; offset < take; offset++) this.#block[this.#filled++] = bytes[offset]!;
      if (this.#filled < BLOCK) return this;
      compress(this.#state, this.#block, 0, 1);
      this.#filled = 0;
    }
    const blocks = Math.floor((length - offset) / BLOCK);
    if (blocks > 0) {
      compress(this.#state, bytes, offset, blocks);
      offset += blocks * BLOCK;
    }
    for (; offset < length; offset++) this.#block[this.#filled++] = bytes[offset]!;
    return this;
  }

  /**
   * Hashes the bytes of an ASCII text (each character's code, which must be
   * below 128), without encoding it first.
   * @param text Such as a timestamp and a dot.
   * @returns This hasher.
   * @throws {RangeError} When a character is not ASCII (nothing would tell it from another).
   */
  updateAscii(text: string): this {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) {
        throw new RangeError("Cannot hash as ASCII: the text has a non-ASCII character");
      }
      this.#block[this.#filled++] = code;
      if (this.#filled === BLOCK) {
        compress(this.#state, this.#block, 0, 1);
        this.#filled = 0;
      }
    }
    this.#length += text.length;
    return this;
  }

  /**
   * Pads, finishes the message and writes its digest.
   * @param into Eight words, big-endian as SHA-256 defines them.
   */
  digest(into: Int32Array): void {
    const block = this.#block;
    const bits = this.#length * 8;
    block[this.#filled++] = 0x80;
    if (this.#filled > BLOCK - 8) {
      block.fill(0, this.#filled);
      compress(this.#state, block, 0, 1);
      this.#filled = 0;
    }
    block.fill(0, this.#filled, BLOCK - 8);
    const high = Math.floor(bits / 0x100000000);
    block[56] = high >>> 24, block[57] = high >>> 16, block[58] = high >>> 8, block[59] = high;
    block[60] = bits >>> 24, block[61] = bits >>> 16, block[62] = bits >>> 8, block[63] = bits;
    compress(this.#state, block, 0, 1);
    into.set(this.#state);
    this.#filled = 0;
  }
}

/**
 * HMAC-SHA256 under one key, with the key's inner and outer pads hashed once
 * at construction.
 *
 * @example
 * ```ts
 * import { HmacSha256, wordsToHex } from "./sha256.ts";
 *
 * const mac = new HmacSha256(new TextEncoder().encode("key"));
 * const words = new Int32Array(8);
 * mac.compute("", new TextEncoder().encode("The quick brown fox jumps over the lazy dog"), words);
 * console.assert(wordsToHex(words).startsWith("f7bc83f4"));
 * ```
 */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #hasher = new Sha256();
  readonly #innerDigest = new Uint8Array(32);

  /** @param key The key bytes; a key longer than a block is hashed first, as RFC 2104 says. */
  constructor(key: Uint8Array) {
    const words = new Int32Array(8);
    if (key.length > BLOCK) {
      this.#hasher.reset().update(key).digest(words);
      key = wordsToBytes(words);
    }
    const pad = new Uint8Array(BLOCK);
    pad.set(key);
    for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36;
    this.#hasher.reset().update(pad).save(this.#inner);
    for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36 ^ 0x5c;
    this.#hasher.reset().update(pad).save(this.#outer);
  }

  /**
   * The MAC of an ASCII prefix followed by bytes.
   * @param prefix ASCII text hashed first (say `"1700000000."`); may be empty.
   * @throws {RangeError} When the prefix is not ASCII.
   * @param bytes The rest of the message.
   * @param into Receives the eight words of the MAC.
   */
  compute(prefix: string, bytes: Uint8Array, into: Int32Array): void {
    const hasher = this.#hasher;
    hasher.reset(this.#inner, BLOCK).updateAscii(prefix).update(bytes).digest(into);
    hasher.reset(this.#outer, BLOCK).update(wordsToBytes(into, this.#innerDigest)).digest(into);
  }
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * A digest as 64 lowercase hex digits.
 * @param words Eight words.
 * @returns The hex text.
 */
export function wordsToHex(words: Int32Array): string {
  let hex = "";
  for (let i = 0; i < 8; i++) {
    const word = words[i]!;
    hex += HEX[word >>> 24]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! +
      HEX[word & 0xff]!;
  }
  return hex;
}

/**
 * A digest as 32 bytes.
 * @param words Eight words.
 * @param bytes Receives the bytes; a new array by default.
 * @returns `bytes`, big-endian.
 */
export function wordsToBytes(words: Int32Array, bytes = new Uint8Array(32)): Uint8Array {
  for (let i = 0; i < 8; i++) {
    const word = words[i]!;
    bytes[4 * i] = word >>> 24;
    bytes[4 * i + 1] = word >>> 16;
    bytes[4 * i + 2] = word >>> 8;
    bytes[4 * i + 3] = word;
  }
  return bytes;
}

/**
 * A digest's 32 bytes as eight words.
 * @param bytes The bytes, big-endian.
 * @param into Receives the words.
 */
export function bytesToWords(bytes: Uint8Array, into: Int32Array): void {
  for (let i = 0; i < 8; i++) {
    into[i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) |
      bytes[4 * i + 3]!;
  }
}

/** Each character code's hex value; 0x100 for anything that is not a hex digit. */
const HEX_VALUE = Array.from({ length: 128 }, (_, code) => {
  const value = parseInt(String.fromCharCode(code), 16);
  return Number.isNaN(value) ? 0x100 : value;
});

/**
 * Compares a digest with hex text in time that depends only on the text's
 * length: no early exit on the first difference. Upper-case hex matches.
 *
 * @param words The expected eight words.
 * @param text The received text.
 * @returns 1 when the text is the digest's 64 hex digits, else 0.
 */
export function hexMatches(words: Int32Array, text: string): 0 | 1 {
  if (text.length !== 64) return 0;
  let difference = 0;
  for (let i = 0; i < 64; i++) {
    const code = text.charCodeAt(i);
    const nibble = code < 128 ? HEX_VALUE[code]! : 0x100;
    difference |= nibble ^ ((words[i >> 3]! >>> (28 - 4 * (i & 7))) & 0xf);
  }
  return difference === 0 ? 1 : 0;
}
