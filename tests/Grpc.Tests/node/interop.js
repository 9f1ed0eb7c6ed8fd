// Independent gRPC client (@grpc/grpc-js + @grpc/proto-loader) driving a real silo through the whole session flow.
// Usage: node interop.js <host:port> <proto root> <image.png> <width> <height>
// Prints one JSON object with what it observed; the .NET test asserts on it. Exit code 0 unless the driver itself broke.
'use strict';
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [address, protoRoot, imagePath, widthText, heightText] = process.argv.slice(2);
const width = Number(widthText);
const height = Number(heightText);
const definition = loader.loadSync(['atelier/v1/sessions.proto', 'atelier/v1/models.proto', 'grpc/health/v1/health.proto'], {
  includeDirs: [protoRoot], keepCase: false, longs: Number, enums: String, defaults: true,
});
const proto = grpc.loadPackageDefinition(definition);
const options = { 'grpc.max_receive_message_length': 64 << 20 };
const sessions = new proto.atelier.v1.Sessions(address, grpc.credentials.createInsecure(), options);
const gzipSessions = new proto.atelier.v1.Sessions(address, grpc.credentials.createInsecure(),
  { ...options, 'grpc.default_compression_algorithm': 2 });
const models = new proto.atelier.v1.Models(address, grpc.credentials.createInsecure(), options);
const health = new proto.grpc.health.v1.Health(address, grpc.credentials.createInsecure(), options);

const unary = (client, method, request, callOptions = {}) => new Promise((resolve, reject) =>
  client[method](request, new grpc.Metadata(), callOptions, (error, reply) => (error ? reject(error) : resolve(reply))));

const statusOf = async (promise) => {
  try {
    await promise;
    return 0;
  } catch (error) {
    return error.code;
  }
};

// COCO compressed RLE (column-major run lengths, 6-bit variable-length characters offset by 48).
function decodeRle(counts, h, w) {
  const runs = [];
  let p = 0;
  while (p < counts.length) {
    let x = 0;
    let k = 0;
    let more = 1;
    while (more) {
      const c = counts.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && (c & 0x10)) x |= -1 << (5 * k);
    }
    if (runs.length > 2) x += runs[runs.length - 2];
    runs.push(x);
  }
  const mask = new Uint8Array(h * w);
  let index = 0;
  let value = 0;
  for (const run of runs) {
    mask.fill(value, index, index + run);
    index += run;
    value = 1 - value;
  }
  return (x, y) => mask[x * h + y];
}

function open(image) {
  return new Promise((resolve, reject) => {
    const call = sessions.Open(new grpc.Metadata(), (error, info) => (error ? reject(error) : resolve(info)));
    const chunk = 16 * 1024;
    for (let offset = 0; offset < image.length; offset += chunk) {
      const message = { chunk: image.subarray(offset, offset + chunk) };
      if (offset === 0) Object.assign(message, { contentType: 'image/png', ttlSeconds: 600 });
      call.write(message);
    }
    call.end();
  });
}

function interact(sessionId, count) {
  return new Promise((resolve, reject) => {
    const replies = [];
    const call = sessions.Interact(new grpc.Metadata());
    call.on('data', (reply) => replies.push(reply));
    call.on('error', reject);
    call.on('end', () => resolve(replies));
    for (let i = 1; i <= count; i++) {
      // A drag across the disk: every prompt stays inside it.
      const x = width / 2 - 6 + (12 * i) / count;
      call.write({ sessionId: i === 1 ? sessionId : '', seq: i, points: [{ x, y: height / 2 }], format: 'MASK_FORMAT_RLE' });
    }
    call.end();
  });
}

function cancelledStream(sessionId) {
  return new Promise((resolve) => {
    const call = sessions.Interact(new grpc.Metadata());
    call.on('data', () => call.cancel());
    call.on('error', (error) => resolve(error.code));
    call.on('end', () => resolve(0));
    call.write({ sessionId, seq: 1, points: [{ x: width / 2, y: height / 2 }] });
  });
}

async function main() {
  const result = {};
  result.health = (await unary(health, 'Check', { service: 'atelier.v1.Sessions' })).status;
  result.models = (await unary(models, 'List', {})).models.map((m) => m.id);

  const session = await open(fs.readFileSync(imagePath));
  result.open = { id: session.id, width: session.width, height: session.height, ttlSeconds: session.ttlSeconds };

  const png = await unary(sessions, 'Segment', { sessionId: session.id, points: [{ x: width / 2, y: height / 2 }] });
  result.segmentPng = { bytes: png.maskPng.length, signature: png.maskPng.subarray(1, 4).toString('ascii'), score: png.masks[0].score };

  const rle = await unary(gzipSessions, 'Segment', { sessionId: session.id, points: [{ x: width / 2, y: height / 2 }], format: 'MASK_FORMAT_RLE' });
  const best = rle.masks[0];
  const at = decodeRle(best.rle.counts, best.rle.size[0], best.rle.size[1]);
  result.segmentRle = { size: best.rle.size, centre: at(width / 2, height / 2), corner: at(1, 1), area: best.area };

  const replies = await interact(session.id, 20);
  result.interact = {
    replies: replies.length,
    seqs: replies.map((r) => r.seq),
    dropped: replies.reduce((sum, r) => sum + r.dropped, 0),
    lastDroppedTotal: replies.length ? replies[replies.length - 1].droppedTotal : -1,
    centresOn: replies.every((r) => decodeRle(r.result.masks[0].rle.counts, height, width)(width / 2, height / 2) === 1),
  };

  const erased = await unary(sessions, 'Erase', { sessionId: session.id, dilate: 5 });
  result.erase = { bytes: erased.imagePng.length, signature: erased.imagePng.subarray(1, 4).toString('ascii'), version: erased.session.version };

  const chunks = await new Promise((resolve, reject) => {
    const received = [];
    const call = sessions.GetImage({ sessionId: session.id, format: 'IMAGE_FORMAT_PNG' });
    call.on('data', (c) => received.push(c));
    call.on('error', reject);
    call.on('end', () => resolve(received));
  });
  result.image = { chunks: chunks.length, bytes: chunks.reduce((s, c) => s + c.data.length, 0), totalBytes: chunks[0].totalBytes, contentType: chunks[0].contentType };

  result.status = {
    badRequest: await statusOf(unary(sessions, 'Segment', { sessionId: session.id, points: [] })),
    badDilate: await statusOf(unary(sessions, 'Segment', { sessionId: session.id, points: [{ x: 1, y: 1 }], dilate: -1 })),
    unknownSession: await statusOf(unary(sessions, 'GetInfo', { sessionId: 'AAAAAAAAAAAAAAAAAAAAAAAA' })),
    expiredDeadline: await statusOf(unary(sessions, 'Segment', { sessionId: session.id, points: [{ x: 1, y: 1 }] }, { deadline: new Date(Date.now() - 1000) })),
    cancelledStream: await cancelledStream(session.id),
  };
  result.afterCancel = (await unary(sessions, 'GetInfo', { sessionId: session.id })).id === session.id;

  await unary(sessions, 'Close', { sessionId: session.id });
  result.closed = await statusOf(unary(sessions, 'GetInfo', { sessionId: session.id }));
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`driver failed: ${error.code ?? ''} ${error.details ?? ''} ${error.stack}\n`);
  process.exit(1);
});
