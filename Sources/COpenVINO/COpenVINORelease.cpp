// The one call into OpenVINO's C++ API (ov::CompiledModel::release_memory has no C form):
// made here, in C++, so that an exception it throws becomes a status instead of unwinding
// through C frames.
#include <cstdint>

extern "C" int32_t obscura_ov_call_member(void (*function)(void *), void *object) {
    try {
        function(object);
        return 0;
    } catch (...) {
        return 3;  // OBSCURA_OV_INFER_FAILED
    }
}
