namespace Atelier.Onnx.Native;

/// <summary>
/// Positions of the <c>OrtApi</c> members this binding uses, counted from the top of
/// <c>struct OrtApi</c> in ONNX Runtime's <c>onnxruntime_c_api.h</c>. The table is append-only
/// across releases, so an index never moves once published. Each constant carries the C
/// signature it points at; <c>OrtStatus*</c> returns are checked by <see cref="OrtStatus.Check"/>.
/// </summary>
internal static class OrtApiIndex
{
    /// <summary><c>OrtStatus* CreateStatus(OrtErrorCode code, const char* msg)</c></summary>
    public const int CreateStatus = 0;

    /// <summary><c>OrtErrorCode GetErrorCode(const OrtStatus* status)</c></summary>
    public const int GetErrorCode = 1;

    /// <summary><c>const char* GetErrorMessage(const OrtStatus* status)</c></summary>
    public const int GetErrorMessage = 2;

    /// <summary><c>OrtStatus* CreateEnvWithCustomLogger(OrtLoggingFunction logging_function, void* logger_param, OrtLoggingLevel log_severity_level, const char* logid, OrtEnv** out)</c></summary>
    public const int CreateEnvWithCustomLogger = 4;

    /// <summary><c>OrtStatus* CreateSession(const OrtEnv* env, const char* model_path, const OrtSessionOptions* options, OrtSession** out)</c></summary>
    public const int CreateSession = 7;

    /// <summary><c>OrtStatus* CreateSessionFromArray(const OrtEnv* env, const void* model_data, size_t model_data_length, const OrtSessionOptions* options, OrtSession** out)</c></summary>
    public const int CreateSessionFromArray = 8;

    /// <summary><c>OrtStatus* Run(OrtSession* session, const OrtRunOptions* run_options, const char* const* input_names, const OrtValue* const* inputs, size_t input_len, const char* const* output_names, size_t output_names_len, OrtValue** outputs)</c></summary>
    public const int Run = 9;

    /// <summary><c>OrtStatus* CreateSessionOptions(OrtSessionOptions** options)</c></summary>
    public const int CreateSessionOptions = 10;

    /// <summary><c>OrtStatus* SetSessionExecutionMode(OrtSessionOptions* options, ExecutionMode execution_mode)</c></summary>
    public const int SetSessionExecutionMode = 13;

    /// <summary><c>OrtStatus* EnableMemPattern(OrtSessionOptions* options)</c></summary>
    public const int EnableMemPattern = 16;

    /// <summary><c>OrtStatus* DisableMemPattern(OrtSessionOptions* options)</c></summary>
    public const int DisableMemPattern = 17;

    /// <summary><c>OrtStatus* EnableCpuMemArena(OrtSessionOptions* options)</c></summary>
    public const int EnableCpuMemArena = 18;

    /// <summary><c>OrtStatus* DisableCpuMemArena(OrtSessionOptions* options)</c></summary>
    public const int DisableCpuMemArena = 19;

    /// <summary><c>OrtStatus* SetSessionGraphOptimizationLevel(OrtSessionOptions* options, GraphOptimizationLevel graph_optimization_level)</c></summary>
    public const int SetSessionGraphOptimizationLevel = 23;

    /// <summary><c>OrtStatus* SetIntraOpNumThreads(OrtSessionOptions* options, int intra_op_num_threads)</c></summary>
    public const int SetIntraOpNumThreads = 24;

    /// <summary><c>OrtStatus* SetInterOpNumThreads(OrtSessionOptions* options, int inter_op_num_threads)</c></summary>
    public const int SetInterOpNumThreads = 25;

    /// <summary><c>OrtStatus* SessionGetInputCount(const OrtSession* session, size_t* out)</c></summary>
    public const int SessionGetInputCount = 30;

    /// <summary><c>OrtStatus* SessionGetOutputCount(const OrtSession* session, size_t* out)</c></summary>
    public const int SessionGetOutputCount = 31;

    /// <summary><c>OrtStatus* SessionGetInputTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)</c></summary>
    public const int SessionGetInputTypeInfo = 33;

    /// <summary><c>OrtStatus* SessionGetOutputTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)</c></summary>
    public const int SessionGetOutputTypeInfo = 34;

    /// <summary><c>OrtStatus* SessionGetInputName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)</c></summary>
    public const int SessionGetInputName = 36;

    /// <summary><c>OrtStatus* SessionGetOutputName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)</c></summary>
    public const int SessionGetOutputName = 37;

    /// <summary><c>OrtStatus* CreateRunOptions(OrtRunOptions** out)</c></summary>
    public const int CreateRunOptions = 39;

    /// <summary><c>OrtStatus* RunOptionsSetTerminate(OrtRunOptions* options)</c></summary>
    public const int RunOptionsSetTerminate = 46;

