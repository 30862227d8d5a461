#!/usr/bin/env node
// Draws Cloudbench's placeholder icon (a white cloud on a blue rounded square) and writes every format the
// installers need, with no image tools and no fetched artwork:
//   build/icons/<n>x<n>.png   Linux (electron-builder picks the sizes from the names)
//   build/icon.png            1024 px, the fallback electron-builder converts from
//   build/icon.ico            Windows (PNG-compressed entries: 16, 24, 32, 48, 64, 128, 256)
//   build/icon.icns           macOS (PNG entries icp4…ic10: 16 to 1024 px)
//   resources/icons/cloudbench.png   256 px, the window and tray icon at run time
// Run: node build/make-icons.mjs (the output is committed; rerun after changing the drawing).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const ROOT = path.join(import.meta.dirname, '..');

// ---- drawing: coverage per pixel from 4×4 supersampling of signed shapes ----------------------------------
const BLUE = [37, 99, 235];
const WHITE = [255, 255, 255];
const CLOUD = [
  // circles (cx, cy, r) in a 0…1 square, and the flat base
  [0.36, 0.56, 0.16],
  [0.53, 0.46, 0.2],
  [0.68, 0.58, 0.13],
];
function inRoundedSquare(x, y) {
  const r = 0.2;
  const dx = Math.max(r - x, 0, x - (1 - r));
  const dy = Math.max(r - y, 0, y - (1 - r));
  return dx * dx + dy * dy <= r * r && x >= 0 && x <= 1 && y >= 0 && y <= 1;
}
function inCloud(x, y) {
  if (x >= 0.3 && x <= 0.72 && y >= 0.56 && y <= 0.71) return true;
  return CLOUD.some(([cx, cy, r]) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r) && y <= 0.71;
}

function draw(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          if (inRoundedSquare(x, y)) {
            bg++;
            if (inCloud(x, y)) fg++;
          }
        }
      }
      const a = bg / (n * n);
      const f = bg === 0 ? 0 : fg / bg;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(BLUE[c] * (1 - f) + WHITE[c] * f);
      rgba[i + 3] = Math.round(a * 255);
    }
  }
  return rgba;
}

// ---- PNG ------------------------------------------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
export function png(size) {
  const rgba = draw(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---- ICO (Vista+ PNG entries) ---------------------------------------------------------------------------
function ico(sizes) {
  const images = sizes.map(png);
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((s, i) => {
    const e = 6 + 16 * i;
    header[e] = s >= 256 ? 0 : s;
    header[e + 1] = s >= 256 ? 0 : s;
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(images[i].length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += images[i].length;
  });
  return Buffer.concat([header, ...images]);
}

// ---- ICNS ------------------------------------------------------------------------------------------------
function icns(entries) {
  const parts = entries.map(([type, size]) => {
    const data = png(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

if (process.argv[1] === import.meta.filename) {
  mkdirSync(path.join(ROOT, 'build', 'icons'), { recursive: true });
  mkdirSync(path.join(ROOT, 'resources', 'icons'), { recursive: true });
  for (const s of [16, 32, 48, 64, 128, 256, 512, 1024]) writeFileSync(path.join(ROOT, 'build', 'icons', `${s}x${s}.png`), png(s));
  writeFileSync(path.join(ROOT, 'build', 'icon.png'), png(1024));
  writeFileSync(path.join(ROOT, 'build', 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256]));
  writeFileSync(path.join(ROOT, 'build', 'icon.icns'), icns([['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]]));
  writeFileSync(path.join(ROOT, 'resources', 'icons', 'cloudbench.png'), png(256));
  process.stdout.write('icons written to build/ and resources/icons/\n');
}
