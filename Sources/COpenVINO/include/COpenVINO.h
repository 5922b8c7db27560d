// COpenVINO: a thin C API over OpenVINO's own C API (libopenvino_c from the pinned PyPI wheel
// openvino==2026.4.1), loaded at run time with dlopen. The build needs nothing from the wheel;
// a missing or broken runtime is a set-up error the caller reports before reading any image.
// Every symbol is prefixed `obscura_ov_`. Functions return 0 (OBSCURA_OV_OK) on success; on
// failure a status below and a short message (never pixel data) in `error` when it is not NULL.
#ifndef COPENVINO_H
#define COPENVINO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OBSCURA_OV_OK = 0,
    /// The runtime library could not be loaded, or lacks a function this shim needs.
    OBSCURA_OV_RUNTIME_MISSING = 1,
    /// The model could not be read, reshaped or compiled.
    OBSCURA_OV_MODEL_INVALID = 2,
    /// Inference (or reading its result) failed.
    OBSCURA_OV_INFER_FAILED = 3,
    /// The caller passed something out of range.
    OBSCURA_OV_BAD_ARGUMENT = 4,
} obscura_ov_status;

/// Loads libopenvino_c (and through its rpath the runtime and CPU plugin) from `library_dir`.
/// Idempotent: later calls return the first call's result. Thread-safe.
int32_t obscura_ov_load(const char *library_dir, char *error, size_t error_capacity);

/// A model compiled once for the CPU in f32, with its input dimensions at `dynamic_from` and
/// later left free, shared by any number of requests.
typedef struct obscura_ov_model obscura_ov_model;

/// Reads a model from memory (OpenVINO picks the reader: ONNX here) or, when `path` is not NULL,
/// from that file (a TensorFlow frozen graph, which OpenVINO reads only from files), makes input
/// dimensions from index `dynamic_from` on dynamic (-1 leaves the model's shape), lets every
/// input take f32 (converted to the model's own type), and compiles it with `threads` inference
/// threads per request and `streams` streams.
obscura_ov_model *obscura_ov_model_create(const uint8_t *bytes, size_t length, const char *path, int32_t dynamic_from,
                                          int32_t threads, int32_t streams, char *error, size_t error_capacity);
void obscura_ov_model_free(obscura_ov_model *model);
/// Writes the compiled model to `path` in OpenVINO's export format, which
/// `obscura_ov_model_import` reads back with the same runtime on the same CPU.
int32_t obscura_ov_model_export(const obscura_ov_model *model, const char *path, char *error, size_t error_capacity);
/// A model from an export of `obscura_ov_model_create`'s result, with the same settings: no
/// reading, reshaping or compiling of the model itself (about 0.2 s instead of 0.4 to 4 s).
/// The caller checks that `bytes` are the export it made; a damaged export usually fails here.
obscura_ov_model *obscura_ov_model_import(const uint8_t *bytes, size_t length, int32_t threads, int32_t streams,
                                          char *error, size_t error_capacity);
/// Frees the compiled model's intermediate buffers (they grow to the largest input run so far
/// and are allocated again by the next run). Call only while no request of it runs.
/// OBSCURA_OV_RUNTIME_MISSING when the runtime lacks the call, OBSCURA_OV_INFER_FAILED when it
/// refused.
int32_t obscura_ov_model_release_memory(obscura_ov_model *model);
/// Number of outputs of the model.
int32_t obscura_ov_model_output_count(const obscura_ov_model *model);
/// Writes the first tensor name of output `index` into `name` (NUL-terminated, cut to fit).
int32_t obscura_ov_model_output_name(const obscura_ov_model *model, int32_t index, char *name, size_t capacity);

/// One inference request: used by one thread at a time, any input shape the model allows.
typedef struct obscura_ov_request obscura_ov_request;
obscura_ov_request *obscura_ov_request_create(obscura_ov_model *model, char *error, size_t error_capacity);
void obscura_ov_request_free(obscura_ov_request *request);

/// Runs the model on one f32 input of `rank` dimensions `dims` (the caller keeps `input` alive
/// for the call). Outputs are read with `obscura_ov_request_output` until the next run.
int32_t obscura_ov_request_run(obscura_ov_request *request, const float *input, const int64_t *dims, int32_t rank,
                               char *error, size_t error_capacity);

/// Output `index` of the last run: a pointer to its f32 data (owned by the request), its shape
/// (up to `dims_capacity` dimensions) and its rank.
int32_t obscura_ov_request_output(obscura_ov_request *request, int32_t index, const float **data,
                                  int64_t *dims, int32_t dims_capacity, int32_t *rank,
                                  char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
