// Runs ONNX models in onnxruntime-node: an independent check that Atelier's model writer produces
// models other ONNX Runtime clients load and run. Usage: node run-models.js <spec.json>
// spec: { "runs": [ { "model": path, "inputs": [ { "name", "dims", "file" } ], "outputs": [ names ], "out": prefix } ] }
// Inputs and outputs are raw little-endian float32 files; output shapes go to <prefix>shapes.json.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readFloats(file) {
  const bytes = fs.readFileSync(file);
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new Float32Array(copy);
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  for (const run of spec.runs) {
    const session = await ort.InferenceSession.create(run.model);
    const feeds = {};
    for (const input of run.inputs) {
      feeds[input.name] = new ort.Tensor('float32', readFloats(input.file), input.dims);
    }
    const results = await session.run(feeds, run.outputs);
    const shapes = {};
    for (const name of run.outputs) {
      const tensor = results[name];
      shapes[name] = tensor.dims;
      fs.writeFileSync(run.out + name + '.bin', Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    }
    fs.writeFileSync(run.out + 'shapes.json', JSON.stringify(shapes));
    await session.release();
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
