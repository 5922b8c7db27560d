// Decoders for the formats beyond JPEG/PNG/WebP (HEIF/AVIF through libheif, TIFF through
// libtiff, GIF through giflib) and colour conversion to sRGB through Little CMS. Same rules as
// CObscuraCodecs.cpp: decode completely or fail with a short message, never patch damaged data.
#include "CObscuraCodecs.h"
#include "CObscuraLimits.hpp"
#include "CObscuraOwned.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gif_lib.h>
#include <lcms2.h>
#include <libheif/heif.h>
#include <tiffio.h>

namespace {

// The same pixel-count ceiling as the JPEG decoder (512 megapixels).
bool dimensions_in_range(size_t width, size_t height) {
    return width > 0 && height > 0 && width * height <= (size_t(1) << 29);
}

uint8_t *copy_bytes(const void *bytes, size_t length) {
    if (bytes == nullptr || length == 0) return nullptr;
    auto *copy = static_cast<uint8_t *>(std::malloc(length));
    if (copy != nullptr) std::memcpy(copy, bytes, length);
    return copy;
}

}  // namespace

// MARK: - HEIF / AVIF

int32_t obscura::decode_heif(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                             obscura_cv_image *out, char *error, size_t error_capacity) {
    obscura::reset(out);
    obscura::owned<heif_context, heif_context_free> context(heif_context_alloc());
    if (context == nullptr) {
        obscura_write_message(error, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    obscura::owned<heif_image_handle, heif_image_handle_release> handle;
    obscura::owned<heif_image, heif_image_release> image;
    obscura::owned<heif_decoding_options, heif_decoding_options_free> options;
    int32_t status = OBSCURA_STATUS_OK;
    auto fail = [&](int32_t code, const char *message) {
        obscura_write_message(error, error_capacity, message);
        status = code;
    };
    do {
        // Each side at most 65535 (as JPEG and GIF): libheif checks this while it parses boxes.
        heif_context_set_maximum_image_size_limit(context, 65535);
        heif_error result = heif_context_read_from_memory_without_copy(context, bytes, length, nullptr);
        if (result.code != heif_error_Ok) { fail(OBSCURA_STATUS_FAILED, result.message); break; }
        result = heif_context_get_primary_image_handle(context, handle.out());
        if (result.code != heif_error_Ok) { fail(OBSCURA_STATUS_FAILED, result.message); break; }
        if (obscura::stop_at_header(out, uint64_t(std::max(0, heif_image_handle_get_width(handle))),
                                    uint64_t(std::max(0, heif_image_handle_get_height(handle))), max_pixels,
                                    status, error, error_capacity)) {
            break;
        }
        bool alpha = heif_image_handle_has_alpha_channel(handle) != 0;
        // libheif decodes into an image of its own, which is copied out: the pixels are held
        // twice for a moment (a one-colour 100 MP HEIC of 61 KB peaked at 685 MiB).
        const uint64_t declared_width = uint64_t(std::max(0, heif_image_handle_get_width(handle)));
        const uint64_t declared_height = uint64_t(std::max(0, heif_image_handle_get_height(handle)));
        if (obscura::over_budget(out, declared_width, declared_height, 2 * declared_width * declared_height * (alpha ? 4 : 3),
                                 status, error, error_capacity,
                                 "libheif's decoded copy and the pixels together exceed the working budget")) {
            break;
        }
        options = heif_decoding_options_alloc();
        // The container's rotation, mirroring and crop properties are applied here; EXIF
        // orientation inside a HEIF is informative only and must not be applied again.
        options->ignore_transformations = 0;
        options->convert_hdr_to_8bit = 1;
        result = heif_decode_image(handle, image.out(), heif_colorspace_RGB,
                                   alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, options);
        if (result.code != heif_error_Ok) { fail(OBSCURA_STATUS_FAILED, result.message); break; }
        int stride = 0;
        const uint8_t *plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride);
        int width = heif_image_get_width(image, heif_channel_interleaved);
        int height = heif_image_get_height(image, heif_channel_interleaved);
        if (plane == nullptr || !dimensions_in_range(size_t(width), size_t(height))) {
            fail(OBSCURA_STATUS_OUT_OF_RANGE, "image dimensions are out of range");
            break;
        }
        const size_t channels = alpha ? 4 : 3, row = size_t(width) * channels;
        auto *pixels = obscura::pixel_buffer(out, row * height);
        if (pixels == nullptr) { fail(OBSCURA_STATUS_OUT_OF_MEMORY, "out of memory"); break; }
        for (int y = 0; y < height; ++y) std::memcpy(pixels + y * row, plane + size_t(y) * stride, row);
        out->width = width;
        out->height = height;
        out->channels = int32_t(channels);
        out->pixels = pixels;
        out->bits_per_sample = heif_image_handle_get_luma_bits_per_pixel(handle);
        switch (heif_image_handle_get_color_profile_type(handle)) {
            case heif_color_profile_type_prof:
            case heif_color_profile_type_rICC: {
                size_t size = heif_image_handle_get_raw_color_profile_size(handle);
                std::vector<uint8_t> profile(size);
                if (size > 0 && heif_image_handle_get_raw_color_profile(handle, profile.data()).code == heif_error_Ok) {
                    out->icc = copy_bytes(profile.data(), size);
                    out->icc_length = out->icc != nullptr ? size : 0;
                }
                break;
            }
            case heif_color_profile_type_nclx: {
                heif_color_profile_nclx *nclx = nullptr;
                if (heif_image_handle_get_nclx_color_profile(handle, &nclx).code == heif_error_Ok && nclx != nullptr) {
                    out->colour_primaries = int32_t(nclx->color_primaries);
                    out->transfer_characteristics = int32_t(nclx->transfer_characteristics);
                    heif_nclx_color_profile_free(nclx);
                }
                break;
            }
            default:
                break;
        }
    } while (false);
    return status;
}

// MARK: - TIFF

namespace {

struct tiff_memory {
    const uint8_t *bytes;
    size_t length;
    size_t position;
};

tsize_t tiff_read(thandle_t handle, tdata_t buffer, tsize_t size) {
    auto *memory = static_cast<tiff_memory *>(handle);
    if (size <= 0 || memory->position >= memory->length) return 0;
    size_t count = std::min(size_t(size), memory->length - memory->position);
    std::memcpy(buffer, memory->bytes + memory->position, count);
    memory->position += count;
    return tsize_t(count);
}

tsize_t tiff_write(thandle_t, tdata_t, tsize_t) { return 0; }

toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
    auto *memory = static_cast<tiff_memory *>(handle);
    uint64_t base = whence == SEEK_CUR ? memory->position : whence == SEEK_END ? memory->length : 0;
    uint64_t target = base + offset;
    if (target > memory->length) target = memory->length;
    memory->position = size_t(target);
    return toff_t(target);
}

int tiff_close(thandle_t) { return 0; }
toff_t tiff_size(thandle_t handle) { return static_cast<tiff_memory *>(handle)->length; }
int tiff_map(thandle_t, tdata_t *, toff_t *) { return 0; }
void tiff_unmap(thandle_t, tdata_t, toff_t) {}

// libtiff reports through process-wide handlers: keep the last message per thread so each call
// can return its own, and print nothing.
thread_local std::string tiff_last_error;

void tiff_error_handler(const char *module, const char *format, va_list arguments) {
    char text[256];
    std::vsnprintf(text, sizeof(text), format, arguments);
    tiff_last_error = text;
    (void)module;
}

void tiff_warning_handler(const char *, const char *, va_list) {}

int install_tiff_handlers() {
    TIFFSetErrorHandler(tiff_error_handler);
    TIFFSetWarningHandler(tiff_warning_handler);
    return 0;
}

}  // namespace

