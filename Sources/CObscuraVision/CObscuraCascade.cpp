// Haar cascades (OpenCV objdetect) for licence plates: one classifier per worker, rectangles out.
#include "CObscuraVision.h"

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <string>
#include <vector>

struct obscura_cv_cascade {
    cv::CascadeClassifier classifier;
};

extern "C" obscura_cv_cascade *obscura_cv_cascade_create(const char *path, char *error, size_t error_capacity) {
    try {
        auto *cascade = new obscura_cv_cascade();
        if (!cascade->classifier.load(path) || cascade->classifier.empty()) {
            delete cascade;
            obscura_write_message(error, error_capacity, "the cascade file could not be read");
            return nullptr;
        }
        return cascade;
    } catch (const cv::Exception &exception) {
        obscura_write_message(error, error_capacity, exception.msg.c_str());
        return nullptr;
    }
}

extern "C" void obscura_cv_cascade_free(obscura_cv_cascade *cascade) { delete cascade; }

extern "C" int32_t obscura_cv_cascade_detect(obscura_cv_cascade *cascade, const uint8_t *grey, int32_t width,
                                             int32_t height, int32_t row_bytes, double scale_factor,
                                             int32_t min_neighbours, int32_t min_width, int32_t min_height,
                                             int32_t max_width, int32_t *rects,
                                             int32_t *neighbours, size_t capacity, size_t *count, char *error,
                                             size_t error_capacity) {
    try {
        cv::Mat image(height, width, CV_8UC1, const_cast<uint8_t *>(grey), static_cast<size_t>(row_bytes));
        // The largest window keeps the cascade's own 3:1 shape; 0 leaves it to the image size.
        cv::Size largest = max_width > 0 ? cv::Size(max_width, max_width * min_height / std::max(1, min_width)) : cv::Size();
        std::vector<cv::Rect> found;
        std::vector<int> levels;
        cascade->classifier.detectMultiScale(image, found, levels, scale_factor, min_neighbours, 0,
                                             cv::Size(min_width, min_height), largest);
        *count = found.size();
        for (size_t i = 0; i < found.size() && i < capacity; ++i) {
            rects[i * 4] = found[i].x;
            rects[i * 4 + 1] = found[i].y;
            rects[i * 4 + 2] = found[i].width;
            rects[i * 4 + 3] = found[i].height;
            neighbours[i] = i < levels.size() ? levels[i] : 0;
        }
        return OBSCURA_STATUS_OK;
    } catch (const cv::Exception &exception) {
        obscura_write_message(error, error_capacity, exception.msg.c_str());
        return OBSCURA_STATUS_FAILED;
    }
}
