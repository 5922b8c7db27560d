// Tesseract through its C API: one engine per worker, symbols with boxes out. The recognised
// text goes back to Swift only; nothing here logs it.
#include "CObscuraOCR.h"

#include <tesseract/capi.h>

#include <dlfcn.h>

#include <cstring>
#include <string>

struct obscura_ocr {
    TessBaseAPI *api;
};

/// Debian's Tesseract is built with OpenMP, and its LSTM runs each line's four gates in a
/// parallel region. On a line of a few dozen characters the team's start and spin-waits cost
/// more than they save, and they compete with OpenVINO's threads and the other workers for the
/// cores: a 12 MP page with `--detect pii` took 3.2-3.7 s, and 2.2-2.5 s with `OMP_THREAD_LIMIT=1`
/// (same output). So no parallel region may be active on a thread that reads. The setting
/// belongs to the calling thread (libgomp keeps it per thread), hence once per reading. Looked
/// up at run time: a Tesseract built without OpenMP has no such call, and needs nothing.
static void run_tesseract_on_this_thread_only() {
    using SetLevels = void (*)(int);
    static const SetLevels set = reinterpret_cast<SetLevels>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
    if (set) set(0);
}

extern "C" obscura_ocr *obscura_ocr_create(const char *datapath, const char *language, char *error,
                                           size_t error_capacity) {
    TessBaseAPI *api = TessBaseAPICreate();
    if (api == nullptr) {
        obscura_write_message(error, error_capacity, "Tesseract could not be started");
        return nullptr;
    }
    // Quiet: Tesseract's diagnostics go nowhere (they could quote recognised text).
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
    if (TessBaseAPIInit3(api, datapath, language) != 0) {
        TessBaseAPIDelete(api);
        obscura_write_message(error, error_capacity, "Tesseract could not load its language data (is tesseract-ocr-eng installed?)");
        return nullptr;
    }
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
    return new obscura_ocr{api};
}

extern "C" void obscura_ocr_free(obscura_ocr *ocr) {
    if (ocr == nullptr) return;
    TessBaseAPIEnd(ocr->api);
    TessBaseAPIDelete(ocr->api);
    delete ocr;
}

extern "C" int32_t obscura_ocr_recognize(obscura_ocr *ocr, const uint8_t *grey, int32_t width, int32_t height,
                                         int32_t page_mode, const char *whitelist,
                                         obscura_ocr_symbol *symbols, size_t capacity,
                                         size_t *count, char *error, size_t error_capacity) {
    *count = 0;
    TessBaseAPI *api = ocr->api;
    run_tesseract_on_this_thread_only();
    TessBaseAPISetPageSegMode(api, static_cast<tesseract::PageSegMode>(page_mode));
    TessBaseAPISetVariable(api, "tessedit_char_whitelist", whitelist != nullptr ? whitelist : "");
    TessBaseAPISetImage(api, grey, width, height, 1, width);
    TessBaseAPISetSourceResolution(api, 300);
    if (TessBaseAPIRecognize(api, nullptr) != 0) {
        obscura_write_message(error, error_capacity, "Tesseract could not recognise the image");
        TessBaseAPIClear(api);
        return OBSCURA_STATUS_FAILED;
    }
    TessResultIterator *iterator = TessBaseAPIGetIterator(api);
    if (iterator != nullptr) {
        TessPageIterator *page = TessResultIteratorGetPageIterator(iterator);
        do {
            char *text = TessResultIteratorGetUTF8Text(iterator, tesseract::RIL_SYMBOL);
            if (text == nullptr) continue;
            if (*count < capacity) {
                obscura_ocr_symbol &symbol = symbols[*count];
                std::memset(&symbol, 0, sizeof(symbol));
                int left = 0, top = 0, right = 0, bottom = 0;
                TessPageIteratorBoundingBox(page, tesseract::RIL_SYMBOL, &left, &top, &right, &bottom);
                symbol.left = left; symbol.top = top; symbol.right = right; symbol.bottom = bottom;
                symbol.confidence = TessResultIteratorConfidence(iterator, tesseract::RIL_SYMBOL);
                symbol.word_confidence = TessResultIteratorConfidence(iterator, tesseract::RIL_WORD);
                symbol.starts_word = TessPageIteratorIsAtBeginningOf(page, tesseract::RIL_WORD) ? 1 : 0;
                std::strncpy(symbol.text, text, sizeof(symbol.text) - 1);
            }
            *count += 1;
            TessDeleteText(text);
        } while (TessResultIteratorNext(iterator, tesseract::RIL_SYMBOL));
        TessResultIteratorDelete(iterator);
    }
    TessBaseAPIClear(api);
    return OBSCURA_STATUS_OK;
}
