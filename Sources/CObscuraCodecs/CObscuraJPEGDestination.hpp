// Where every JPEG this target writes goes: a vector owned by the caller's frame, so an error
// (longjmp) leaves nothing behind. libjpeg's own memory destination keeps its buffer where only
// its private state can reach it: a failed write lost it, and the caller's pointer could name a
// buffer libjpeg had already freed while growing.
#ifndef COBSCURA_JPEG_DESTINATION_HPP
#define COBSCURA_JPEG_DESTINATION_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

extern "C" {
#include <jerror.h>
#include <jpeglib.h>
}

namespace obscura {

struct vector_destination;
inline void vector_start(j_compress_ptr info);
inline boolean vector_full(j_compress_ptr info);
inline void vector_finish(j_compress_ptr info);

/// Writes into `bytes`; set `info->dest` to `&destination.manager` after jpeg_create_compress.
/// `manager` stays the first member: libjpeg's callbacks cast back from it.
struct vector_destination {
    jpeg_destination_mgr manager;
    std::vector<uint8_t> *bytes;

    explicit vector_destination(std::vector<uint8_t> &into) : manager(), bytes(&into) {
        manager.init_destination = vector_start;
        manager.empty_output_buffer = vector_full;
        manager.term_destination = vector_finish;
    }
};

inline void vector_grow(j_compress_ptr info, size_t size) {
    auto *destination = reinterpret_cast<vector_destination *>(info->dest);
    size_t used = destination->bytes->size();
    bool grown = true;
    try {
        destination->bytes->resize(size);
    } catch (const std::bad_alloc &) {
        grown = false;
    }
    // Outside the handler: longjmp must not leave a catch block.
    if (!grown) ERREXIT(info, JERR_OUT_OF_MEMORY);
    destination->manager.next_output_byte = destination->bytes->data() + used;
    destination->manager.free_in_buffer = destination->bytes->size() - used;
}

inline void vector_start(j_compress_ptr info) {
    reinterpret_cast<vector_destination *>(info->dest)->bytes->clear();
    vector_grow(info, 1 << 16);
}

// Called only when the whole buffer is full.
inline boolean vector_full(j_compress_ptr info) {
    vector_grow(info, reinterpret_cast<vector_destination *>(info->dest)->bytes->size() * 2);
    return TRUE;
}

inline void vector_finish(j_compress_ptr info) {
    auto *destination = reinterpret_cast<vector_destination *>(info->dest);
    destination->bytes->resize(destination->bytes->size() - destination->manager.free_in_buffer);
}

}  // namespace obscura

#endif
