// CObscuraStatus: what the codec, vision and OCR shims return, and how they hand back a
// message. Every function of those shims returns OBSCURA_STATUS_OK on success; on failure one of
// the statuses below and a short message (never pixel data or recognised text) in `error` when
// it is not NULL. (COpenVINO keeps its own `obscura_ov_status`: its failures are other ones.)
#ifndef COBSCURA_STATUS_H
#define COBSCURA_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    OBSCURA_STATUS_OK = 0,
    /// The library could not read the input, or failed for a reason its message gives.
    OBSCURA_STATUS_FAILED = 1,
    /// Dimensions or arguments out of range, or (colour) a profile that does not fit the image.
    OBSCURA_STATUS_OUT_OF_RANGE = 2,
    OBSCURA_STATUS_OUT_OF_MEMORY = 3,
    /// The data is truncated or damaged.
    OBSCURA_STATUS_DAMAGED = 4,
    /// The first image is a reduced-resolution preview (a camera raw).
    OBSCURA_STATUS_PREVIEW = 5,
    /// More than one image: an animation or a multi-page file.
    OBSCURA_STATUS_NOT_STILL = 6,
    /// The header declares more pixels than the caller's limit; nothing was allocated.
    OBSCURA_STATUS_TOO_LARGE = 7,
    /// Decoding would hold more than OBSCURA_CV_WORKING_BUDGET beside the pixels.
    OBSCURA_STATUS_OVER_BUDGET = 8,
    /// The input cannot be handled this way (a JPEG that cannot be copied losslessly); the
    /// caller has another way.
    OBSCURA_STATUS_UNSUPPORTED = 9,
};

/// Copies `message` into `error` (cut to fit, NUL-terminated) when the caller gave a buffer.
void obscura_write_message(char *error, size_t capacity, const char *message);

#ifdef __cplusplus
}
#endif

#endif
