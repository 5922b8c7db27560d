// The codecs used directly: PNG (libpng), WebP (libwebp), JPEG (libjpeg-turbo) decoding and
// encoding, and the process heap settings. HEIF, TIFF, GIF and colour are in CObscuraFormats.cpp.
#include "CObscuraCodecs.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include "CObscuraJPEGDestination.hpp"
#include "CObscuraJPEGError.hpp"
#include "CObscuraLimits.hpp"


#include <algorithm>
#include <climits>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <png.h>
#include <webp/decode.h>
#include <webp/encode.h>

extern "C" {
#include <jerror.h>
#include <jpeglib.h>
}
#include <exception>
#include <new>
#include <string>
#include <vector>


namespace {

uint8_t *copy_out(const uint8_t *pixels, size_t size) {
    auto *copy = static_cast<uint8_t *>(std::malloc(size));
    if (copy != nullptr) std::memcpy(copy, pixels, size);
    return copy;
}

bool dimensions_in_range(uint32_t width, uint32_t height) {
    return width > 0 && height > 0 && uint64_t(width) * height <= (uint64_t(1) << 28);
}

}  // namespace

int32_t obscura::decode_png(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                            obscura_cv_image *out, char *error, size_t error_capacity) {
    obscura::reset(out);
    png_image image;
    std::memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes, length)) {
        obscura_write_message(error, error_capacity, image.message);
        png_image_free(&image);
        return OBSCURA_STATUS_FAILED;
    }
    int32_t status = OBSCURA_STATUS_OK;
    if (obscura::stop_at_header(out, image.width, image.height, max_pixels, status, error, error_capacity)) {
        png_image_free(&image);
        return status;
    }
    if (!dimensions_in_range(image.width, image.height)) {
        png_image_free(&image);
        obscura_write_message(error, error_capacity, "image dimensions are out of range");
        return OBSCURA_STATUS_OUT_OF_RANGE;
    }
    // Palette, 16-bit and grey+alpha all come out as 8-bit grey, RGB or RGBA.
    bool alpha = image.format & PNG_FORMAT_FLAG_ALPHA;
    bool colour = image.format & PNG_FORMAT_FLAG_COLOR;
    image.format = alpha ? PNG_FORMAT_RGBA : colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    int32_t channels = alpha ? 4 : colour ? 3 : 1;
    size_t size = PNG_IMAGE_SIZE(image);
    if (obscura::over_budget(out, image.width, image.height, size, status, error, error_capacity)) {
        png_image_free(&image);
        return status;
    }
    auto *pixels = obscura::pixel_buffer(out, size);
    if (pixels == nullptr) {
        png_image_free(&image);
        obscura_write_message(error, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    if (!png_image_finish_read(&image, nullptr, pixels, 0, nullptr)) {
        obscura_write_message(error, error_capacity, image.message);
        png_image_free(&image);
        obscura::release_pixels(out, pixels);
        return OBSCURA_STATUS_DAMAGED;
    }
    out->width = static_cast<int32_t>(image.width);
    out->height = static_cast<int32_t>(image.height);
    out->channels = channels;
    out->pixels = pixels;
    png_image_free(&image);
    return OBSCURA_STATUS_OK;
}

int32_t obscura::decode_webp(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                             obscura_cv_image *out, char *error, size_t error_capacity) {
    obscura::reset(out);
    WebPBitstreamFeatures features;
    if (WebPGetFeatures(bytes, length, &features) != VP8_STATUS_OK) {
        obscura_write_message(error, error_capacity, "not a readable WebP stream");
        return OBSCURA_STATUS_FAILED;
    }
    if (features.has_animation) {
        obscura_write_message(error, error_capacity, "animated WebP is not supported");
        return OBSCURA_STATUS_NOT_STILL;
    }
    int32_t status = OBSCURA_STATUS_OK;
    if (obscura::stop_at_header(out, uint64_t(features.width), uint64_t(features.height), max_pixels, status,
                                error, error_capacity)) {
        return status;
    }
    if (!dimensions_in_range(features.width, features.height)) {
        obscura_write_message(error, error_capacity, "image dimensions are out of range");
        return OBSCURA_STATUS_OUT_OF_RANGE;
    }
    const int width = features.width, height = features.height;
    const int32_t channels = features.has_alpha ? 4 : 3;
    const size_t stride = size_t(width) * channels, size = stride * size_t(height);
    if (obscura::over_budget(out, uint64_t(width), uint64_t(height), size, status, error, error_capacity)) return status;
    uint8_t *pixels = obscura::pixel_buffer(out, size);
    if (pixels == nullptr) {
        obscura_write_message(error, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    uint8_t *decoded = features.has_alpha ? WebPDecodeRGBAInto(bytes, length, pixels, size, int(stride))
                                          : WebPDecodeRGBInto(bytes, length, pixels, size, int(stride));
    if (decoded == nullptr) {
        obscura::release_pixels(out, pixels);
        obscura_write_message(error, error_capacity, "the WebP data is truncated or damaged");
        return OBSCURA_STATUS_DAMAGED;
    }
    out->width = width;
    out->height = height;
    out->channels = channels;
    out->pixels = pixels;
    return OBSCURA_STATUS_OK;
}

namespace {

using obscura::strict_jpeg_error;

bool encode_jpeg(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, int32_t quality,
                 const obscura_cv_jpeg_layout *layout, std::vector<uint8_t> &result, char *error_text,
                 size_t error_capacity) {
    jpeg_compress_struct info;
    strict_jpeg_error error;
    info.err = obscura::strict_errors(error, false);
    std::vector<uint8_t> row;
    obscura::vector_destination destination(result);
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        result.clear();
        obscura_write_message(error_text, error_capacity, error.message);
        return false;
    }
    jpeg_create_compress(&info);
    info.dest = &destination.manager;
    info.image_width = width;
    info.image_height = height;
    info.input_components = channels == 1 ? 1 : 3;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    // Optimised Huffman tables and progressive scans both make libjpeg buffer every
    // coefficient of the image (2 bytes each) before writing.
    const bool one_pass = layout != nullptr && layout->one_pass != 0;
    info.optimize_coding = one_pass ? FALSE : TRUE;
    if (layout != nullptr && channels != 1) {
        int h = layout->luma_horizontal, v = layout->luma_vertical;
        if (h >= 1 && h <= 2 && v >= 1 && v <= 2) {
            info.comp_info[0].h_samp_factor = h;
            info.comp_info[0].v_samp_factor = v;
        }
    }
    if (layout != nullptr && layout->table_count == info.num_components) {
        // The input's own tables: the closest match to its quality, also for tables that are
        // not scaled versions of the standard ones (many cameras).
        for (int component = 0; component < info.num_components; ++component) {
            unsigned int table[64];
            for (int i = 0; i < 64; ++i) table[i] = layout->tables[component][i];
            jpeg_add_quant_table(&info, component, table, 100, TRUE);
            info.comp_info[component].quant_tbl_no = component;
        }
    }
    if (layout != nullptr && layout->progressive && !one_pass) jpeg_simple_progression(&info);
    jpeg_start_compress(&info, TRUE);
    if (channels == 4) row.resize(size_t(width) * 3);
    while (info.next_scanline < info.image_height) {
        const uint8_t *source = pixels + size_t(info.next_scanline) * width * channels;
        JSAMPROW line;
        if (channels == 4) {
            for (int32_t x = 0; x < width; ++x) {
                row[x * 3] = source[x * 4];
                row[x * 3 + 1] = source[x * 4 + 1];
                row[x * 3 + 2] = source[x * 4 + 2];
            }
            line = row.data();
        } else {
            line = const_cast<JSAMPROW>(source);
        }
        jpeg_write_scanlines(&info, &line, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return true;
}

}  // namespace

namespace {

// `keep_cmyk`: CMYK and YCCK files come out as their four stored CMYK samples (Adobe's
// convention when the file has an APP14 marker: 255 is no ink) instead of RGB.
int32_t decode_jpeg(const uint8_t *bytes, size_t length, uint64_t max_pixels, bool keep_cmyk,
                    obscura_cv_image *out, char *error_text, size_t error_capacity) {
    obscura::reset(out);
    jpeg_decompress_struct info;
    strict_jpeg_error error;
    info.err = obscura::strict_errors(error, true);
    // Volatile: read after a longjmp.
    uint8_t *volatile pixels = nullptr;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        obscura::release_pixels(out, pixels);
        obscura_write_message(error_text, error_capacity, error.message);
        return OBSCURA_STATUS_FAILED;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, static_cast<unsigned long>(length));
    jpeg_read_header(&info, TRUE);
    // jpeg_start_decompress allocates a progressive file's whole coefficient buffer: the declared
    // size is checked before it, and libjpeg's own allocations are capped in proportion.
    int32_t status = OBSCURA_STATUS_OK;
    if (obscura::stop_at_header(out, info.image_width, info.image_height, max_pixels, status, error_text, error_capacity)) {
        jpeg_destroy_decompress(&info);
        return status;
    }
    if (jpeg_has_multiple_scans(&info)) {
        // Every coefficient (2 bytes) is kept until the last scan, beside the pixels (at most 4
        // bytes each): both are known from the frame header.
        uint64_t coefficients = 0;
        for (int component = 0; component < info.num_components; ++component) {
            coefficients += uint64_t(info.comp_info[component].width_in_blocks) * info.comp_info[component].height_in_blocks * 128;
        }
        const uint64_t pixels = uint64_t(info.image_width) * info.image_height * (info.num_components == 1 ? 1 : keep_cmyk ? 4 : 3);
        if (coefficients + pixels > OBSCURA_CV_WORKING_BUDGET) {
            out->width = int32_t(info.image_width);
            out->height = int32_t(info.image_height);
            jpeg_destroy_decompress(&info);
            obscura_write_message(error_text, error_capacity, "a progressive JPEG this large holds all its coefficients beside its pixels while decoding");
            return OBSCURA_STATUS_OVER_BUDGET;
        }
    }
    info.mem->max_memory_to_use = long(std::min<uint64_t>(obscura::library_memory_cap(max_pixels), LONG_MAX));
    bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    bool grey = info.jpeg_color_space == JCS_GRAYSCALE;
    info.out_color_space = cmyk ? JCS_CMYK : grey ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    const size_t width = info.output_width, height = info.output_height;
    const size_t components = info.output_components;
    const size_t channels = grey ? 1 : (cmyk && keep_cmyk) ? 4 : 3;
    if (width == 0 || height == 0 || width * height > (size_t(1) << 29)) {
        jpeg_destroy_decompress(&info);
        obscura_write_message(error_text, error_capacity, "image dimensions are out of range");
        return OBSCURA_STATUS_OUT_OF_RANGE;
    }
    pixels = obscura::pixel_buffer(out, width * height * channels);
    std::vector<uint8_t> row(width * components);
    if (pixels == nullptr) {
        jpeg_destroy_decompress(&info);
        obscura_write_message(error_text, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    // Adobe writes CMYK inverted; libjpeg reports that through the APP14 marker.
    bool inverted = info.saw_Adobe_marker;
    while (info.output_scanline < info.output_height) {
        size_t y = info.output_scanline;
        JSAMPROW target = cmyk && !keep_cmyk ? row.data() : pixels + y * width * channels;
        jpeg_read_scanlines(&info, &target, 1);
        if (cmyk && !keep_cmyk) {
            uint8_t *destination = pixels + y * width * 3;
            for (size_t x = 0; x < width; ++x) {
                int c = row[x * 4], m = row[x * 4 + 1], yellow = row[x * 4 + 2], k = row[x * 4 + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yellow = 255 - yellow; k = 255 - k; }
                destination[x * 3] = static_cast<uint8_t>((c * k + 127) / 255);
                destination[x * 3 + 1] = static_cast<uint8_t>((m * k + 127) / 255);
                destination[x * 3 + 2] = static_cast<uint8_t>((yellow * k + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    if (error.damaged) {
        obscura::release_pixels(out, pixels);
        obscura_write_message(error_text, error_capacity, error.message);
        return OBSCURA_STATUS_DAMAGED;
    }
    out->width = static_cast<int32_t>(width);
    out->height = static_cast<int32_t>(height);
    out->channels = static_cast<int32_t>(channels);
    out->pixels = pixels;
    return OBSCURA_STATUS_OK;
}

}  // namespace

int32_t obscura::decode_jpeg_rgb(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                                 obscura_cv_image *out, char *error_text, size_t error_capacity) {
    return decode_jpeg(bytes, length, max_pixels, false, out, error_text, error_capacity);
}

int32_t obscura::decode_jpeg_stored(const uint8_t *bytes, size_t length, uint64_t max_pixels,
                                    obscura_cv_image *out, char *error_text, size_t error_capacity) {
    return decode_jpeg(bytes, length, max_pixels, true, out, error_text, error_capacity);
}

extern "C" int32_t obscura_cv_decode(int32_t format, const uint8_t *bytes, size_t length, uint64_t max_pixels,
                                     obscura_cv_image *out, char *error, size_t error_capacity) {
    // Indexed by the OBSCURA_CV_ format codes.
    static obscura::decoder *const decoders[] = {
        nullptr, obscura::decode_jpeg_rgb, obscura::decode_png, obscura::decode_webp, obscura::decode_heif,
        obscura::decode_tiff, obscura::decode_gif, obscura::decode_jpeg_stored,
    };
    if (format < 1 || size_t(format) >= sizeof(decoders) / sizeof(decoders[0])) {
        obscura::reset(out);
        obscura_write_message(error, error_capacity, "unknown input format");
        return OBSCURA_STATUS_OUT_OF_RANGE;
    }
    return decoders[format](bytes, length, max_pixels, out, error, error_capacity);
}

extern "C" void obscura_cv_image_free(obscura_cv_image *image) {
    if (image == nullptr) return;
    obscura::release_pixels(image, image->pixels);
    image->pixels = nullptr;
    std::free(image->icc);
    image->icc = nullptr;
    image->icc_length = 0;
}

namespace {

struct memory_writer {
    std::vector<uint8_t> bytes;
};

void png_write_to_vector(png_structp png, png_bytep data, png_size_t length) {
    auto *writer = static_cast<memory_writer *>(png_get_io_ptr(png));
    writer->bytes.insert(writer->bytes.end(), data, data + length);
}

void png_flush_nothing(png_structp) {}

[[noreturn]] void png_fail(png_structp png, png_const_charp) { png_longjmp(png, 1); }

void png_ignore_warning(png_structp, png_const_charp) {}

// IHDR, IDAT and IEND only: the writer is given no text, time, gamma or profile to store.
bool encode_png(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                std::vector<uint8_t> &result) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, png_fail, png_ignore_warning);
    if (png == nullptr) return false;
    png_infop info = png_create_info_struct(png);
    memory_writer writer;
    if (info == nullptr || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, &writer, png_write_to_vector, png_flush_nothing);
    // zlib level 3: within a few percent of level 6's size at about half the time.
    png_set_compression_level(png, 3);
    int type = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA;
    png_set_IHDR(png, info, width, height, 8, type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int32_t y = 0; y < height; ++y) {
        png_write_row(png, const_cast<png_bytep>(pixels + size_t(y) * width * channels));
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    result = std::move(writer.bytes);
    return true;
}

// Optimised Huffman tables, a JFIF header and nothing else; chroma sampling and progression
// follow the input (libjpeg's defaults, baseline 4:2:0, otherwise). Alpha is dropped.
bool encode_jpeg(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, int32_t quality,
                 const obscura_cv_jpeg_layout *layout, std::vector<uint8_t> &result, char *error_text,
                 size_t error_capacity);

}  // namespace

extern "C" int32_t obscura_cv_encode(const uint8_t *pixels, int32_t width, int32_t height,
                                     int32_t channels, int32_t format, int32_t quality,
                                     const obscura_cv_jpeg_layout *layout, uint8_t **out_bytes,
                                     size_t *out_length, char *error, size_t error_capacity) {
    *out_bytes = nullptr;
    *out_length = 0;
    std::vector<uint8_t> encoded;
    switch (format) {
        case OBSCURA_CV_JPEG:
            if (!encode_jpeg(pixels, width, height, channels, quality, layout, encoded, error, error_capacity)) return OBSCURA_STATUS_FAILED;
            break;
        case OBSCURA_CV_PNG:
            if (!encode_png(pixels, width, height, channels, encoded)) {
                obscura_write_message(error, error_capacity, "the PNG encoder failed");
                return OBSCURA_STATUS_FAILED;
            }
            break;
        case OBSCURA_CV_WEBP: {
            std::vector<uint8_t> expanded;
            const uint8_t *rgb = pixels;
            if (channels == 1) {  // libwebp takes RGB or RGBA only
                expanded.resize(size_t(width) * height * 3);
                for (size_t i = 0; i < size_t(width) * height; ++i) {
                    expanded[i * 3] = expanded[i * 3 + 1] = expanded[i * 3 + 2] = pixels[i];
                }
                rgb = expanded.data();
            }
            int stride = width * (channels == 4 ? 4 : 3);
            uint8_t *output = nullptr;
            size_t size;
            if (quality > 100) {
                size = channels == 4 ? WebPEncodeLosslessRGBA(rgb, width, height, stride, &output)
                                     : WebPEncodeLosslessRGB(rgb, width, height, stride, &output);
            } else {
                size = channels == 4 ? WebPEncodeRGBA(rgb, width, height, stride, float(quality), &output)
                                     : WebPEncodeRGB(rgb, width, height, stride, float(quality), &output);
            }
            if (size == 0 || output == nullptr) {
                obscura_write_message(error, error_capacity, "the WebP encoder failed");
                return OBSCURA_STATUS_FAILED;
            }
            encoded.assign(output, output + size);
            WebPFree(output);
            break;
        }
        default:
            obscura_write_message(error, error_capacity, "unknown output format");
            return OBSCURA_STATUS_OUT_OF_RANGE;
    }
    uint8_t *bytes = copy_out(encoded.data(), encoded.size());
    if (bytes == nullptr) {
        obscura_write_message(error, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    *out_bytes = bytes;
    *out_length = encoded.size();
    return OBSCURA_STATUS_OK;
}

extern "C" void obscura_cv_buffer_free(uint8_t *bytes) { std::free(bytes); }

extern "C" void obscura_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

extern "C" void obscura_fix_mmap_threshold(size_t bytes) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, int(bytes));
#endif
}