int32_t obscura::decode_tiff(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                             obscura_cv_image *out, char *error, size_t error_capacity) {
    static const int handlers_installed = install_tiff_handlers();
    (void)handlers_installed;
    obscura::reset(out);
    tiff_last_error.clear();
    tiff_memory memory{bytes, length, 0};
    // 'm': no memory mapping; 'h': read the header only, directories on demand.
    // libtiff refuses any single allocation (a strip, a tile, a tag array) over the cap.
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, tmsize_t(std::min<uint64_t>(obscura::library_memory_cap(max_pixels), INT64_MAX)));
    TIFF *tiff = TIFFClientOpenExt("input", "rm", &memory, tiff_read, tiff_write, tiff_seek, tiff_close,
                                   tiff_size, tiff_map, tiff_unmap, options);
    TIFFOpenOptionsFree(options);
    if (tiff == nullptr) {
        obscura_write_message(error, error_capacity, (tiff_last_error.empty() ? "not a readable TIFF" : tiff_last_error).c_str());
        return OBSCURA_STATUS_FAILED;
    }
    int32_t status = OBSCURA_STATUS_OK;
    uint32_t *raster = nullptr;
    do {
        // Full-resolution pages: reduced-resolution ones (previews) are dropped with the file's
        // other metadata, but a second real page would be lost silently, so it is refused.
        int pages = 0, directories = 0;
        do {
            uint32_t subfile = 0;
            TIFFGetField(tiff, TIFFTAG_SUBFILETYPE, &subfile);
            if (directories == 0 && (subfile & FILETYPE_REDUCEDIMAGE)) {
                obscura_write_message(error, error_capacity, "the first image is a reduced-resolution preview (camera raw or pyramid TIFF)");
                status = OBSCURA_STATUS_PREVIEW;
                break;
            }
            if (!(subfile & FILETYPE_REDUCEDIMAGE)) ++pages;
            ++directories;
        } while (directories < 1000 && TIFFReadDirectory(tiff));
        if (status != 0) break;
        if (pages > 1) {
            obscura_write_message(error, error_capacity,
                                  ("multi-page TIFF (" + std::to_string(pages) + " pages): only single images are supported").c_str());
            status = OBSCURA_STATUS_NOT_STILL;
            break;
        }
        if (!TIFFSetDirectory(tiff, 0)) {
            obscura_write_message(error, error_capacity, "cannot re-read the first TIFF directory");
            status = OBSCURA_STATUS_FAILED;
            break;
        }
        char message[1024] = {0};
        if (!TIFFRGBAImageOK(tiff, message)) {
            obscura_write_message(error, error_capacity, message);
            status = OBSCURA_STATUS_FAILED;
            break;
        }
        TIFFRGBAImage image;
        if (!TIFFRGBAImageBegin(&image, tiff, 1, message)) {
            obscura_write_message(error, error_capacity, message);
            status = OBSCURA_STATUS_FAILED;
            break;
        }
        // Read rows as stored; the Swift side applies the Orientation tag like EXIF's.
        image.req_orientation = image.orientation;
        const size_t width = image.width, height = image.height;
        if (obscura::stop_at_header(out, width, height, max_pixels, status, error, error_capacity)) {
            TIFFRGBAImageEnd(&image);
            break;
        }
        if (!dimensions_in_range(width, height)) {
            TIFFRGBAImageEnd(&image);
            obscura_write_message(error, error_capacity, "image dimensions are out of range");
            status = OBSCURA_STATUS_OUT_OF_RANGE;
            break;
        }
        const bool alpha = image.alpha != 0;
        const int orientation = image.orientation;
        const int bits = image.bitspersample;
        const size_t channels = alpha ? 4 : 3;
        // The image is read in bands of whole strips or tiles, each through a 4-byte raster of
        // the band only; libtiff decodes one strip or tile at a time, so that and the pixels are
        // what is held. One whose decoded strip or tile would not fit beside the pixels in the
        // working budget (a single-strip 100 MP file) is refused before anything is read.
        const bool tiled = TIFFIsTiled(tiff) != 0;
        uint32_t chunk_rows = 0;
        TIFFGetFieldDefaulted(tiff, tiled ? TIFFTAG_TILELENGTH : TIFFTAG_ROWSPERSTRIP, &chunk_rows);
        const uint64_t chunk_bytes = uint64_t(tiled ? TIFFTileSize64(tiff) : TIFFStripSize64(tiff));
        const uint64_t pixel_bytes = uint64_t(width) * height * channels;
        if (obscura::over_budget(out, width, height, pixel_bytes, status, error, error_capacity)) {
            TIFFRGBAImageEnd(&image);
            break;
        }
        // Strips of up to 16 MiB (ordinary files: a few KB to a few MB) always fit the slack.
        if (chunk_bytes > (uint64_t(16) << 20) && chunk_bytes + pixel_bytes > OBSCURA_CV_WORKING_BUDGET) {
            TIFFRGBAImageEnd(&image);
            out->width = int32_t(width);
            out->height = int32_t(height);
            obscura_write_message(error, error_capacity, "a TIFF strip or tile this large cannot be decoded beside the image's pixels");
            status = OBSCURA_STATUS_OVER_BUDGET;
            break;
        }
        const size_t unit = std::max<size_t>(1, std::min<size_t>(chunk_rows == 0 ? height : chunk_rows, height));
        const size_t band = std::max<size_t>(1, 256 / unit) * unit;  // whole strips or tiles, at least 256 rows
        raster = static_cast<uint32_t *>(std::malloc(width * std::min(band, height) * sizeof(uint32_t)));
        auto *pixels = raster == nullptr ? nullptr : obscura::pixel_buffer(out, width * height * channels);
        if (raster == nullptr || pixels == nullptr) {
            TIFFRGBAImageEnd(&image);
            if (pixels != nullptr) obscura::release_pixels(out, pixels);
            obscura_write_message(error, error_capacity, "out of memory");
            status = OBSCURA_STATUS_OUT_OF_MEMORY;
            break;
        }
        int ok = 1;
        for (size_t top = 0; top < height && ok; top += band) {
            const size_t rows = std::min(band, height - top);
            image.row_offset = int(top);
            image.col_offset = 0;
            ok = TIFFRGBAImageGet(&image, raster, uint32_t(width), uint32_t(rows)) && tiff_last_error.empty();
            for (size_t i = 0; ok && i < width * rows; ++i) {
                uint32_t abgr = raster[i];
                uint8_t r = TIFFGetR(abgr), g = TIFFGetG(abgr), b = TIFFGetB(abgr), a = TIFFGetA(abgr);
                uint8_t *target = pixels + (top * width + i) * channels;
                if (alpha) {
                    // libtiff hands out premultiplied colour; outputs store straight alpha.
                    if (a != 0 && a != 255) {
                        r = uint8_t(std::min(255, (r * 255 + a / 2) / a));
                        g = uint8_t(std::min(255, (g * 255 + a / 2) / a));
                        b = uint8_t(std::min(255, (b * 255 + a / 2) / a));
                    }
                    target[3] = a;
                }
                target[0] = r;
                target[1] = g;
                target[2] = b;
            }
        }
        TIFFRGBAImageEnd(&image);
        if (!ok) {
            obscura::release_pixels(out, pixels);
            obscura_write_message(error, error_capacity, (tiff_last_error.empty() ? "the TIFF image data could not be read" : tiff_last_error).c_str());
            status = OBSCURA_STATUS_DAMAGED;
            break;
        }
        out->width = int32_t(width);
        out->height = int32_t(height);
        out->channels = int32_t(channels);
        out->pixels = pixels;
        out->orientation = orientation;
        out->bits_per_sample = bits;
        uint32_t profile_length = 0;
        void *profile = nullptr;
        if (TIFFGetField(tiff, TIFFTAG_ICCPROFILE, &profile_length, &profile) && profile_length > 0) {
            out->icc = copy_bytes(profile, profile_length);
            out->icc_length = out->icc != nullptr ? profile_length : 0;
        }
    } while (false);
    std::free(raster);
    TIFFClose(tiff);
    return status;
}

