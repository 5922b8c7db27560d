// CObscuraCodecs: a thin, prefixed C API over the image codecs (libjpeg-turbo with its
// coefficient API, libpng, libwebp, libheif, libtiff, giflib) and Little CMS, used directly:
// damaged data is refused rather than patched over, and each decoder checks the declared size
// with its own library's header parser before allocating pixels. Pixel buffers cross the
// boundary as tightly packed, 8-bit, row-major grey / RGB / RGBA (CMYK where said).
// Functions return OBSCURA_STATUS_OK on success; on failure another status of CObscuraStatus.h
// and a short message (never pixel data) in `error` when it is not NULL.
#ifndef COBSCURA_CODECS_H
#define COBSCURA_CODECS_H

#include <stddef.h>
#include <stdint.h>

#include "CObscuraStatus.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A decoded image owned by the shim; release it with `obscura_cv_image_free`.
typedef struct obscura_cv_image {
    int32_t width;
    int32_t height;
    int32_t channels;   // 1 (grey), 3 (RGB) or 4 (RGBA)
    uint8_t *pixels;    // width * height * channels bytes
    // Facts some decoders report (zero when unknown):
    uint8_t *icc;                     // the embedded ICC profile, owned by the image
    size_t icc_length;
    int32_t colour_primaries;         // HEIF nclx colour primaries (ITU-T H.273 code points)
    int32_t transfer_characteristics; // HEIF nclx transfer characteristics
    int32_t orientation;              // TIFF Orientation tag (1...8) of the rows as returned
    int32_t bits_per_sample;          // the source's sample depth before reduction to 8 bits
    // Set by the caller before decoding: a buffer the decoder writes the pixels into when they
    // fit (`pixels` then equals `target` and is not freed by `obscura_cv_image_free`), so the
    // caller's own array needs no copy. Decoders keep these two fields.
    uint8_t *target;
    size_t target_capacity;
} obscura_cv_image;

// Every decoder takes `max_pixels`: an image whose header declares more pixels is refused with
// OBSCURA_STATUS_TOO_LARGE before any pixel memory is allocated (`out` then holds the declared
// width and height), and the library's own working memory is capped in proportion. With
// `max_pixels` 0 a decoder reads the header only: OBSCURA_STATUS_OK, width and height set, no
// pixels. Size checks thus use the same parser that decodes.
// A JPEG with several scans (progressive) is decoded from a buffer of all its coefficients held
// beside the pixels; one whose two would exceed OBSCURA_CV_WORKING_BUDGET bytes is refused with
// OBSCURA_STATUS_OVER_BUDGET, also before any allocation. Animations and multi-page files are
// refused with OBSCURA_STATUS_NOT_STILL, a TIFF whose first image is a preview with
// OBSCURA_STATUS_PREVIEW.

/// The most memory, in bytes, one image's codec work may hold beside its pixels, and the pixels
/// plus a whole-image coefficient buffer together (a 50 MP 4:2:0 JPEG fits).
#define OBSCURA_CV_WORKING_BUDGET 300000000

/// The formats `obscura_cv_decode` reads and `obscura_cv_encode` writes (JPEG, PNG, WebP):
/// - JPEG with libjpeg directly, refusing any stream the library had to patch up: truncated
///   data, bad Huffman codes, lost markers. Benign warnings (unknown JFIF revision, extraneous
///   bytes before a marker, a damaged ICC marker) are tolerated. CMYK/YCCK come out as RGB. EXIF
///   orientation is not applied.
/// - PNG with libpng: palette, grey+alpha and 16-bit samples come out as 8-bit grey, RGB or RGBA.
///   Truncated or damaged data fails.
/// - WebP with libwebp, still images only: RGB, or RGBA when it has alpha.
/// - HEIF: the primary image of a HEIF/HEIC/AVIF file with libheif, with the container's
///   rotation, mirroring and crop applied. Reports the colour profile (ICC bytes or nclx code
///   points).
/// - TIFF: the first image with libtiff as RGB(A), rows as stored (the Orientation tag is
///   reported, not applied). Multi-page files and files whose first image is a
///   reduced-resolution preview (camera raw) fail.
/// - GIF with giflib, still images only: RGBA when it has transparency.
/// - JPEG_STORED (read only): as JPEG, but a CMYK or YCCK file comes out as its 4 stored CMYK
///   samples, unconverted (in Adobe's inverted convention when it has an APP14 marker: 255 is
///   no ink), for painting on the coefficient path.
enum { OBSCURA_CV_JPEG = 1, OBSCURA_CV_PNG = 2, OBSCURA_CV_WEBP = 3, OBSCURA_CV_HEIF = 4, OBSCURA_CV_TIFF = 5,
       OBSCURA_CV_GIF = 6, OBSCURA_CV_JPEG_STORED = 7 };