    /// <summary><c>OrtStatus* CreateTensorAsOrtValue(OrtAllocator* allocator, const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)</c></summary>
    public const int CreateTensorAsOrtValue = 48;

    /// <summary><c>OrtStatus* CreateTensorWithDataAsOrtValue(const OrtMemoryInfo* info, void* p_data, size_t p_data_len, const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)</c></summary>
    public const int CreateTensorWithDataAsOrtValue = 49;

    /// <summary><c>OrtStatus* IsTensor(const OrtValue* value, int* out)</c></summary>
    public const int IsTensor = 50;

    /// <summary><c>OrtStatus* GetTensorMutableData(OrtValue* value, void** out)</c></summary>
    public const int GetTensorMutableData = 51;

    /// <summary><c>OrtStatus* CastTypeInfoToTensorInfo(const OrtTypeInfo* type_info, const OrtTensorTypeAndShapeInfo** out)</c> (out is owned by the type info; may be null)</summary>
    public const int CastTypeInfoToTensorInfo = 55;

    /// <summary><c>OrtStatus* GetTensorElementType(const OrtTensorTypeAndShapeInfo* info, ONNXTensorElementDataType* out)</c></summary>
    public const int GetTensorElementType = 60;

    /// <summary><c>OrtStatus* GetDimensionsCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)</c></summary>
    public const int GetDimensionsCount = 61;

    /// <summary><c>OrtStatus* GetDimensions(const OrtTensorTypeAndShapeInfo* info, int64_t* dim_values, size_t dim_values_length)</c></summary>
    public const int GetDimensions = 62;

    /// <summary><c>OrtStatus* GetSymbolicDimensions(const OrtTensorTypeAndShapeInfo* info, const char* dim_params[], size_t dim_params_length)</c></summary>
    public const int GetSymbolicDimensions = 63;

    /// <summary><c>OrtStatus* GetTensorShapeElementCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)</c></summary>
    public const int GetTensorShapeElementCount = 64;

    /// <summary><c>OrtStatus* GetTensorTypeAndShape(const OrtValue* value, OrtTensorTypeAndShapeInfo** out)</c></summary>
    public const int GetTensorTypeAndShape = 65;

    /// <summary><c>OrtStatus* CreateMemoryInfo(const char* name, OrtAllocatorType type, int id, OrtMemType mem_type, OrtMemoryInfo** out)</c></summary>
    public const int CreateMemoryInfo = 68;

    /// <summary><c>OrtStatus* CreateCpuMemoryInfo(OrtAllocatorType type, OrtMemType mem_type, OrtMemoryInfo** out)</c></summary>
    public const int CreateCpuMemoryInfo = 69;

    /// <summary><c>OrtStatus* MemoryInfoGetName(const OrtMemoryInfo* ptr, const char** out)</c></summary>
    public const int MemoryInfoGetName = 71;

    /// <summary><c>OrtStatus* MemoryInfoGetId(const OrtMemoryInfo* ptr, int* out)</c></summary>
    public const int MemoryInfoGetId = 72;

    /// <summary><c>OrtStatus* AllocatorFree(OrtAllocator* ort_allocator, void* p)</c></summary>
    public const int AllocatorFree = 76;

    /// <summary><c>OrtStatus* GetAllocatorWithDefaultOptions(OrtAllocator** out)</c> (the default allocator is never released)</summary>
    public const int GetAllocatorWithDefaultOptions = 78;

    /// <summary><c>void ReleaseEnv(OrtEnv* input)</c></summary>
    public const int ReleaseEnv = 92;

    /// <summary><c>void ReleaseStatus(OrtStatus* input)</c></summary>
    public const int ReleaseStatus = 93;

    /// <summary><c>void ReleaseMemoryInfo(OrtMemoryInfo* input)</c></summary>
    public const int ReleaseMemoryInfo = 94;

    /// <summary><c>void ReleaseSession(OrtSession* input)</c></summary>
    public const int ReleaseSession = 95;

    /// <summary><c>void ReleaseValue(OrtValue* input)</c></summary>
    public const int ReleaseValue = 96;

    /// <summary><c>void ReleaseRunOptions(OrtRunOptions* input)</c></summary>
    public const int ReleaseRunOptions = 97;

    /// <summary><c>void ReleaseTypeInfo(OrtTypeInfo* input)</c></summary>
    public const int ReleaseTypeInfo = 98;

    /// <summary><c>void ReleaseTensorTypeAndShapeInfo(OrtTensorTypeAndShapeInfo* input)</c></summary>
    public const int ReleaseTensorTypeAndShapeInfo = 99;

    /// <summary><c>void ReleaseSessionOptions(OrtSessionOptions* input)</c></summary>
    public const int ReleaseSessionOptions = 100;