// MARK: - GIF

namespace {

struct gif_memory {
    const uint8_t *bytes;
    size_t length;
    size_t position;
};

int gif_read(GifFileType *gif, GifByteType *buffer, int size) {
    auto *memory = static_cast<gif_memory *>(gif->UserData);
    if (size <= 0 || memory->position >= memory->length) return 0;
    size_t count = std::min(size_t(size), memory->length - memory->position);
    std::memcpy(buffer, memory->bytes + memory->position, count);
    memory->position += count;
    return int(count);
}

}  // namespace

int32_t obscura::decode_gif(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                            obscura_cv_image *out, char *error, size_t error_capacity) {
    obscura::reset(out);
    gif_memory memory{bytes, length, 0};
    int code = 0;
    GifFileType *gif = DGifOpen(&memory, gif_read, &code);
    if (gif == nullptr) {
        obscura_write_message(error, error_capacity, GifErrorString(code) ? GifErrorString(code) : "not a readable GIF");
        return OBSCURA_STATUS_FAILED;
    }
    int32_t status = OBSCURA_STATUS_OK;
    std::vector<uint8_t> raster;
    do {
        // The logical screen is the canvas: checked before anything is allocated.
        const size_t width = size_t(gif->SWidth), height = size_t(gif->SHeight);
        if (obscura::stop_at_header(out, width, height, max_pixels, status, error, error_capacity)) break;
        // Records are read one by one rather than with DGifSlurp, which allocates every frame's
        // declared size and decodes all frames before the count can be checked.
        GraphicsControlBlock control;
        control.TransparentColor = NO_TRANSPARENT_COLOR;
        GifImageDesc frame{};
        ColorMapObject *frame_palette = nullptr;
        int images = 0;
        GifRecordType record = UNDEFINED_RECORD_TYPE;
        while (status == 0 && record != TERMINATE_RECORD_TYPE) {
            if (DGifGetRecordType(gif, &record) != GIF_OK) { status = OBSCURA_STATUS_DAMAGED; break; }
            if (record == EXTENSION_RECORD_TYPE) {
                int function = 0;
                GifByteType *block = nullptr;
                if (DGifGetExtension(gif, &function, &block) != GIF_OK) { status = OBSCURA_STATUS_DAMAGED; break; }
                if (function == GRAPHICS_EXT_FUNC_CODE && block != nullptr && images == 0 && block[0] >= 4) {
                    DGifExtensionToGCB(block[0], block + 1, &control);
                }
                while (block != nullptr) {
                    if (DGifGetExtensionNext(gif, &block) != GIF_OK) { status = OBSCURA_STATUS_DAMAGED; break; }
                }
            } else if (record == IMAGE_DESC_RECORD_TYPE) {
                if (DGifGetImageDesc(gif) != GIF_OK) { status = OBSCURA_STATUS_DAMAGED; break; }
                if (++images > 1) {
                    obscura_write_message(error, error_capacity, "animated GIF (more than one frame): only still images are supported");
                    status = OBSCURA_STATUS_NOT_STILL;
                    break;
                }
                frame = gif->Image;
                frame_palette = gif->Image.ColorMap;
                const uint64_t frame_width = uint64_t(std::max(0, frame.Width)), frame_height = uint64_t(std::max(0, frame.Height));
                if (frame_width == 0 || frame_height == 0 || frame_width * frame_height > uint64_t(width) * height) {
                    obscura_write_message(error, error_capacity, "the GIF frame's dimensions are out of range");
                    status = OBSCURA_STATUS_OUT_OF_RANGE;
                    break;
                }
                // The frame's palette indices and the canvas's pixels are held together (RGBA
                // when the frame is transparent or smaller than the canvas).
                const bool may_have_alpha = control.TransparentColor != NO_TRANSPARENT_COLOR || frame_width * frame_height < uint64_t(width) * height;
                if (obscura::over_budget(out, width, height, frame_width * frame_height + uint64_t(width) * height * (may_have_alpha ? 4 : 3),
                                         status, error, error_capacity,
                                         "the frame's palette indices and the pixels together exceed the working budget")) {
                    break;
                }
                raster.resize(size_t(frame_width * frame_height));
                // A frame is never bigger than the canvas it is drawn on (checked above).
                // Interlaced rows arrive in four passes: every 8th from 0, every 8th from 4,
                // every 4th from 2, every 2nd from 1.
                static const int pass_start[] = {0, 4, 2, 1}, pass_step[] = {8, 8, 4, 2};
                const int passes = frame.Interlace ? 4 : 1;
                for (int pass = 0; pass < passes && status == 0; ++pass) {
                    const size_t first = frame.Interlace ? size_t(pass_start[pass]) : 0, step = frame.Interlace ? size_t(pass_step[pass]) : 1;
                    for (size_t y = first; y < frame_height; y += step) {
                        if (DGifGetLine(gif, raster.data() + y * frame_width, int(frame_width)) != GIF_OK) { status = OBSCURA_STATUS_DAMAGED; break; }
                    }
                }
            }
        }
        if (status == 4) {
            const char *text = GifErrorString(gif->Error);
            obscura_write_message(error, error_capacity, text ? text : "the GIF data could not be read");
        }
        if (status != 0) break;
        if (images < 1) {
            obscura_write_message(error, error_capacity, "the GIF holds no image");
            status = OBSCURA_STATUS_DAMAGED;
            break;
        }
        const ColorMapObject *palette = frame_palette ? frame_palette : gif->SColorMap;
        if (palette == nullptr || !dimensions_in_range(width, height)) {
            obscura_write_message(error, error_capacity, palette == nullptr ? "the GIF has no colour table" : "image dimensions are out of range");
            status = OBSCURA_STATUS_OUT_OF_RANGE;
            break;
        }
        const long left = frame.Left, top = frame.Top;
        const long frame_width = frame.Width, frame_height = frame.Height;
        const bool covers = left == 0 && top == 0 && size_t(frame_width) == width && size_t(frame_height) == height;
        // Pixels outside the frame or of the transparent index come out transparent, as viewers show them.
        const bool alpha = control.TransparentColor != NO_TRANSPARENT_COLOR || !covers;
        const size_t channels = alpha ? 4 : 3;
        auto *pixels = obscura::pixel_buffer(out, width * height * channels);
        if (pixels == nullptr) {
            obscura_write_message(error, error_capacity, "out of memory");
            status = OBSCURA_STATUS_OUT_OF_MEMORY;
            break;
        }
        std::memset(pixels, 0, width * height * channels);
        for (long y = 0; y < frame_height; ++y) {
            long canvas_y = top + y;
            if (canvas_y < 0 || size_t(canvas_y) >= height) continue;
            for (long x = 0; x < frame_width; ++x) {
                long canvas_x = left + x;
                if (canvas_x < 0 || size_t(canvas_x) >= width) continue;
                int index = raster[size_t(y) * size_t(frame_width) + size_t(x)];
                if (index == control.TransparentColor) continue;
                uint8_t *target = pixels + (size_t(canvas_y) * width + size_t(canvas_x)) * channels;
                if (index < palette->ColorCount) {
                    target[0] = palette->Colors[index].Red;
                    target[1] = palette->Colors[index].Green;
                    target[2] = palette->Colors[index].Blue;
                }
                if (alpha) target[3] = 255;
            }
        }
        out->width = int32_t(width);
        out->height = int32_t(height);
        out->channels = int32_t(channels);
        out->pixels = pixels;
        out->bits_per_sample = 8;
    } while (false);
    DGifCloseFile(gif, &code);
    return status;
}

