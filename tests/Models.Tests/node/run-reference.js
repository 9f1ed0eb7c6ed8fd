// Reference run with onnxruntime-node, the independent client of the same engine.
// Usage: node run-reference.js <model.onnx> <input.f32> <inputName> <d0,d1,...> <outputName> <output.f32> <threads>
// Input and output are raw little-endian float32 files. Needs NODE_PATH=<.atelier/node/node_modules>.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, inputPath, inputName, dimsText, outputName, outputPath, threadsText] = process.argv.slice(2);
  const dims = dimsText.split(',').map(Number);
  const threads = Number(threadsText);
  const bytes = fs.readFileSync(inputPath);
  const input = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const result = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) }, [outputName]);
  const output = result[outputName];
  fs.writeFileSync(outputPath, Buffer.from(output.data.buffer, output.data.byteOffset, output.data.byteLength));
  process.stdout.write(JSON.stringify({ dims: output.dims, type: output.type }) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
  process.exit(1);
});