/// Decodes `bytes` as `format` (above) into `out`.
int32_t obscura_cv_decode(int32_t format, const uint8_t *bytes, size_t length, uint64_t max_pixels,
                          obscura_cv_image *out, char *error, size_t error_capacity);

/// Converts 8-bit pixels in place to sRGB with Little CMS, from an ICC profile or, when `icc` is
/// NULL, from RGB primaries {rx, ry, gx, gy, bx, by, wx, wy} with sRGB's transfer curve. Grey
/// images (1 or 2 channels) are mapped to grey with sRGB's curve; alpha is copied unchanged.
int32_t obscura_cv_convert_to_srgb(uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                   const uint8_t *icc, size_t icc_length, const double *primaries,
                                   char *error, size_t error_capacity);

/// Writes an ICC profile's English description (e.g. "sRGB IEC61966-2.1") into `description`.
int32_t obscura_cv_icc_description(const uint8_t *icc, size_t icc_length, char *description, size_t capacity);

/// Releases the pixels of an image filled by one of the decoders.
void obscura_cv_image_free(obscura_cv_image *image);

/// JPEG layout choices, taken from the input so that size and look stay close to it.
typedef struct obscura_cv_jpeg_layout {
    int32_t luma_horizontal;  // luma sampling factors relative to chroma: 2x2 is 4:2:0,
    int32_t luma_vertical;    // 2x1 4:2:2, 1x1 4:4:4; 0 keeps libjpeg's default (4:2:0)
    int32_t progressive;      // non-zero writes a progressive JPEG
    int32_t table_count;      // 1 (grey) or 3: quantization tables per component to reuse
    uint16_t tables[3][64];   // natural (row-major) order; `quality` is then ignored
    int32_t one_pass;         // non-zero: standard Huffman tables and one sequential scan, so
                              // libjpeg holds no whole-image coefficient buffer (large images)
} obscura_cv_jpeg_layout;

/// Encodes pixels into a container holding nothing but them, as OBSCURA_CV_JPEG, _PNG or _WEBP. `quality` is 1...100 for JPEG and
/// WebP (101 asks WebP for lossless) and ignored for PNG; `layout` (JPEG only) may be NULL. The
/// encoded bytes are malloc'd: release them with `obscura_cv_buffer_free`.
int32_t obscura_cv_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                          int32_t format, int32_t quality, const obscura_cv_jpeg_layout *layout,
                          uint8_t **out_bytes, size_t *out_length, char *error, size_t error_capacity);
void obscura_cv_buffer_free(uint8_t *bytes);

/// Writes a JPEG input again without decoding what redaction does not touch: its DCT
/// coefficients are copied, turned upright for EXIF `orientation` (1...8) in the coefficient
/// domain, and only the MCUs that one of the `rect_count` painted rectangles (x0, y0, x1, y1 in
/// upright pixels, 4 int32 each) touches are encoded again from `pixels` (the redacted upright
/// image, `width` x `height`: 1 channel for greyscale, 3 for YCbCr or RGB, 4 stored CMYK samples
/// for CMYK or YCCK) with the input's own tables and sampling.
/// Progression, restart interval and standard or optimised Huffman coding follow the input;
/// nothing else from it is written (no APPn other than JFIF, COM, MPF image or trailer) except
/// `icc` when it is not NULL: a standard profile the caller recognised, kept with the colours.
/// Returns OBSCURA_STATUS_UNSUPPORTED with the reason in `error` when the input cannot be copied
/// losslessly (CMYK without an Adobe marker, an orientation that would move partial MCUs, 12-bit
/// data): the caller encodes pixels then.
/// The bytes are malloc'd: release them with `obscura_cv_buffer_free`.
int32_t obscura_jpeg_redact_coefficients(const uint8_t *bytes, size_t length, int32_t orientation,
                                         const uint8_t *pixels, int32_t width, int32_t height,
                                         int32_t channels, const int32_t *rects, size_t rect_count,
                                         const uint8_t *icc, size_t icc_length, uint8_t **out_bytes, size_t *out_length,
                                         char *error, size_t error_capacity);

/// Returns the free parts of the C heap to the system (glibc's malloc_trim; nothing elsewhere).
void obscura_release_free_memory(void);
/// Fixes glibc's mmap threshold at `bytes` (it otherwise rises as large blocks are freed);
/// nothing elsewhere.
void obscura_fix_mmap_threshold(size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
