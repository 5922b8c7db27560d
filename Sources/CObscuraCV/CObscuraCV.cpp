#include "CObscuraCV.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <jerror.h>
#include <jpeglib.h>
}
#include <exception>
#include <string>
#include <vector>

namespace {

void write_error(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t length = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), length);
    error[length] = '\0';
}

// OpenCV's messages name the failing function and condition, never pixel values.
std::string describe(const std::exception &exception) {
    std::string text = exception.what();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

int silence_opencv_logging() {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    return 0;
}
const int logging_silenced = silence_opencv_logging();

}  // namespace

struct obscura_cv_net {
    cv::dnn::Net net;
};

extern "C" int32_t obscura_cv_decode(const uint8_t *bytes, size_t length, obscura_cv_image *out,
                                     char *error, size_t error_capacity) {
    (void)logging_silenced;
    std::memset(out, 0, sizeof(*out));
    try {
        cv::Mat encoded(1, static_cast<int>(length), CV_8UC1, const_cast<uint8_t *>(bytes));
        // IMREAD_UNCHANGED keeps alpha and ignores EXIF orientation; Swift applies orientation.
        cv::Mat decoded = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
        if (decoded.empty()) {
            write_error(error, error_capacity, "the decoder could not read the image data");
            return 1;
        }
        if (decoded.depth() == CV_16U) {
            decoded.convertTo(decoded, CV_8U, 1.0 / 257.0);
        } else if (decoded.depth() != CV_8U) {
            write_error(error, error_capacity, "unsupported sample depth");
            return 2;
        }
        cv::Mat converted;
        switch (decoded.channels()) {
            case 1: converted = decoded; break;
            case 3: cv::cvtColor(decoded, converted, cv::COLOR_BGR2RGB); break;
            case 4: cv::cvtColor(decoded, converted, cv::COLOR_BGRA2RGBA); break;
            default:
                write_error(error, error_capacity, "unsupported channel count");
                return 3;
        }
        if (!converted.isContinuous()) converted = converted.clone();
        size_t size = converted.total() * converted.elemSize();
        uint8_t *pixels = static_cast<uint8_t *>(std::malloc(size));
        if (pixels == nullptr) {
            write_error(error, error_capacity, "out of memory");
            return 4;
        }
        std::memcpy(pixels, converted.data, size);
        out->width = converted.cols;
        out->height = converted.rows;
        out->channels = converted.channels();
        out->pixels = pixels;
        return 0;
    } catch (const std::exception &exception) {
        write_error(error, error_capacity, describe(exception));
        return 5;
    }
}

