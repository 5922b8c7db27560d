// See COpenVINO.h. The few declarations of OpenVINO's C API this shim needs are restated here
// (from openvino/c/*.h of 2026.4.1) so the build does not depend on the wheel being unpacked.
#include "COpenVINO.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// --- OpenVINO C API declarations (opaque handles, plain structs, function types) -------------
typedef struct ov_core ov_core_t;
typedef struct ov_model ov_model_t;
typedef struct ov_compiled_model ov_compiled_model_t;
typedef struct ov_infer_request ov_infer_request_t;
typedef struct ov_tensor ov_tensor_t;
typedef struct ov_output_const_port ov_output_const_port_t;
typedef struct ov_preprocess_prepostprocessor ov_preprocess_prepostprocessor_t;
typedef struct ov_preprocess_input_info ov_preprocess_input_info_t;
typedef struct ov_preprocess_input_tensor_info ov_preprocess_input_tensor_info_t;
typedef struct { int64_t rank; int64_t *dims; } ov_shape_t;
typedef struct { int64_t min; int64_t max; } ov_dimension_t;
typedef struct { ov_dimension_t rank; ov_dimension_t *dims; } ov_partial_shape_t;
typedef struct { const char *key; const void *value; } ov_property_t;
typedef int ov_status_e;  // 0 is OK
enum { OV_F32 = 4 };      // ov_element_type_e: DYNAMIC, BOOLEAN, BF16, F16, F32, ...

static struct {
    ov_status_e (*core_create)(ov_core_t **);
    void (*core_free)(ov_core_t *);
    ov_status_e (*read_model_from_memory_buffer)(const ov_core_t *, const char *, size_t, const ov_tensor_t *, ov_model_t **);
    ov_status_e (*read_model)(const ov_core_t *, const char *, const char *, ov_model_t **);
    ov_status_e (*port_get_element_type)(const ov_output_const_port_t *, int *);
    ov_status_e (*preprocess_create)(const ov_model_t *, ov_preprocess_prepostprocessor_t **);
    void (*preprocess_free)(ov_preprocess_prepostprocessor_t *);
    ov_status_e (*preprocess_input_info)(const ov_preprocess_prepostprocessor_t *, size_t, ov_preprocess_input_info_t **);
    void (*preprocess_input_info_free)(ov_preprocess_input_info_t *);
    ov_status_e (*preprocess_tensor_info)(const ov_preprocess_input_info_t *, ov_preprocess_input_tensor_info_t **);
    void (*preprocess_tensor_info_free)(ov_preprocess_input_tensor_info_t *);
    ov_status_e (*preprocess_set_element_type)(ov_preprocess_input_tensor_info_t *, int);
    ov_status_e (*preprocess_build)(const ov_preprocess_prepostprocessor_t *, ov_model_t **);
    ov_status_e (*compile_model)(const ov_core_t *, const ov_model_t *, const char *, size_t, ov_compiled_model_t **, ...);
    void (*model_free)(ov_model_t *);
    ov_status_e (*model_inputs_size)(const ov_model_t *, size_t *);
    ov_status_e (*model_outputs_size)(const ov_model_t *, size_t *);
    ov_status_e (*model_const_input_by_index)(const ov_model_t *, size_t, ov_output_const_port_t **);
    ov_status_e (*model_const_output_by_index)(const ov_model_t *, size_t, ov_output_const_port_t **);
    ov_status_e (*const_port_get_partial_shape)(const ov_output_const_port_t *, ov_partial_shape_t *);
    ov_status_e (*port_get_any_name)(const ov_output_const_port_t *, char **);
    void (*output_const_port_free)(ov_output_const_port_t *);
    ov_status_e (*model_reshape_by_port_indexes)(const ov_model_t *, const size_t *, const ov_partial_shape_t *, size_t);
    ov_status_e (*partial_shape_create)(int64_t, const ov_dimension_t *, ov_partial_shape_t *);
    void (*partial_shape_free)(ov_partial_shape_t *);
    ov_status_e (*compiled_model_create_infer_request)(const ov_compiled_model_t *, ov_infer_request_t **);
    void (*compiled_model_free)(ov_compiled_model_t *);
    ov_status_e (*compiled_model_export)(const ov_compiled_model_t *, const char *);
    ov_status_e (*compiled_model_outputs_size)(const ov_compiled_model_t *, size_t *);
    ov_status_e (*compiled_model_output_by_index)(const ov_compiled_model_t *, size_t, ov_output_const_port_t **);
    ov_status_e (*core_import_model)(const ov_core_t *, const char *, size_t, const char *, ov_compiled_model_t **);
    ov_status_e (*core_set_properties)(const ov_core_t *, const char *, size_t, const ov_property_t *);
    ov_status_e (*shape_create)(int64_t, const int64_t *, ov_shape_t *);
    ov_status_e (*shape_free)(ov_shape_t *);
    ov_status_e (*tensor_create_from_host_ptr)(int, ov_shape_t, void *, ov_tensor_t **);
    ov_status_e (*tensor_get_shape)(const ov_tensor_t *, ov_shape_t *);
    ov_status_e (*tensor_get_element_type)(const ov_tensor_t *, int *);
    ov_status_e (*tensor_data)(const ov_tensor_t *, void **);
    void (*tensor_free)(ov_tensor_t *);
    ov_status_e (*set_input_tensor_by_index)(ov_infer_request_t *, size_t, const ov_tensor_t *);
    ov_status_e (*get_output_tensor_by_index)(const ov_infer_request_t *, size_t, ov_tensor_t **);
    ov_status_e (*infer)(ov_infer_request_t *);
    void (*infer_request_free)(ov_infer_request_t *);
    void (*free_string)(const char *);
    const char *(*last_error)(void);
    // ov::CompiledModel::release_memory(), which the C API lacks; optional (NULL when absent).
    void (*compiled_model_release_memory)(void *);
} ov;

