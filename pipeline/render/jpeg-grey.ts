/**
 * A baseline JPEG encoder for grey images (one component, the standard luminance tables).
 *
 * Why not jpeg-js: it takes RGBA and encodes three components; a 400x270 plate crop cost
 * ~50 ms on the camera worker's main thread, on the path from the frame that settles a read to
 * its publication, and in the way of the next frame's recognition. Grey crops need one
 * component, and typed arrays with a float AAN DCT (as IJG's jfdctflt) do it in a few ms.
 */

const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
  0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
  0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
  0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

const AAN_SCALE = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];

/** Canonical Huffman codes: code and length per symbol. */
function huffman(bits: number[], values: number[]): { code: Int32Array; len: Int32Array } {
  const code = new Int32Array(256), len = new Int32Array(256);
  let c = 0, k = 0;
  for (let l = 1; l <= 16; l++) {
    for (let i = 0; i < bits[l - 1]!; i++) {
      code[values[k]!] = c++;
      len[values[k++]!] = l;
    }
    c <<= 1;
  }
  return { code, len };
}

const DC = huffman(DC_BITS, DC_VALUES);
const AC = huffman(AC_BITS, AC_VALUES);

class BitWriter {
  buf = new Uint8Array(1 << 14);
  pos = 0;
  private acc = 0;
  private n = 0;

  private byte(b: number): void {
    if (this.pos + 2 > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.pos++] = b;
  }

  bytes(bs: number[]): void {
    for (const b of bs) this.byte(b);
  }

  bits(value: number, count: number): void {
    this.acc = (this.acc << count) | (value & ((1 << count) - 1));
    this.n += count;
    while (this.n >= 8) {
      const b = (this.acc >>> (this.n - 8)) & 0xff;
      this.byte(b);
      if (b === 0xff) this.byte(0); // stuffing: 0xFF in entropy-coded data is followed by 0
      this.n -= 8;
    }
    this.acc &= (1 << this.n) - 1;
  }

  /** Pads the last byte with 1 bits, as the standard asks. */
  flush(): void {
    if (this.n > 0) this.bits(0x7f, 8 - this.n);
  }
}

const category = (v: number) => (v === 0 ? 0 : 32 - Math.clz32(Math.abs(v)));

/** In-place float AAN forward DCT of an 8x8 block (rows then columns), unscaled. */
function fdct(d: Float32Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const step = pass === 0 ? 1 : 8, stride = pass === 0 ? 8 : 1;
    for (let i = 0; i < 8; i++) {
      const o = i * stride;
      const d0 = d[o]!, d1 = d[o + step]!, d2 = d[o + 2 * step]!, d3 = d[o + 3 * step]!;
      const d4 = d[o + 4 * step]!, d5 = d[o + 5 * step]!, d6 = d[o + 6 * step]!, d7 = d[o + 7 * step]!;
      const t0 = d0 + d7, t7 = d0 - d7, t1 = d1 + d6, t6 = d1 - d6, t2 = d2 + d5, t5 = d2 - d5, t3 = d3 + d4, t4 = d3 - d4;
      let t10 = t0 + t3;
      const t13 = t0 - t3;
      let t11 = t1 + t2, t12 = t1 - t2;
      d[o] = t10 + t11;
      d[o + 4 * step] = t10 - t11;
      const z1 = (t12 + t13) * 0.707106781;
      d[o + 2 * step] = t13 + z1;
      d[o + 6 * step] = t13 - z1;
      t10 = t4 + t5;
      t11 = t5 + t6;
      t12 = t6 + t7;
      const z5 = (t10 - t12) * 0.382683433;
      const z2 = 0.5411961 * t10 + z5, z4 = 1.306562965 * t12 + z5, z3 = t11 * 0.707106781;
      const z11 = t7 + z3, z13 = t7 - z3;
      d[o + 5 * step] = z13 + z2;
      d[o + 3 * step] = z13 - z2;
      d[o + step] = z11 + z4;
      d[o + 7 * step] = z11 - z4;
    }
  }
}

/** Encodes a grey image (one byte per pixel, row by row) as a baseline JPEG. */
export function encodeGreyJpeg(data: Uint8Array, width: number, height: number, quality = 80): Buffer {
  if (width < 1 || height < 1 || width > 65535 || height > 65535) throw new Error(`cannot encode a ${width}x${height} JPEG`);
  if (data.length < width * height) throw new Error(`grey image data too short: ${data.length} bytes for ${width}x${height}`);
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  const quant = LUMA_QUANT.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
  // Divisors in natural order with the AAN output scaling folded in.
  const div = new Float32Array(64);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) div[r * 8 + c] = 1 / (quant[r * 8 + c]! * AAN_SCALE[r]! * AAN_SCALE[c]! * 8);

  const w = new BitWriter();
  w.bytes([0xff, 0xd8]);
  w.bytes([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF
  w.bytes([0xff, 0xdb, 0, 67, 0, ...Array.from(ZIGZAG, (n) => quant[n]!)]);
  w.bytes([0xff, 0xc0, 0, 11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
  w.bytes([0xff, 0xc4, 0, 3 + 16 + DC_VALUES.length, 0x00, ...DC_BITS, ...DC_VALUES]);
  w.bytes([0xff, 0xc4, 0, 3 + 16 + AC_VALUES.length, 0x10, ...AC_BITS, ...AC_VALUES]);
  w.bytes([0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0]);

  const block = new Float32Array(64);
  const coef = new Int32Array(64);
  let prevDc = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      // Blocks past the edge repeat the last row and column.
      for (let y = 0; y < 8; y++) {
        const row = Math.min(height - 1, by + y) * width;
        for (let x = 0; x < 8; x++) block[y * 8 + x] = data[row + Math.min(width - 1, bx + x)]! - 128;
      }
      fdct(block);
      for (let k = 0; k < 64; k++) coef[k] = Math.round(block[ZIGZAG[k]!]! * div[ZIGZAG[k]!]!);
      const diff = coef[0]! - prevDc;
      prevDc = coef[0]!;
      const dcCat = category(diff);
      w.bits(DC.code[dcCat]!, DC.len[dcCat]!);
      if (dcCat) w.bits(diff < 0 ? diff + (1 << dcCat) - 1 : diff, dcCat);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const v = coef[k]!;
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          w.bits(AC.code[0xf0]!, AC.len[0xf0]!);
          run -= 16;
        }
        const cat = category(v);
        const sym = (run << 4) | cat;
        w.bits(AC.code[sym]!, AC.len[sym]!);
        w.bits(v < 0 ? v + (1 << cat) - 1 : v, cat);
        run = 0;
      }
      if (run > 0) w.bits(AC.code[0]!, AC.len[0]!);
    }
  }
  w.flush();
  w.bytes([0xff, 0xd9]);
  return Buffer.from(w.buf.buffer, 0, w.pos);
}
