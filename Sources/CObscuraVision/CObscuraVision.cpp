// Area resizing for the detectors (OpenCV imgproc).
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
        return to.data == destination ? 0 : 2;
    } catch (const std::exception &) {
        return 1;
    }
}

extern "C" void obscura_cv_set_threads(int32_t count) { cv::setNumThreads(count > 0 ? count : -1); }