namespace {

// libjpeg reports fatal errors through error_exit (we longjmp back) and recoverable damage
// through emit_message(-1); both end the decode here.
struct strict_jpeg_error {
    jpeg_error_mgr manager;
    jmp_buf jump;
    bool damaged;
    char message[JMSG_LENGTH_MAX];
};

void strict_error_exit(j_common_ptr info) {
    auto *error = reinterpret_cast<strict_jpeg_error *>(info->err);
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

void strict_emit_message(j_common_ptr info, int level) {
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

}  // namespace

extern "C" int32_t obscura_cv_decode_jpeg(const uint8_t *bytes, size_t length, obscura_cv_image *out,
                                          char *error_text, size_t error_capacity) {
    std::memset(out, 0, sizeof(*out));
    jpeg_decompress_struct info;
    strict_jpeg_error error;
    std::memset(&error, 0, sizeof(error));
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = strict_error_exit;
    error.manager.emit_message = strict_emit_message;
    // Volatile: read after a longjmp.
    uint8_t *volatile pixels = nullptr;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        std::free(pixels);
        write_error(error_text, error_capacity, error.message);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, static_cast<unsigned long>(length));
    jpeg_read_header(&info, TRUE);
    bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    bool grey = info.jpeg_color_space == JCS_GRAYSCALE;
    info.out_color_space = cmyk ? JCS_CMYK : grey ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    const size_t width = info.output_width, height = info.output_height;
    const size_t components = info.output_components;
    const size_t channels = grey ? 1 : 3;
    if (width == 0 || height == 0 || width * height > (size_t(1) << 29)) {
        jpeg_destroy_decompress(&info);
        write_error(error_text, error_capacity, "image dimensions are out of range");
        return 2;
    }
    pixels = static_cast<uint8_t *>(std::malloc(width * height * channels));
    std::vector<uint8_t> row(width * components);
    if (pixels == nullptr) {
        jpeg_destroy_decompress(&info);
        write_error(error_text, error_capacity, "out of memory");
        return 3;
    }
    // Adobe writes CMYK inverted; libjpeg reports that through the APP14 marker.
    bool inverted = info.saw_Adobe_marker;
    while (info.output_scanline < info.output_height) {
        size_t y = info.output_scanline;
        JSAMPROW target = cmyk ? row.data() : pixels + y * width * channels;
        jpeg_read_scanlines(&info, &target, 1);
        if (cmyk) {
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
        std::free(pixels);
        write_error(error_text, error_capacity, error.message);
        return 4;
    }
    out->width = static_cast<int32_t>(width);
    out->height = static_cast<int32_t>(height);
    out->channels = static_cast<int32_t>(channels);
    out->pixels = pixels;
    return 0;
}

extern "C" void obscura_cv_image_free(obscura_cv_image *image) {
    if (image == nullptr) return;
    std::free(image->pixels);
    image->pixels = nullptr;
}

extern "C" int32_t obscura_cv_encode(const uint8_t *pixels, int32_t width, int32_t height,
                                     int32_t channels, int32_t format, int32_t quality,
                                     uint8_t **out_bytes, size_t *out_length, char *error,
                                     size_t error_capacity) {
    *out_bytes = nullptr;
    *out_length = 0;
    try {
        int type = channels == 1 ? CV_8UC1 : channels == 3 ? CV_8UC3 : CV_8UC4;
        cv::Mat source(height, width, type, const_cast<uint8_t *>(pixels));
        cv::Mat bgr;
        if (channels == 3) cv::cvtColor(source, bgr, cv::COLOR_RGB2BGR);
        else if (channels == 4) cv::cvtColor(source, bgr, cv::COLOR_RGBA2BGRA);
        else bgr = source;

        std::string extension;
        std::vector<int> parameters;
        switch (format) {
            case OBSCURA_CV_JPEG:
                if (channels == 4) {
                    // JPEG has no alpha: flatten onto the colour channels as they are.
                    cv::cvtColor(bgr, bgr, cv::COLOR_BGRA2BGR);
                }
                extension = ".jpg";
                parameters = {cv::IMWRITE_JPEG_QUALITY, quality, cv::IMWRITE_JPEG_OPTIMIZE, 1};
                break;
            case OBSCURA_CV_PNG:
                extension = ".png";
                // zlib level 3: within a few percent of level 6's size at about half the time.
                parameters = {cv::IMWRITE_PNG_COMPRESSION, 3};
                break;
            case OBSCURA_CV_WEBP:
                extension = ".webp";
                parameters = {cv::IMWRITE_WEBP_QUALITY, quality};
                break;
            default:
                write_error(error, error_capacity, "unknown output format");
                return 1;
        }
        std::vector<uint8_t> encoded;
        if (!cv::imencode(extension, bgr, encoded, parameters) || encoded.empty()) {
            write_error(error, error_capacity, "the encoder produced no data");
            return 2;
        }
        uint8_t *bytes = static_cast<uint8_t *>(std::malloc(encoded.size()));
        if (bytes == nullptr) {
            write_error(error, error_capacity, "out of memory");
            return 3;
        }
        std::memcpy(bytes, encoded.data(), encoded.size());
        *out_bytes = bytes;
        *out_length = encoded.size();
        return 0;
    } catch (const std::exception &exception) {
        write_error(error, error_capacity, describe(exception));
        return 4;
    }
}

extern "C" void obscura_cv_buffer_free(uint8_t *bytes) { std::free(bytes); }

extern "C" int32_t obscura_cv_resize(const uint8_t *source, int32_t width, int32_t height,
                                     int32_t channels, uint8_t *destination, int32_t new_width,
                                     int32_t new_height) {
    try {
        int type = CV_MAKETYPE(CV_8U, channels);
        cv::Mat from(height, width, type, const_cast<uint8_t *>(source));
        cv::Mat to(new_height, new_width, type, destination);
        bool shrinking = new_width <= width && new_height <= height;
        cv::resize(from, to, cv::Size(new_width, new_height), 0, 0,
                   shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        // resize must have written into our buffer, not reallocated.
        return to.data == destination ? 0 : 2;
    } catch (const std::exception &) {
        return 1;
    }
}

extern "C" void obscura_cv_set_threads(int32_t count) { cv::setNumThreads(count > 0 ? count : -1); }

extern "C" obscura_cv_net *obscura_cv_net_create(const uint8_t *onnx, size_t length, char *error,
                                                 size_t error_capacity) {
    try {
        std::vector<uchar> buffer(onnx, onnx + length);
        cv::dnn::Net net = cv::dnn::readNetFromONNX(buffer);
        if (net.empty()) {
            write_error(error, error_capacity, "OpenCV could not build a network from the model");
            return nullptr;
        }
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return new obscura_cv_net{net};
    } catch (const std::exception &exception) {
        write_error(error, error_capacity, describe(exception));
        return nullptr;
    }
}

extern "C" void obscura_cv_net_free(obscura_cv_net *net) { delete net; }

extern "C" int32_t obscura_cv_net_forward(obscura_cv_net *net, const float *input, int32_t channels,
                                          int32_t height, int32_t width, int32_t output_total,
                                          const char *const *output_names, float *const *outputs,
                                          const size_t *output_capacity, size_t *output_count,
                                          char *error, size_t error_capacity) {
    try {
        int shape[4] = {1, channels, height, width};
        cv::Mat blob(4, shape, CV_32F, const_cast<float *>(input));
        net->net.setInput(blob);
        std::vector<cv::String> names(output_names, output_names + output_total);
        std::vector<cv::Mat> results;
        net->net.forward(results, names);
        if (static_cast<int32_t>(results.size()) != output_total) {
            write_error(error, error_capacity, "the network returned an unexpected number of outputs");
            return 1;
        }
        for (int32_t i = 0; i < output_total; ++i) {
            cv::Mat result = results[i].isContinuous() ? results[i] : results[i].clone();
            if (result.depth() != CV_32F) {
                write_error(error, error_capacity, "the network returned non-float output");
                return 2;
            }
            size_t count = result.total();
            if (count > output_capacity[i]) {
                write_error(error, error_capacity, "a network output is larger than expected");
                return 3;
            }
            std::memcpy(outputs[i], result.ptr<float>(), count * sizeof(float));
            output_count[i] = count;
        }
        return 0;
    } catch (const std::exception &exception) {
        write_error(error, error_capacity, describe(exception));
        return 4;
    }
}
