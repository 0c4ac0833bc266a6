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

/** Runs the compression function over `blocks` 64-byte blocks of `bytes` from `offset`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number, blocks: number): void {
  let h0 = state[0]!, h1 = state[1]!, h2 = state[2]!, h3 = state[3]!;
  let h4 = state[4]!, h5 = state[5]!, h6 = state[6]!, h7 = state[7]!;
  for (let block = 0; block < blocks; block++, offset += BLOCK) {
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
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  state[0] = h0, state[1] = h1, state[2] = h2, state[3] = h3;
  state[4] = h4, state[5] = h5, state[6] = h6, state[7] = h7;
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
   */
  updateAscii(text: string): this {
    for (let i = 0; i < text.length; i++) {
      this.#block[this.#filled++] = text.charCodeAt(i);
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
   * @param bytes The rest of the message.
   * @param into Receives the eight words of the MAC.
   */
  compute(prefix: string, bytes: Uint8Array, into: Int32Array): void {
    const hasher = this.#hasher;
    hasher.reset(this.#inner, BLOCK).updateAscii(prefix).update(bytes).digest(into);
    const inner = this.#innerDigest;
    for (let i = 0; i < 8; i++) {
      const word = into[i]!;
      inner[4 * i] = word >>> 24;
      inner[4 * i + 1] = word >>> 16;
      inner[4 * i + 2] = word >>> 8;
      inner[4 * i + 3] = word;
    }
    hasher.reset(this.#outer, BLOCK).update(inner).digest(into);
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
 * @returns The bytes, big-endian.
 */
export function wordsToBytes(words: Int32Array): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = words[i]!;
    bytes[4 * i] = word >>> 24;
    bytes[4 * i + 1] = word >>> 16;
    bytes[4 * i + 2] = word >>> 8;
    bytes[4 * i + 3] = word;
  }
  return bytes;
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
