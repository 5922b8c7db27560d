// CObscuraOCR: a thin, prefixed C API over Tesseract 5 (its C API): one engine per worker,
// recognised symbols with boxes out. The recognised text goes back to Swift only.
// `obscura_ocr_recognize` returns a status of CObscuraStatus.h.
#ifndef COBSCURA_OCR_H
#define COBSCURA_OCR_H

#include <stddef.h>
#include <stdint.h>

#include "CObscuraStatus.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A Tesseract engine (LSTM) for one language set, used by one thread at a time.
typedef struct obscura_ocr obscura_ocr;

/// Starts Tesseract with `language` (e.g. "eng") from `datapath` (NULL: Tesseract's default,
/// /usr/share/tesseract-ocr/5/tessdata on Debian). Returns NULL and a message on failure.
obscura_ocr *obscura_ocr_create(const char *datapath, const char *language, char *error, size_t error_capacity);
void obscura_ocr_free(obscura_ocr *ocr);

/// One recognised symbol (character) and its box in the input image's pixels.
typedef struct obscura_ocr_symbol {
    int32_t left, top, right, bottom;
    float confidence;          // 0...100
    float word_confidence;     // 0...100, of the word the symbol belongs to (Tesseract's word certainty)
    int32_t starts_word;       // 1 for the first symbol of a word
    char text[16];             // UTF-8, NUL-terminated (truncated if longer)
} obscura_ocr_symbol;

/// Recognises a tightly packed 8-bit grey image with page segmentation mode `page_mode`
/// (7 = a single text line, 6 = a block), reading only the characters in `whitelist` when it is
/// not NULL. Writes up to `capacity` symbols in reading order and their number to `count` (the
/// total found, which may exceed `capacity`).
int32_t obscura_ocr_recognize(obscura_ocr *ocr, const uint8_t *grey, int32_t width, int32_t height,
                              int32_t page_mode, const char *whitelist,
                              obscura_ocr_symbol *symbols, size_t capacity, size_t *count,
                              char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
