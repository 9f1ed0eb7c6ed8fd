// Independent KServe v2 gRPC client (@grpc/grpc-js + @grpc/proto-loader with proto/kserve/grpc_service.proto).
// Usage: node kserve_grpc.js <host:port> <proto root> <inputs.json>
// inputs.json: [{"name", "datatype", "shape", "raw": base64}] for model types-demo.
// Prints one JSON object with what it observed; the .NET test asserts on it. Exit code 0 unless the driver itself broke.
'use strict';
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [address, protoRoot, inputsPath] = process.argv.slice(2);
const definition = loader.loadSync(['kserve/grpc_service.proto'], {
  includeDirs: [protoRoot], keepCase: true, longs: Number, enums: String, defaults: true,
});
const proto = grpc.loadPackageDefinition(definition);
const client = new proto.inference.GRPCInferenceService(address, grpc.credentials.createInsecure(),
  { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });

const call = (method, request) => new Promise((resolve, reject) =>
  client[method](request, (error, reply) => (error ? reject(error) : resolve(reply))));
const statusOf = async (promise) => {
  try {
    await promise;
    return 0;
  } catch (error) {
    return error.code;
  }
};

(async () => {
  const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const result = {};
  result.live = (await call('ServerLive', {})).live;
  result.ready = (await call('ServerReady', {})).ready;
  const server = await call('ServerMetadata', {});
  result.server = { name: server.name, extensions: server.extensions };
  const metadata = await call('ModelMetadata', { name: 'types-demo' });
  result.metadata = {
    platform: metadata.platform,
    inputs: metadata.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape })),
  };

  const request = {
    model_name: 'types-demo',
    id: 'grpc-1',
    inputs: inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape })),
    raw_input_contents: inputs.map((i) => Buffer.from(i.raw, 'base64')),
  };
  const reply = await call('ModelInfer', request);
  result.infer = {
    id: reply.id,
    model_name: reply.model_name,
    outputs: reply.outputs.map((o, k) => ({
      name: o.name, datatype: o.datatype, shape: o.shape, raw: Buffer.from(reply.raw_output_contents[k]).toString('base64'),
    })),
  };
  result.modelReady = (await call('ModelReady', { name: 'types-demo' })).ready;

  // Typed contents: FP32 only on a single-input request is refused for the missing inputs, FP16 cannot be typed.
  const typed = {
    model_name: 'types-demo',
    inputs: inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape, contents: { fp32_contents: [1, 2, 3, 4] } })),
  };
  result.status = {
    unknownModel: await statusOf(call('ModelInfer', { ...request, model_name: 'no-such-model' })),
    shapeMismatch: await statusOf(call('ModelInfer', {
      ...request, inputs: request.inputs.map((i, k) => (k === 0 ? { ...i, shape: [2, 2, 1] } : i)),
    })),
    wrongRawCount: await statusOf(call('ModelInfer', { ...request, raw_input_contents: request.raw_input_contents.slice(1) })),
    typedFp16: await statusOf(call('ModelInfer', typed)),
    unknownMetadata: await statusOf(call('ModelMetadata', { name: 'no-such-model' })),
  };
  process.stdout.write(JSON.stringify(result));
  client.close();
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