// In COpenVINORelease.cpp: calls `function(object)`, turning a C++ exception into a status.
int32_t obscura_ov_call_member(void (*function)(void *), void *object);

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int load_state = 0;  // 0 not tried, 1 loaded, -1 failed
static char load_message[512];
static ov_core_t *core;

static void write_error(char *error, size_t capacity, const char *format, ...) {
    if (!error || capacity == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, capacity, format, arguments);
    va_end(arguments);
}

/// OpenVINO's own message for the last failure on this thread, or the status number.
static void write_ov_error(char *error, size_t capacity, const char *what, ov_status_e status) {
    const char *detail = ov.last_error ? ov.last_error() : NULL;
    if (detail && *detail) {
        // Keep the first line: later ones hold C++ source locations.
        char line[384];
        snprintf(line, sizeof line, "%s", detail);
        char *newline = strchr(line, '\n');
        if (newline) *newline = 0;
        write_error(error, capacity, "%s (status %d: %s)", what, status, line);
    } else {
        write_error(error, capacity, "%s (status %d)", what, status);
    }
}

#define BIND(field, name)                                                                   \
    do {                                                                                    \
        *(void **)(&ov.field) = dlsym(library, name);                                       \
        if (!ov.field) {                                                                    \
            snprintf(load_message, sizeof load_message, "the OpenVINO runtime lacks %s", name); \
            return -1;                                                                      \
        }                                                                                   \
    } while (0)

