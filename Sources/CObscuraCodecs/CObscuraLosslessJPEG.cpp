// JPEG to JPEG without a second generation: the input's DCT coefficients are copied, and only the
// MCUs a painted rectangle touches are encoded again, from the redacted pixels and with the
// input's own quantization tables and sampling. EXIF orientation is applied in the coefficient
// domain (blocks moved, transposed and sign-flipped), which is exact when every mirrored axis
// holds whole MCUs. Nothing from the input but the coefficients, tables and JFIF density is
// written: no APPn, COM, MPF second image or trailing bytes.
#include "CObscuraCodecs.h"
#include "CObscuraJPEGDestination.hpp"
#include "CObscuraJPEGError.hpp"
#include "CObscuraStatus.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include <jerror.h>
#include <jpeglib.h>
}

namespace {

using obscura::strict_jpeg_error;

long divide_round_up(long a, long b) { return (a + b - 1) / b; }

// How upright pixel (x, y) is found in the stored image: transpose first, then mirror the
// transposed image's columns (mirror_x) and rows (mirror_y). EXIF orientations 1...8.
struct transform {
    bool transpose, mirror_x, mirror_y;
};

transform transform_for(int orientation) {
    switch (orientation) {
        case 2: return {false, true, false};
        case 3: return {false, true, true};
        case 4: return {false, false, true};
        case 5: return {true, false, false};
        case 6: return {true, true, false};
        case 7: return {true, true, true};
        case 8: return {true, false, true};
        default: return {false, false, false};
    }
}

bool same_huffman_table(const JHUFF_TBL *a, const JHUFF_TBL *b) {
    if (a == nullptr || b == nullptr) return a == b;
    if (std::memcmp(a->bits, b->bits, sizeof(a->bits)) != 0) return false;
    int count = 0;
    for (int i = 1; i <= 16; ++i) count += a->bits[i];
    return count <= 256 && std::memcmp(a->huffval, b->huffval, size_t(count)) == 0;
}

// Moves and changes the sign of one block's coefficients (natural order: row = vertical
// frequency, column = horizontal): transposing swaps them, mirroring a direction negates the
// odd frequencies of that direction.
void transform_block(const JCOEF *source, JCOEF *target, const transform &t) {
    for (int row = 0; row < DCTSIZE; ++row) {
        for (int column = 0; column < DCTSIZE; ++column) {
            JCOEF value = t.transpose ? source[column * DCTSIZE + row] : source[row * DCTSIZE + column];
            if (t.mirror_x && (column & 1)) value = static_cast<JCOEF>(-value);
            if (t.mirror_y && (row & 1)) value = static_cast<JCOEF>(-value);
            target[row * DCTSIZE + column] = value;
        }
    }
}

// Encodes `pixels` (channels 1, 3 or 4 for CMYK; tightly packed) with the destination's colour space,
// sampling and quantization tables, then reads the coefficients back: exactly the blocks
// libjpeg's encoder makes for these pixels. Copies them into `arrays` at block offset
// (mcu_x * h_samp, mcu_y * v_samp) of each component.
bool encode_patch(j_compress_ptr destination, jvirt_barray_ptr *arrays, j_common_ptr owner,
                  const uint8_t *pixels, int32_t stride_pixels, int32_t channels, int32_t width, int32_t height,
                  long mcu_x, long mcu_y, std::string &failure) {
    jpeg_compress_struct patch;
    strict_jpeg_error error;
    patch.err = obscura::strict_errors(error, false);
    std::vector<uint8_t> encoded;
    obscura::vector_destination target(encoded);
    jpeg_decompress_struct reader;
    volatile bool reader_created = false;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&patch);
        if (reader_created) jpeg_destroy_decompress(&reader);
        failure = error.message;
        return false;
    }
    jpeg_create_compress(&patch);
    patch.dest = &target.manager;
    patch.image_width = static_cast<JDIMENSION>(width);
    patch.image_height = static_cast<JDIMENSION>(height);
    patch.input_components = channels;
    patch.in_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&patch);
    jpeg_set_colorspace(&patch, destination->jpeg_color_space);
    patch.dct_method = JDCT_ISLOW;
    for (int ci = 0; ci < patch.num_components; ++ci) {
        const jpeg_component_info &from = destination->comp_info[ci];
        patch.comp_info[ci].h_samp_factor = from.h_samp_factor;
        patch.comp_info[ci].v_samp_factor = from.v_samp_factor;
        patch.comp_info[ci].quant_tbl_no = from.quant_tbl_no;
    }
    for (int n = 0; n < NUM_QUANT_TBLS; ++n) {
        if (destination->quant_tbl_ptrs[n] == nullptr) continue;
        if (patch.quant_tbl_ptrs[n] == nullptr) patch.quant_tbl_ptrs[n] = jpeg_alloc_quant_table(reinterpret_cast<j_common_ptr>(&patch));
        std::memcpy(patch.quant_tbl_ptrs[n]->quantval, destination->quant_tbl_ptrs[n]->quantval, sizeof(UINT16) * DCTSIZE2);
    }
    jpeg_start_compress(&patch, TRUE);
    while (patch.next_scanline < patch.image_height) {
        JSAMPROW line = const_cast<JSAMPROW>(pixels + size_t(patch.next_scanline) * size_t(stride_pixels) * size_t(channels));
        jpeg_write_scanlines(&patch, &line, 1);
    }
    jpeg_finish_compress(&patch);
    jpeg_destroy_compress(&patch);

    // The reader shares the error manager (and its jump target) with the encoder above.
    reader.err = &error.manager;
    jpeg_create_decompress(&reader);
    reader_created = true;
    jpeg_mem_src(&reader, encoded.data(), static_cast<unsigned long>(encoded.size()));
    jpeg_read_header(&reader, TRUE);
    jvirt_barray_ptr *patch_arrays = jpeg_read_coefficients(&reader);
    for (int ci = 0; ci < reader.num_components; ++ci) {
        const jpeg_component_info &component = reader.comp_info[ci];
        const jpeg_component_info &into = destination->comp_info[ci];
        long x0 = mcu_x * into.h_samp_factor, y0 = mcu_y * into.v_samp_factor;
        for (JDIMENSION row = 0; row < component.height_in_blocks; ++row) {
            JBLOCKARRAY source = (*reader.mem->access_virt_barray)(reinterpret_cast<j_common_ptr>(&reader), patch_arrays[ci], row, 1, FALSE);
            JBLOCKARRAY output = (*owner->mem->access_virt_barray)(owner, arrays[ci], JDIMENSION(y0 + row), 1, TRUE);
            std::memcpy(output[0] + x0, source[0], sizeof(JBLOCK) * component.width_in_blocks);
        }
    }
    jpeg_finish_decompress(&reader);
    jpeg_destroy_decompress(&reader);
    return true;
}

}  // namespace

