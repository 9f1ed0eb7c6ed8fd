// Masks in the editor: COCO compressed RLE (the segment answer's JSON form) decoded into a row-major 0/1 array at the
// image's original size, the overlay drawn from it, and a mask encoded back to PNG for erase/replace of a candidate
// that is not the session's selection.

/**
 * Decodes COCO's compressed RLE string: run lengths over the COLUMN-major pixel order, starting with a run of 0s,
 * each run written as 5-bit groups (bit 0x20: more groups follow; 0x10 in the last group: negative), and from the
 * third run on each value is a difference to the run two before. Returns a row-major Uint8Array (1 = in the mask).
 */
export function decodeRle(rle) {
  const [height, width] = rle.size;
  const text = rle.counts;
  const runs = [];
  let p = 0;
  while (p < text.length) {
    let value = 0;
    let shift = 0;
    let more = true;
    while (more) {
      const c = text.charCodeAt(p++) - 48;
      value |= (c & 0x1f) << (5 * shift);
      more = (c & 0x20) !== 0;
      shift++;
      if (!more && (c & 0x10) !== 0) value |= -1 << (5 * shift);
    }
    if (runs.length > 2) value += runs[runs.length - 2];
    runs.push(value);
  }

  const mask = new Uint8Array(width * height);
  let index = 0;
  let on = 0;
  for (const run of runs) {
    if (on) {
      for (let i = index; i < index + run; i++) {
        const x = Math.floor(i / height);
        const y = i - (x * height);
        mask[(y * width) + x] = 1;
      }
    }
    index += run;
    on ^= 1;
  }
  return { width, height, data: mask };
}

/** Fill and outline colours of the selection overlay (RGBA). */
const FILL = [30, 144, 255, 110];
const OUTLINE = [255, 255, 255, 255];

/** Draws the mask as a semi-transparent fill with an opaque outline on its border pixels; clears where it is 0. */
export function drawOverlay(canvas, mask) {
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (!mask) return;
  const { width, height, data } = mask;
  const pixels = context.createImageData(width, height);
  const out = pixels.data;
  // The outline is 1 original pixel wide, but at least about 2 screen pixels when the image is shown scaled down.
  const radius = Math.max(1, Math.round(Math.max(width, height) / 800));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width) + x;
      if (!data[i]) continue;
      const colour = isBorder(data, width, height, x, y, radius) ? OUTLINE : FILL;
      out.set(colour, i * 4);
    }
  }
  context.putImageData(pixels, 0, 0);
}

function isBorder(data, width, height, x, y, radius) {
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height || !data[(ny * width) + nx]) return true;
    }
  }
  return false;
}

/** The mask as a black/white PNG, base64 (the erase/replace body's <c>mask</c> field). */
export async function maskToBase64Png(mask) {
  const canvas = new OffscreenCanvas(mask.width, mask.height);
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i++) {
    const v = mask.data[i] ? 255 : 0;
    pixels.data[i * 4] = v;
    pixels.data[(i * 4) + 1] = v;
    pixels.data[(i * 4) + 2] = v;
    pixels.data[(i * 4) + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
