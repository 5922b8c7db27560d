// Area resizing for the detectors (OpenCV imgproc).
#include <algorithm>
#include <cmath>
#include <vector>
#include "CObscuraVision.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>

namespace {
// OpenCV's own log lines stay quiet: errors come back through the return values.
int silence_opencv_logging() {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    return 0;
}
const int logging_silenced = silence_opencv_logging();
}  // namespace

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
        return to.data == destination ? OBSCURA_STATUS_OK : OBSCURA_STATUS_FAILED;
    } catch (const std::exception &) {
        return OBSCURA_STATUS_FAILED;
    }
}

namespace {
/// For each of `count` output samples from `start` on, the source samples it is made of and
/// their weights: the source interval it covers when shrinking (area averaging), the two
/// nearest samples when enlarging (linear, centres aligned).
struct Taps {
    std::vector<int32_t> first, count;
    std::vector<float> weights;  // count[i] weights for output i, in order
    std::vector<size_t> offset;
};

Taps taps(int32_t start, int32_t count, double factor, int32_t limit) {
    Taps result;
    result.first.resize(count);
    result.count.resize(count);
    result.offset.resize(count);
    for (int32_t index = 0; index < count; ++index) {
        result.offset[index] = result.weights.size();
        const double position = double(start + index);
        if (factor >= 1) {
            const double from = position * factor, to = std::min((position + 1) * factor, double(limit));
            const int32_t first = int32_t(std::floor(from)), last = std::min(limit, int32_t(std::ceil(to)));
            result.first[index] = first;
            result.count[index] = std::max(1, last - first);
            for (int32_t sample = first; sample < first + result.count[index]; ++sample) {
                const double covered = std::min(to, double(sample + 1)) - std::max(from, double(sample));
                result.weights.push_back(float(std::max(0.0, covered) / (to - from)));
            }
        } else {
            const double centre = std::clamp((position + 0.5) * factor - 0.5, 0.0, double(limit - 1));
            const int32_t first = std::min(int32_t(centre), std::max(0, limit - 2));
            const double fraction = centre - first;
            result.first[index] = first;
            result.count[index] = limit > 1 ? 2 : 1;
            result.weights.push_back(float(1 - fraction));
            if (limit > 1) result.weights.push_back(float(fraction));
        }
    }
    return result;
}
}  // namespace

extern "C" int32_t obscura_cv_resize_region(const uint8_t *source, int32_t width, int32_t height, int32_t channels,
                                            int32_t scaled_width, int32_t scaled_height, int32_t region_x,
                                            int32_t region_y, int32_t region_width, int32_t region_height,
                                            uint8_t *destination) {
    if (!source || !destination || width < 1 || height < 1 || channels < 1 || channels > 4 || scaled_width < 1 ||
        scaled_height < 1 || region_x < 0 || region_y < 0 || region_width < 1 || region_height < 1 ||
        region_x + region_width > scaled_width || region_y + region_height > scaled_height) {
        return OBSCURA_STATUS_OUT_OF_RANGE;
    }
    try {
        const Taps columns = taps(region_x, region_width, double(width) / scaled_width, width);
        const Taps rows = taps(region_y, region_height, double(height) / scaled_height, height);
        const int32_t first_row = rows.first.front();
        const int32_t last_row = rows.first.back() + rows.count.back();
        // Each source row the region needs, resampled across first.
        std::vector<float> across(size_t(last_row - first_row) * region_width * channels);
        for (int32_t row = first_row; row < last_row; ++row) {
            const uint8_t *line = source + size_t(row) * width * channels;
            float *out = across.data() + size_t(row - first_row) * region_width * channels;
            for (int32_t column = 0; column < region_width; ++column) {
                const float *weight = columns.weights.data() + columns.offset[column];
                for (int32_t channel = 0; channel < channels; ++channel) {
                    float sum = 0;
                    for (int32_t tap = 0; tap < columns.count[column]; ++tap) {
                        sum += weight[tap] * line[size_t(columns.first[column] + tap) * channels + channel];
                    }
                    out[size_t(column) * channels + channel] = sum;
                }
            }
        }
        for (int32_t row = 0; row < region_height; ++row) {
            const float *weight = rows.weights.data() + rows.offset[row];
            uint8_t *out = destination + size_t(row) * region_width * channels;
            for (int32_t sample = 0; sample < region_width * channels; ++sample) {
                float sum = 0;
                for (int32_t tap = 0; tap < rows.count[row]; ++tap) {
                    sum += weight[tap] * across[size_t(rows.first[row] + tap - first_row) * region_width * channels + sample];
                }
                out[sample] = uint8_t(std::clamp(std::lround(sum), 0L, 255L));
            }
        }
        return OBSCURA_STATUS_OK;
    } catch (const std::exception &) {
        return OBSCURA_STATUS_FAILED;
    }
}

extern "C" void obscura_cv_set_threads(int32_t count) { cv::setNumThreads(count > 0 ? count : -1); }