// MARK: - Colour

namespace {

thread_local std::string lcms_last_error;

void lcms_error_handler(cmsContext, cmsUInt32Number, const char *text) {
    lcms_last_error = text != nullptr ? text : "colour management error";
}

}  // namespace

extern "C" int32_t obscura_cv_convert_to_srgb(uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                              const uint8_t *icc, size_t icc_length, const double *primaries,
                                              char *error, size_t error_capacity) {
    obscura::owned<_cmsContext_struct, cmsDeleteContext> context(cmsCreateContext(nullptr, nullptr));
    if (context == nullptr) {
        obscura_write_message(error, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    lcms_last_error.clear();
    cmsSetLogErrorHandlerTHR(context, lcms_error_handler);
    // sRGB's transfer curve as an ICC parametric curve (type 4).
    const cmsFloat64Number srgb_curve[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    // Declared after the context, so released before it.
    obscura::owned<void, cmsCloseProfile> source, target;
    obscura::owned<void, cmsDeleteTransform> transform;
    int32_t status = OBSCURA_STATUS_OK;
    do {
        if (icc != nullptr && icc_length > 0) {
            source = cmsOpenProfileFromMemTHR(context, icc, cmsUInt32Number(icc_length));
        } else if (primaries != nullptr) {
            cmsToneCurve *curve = cmsBuildParametricToneCurve(context, 4, srgb_curve);
            cmsToneCurve *curves[3] = {curve, curve, curve};
            cmsCIExyY white = {primaries[6], primaries[7], 1.0};
            cmsCIExyYTRIPLE rgb = {{primaries[0], primaries[1], 1.0}, {primaries[2], primaries[3], 1.0},
                                   {primaries[4], primaries[5], 1.0}};
            if (curve != nullptr) source = cmsCreateRGBProfileTHR(context, &white, &rgb, curves);
            if (curve != nullptr) cmsFreeToneCurve(curve);
        }
        if (source == nullptr) {
            obscura_write_message(error, error_capacity, (lcms_last_error.empty() ? "the colour profile cannot be read" : lcms_last_error).c_str());
            status = OBSCURA_STATUS_FAILED;
            break;
        }
        cmsColorSpaceSignature space = cmsGetColorSpace(source);
        bool grey = channels == 1 || channels == 2;
        if ((grey && space != cmsSigGrayData) || (!grey && space != cmsSigRgbData)) {
            obscura_write_message(error, error_capacity, "the colour profile does not match the image's colour model");
            status = OBSCURA_STATUS_OUT_OF_RANGE;
            break;
        }
        if (grey) {
            cmsToneCurve *curve = cmsBuildParametricToneCurve(context, 4, srgb_curve);
            if (curve != nullptr) target = cmsCreateGrayProfileTHR(context, cmsD50_xyY(), curve);
            if (curve != nullptr) cmsFreeToneCurve(curve);
        } else {
            target = cmsCreate_sRGBProfileTHR(context);
        }
        cmsUInt32Number format = channels == 1 ? TYPE_GRAY_8 : channels == 2 ? TYPE_GRAYA_8
                               : channels == 3 ? TYPE_RGB_8 : TYPE_RGBA_8;
        if (target != nullptr) {
            transform = cmsCreateTransformTHR(context, source, format, target, format, INTENT_PERCEPTUAL,
                                              cmsFLAGS_COPY_ALPHA | cmsFLAGS_NOCACHE);
        }
        if (transform == nullptr) {
            obscura_write_message(error, error_capacity, (lcms_last_error.empty() ? "no transform to sRGB" : lcms_last_error).c_str());
            status = OBSCURA_STATUS_FAILED;
            break;
        }
        const size_t row = size_t(width) * channels;
        for (int32_t y = 0; y < height; ++y) {
            uint8_t *line = pixels + size_t(y) * row;
            cmsDoTransform(transform, line, line, cmsUInt32Number(width));
        }
    } while (false);
    return status;
}

extern "C" int32_t obscura_cv_icc_description(const uint8_t *icc, size_t icc_length, char *description,
                                              size_t capacity) {
    if (capacity == 0) return OBSCURA_STATUS_OUT_OF_RANGE;
    description[0] = '\0';
    obscura::owned<_cmsContext_struct, cmsDeleteContext> context(cmsCreateContext(nullptr, nullptr));
    if (context == nullptr) return OBSCURA_STATUS_OUT_OF_MEMORY;
    cmsSetLogErrorHandlerTHR(context, lcms_error_handler);
    obscura::owned<void, cmsCloseProfile> profile(cmsOpenProfileFromMemTHR(context, icc, cmsUInt32Number(icc_length)));
    if (profile == nullptr) return OBSCURA_STATUS_FAILED;
    cmsUInt32Number written = cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", description,
                                                     cmsUInt32Number(capacity));
    return written > 0 ? OBSCURA_STATUS_OK : OBSCURA_STATUS_FAILED;
}
