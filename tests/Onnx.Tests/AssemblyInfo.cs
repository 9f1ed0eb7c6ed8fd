// Tests share one process-wide ONNX Runtime environment and count live native handles, and the
// ISNet runs need both cores: run test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
