// CObscuraVision: a thin, prefixed C API over OpenCV 4.6 (core, imgproc, objdetect): area
// resizing and Haar cascades. Pixel buffers are tightly packed, 8-bit, row-major.
// Functions return OBSCURA_STATUS_OK on success; on failure another status of CObscuraStatus.h
// and, where they take one, a short message in `error`.
#ifndef COBSCURA_VISION_H
#define COBSCURA_VISION_H

#include <stddef.h>
#include <stdint.h>

#include "CObscuraStatus.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Resizes with area averaging when shrinking and bilinear interpolation when enlarging.
int32_t obscura_cv_resize(const uint8_t *source, int32_t width, int32_t height, int32_t channels,
                          uint8_t *destination, int32_t new_width, int32_t new_height);

/// Writes the `region_width` × `region_height` part at (`region_x`, `region_y`) of `source`
/// scaled to `scaled_width` × `scaled_height`, without making the whole scaled image: area
/// averaging where it shrinks, linear where it enlarges. Not OpenCV's resize (whose result for
/// a part is not the same part of its whole result); deterministic. OBSCURA_STATUS_OUT_OF_RANGE
/// for arguments out of range, OBSCURA_STATUS_FAILED when memory ran out.
int32_t obscura_cv_resize_region(const uint8_t *source, int32_t width, int32_t height, int32_t channels,
                                 int32_t scaled_width, int32_t scaled_height, int32_t region_x, int32_t region_y,
                                 int32_t region_width, int32_t region_height, uint8_t *destination);
/// Caps OpenCV's own worker threads (resize, cascade). 0 lets OpenCV decide.
void obscura_cv_set_threads(int32_t count);

/// A Haar cascade (OpenCV objdetect), used by one thread at a time.
typedef struct obscura_cv_cascade obscura_cv_cascade;

/// Loads a cascade XML file (old or new format). Returns NULL and a message on failure.
obscura_cv_cascade *obscura_cv_cascade_create(const char *path, char *error, size_t error_capacity);
void obscura_cv_cascade_free(obscura_cv_cascade *cascade);

/// Runs `detectMultiScale` on an 8-bit grey image whose rows are `row_bytes` apart (a tile of
/// a larger image), with windows from `min_width` × `min_height` up to `max_width` wide (0: no
/// limit). Writes up to `capacity` rectangles as x, y, w, h into `rects` (4 per hit) with their
/// neighbour counts, and the number found into `count` (which may exceed `capacity`).
int32_t obscura_cv_cascade_detect(obscura_cv_cascade *cascade, const uint8_t *grey, int32_t width,
                                  int32_t height, int32_t row_bytes, double scale_factor, int32_t min_neighbours,
                                  int32_t min_width, int32_t min_height, int32_t max_width, int32_t *rects,
                                  int32_t *neighbours, size_t capacity, size_t *count, char *error,
                                  size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