static int bind_all(void *library) {
    BIND(core_create, "ov_core_create");
    BIND(core_free, "ov_core_free");
    BIND(read_model_from_memory_buffer, "ov_core_read_model_from_memory_buffer");
    BIND(read_model, "ov_core_read_model");
    BIND(port_get_element_type, "ov_port_get_element_type");
    BIND(preprocess_create, "ov_preprocess_prepostprocessor_create");
    BIND(preprocess_free, "ov_preprocess_prepostprocessor_free");
    BIND(preprocess_input_info, "ov_preprocess_prepostprocessor_get_input_info_by_index");
    BIND(preprocess_input_info_free, "ov_preprocess_input_info_free");
    BIND(preprocess_tensor_info, "ov_preprocess_input_info_get_tensor_info");
    BIND(preprocess_tensor_info_free, "ov_preprocess_input_tensor_info_free");
    BIND(preprocess_set_element_type, "ov_preprocess_input_tensor_info_set_element_type");
    BIND(preprocess_build, "ov_preprocess_prepostprocessor_build");
    BIND(compile_model, "ov_core_compile_model");
    BIND(model_free, "ov_model_free");
    BIND(model_inputs_size, "ov_model_inputs_size");
    BIND(model_outputs_size, "ov_model_outputs_size");
    BIND(model_const_input_by_index, "ov_model_const_input_by_index");
    BIND(model_const_output_by_index, "ov_model_const_output_by_index");
    BIND(const_port_get_partial_shape, "ov_port_get_partial_shape");
    BIND(port_get_any_name, "ov_port_get_any_name");
    BIND(output_const_port_free, "ov_output_const_port_free");
    BIND(model_reshape_by_port_indexes, "ov_model_reshape_by_port_indexes");
    BIND(partial_shape_create, "ov_partial_shape_create");
    BIND(partial_shape_free, "ov_partial_shape_free");
    BIND(compiled_model_create_infer_request, "ov_compiled_model_create_infer_request");
    BIND(compiled_model_free, "ov_compiled_model_free");
    BIND(compiled_model_export, "ov_compiled_model_export_model");
    BIND(compiled_model_outputs_size, "ov_compiled_model_outputs_size");
    BIND(compiled_model_output_by_index, "ov_compiled_model_output_by_index");
    BIND(core_import_model, "ov_core_import_model");
    BIND(core_set_properties, "ov_core_set_properties");
    BIND(shape_create, "ov_shape_create");
    BIND(shape_free, "ov_shape_free");
    BIND(tensor_create_from_host_ptr, "ov_tensor_create_from_host_ptr");
    BIND(tensor_get_shape, "ov_tensor_get_shape");
    BIND(tensor_get_element_type, "ov_tensor_get_element_type");
    BIND(tensor_data, "ov_tensor_data");
    BIND(tensor_free, "ov_tensor_free");
    BIND(set_input_tensor_by_index, "ov_infer_request_set_input_tensor_by_index");
    BIND(get_output_tensor_by_index, "ov_infer_request_get_output_tensor_by_index");
    BIND(infer, "ov_infer_request_infer");
    BIND(infer_request_free, "ov_infer_request_free");
    BIND(free_string, "ov_free");
    BIND(last_error, "ov_get_last_err_msg");
    // The C++ runtime behind the C API (searched through the C library's dependencies).
    *(void **)(&ov.compiled_model_release_memory) = dlsym(library, "_ZN2ov13CompiledModel14release_memoryEv");
    return 0;
}

