// The one helper every C++ file of this target uses to hand a message back through the C API.
#ifndef COBSCURA_MESSAGE_HPP
#define COBSCURA_MESSAGE_HPP

#include <cstddef>
#include <cstring>
#include <string>

namespace obscura {

/// Copies `message` into `error` (cut to fit, NUL-terminated) when the caller gave a buffer.
inline void write_message(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t length = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), length);
    error[length] = '\0';
}

}  // namespace obscura

#endif
