// onnxruntime-node side of `dotnet run -c Release --project bench/Bench -- onnx`.
// Usage:
//   node ort-bench.js isnet <model.onnx> <threads> <warmup> <runs>
//   node ort-bench.js add   <model.onnx> <threads> <warmup> <batches> <callsPerBatch>
// Prints one JSON line: {"samplesMs": [...]} (per run for isnet, per call for add, one sample per batch).
// Needs NODE_PATH=<.atelier/node/node_modules>.
'use strict';
const ort = require('onnxruntime-node');

function sessionOptions(threads) {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

async function isnet(modelPath, threads, warmup, runs) {
  const session = await ort.InferenceSession.create(modelPath, sessionOptions(threads));
  const side = 1024;
  const data = new Float32Array(3 * side * side);
  // A bright disk on a gradient, minus 0.5 (the same pattern OnnxBenchmark.cs builds).
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const dx = x - side / 2;
        const dy = y - side / 2;
        const inside = dx * dx + dy * dy < (side / 4) * (side / 4);
        data[c * side * side + y * side + x] = Math.fround((inside ? Math.fround(0.9 - 0.1 * c) : Math.fround(0.1 + Math.fround(0.2 * x / side))) - 0.5);
      }
    }
  }
  const run = async () => {
    const result = await session.run({ input: new ort.Tensor('float32', data, [1, 3, side, side]) }, ['output']);
    return result.output.data[0];
  };
  for (let i = 0; i < warmup; i++) {
    await run();
  }
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

async function add(modelPath, threads, warmup, batches, callsPerBatch) {
  const session = await ort.InferenceSession.create(modelPath, sessionOptions(threads));
  const a = new Float32Array([1.5]);
  const b = new Float32Array([2.5]);
  let sink = 0;
  const call = async () => {
    const result = await session.run({ a: new ort.Tensor('float32', a, [1]), b: new ort.Tensor('float32', b, [1]) }, ['y']);
    sink += result.y.data[0];
  };
  for (let i = 0; i < warmup; i++) {
    await call();
  }
  const samples = [];
  for (let batch = 0; batch < batches; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < callsPerBatch; i++) {
      await call();
    }
    samples.push(Number(process.hrtime.bigint() - start) / 1e6 / callsPerBatch);
  }
  if (sink !== 4 * (warmup + batches * callsPerBatch)) {
    throw new Error('unexpected Add result');
  }
  return samples;
}

async function main() {
  const [mode, modelPath, ...rest] = process.argv.slice(2);
  const numbers = rest.map(Number);
  let samples;
  if (mode === 'isnet') {
    samples = await isnet(modelPath, numbers[0], numbers[1], numbers[2]);
  } else if (mode === 'add') {
    samples = await add(modelPath, numbers[0], numbers[1], numbers[2], numbers[3]);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(JSON.stringify({ samplesMs: samples }) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
  process.exit(1);
});
