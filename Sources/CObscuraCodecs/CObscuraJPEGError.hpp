// libjpeg's error handling as every JPEG path of this target uses it: fatal errors longjmp
// back, and recoverable damage (emit_message(-1)) fails the input, except the benign warnings
// listed below.
#ifndef COBSCURA_JPEG_ERROR_HPP
#define COBSCURA_JPEG_ERROR_HPP

#include <csetjmp>
#include <cstdio>
#include <cstring>

extern "C" {
#include <jerror.h>
#include <jpeglib.h>
}

namespace obscura {

struct strict_jpeg_error {
    jpeg_error_mgr manager;
    jmp_buf jump;
    bool damaged;
    char message[JMSG_LENGTH_MAX];
};

inline void strict_error_exit(j_common_ptr info) {
    auto *error = reinterpret_cast<strict_jpeg_error *>(info->err);
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

inline void strict_emit_message(j_common_ptr info, int level) {
    if (level != -1) return;  // trace messages
    auto *error = reinterpret_cast<strict_jpeg_error *>(info->err);
    int code = info->err->msg_code;
    if (code == JWRN_EXTRANEOUS_DATA || code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM) return;
#ifdef JWRN_BOGUS_ICC
    if (code == JWRN_BOGUS_ICC) return;
#endif
    if (!error->damaged) (*info->err->format_message)(info, error->message);
    error->damaged = true;
}

/// Clears `error` and returns its manager for `info.err`: fatal errors longjmp to `error.jump`,
/// and when `damage_fails` (reading), so does recoverable damage.
inline jpeg_error_mgr *strict_errors(strict_jpeg_error &error, bool damage_fails) {
    std::memset(&error, 0, sizeof(error));
    jpeg_error_mgr *manager = jpeg_std_error(&error.manager);
    error.manager.error_exit = strict_error_exit;
    if (damage_fails) error.manager.emit_message = strict_emit_message;
    return manager;
}

}  // namespace obscura

#endif