extern "C" int32_t obscura_jpeg_redact_coefficients(const uint8_t *bytes, size_t length, int32_t orientation,
                                                     const uint8_t *pixels, int32_t width, int32_t height,
                                                     int32_t channels, const int32_t *rects, size_t rect_count,
                                                     const uint8_t *icc, size_t icc_length, uint8_t **out_bytes, size_t *out_length,
                                                     char *error_text, size_t error_capacity) {
    *out_bytes = nullptr;
    *out_length = 0;
    jpeg_decompress_struct source;
    jpeg_compress_struct destination;
    strict_jpeg_error error;
    source.err = obscura::strict_errors(error, true);
    std::vector<uint8_t> written;
    obscura::vector_destination target(written);
    volatile bool destination_created = false;
    std::string reason;
    if (setjmp(error.jump)) {
        if (destination_created) jpeg_destroy_compress(&destination);
        jpeg_destroy_decompress(&source);
        obscura_write_message(error_text, error_capacity, error.message);
        return OBSCURA_STATUS_FAILED;
    }
    jpeg_create_decompress(&source);
    jpeg_mem_src(&source, bytes, static_cast<unsigned long>(length));
    jpeg_read_header(&source, TRUE);

    auto refuse = [&](const std::string &why) -> int32_t {
        if (destination_created) jpeg_destroy_compress(&destination);
        jpeg_destroy_decompress(&source);
        obscura_write_message(error_text, error_capacity, why.c_str());
        return OBSCURA_STATUS_UNSUPPORTED;
    };
    J_COLOR_SPACE space = source.jpeg_color_space;
    // The caller paints CMYK in Adobe's inverted convention, which only an Adobe marker declares.
    if ((space == JCS_CMYK || space == JCS_YCCK) && !source.saw_Adobe_marker) {
        return refuse("a CMYK JPEG without an Adobe marker is re-encoded from pixels");
    }
    if (!((space == JCS_YCbCr || space == JCS_RGB) && source.num_components == 3 && channels == 3)
        && !(space == JCS_GRAYSCALE && source.num_components == 1 && channels == 1)
        && !((space == JCS_CMYK || space == JCS_YCCK) && source.num_components == 4 && channels == 4)) {
        return refuse("this JPEG colour space is re-encoded from pixels");
    }
    if (source.data_precision != 8) return refuse("only 8-bit JPEGs are copied losslessly");

    const transform t = transform_for(orientation);
    const long stored_width = source.image_width, stored_height = source.image_height;
    const long out_width = t.transpose ? stored_height : stored_width;
    const long out_height = t.transpose ? stored_width : stored_height;
    if (out_width != width || out_height != height) return refuse("the decoded size does not match the JPEG header");
    const int max_h = t.transpose ? source.max_v_samp_factor : source.max_h_samp_factor;
    const int max_v = t.transpose ? source.max_h_samp_factor : source.max_v_samp_factor;
    const long mcu_width = long(max_h) * DCTSIZE, mcu_height = long(max_v) * DCTSIZE;
    // Mirroring moves the partial MCU at the right or bottom edge to the other side, where it
    // cannot be expressed in whole blocks.
    if ((t.mirror_x && out_width % mcu_width != 0) || (t.mirror_y && out_height % mcu_height != 0)) {
        return refuse("the orientation cannot be applied losslessly: the image is not a whole number of "
                      + std::to_string(mcu_width) + " x " + std::to_string(mcu_height) + " MCUs");
    }

    // Arrays for the upright image, requested before the input's are realised (libjpeg realises
    // all of an image's arrays at once in jpeg_read_coefficients).
    const bool moved = t.transpose || t.mirror_x || t.mirror_y;
    jvirt_barray_ptr upright[MAX_COMPONENTS] = {};
    long blocks_wide[MAX_COMPONENTS] = {}, blocks_high[MAX_COMPONENTS] = {};
    for (int ci = 0; ci < source.num_components; ++ci) {
        const jpeg_component_info &component = source.comp_info[ci];
        int h = t.transpose ? component.v_samp_factor : component.h_samp_factor;
        int v = t.transpose ? component.h_samp_factor : component.v_samp_factor;
        blocks_wide[ci] = divide_round_up(out_width * h, long(max_h) * DCTSIZE);
        blocks_high[ci] = divide_round_up(out_height * v, long(max_v) * DCTSIZE);
        if (moved) {
            upright[ci] = (*source.mem->request_virt_barray)(
                reinterpret_cast<j_common_ptr>(&source), JPOOL_IMAGE, TRUE,
                JDIMENSION(divide_round_up(blocks_wide[ci], h) * h), JDIMENSION(divide_round_up(blocks_high[ci], v) * v),
                JDIMENSION(v));
        }
    }
    jvirt_barray_ptr *stored = jpeg_read_coefficients(&source);
    if (error.damaged) {
        jpeg_destroy_decompress(&source);
        obscura_write_message(error_text, error_capacity, error.message);
        return OBSCURA_STATUS_FAILED;
    }

    destination.err = &error.manager;
    jpeg_create_compress(&destination);
    destination_created = true;
    destination.dest = &target.manager;
    jpeg_copy_critical_parameters(&source, &destination);
    destination.image_width = JDIMENSION(out_width);
    destination.image_height = JDIMENSION(out_height);
    if (t.transpose) {
        for (int ci = 0; ci < destination.num_components; ++ci) {
            jpeg_component_info &component = destination.comp_info[ci];
            std::swap(component.h_samp_factor, component.v_samp_factor);
        }
        // A transposed block is quantized by the transposed table.
        for (int n = 0; n < NUM_QUANT_TBLS; ++n) {
            JQUANT_TBL *table = destination.quant_tbl_ptrs[n];
            if (table == nullptr) continue;
            for (int row = 0; row < DCTSIZE; ++row) {
                for (int column = row + 1; column < DCTSIZE; ++column) {
                    std::swap(table->quantval[row * DCTSIZE + column], table->quantval[column * DCTSIZE + row]);
                }
            }
        }
    }
    destination.restart_interval = source.restart_interval;
    // Keep the input's entropy coding choice: progressive stays progressive (libjpeg's standard
    // script), and a baseline file written with the standard Huffman tables keeps them; a file
    // with optimised tables gets optimised tables again (the input's own may lack codes that the
    // re-encoded blocks need).
    bool standard_tables = !source.progressive_mode && !source.arith_code;
    for (int ci = 0; ci < source.num_components && standard_tables; ++ci) {
        int dc = source.comp_info[ci].dc_tbl_no, ac = source.comp_info[ci].ac_tbl_no;
        int standard = ci == 0 ? 0 : 1;
        standard_tables = same_huffman_table(source.dc_huff_tbl_ptrs[dc], destination.dc_huff_tbl_ptrs[standard])
            && same_huffman_table(source.ac_huff_tbl_ptrs[ac], destination.ac_huff_tbl_ptrs[standard]);
    }
    destination.optimize_coding = standard_tables ? FALSE : TRUE;
    if (source.progressive_mode) jpeg_simple_progression(&destination);
    destination.write_JFIF_header = destination.jpeg_color_space == JCS_YCbCr || destination.jpeg_color_space == JCS_GRAYSCALE;

    j_common_ptr owner = reinterpret_cast<j_common_ptr>(&source);
    jvirt_barray_ptr *arrays = moved ? upright : stored;
    if (moved) {
        for (int ci = 0; ci < source.num_components; ++ci) {
            const jpeg_component_info &component = destination.comp_info[ci];
            long padded_wide = divide_round_up(blocks_wide[ci], component.h_samp_factor) * component.h_samp_factor;
            long padded_high = divide_round_up(blocks_high[ci], component.v_samp_factor) * component.v_samp_factor;
            // Mirrored axes hold whole MCUs, so their padded and real block counts agree.
            for (long by = 0; by < padded_high; ++by) {
                JBLOCKARRAY output = (*owner->mem->access_virt_barray)(owner, upright[ci], JDIMENSION(by), 1, TRUE);
                long ty = t.mirror_y ? padded_high - 1 - by : by;
                for (long bx = 0; bx < padded_wide; ++bx) {
                    long tx = t.mirror_x ? padded_wide - 1 - bx : bx;
                    long sx = t.transpose ? ty : tx, sy = t.transpose ? tx : ty;
                    JBLOCKARRAY input = (*owner->mem->access_virt_barray)(owner, stored[ci], JDIMENSION(sy), 1, FALSE);
                    transform_block(input[0][sx], output[0][bx], t);
                }
            }
        }
    }

    // Encode again only the MCUs each painted rectangle touches, from the redacted pixels.
    for (size_t r = 0; r < rect_count; ++r) {
        long x0 = std::max<long>(rects[r * 4], 0), y0 = std::max<long>(rects[r * 4 + 1], 0);
        long x1 = std::min<long>(rects[r * 4 + 2], out_width), y1 = std::min<long>(rects[r * 4 + 3], out_height);
        if (x1 <= x0 || y1 <= y0) continue;
        long mx0 = x0 / mcu_width, my0 = y0 / mcu_height;
        long px0 = mx0 * mcu_width, py0 = my0 * mcu_height;
        long px1 = std::min(divide_round_up(x1, mcu_width) * mcu_width, out_width);
        long py1 = std::min(divide_round_up(y1, mcu_height) * mcu_height, out_height);
        const uint8_t *corner = pixels + (size_t(py0) * size_t(width) + size_t(px0)) * size_t(channels);
        if (!encode_patch(&destination, arrays, owner, corner, width, channels, int32_t(px1 - px0), int32_t(py1 - py0),
                          mx0, my0, reason)) {
            jpeg_destroy_compress(&destination);
            jpeg_destroy_decompress(&source);
            obscura_write_message(error_text, error_capacity, ("re-encoding a painted area failed: " + reason).c_str());
            return OBSCURA_STATUS_FAILED;
        }
    }

    jpeg_write_coefficients(&destination, arrays);
    if (icc != nullptr && icc_length > 0) jpeg_write_icc_profile(&destination, icc, static_cast<unsigned int>(icc_length));
    jpeg_finish_compress(&destination);
    jpeg_destroy_compress(&destination);
    jpeg_finish_decompress(&source);
    jpeg_destroy_decompress(&source);
    auto *bytes_out = static_cast<uint8_t *>(std::malloc(written.size()));
    if (bytes_out == nullptr) {
        obscura_write_message(error_text, error_capacity, "out of memory");
        return OBSCURA_STATUS_OUT_OF_MEMORY;
    }
    std::memcpy(bytes_out, written.data(), written.size());
    *out_bytes = bytes_out;
    *out_length = written.size();
    return OBSCURA_STATUS_OK;
}
