// How every decoder of this target bounds its memory by the caller's pixel limit.
#ifndef COBSCURA_LIMITS_HPP
#define COBSCURA_LIMITS_HPP

#include "CObscuraCodecs.h"
#include "CObscuraStatus.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace obscura {

/// One decoder of `obscura_cv_decode` (CObscuraCodecs.cpp and CObscuraFormats.cpp).
using decoder = int32_t(const uint8_t *bytes, size_t length, uint64_t max_pixels, obscura_cv_image *out, char *error,
                        size_t error_capacity);
decoder decode_png, decode_webp, decode_jpeg_rgb, decode_jpeg_stored, decode_heif, decode_tiff, decode_gif;

/// Called by each decoder as soon as its library has read the declared size, before any pixel
/// memory is allocated. Returns true when the decoder must stop: either the caller asked for the
/// header only (`max_pixels` 0, OBSCURA_STATUS_OK) or the size is over the limit
/// (OBSCURA_STATUS_TOO_LARGE; `out` then holds the declared width and height, no pixels).
inline bool stop_at_header(obscura_cv_image *out, uint64_t width, uint64_t height, uint64_t max_pixels,
                           int32_t &status, char *error, size_t error_capacity) {
    // Zero sides are left to each decoder's own range check and message.
    if (max_pixels != 0 && width * height <= max_pixels) return false;
    out->width = width > INT32_MAX ? INT32_MAX : int32_t(width);
    out->height = height > INT32_MAX ? INT32_MAX : int32_t(height);
    if (max_pixels == 0) {
        status = OBSCURA_STATUS_OK;
    } else {
        status = OBSCURA_STATUS_TOO_LARGE;
        obscura_write_message(error, error_capacity, "the image declares more pixels than the limit");
    }
    return true;
}

/// Called once a decoder knows how many bytes its pixels take: true (OBSCURA_STATUS_OVER_BUDGET)
/// when they alone
/// exceed the working budget (a 100 MP image with transparency: 400 MB).
inline bool over_budget(obscura_cv_image *out, uint64_t width, uint64_t height, uint64_t bytes, int32_t &status,
                        char *error, size_t error_capacity,
                        const char *why = "its decoded pixels alone exceed the working budget") {
    if (bytes <= OBSCURA_CV_WORKING_BUDGET) return false;
    out->width = width > INT32_MAX ? INT32_MAX : int32_t(width);
    out->height = height > INT32_MAX ? INT32_MAX : int32_t(height);
    status = OBSCURA_STATUS_OVER_BUDGET;
    obscura_write_message(error, error_capacity, why);
    return true;
}

/// Clears a decoder's output, keeping the caller's target buffer.
inline void reset(obscura_cv_image *out) {
    uint8_t *target = out->target;
    size_t capacity = out->target_capacity;
    std::memset(out, 0, sizeof(*out));
    out->target = target;
    out->target_capacity = capacity;
}

/// Where a decoder puts `size` bytes of pixels: the caller's target when it fits, else malloc.
inline uint8_t *pixel_buffer(obscura_cv_image *out, size_t size) {
    if (out->target != nullptr && out->target_capacity >= size) return out->target;
    return static_cast<uint8_t *>(std::malloc(size));
}

/// Frees pixels from `pixel_buffer` unless they are the caller's target.
inline void release_pixels(const obscura_cv_image *out, uint8_t *pixels) {
    if (pixels != out->target) std::free(pixels);
}

/// Working memory a codec library may take beyond the output pixels: a JPEG's progressive
/// coefficients (2 bytes a sample, 4 components at most) plus 64 MiB of tables and buffers.
inline uint64_t library_memory_cap(uint64_t max_pixels) {
    return max_pixels * 8 + (uint64_t(64) << 20);
}

}  // namespace obscura

#endif