    /// <summary><c>OrtStatus* GetAvailableProviders(char*** out_ptr, int* provider_length)</c></summary>
    public const int GetAvailableProviders = 125;

    /// <summary><c>OrtStatus* ReleaseAvailableProviders(char** ptr, int providers_length)</c></summary>
    public const int ReleaseAvailableProviders = 126;

    /// <summary><c>OrtStatus* CreateAllocator(const OrtSession* session, const OrtMemoryInfo* mem_info, OrtAllocator** out)</c></summary>
    public const int CreateAllocator = 131;

    /// <summary><c>void ReleaseAllocator(OrtAllocator* input)</c></summary>
    public const int ReleaseAllocator = 132;

    /// <summary><c>OrtStatus* RunWithBinding(OrtSession* session, const OrtRunOptions* run_options, const OrtIoBinding* binding_ptr)</c></summary>
    public const int RunWithBinding = 133;

    /// <summary><c>OrtStatus* CreateIoBinding(OrtSession* session, OrtIoBinding** out)</c></summary>
    public const int CreateIoBinding = 134;

    /// <summary><c>void ReleaseIoBinding(OrtIoBinding* input)</c></summary>
    public const int ReleaseIoBinding = 135;

    /// <summary><c>OrtStatus* BindInput(OrtIoBinding* binding_ptr, const char* name, const OrtValue* val_ptr)</c></summary>
    public const int BindInput = 136;

    /// <summary><c>OrtStatus* BindOutput(OrtIoBinding* binding_ptr, const char* name, const OrtValue* val_ptr)</c></summary>
    public const int BindOutput = 137;

    /// <summary><c>OrtStatus* BindOutputToDevice(OrtIoBinding* binding_ptr, const char* name, const OrtMemoryInfo* mem_info_ptr)</c></summary>
    public const int BindOutputToDevice = 138;

    /// <summary><c>OrtStatus* GetBoundOutputValues(const OrtIoBinding* binding_ptr, OrtAllocator* allocator, OrtValue*** output, size_t* output_count)</c></summary>
    public const int GetBoundOutputValues = 140;

    /// <summary><c>void ClearBoundInputs(OrtIoBinding* binding_ptr)</c></summary>
    public const int ClearBoundInputs = 141;

    /// <summary><c>void ClearBoundOutputs(OrtIoBinding* binding_ptr)</c></summary>
    public const int ClearBoundOutputs = 142;

    /// <summary><c>OrtStatus* GetTensorMemoryInfo(const OrtValue* value, const OrtMemoryInfo** mem_info)</c> (out is owned by the value)</summary>
    public const int GetTensorMemoryInfo = 194;

    /// <summary><c>OrtStatus* SynchronizeBoundInputs(OrtIoBinding* binding_ptr)</c></summary>
    public const int SynchronizeBoundInputs = 202;

    /// <summary><c>OrtStatus* SynchronizeBoundOutputs(OrtIoBinding* binding_ptr)</c></summary>
    public const int SynchronizeBoundOutputs = 203;

    /// <summary><c>OrtStatus* SessionOptionsAppendExecutionProvider_CUDA_V2(OrtSessionOptions* options, const OrtCUDAProviderOptionsV2* cuda_options)</c></summary>
    public const int SessionOptionsAppendExecutionProviderCudaV2 = 204;

    /// <summary><c>OrtStatus* CreateCUDAProviderOptions(OrtCUDAProviderOptionsV2** out)</c></summary>
    public const int CreateCudaProviderOptions = 205;

    /// <summary><c>OrtStatus* UpdateCUDAProviderOptions(OrtCUDAProviderOptionsV2* cuda_options, const char* const* provider_options_keys, const char* const* provider_options_values, size_t num_keys)</c></summary>
    public const int UpdateCudaProviderOptions = 206;

    /// <summary><c>void ReleaseCUDAProviderOptions(OrtCUDAProviderOptionsV2* input)</c></summary>
    public const int ReleaseCudaProviderOptions = 208;

    /// <summary><c>void MemoryInfoGetDeviceType(const OrtMemoryInfo* ptr, OrtMemoryInfoDeviceType* out)</c></summary>
    public const int MemoryInfoGetDeviceType = 225;

    /// <summary><c>const char* GetBuildInfoString(void)</c></summary>
    public const int GetBuildInfoString = 254;

    /// <summary><c>OrtStatus* GetTensorSizeInBytes(const OrtValue* ort_value, size_t* size)</c> (since 1.23)</summary>
    public const int GetTensorSizeInBytes = 318;

    /// <summary><c>OrtStatus* CopyTensors(const OrtEnv* env, const OrtValue* const* src_tensors, OrtValue* const* dst_tensors, OrtSyncStream* stream, size_t num_tensors)</c> (since 1.23)</summary>
    public const int CopyTensors = 386;
}