int32_t obscura_ov_load(const char *library_dir, char *error, size_t error_capacity) {
    pthread_mutex_lock(&load_lock);
    if (load_state == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/libopenvino_c.so.2641", library_dir ? library_dir : ".");
        // RTLD_LOCAL keeps OpenVINO's TBB and C++ symbols from mixing with other libraries'.
        // RTLD_NODELETE, here and for the libraries OpenVINO loads itself (below): their code
        // stays mapped until the process ends. At exit OpenVINO unloads its plugin while TBB's
        // worker threads may still be running in it; a test process crashed so (SIGSEGV at an
        // unmapped address, after every test had passed).
        void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        static const char *const kept[] = {"libopenvino.so.2641", "libopenvino_intel_cpu_plugin.so", "libtbb.so.12",
                                           "libtbbmalloc.so.2", "libtbbbind_2_5.so.3", "libopenvino_onnx_frontend.so.2641",
                                           "libopenvino_tensorflow_frontend.so.2641", "libopenvino_ir_frontend.so.2641"};
        for (size_t index = 0; library && index < sizeof kept / sizeof kept[0]; ++index) {
            char kept_path[4096];
            snprintf(kept_path, sizeof kept_path, "%s/%s", library_dir ? library_dir : ".", kept[index]);
            // A library that is missing or not loadable here is OpenVINO's to report, later.
            (void)dlopen(kept_path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        }
        if (!library) {
            const char *reason = dlerror();
            snprintf(load_message, sizeof load_message, "cannot load %s: %s", path, reason ? reason : "unknown error");
            load_state = -1;
        } else if (bind_all(library) != 0) {
            load_state = -1;
        } else {
            ov_status_e status = ov.core_create(&core);
            if (status != 0) {
                snprintf(load_message, sizeof load_message, "OpenVINO could not start (status %d)", status);
                load_state = -1;
            } else {
                load_state = 1;
            }
        }
    }
    int state = load_state;
    pthread_mutex_unlock(&load_lock);
    if (state != 1) {
        write_error(error, error_capacity, "%s", load_message);
        return OBSCURA_OV_RUNTIME_MISSING;
    }
    return OBSCURA_OV_OK;
}

struct obscura_ov_model {
    ov_compiled_model_t *compiled;
    /// An imported model's export: the CPU plugin reads its weights in place, so it lives as long
    /// as the model (freed after it). NULL for a compiled model.
    void *export_bytes;
    int32_t outputs;
    char **output_names;
};

/// Makes every input that is not f32 take f32 (OpenVINO converts it, e.g. to a TensorFlow
/// graph's u8 image): the shim's requests feed f32 only. Replaces *model on success.
static int accept_f32_inputs(ov_model_t **model, size_t input_count, char *error, size_t error_capacity) {
    bool needed = false;
    for (size_t index = 0; index < input_count && !needed; ++index) {
        ov_output_const_port_t *port = NULL;
        int type = OV_F32;
        if (ov.model_const_input_by_index(*model, index, &port) == 0) ov.port_get_element_type(port, &type);
        if (port) ov.output_const_port_free(port);
        needed = type != OV_F32;
    }
    if (!needed) return 0;
    ov_preprocess_prepostprocessor_t *steps = NULL;
    if (ov.preprocess_create(*model, &steps) != 0) {
        write_error(error, error_capacity, "cannot prepare the model's inputs");
        return -1;
    }
    for (size_t index = 0; index < input_count; ++index) {
        ov_preprocess_input_info_t *input = NULL;
        ov_preprocess_input_tensor_info_t *tensor = NULL;
        ov_status_e status = ov.preprocess_input_info(steps, index, &input);
        if (status == 0) status = ov.preprocess_tensor_info(input, &tensor);
        if (status == 0) status = ov.preprocess_set_element_type(tensor, OV_F32);
        if (tensor) ov.preprocess_tensor_info_free(tensor);
        if (input) ov.preprocess_input_info_free(input);
        if (status != 0) {
            write_ov_error(error, error_capacity, "cannot make the model's input f32", status);
            ov.preprocess_free(steps);
            return -1;
        }
    }
    ov_model_t *built = NULL;
    ov_status_e status = ov.preprocess_build(steps, &built);
    ov.preprocess_free(steps);
    if (status != 0 || !built) {
        write_ov_error(error, error_capacity, "cannot make the model's input f32", status);
        return -1;
    }
    ov.model_free(*model);
    *model = built;
    return 0;
}

/// The settings every model is compiled (or imported) with, as 7 key/value pairs.
/// f32 everywhere (no bf16/f16 even where the CPU has it): outputs must not depend on the CPU.
/// No pinning: other processes (a second obscura, the tests) share the cores.
/// No cache of kernels per input shape: every photo brings new shapes, and the cache grew by
/// about 5 MB a shape (a batch of 161 photos peaked at 497 MB with it, 360 MB without; about
/// 10% slower, measured with `make bench`).
static void compile_properties(ov_property_t properties[7], int32_t threads, int32_t streams,
                               char thread_text[16], char stream_text[16]) {
    snprintf(thread_text, 16, "%d", threads);
    snprintf(stream_text, 16, "%d", streams);
    const char *const pairs[14] = {"CPU_RUNTIME_CACHE_CAPACITY", "0", "INFERENCE_PRECISION_HINT", "f32",
                                   "EXECUTION_MODE_HINT", "ACCURACY", "INFERENCE_NUM_THREADS", thread_text,
                                   "NUM_STREAMS", stream_text, "ENABLE_CPU_PINNING", "NO",
                                   "ENABLE_HYPER_THREADING", "NO"};
    for (int index = 0; index < 7; ++index) properties[index] = (ov_property_t){pairs[2 * index], pairs[2 * index + 1]};
}

/// Copies the output names of `result->compiled` into `result`.
static void read_output_names(obscura_ov_model *result) {
    size_t count = 0;
    if (ov.compiled_model_outputs_size(result->compiled, &count) != 0 || count == 0 || count > 64) return;
    result->outputs = (int32_t)count;
    result->output_names = calloc(count, sizeof(char *));
    for (size_t index = 0; index < count; ++index) {
        ov_output_const_port_t *port = NULL;
        char *name = NULL;
        if (ov.compiled_model_output_by_index(result->compiled, index, &port) == 0 && ov.port_get_any_name(port, &name) == 0
            && name) {
            result->output_names[index] = strdup(name);
            ov.free_string(name);
        } else {
            result->output_names[index] = strdup("");
        }
        if (port) ov.output_const_port_free(port);
    }
}

obscura_ov_model *obscura_ov_model_create(const uint8_t *bytes, size_t length, const char *path, int32_t dynamic_from,
                                          int32_t threads, int32_t streams, char *error, size_t error_capacity) {
    if (load_state != 1) {
        write_error(error, error_capacity, "the OpenVINO runtime is not loaded");
        return NULL;
    }
    if ((!path && (!bytes || length == 0)) || threads < 1 || streams < 1) {
        write_error(error, error_capacity, "invalid model arguments");
        return NULL;
    }
    ov_model_t *model = NULL;
    ov_status_e status = path ? ov.read_model(core, path, NULL, &model)
                              : ov.read_model_from_memory_buffer(core, (const char *)bytes, length, NULL, &model);
    if (status != 0) {
        write_ov_error(error, error_capacity, "OpenVINO could not read the model", status);
        return NULL;
    }
    size_t input_count = 0, output_count = 0;
    if (ov.model_inputs_size(model, &input_count) != 0 || ov.model_outputs_size(model, &output_count) != 0
        || input_count == 0 || output_count == 0 || output_count > 64) {
        write_error(error, error_capacity, "the model has no usable inputs or outputs");
        ov.model_free(model);
        return NULL;
    }
    if (dynamic_from >= 0) {
        // Free every input dimension from `dynamic_from` on (height and width): one compiled
        // model then serves every input shape.
        for (size_t index = 0; index < input_count; ++index) {
            ov_output_const_port_t *port = NULL;
            ov_partial_shape_t current = {{0, 0}, NULL};
            if (ov.model_const_input_by_index(model, index, &port) != 0
                || ov.const_port_get_partial_shape(port, &current) != 0) {
                if (port) ov.output_const_port_free(port);
                write_error(error, error_capacity, "cannot read the model's input shape");
                ov.model_free(model);
                return NULL;
            }
            ov.output_const_port_free(port);
            int64_t rank = current.rank.max;
            if (rank <= 0 || rank > 8 || current.rank.min != rank) {
                ov.partial_shape_free(&current);
                write_error(error, error_capacity, "the model's input rank is not fixed");
                ov.model_free(model);
                return NULL;
            }
            ov_dimension_t dims[8];
            for (int64_t d = 0; d < rank; ++d) {
                dims[d] = current.dims[d];
                if (d >= dynamic_from) { dims[d].min = -1; dims[d].max = -1; }
                else if (d == 0) { dims[d].min = 1; dims[d].max = 1; }
            }
            ov.partial_shape_free(&current);
            ov_partial_shape_t wanted;
            if (ov.partial_shape_create(rank, dims, &wanted) != 0) {
                write_error(error, error_capacity, "cannot describe the dynamic input shape");
                ov.model_free(model);
                return NULL;
            }
            status = ov.model_reshape_by_port_indexes(model, &index, &wanted, 1);
            ov.partial_shape_free(&wanted);
            if (status != 0) {
                write_ov_error(error, error_capacity, "OpenVINO could not make the model's input dynamic", status);
                ov.model_free(model);
                return NULL;
            }
        }
    }
    if (accept_f32_inputs(&model, input_count, error, error_capacity) != 0) {
        ov.model_free(model);
        return NULL;
    }
    obscura_ov_model *result = calloc(1, sizeof *result);
    ov_property_t properties[7];
    char thread_text[16], stream_text[16];
    compile_properties(properties, threads, streams, thread_text, stream_text);
    status = ov.compile_model(core, model, "CPU", 14, &result->compiled,
                              properties[0].key, properties[0].value, properties[1].key, properties[1].value,
                              properties[2].key, properties[2].value, properties[3].key, properties[3].value,
                              properties[4].key, properties[4].value, properties[5].key, properties[5].value,
                              properties[6].key, properties[6].value);
    ov.model_free(model);
    if (status != 0) {
        write_ov_error(error, error_capacity, "OpenVINO could not compile the model", status);
        obscura_ov_model_free(result);
        return NULL;
    }
    read_output_names(result);
    if (result->outputs != (int32_t)output_count) {
        write_error(error, error_capacity, "the compiled model's outputs cannot be read");
        obscura_ov_model_free(result);
        return NULL;
    }
    return result;
}

static pthread_mutex_t import_lock = PTHREAD_MUTEX_INITIALIZER;

obscura_ov_model *obscura_ov_model_import(const uint8_t *bytes, size_t length, int32_t threads, int32_t streams,
                                          char *error, size_t error_capacity) {
    if (load_state != 1) {
        write_error(error, error_capacity, "the OpenVINO runtime is not loaded");
        return NULL;
    }
    if (!bytes || length == 0 || threads < 1 || streams < 1) {
        write_error(error, error_capacity, "invalid model arguments");
        return NULL;
    }
    ov_property_t properties[7];
    char thread_text[16], stream_text[16];
    compile_properties(properties, threads, streams, thread_text, stream_text);
    obscura_ov_model *result = calloc(1, sizeof *result);
    result->export_bytes = malloc(length);
    if (!result->export_bytes) {
        write_error(error, error_capacity, "no memory for the compiled model");
        free(result);
        return NULL;
    }
    memcpy(result->export_bytes, bytes, length);
    // The C API's import takes no settings: they are the core's for the CPU at that moment, so
    // setting and importing go together. Compiling passes its own, which take precedence.
    pthread_mutex_lock(&import_lock);
    ov_status_e status = ov.core_set_properties(core, "CPU", 7, properties);
    if (status == 0) status = ov.core_import_model(core, (const char *)result->export_bytes, length, "CPU", &result->compiled);
    pthread_mutex_unlock(&import_lock);
    if (status != 0 || !result->compiled) {
        write_ov_error(error, error_capacity, "OpenVINO could not import the compiled model", status);
        obscura_ov_model_free(result);
        return NULL;
    }
    read_output_names(result);
    if (result->outputs == 0) {
        write_error(error, error_capacity, "the imported model's outputs cannot be read");
        obscura_ov_model_free(result);
        return NULL;
    }
    return result;
}

int32_t obscura_ov_model_export(const obscura_ov_model *model, const char *path, char *error, size_t error_capacity) {
    if (!model || !model->compiled || !path) {
        write_error(error, error_capacity, "invalid export arguments");
        return OBSCURA_OV_BAD_ARGUMENT;
    }
    ov_status_e status = ov.compiled_model_export(model->compiled, path);
    if (status != 0) {
        write_ov_error(error, error_capacity, "OpenVINO could not export the compiled model", status);
        return OBSCURA_OV_MODEL_INVALID;
    }
    return OBSCURA_OV_OK;
}

int32_t obscura_ov_model_release_memory(obscura_ov_model *model) {
    if (!model || !model->compiled) return OBSCURA_OV_BAD_ARGUMENT;
    if (!ov.compiled_model_release_memory) return OBSCURA_OV_RUNTIME_MISSING;
    // The C API's ov_compiled_model_t is { std::shared_ptr<ov::CompiledModel> object; }, and a
    // shared_ptr's first word is the object (openvino/src/bindings/c/src/common.h).
    void *object = *(void **)model->compiled;
    return obscura_ov_call_member(ov.compiled_model_release_memory, object);
}

void obscura_ov_model_free(obscura_ov_model *model) {
    if (!model) return;
    if (model->compiled) ov.compiled_model_free(model->compiled);
    free(model->export_bytes);
    for (int32_t index = 0; index < model->outputs; ++index) free(model->output_names[index]);
    free(model->output_names);
    free(model);
}

int32_t obscura_ov_model_output_count(const obscura_ov_model *model) { return model ? model->outputs : 0; }

int32_t obscura_ov_model_output_name(const obscura_ov_model *model, int32_t index, char *name, size_t capacity) {
    if (!model || index < 0 || index >= model->outputs || !name || capacity == 0) return OBSCURA_OV_BAD_ARGUMENT;
    snprintf(name, capacity, "%s", model->output_names[index]);
    return OBSCURA_OV_OK;
}

struct obscura_ov_request {
    ov_infer_request_t *request;
    int32_t outputs;
    ov_tensor_t *output_tensors[64];
};

obscura_ov_request *obscura_ov_request_create(obscura_ov_model *model, char *error, size_t error_capacity) {
    if (!model) {
        write_error(error, error_capacity, "no model");
        return NULL;
    }
    obscura_ov_request *result = calloc(1, sizeof *result);
    result->outputs = model->outputs;
    ov_status_e status = ov.compiled_model_create_infer_request(model->compiled, &result->request);
    if (status != 0) {
        write_ov_error(error, error_capacity, "OpenVINO could not create an inference request", status);
        free(result);
        return NULL;
    }
    return result;
}

static void release_outputs(obscura_ov_request *request) {
    for (int32_t index = 0; index < request->outputs; ++index) {
        if (request->output_tensors[index]) ov.tensor_free(request->output_tensors[index]);
        request->output_tensors[index] = NULL;
    }
}

void obscura_ov_request_free(obscura_ov_request *request) {
    if (!request) return;
    release_outputs(request);
    if (request->request) ov.infer_request_free(request->request);
    free(request);
}

int32_t obscura_ov_request_run(obscura_ov_request *request, const float *input, const int64_t *dims, int32_t rank,
                               char *error, size_t error_capacity) {
    if (!request || !input || !dims || rank < 1 || rank > 8) {
        write_error(error, error_capacity, "invalid inference arguments");
        return OBSCURA_OV_BAD_ARGUMENT;
    }
    release_outputs(request);
    ov_shape_t shape;
    if (ov.shape_create(rank, dims, &shape) != 0) {
        write_error(error, error_capacity, "invalid input shape");
        return OBSCURA_OV_BAD_ARGUMENT;
    }
    ov_tensor_t *tensor = NULL;
    // The runtime reads the caller's buffer in place (no copy); it is not written to.
    ov_status_e status = ov.tensor_create_from_host_ptr(OV_F32, shape, (void *)input, &tensor);
    ov.shape_free(&shape);
    if (status != 0) {
        write_ov_error(error, error_capacity, "OpenVINO could not wrap the input", status);
        return OBSCURA_OV_INFER_FAILED;
    }
    status = ov.set_input_tensor_by_index(request->request, 0, tensor);
    if (status == 0) status = ov.infer(request->request);
    ov.tensor_free(tensor);
    if (status != 0) {
        write_ov_error(error, error_capacity, "OpenVINO inference failed", status);
        return OBSCURA_OV_INFER_FAILED;
    }
    return OBSCURA_OV_OK;
}

int32_t obscura_ov_request_output(obscura_ov_request *request, int32_t index, const float **data,
                                  int64_t *dims, int32_t dims_capacity, int32_t *rank,
                                  char *error, size_t error_capacity) {
    if (!request || index < 0 || index >= request->outputs || !data || !rank) {
        write_error(error, error_capacity, "invalid output arguments");
        return OBSCURA_OV_BAD_ARGUMENT;
    }
    if (!request->output_tensors[index]) {
        ov_status_e status = ov.get_output_tensor_by_index(request->request, (size_t)index, &request->output_tensors[index]);
        if (status != 0) {
            write_ov_error(error, error_capacity, "OpenVINO could not return an output", status);
            return OBSCURA_OV_INFER_FAILED;
        }
    }
    ov_tensor_t *tensor = request->output_tensors[index];
    int type = 0;
    ov_shape_t shape = {0, NULL};
    void *pointer = NULL;
    if (ov.tensor_get_element_type(tensor, &type) != 0 || type != OV_F32) {
        write_error(error, error_capacity, "a model output is not f32");
        return OBSCURA_OV_INFER_FAILED;
    }
    if (ov.tensor_get_shape(tensor, &shape) != 0 || ov.tensor_data(tensor, &pointer) != 0 || !pointer) {
        write_error(error, error_capacity, "cannot read a model output");
        return OBSCURA_OV_INFER_FAILED;
    }
    *rank = (int32_t)shape.rank;
    for (int64_t d = 0; d < shape.rank && d < dims_capacity; ++d) dims[d] = shape.dims[d];
    ov.shape_free(&shape);
    *data = (const float *)pointer;
    return OBSCURA_OV_OK;
}
