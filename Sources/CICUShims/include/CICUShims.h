#ifndef CICUSHIMS_H
#define CICUSHIMS_H

// The public face of the ICU shim: opaque handles and <stdint.h> types only, so that no Swift
// module ever sees an ICU header (Foundation's private ICU would clash with it).

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Returns 1 when an ICU status code is a failure (warnings are negative and are success).
int32_t CHeguiICU_failed(int32_t status);

/// Human-readable name of an ICU status code (static storage).
const char *CHeguiICU_errorName(int32_t status);

/// Fills `out` with the ranges [start, end] (inclusive) of the code points whose NFKC case fold
/// differs from themselves (the Unicode property Changes_When_NFKC_Casefolded). Writes at most
/// `capacity` ranges and returns the total number of ranges, or -status on failure.
int32_t CHeguiICU_nfkcCasefoldChangingRanges(uint32_t *starts, uint32_t *ends, int32_t capacity);

/// NFKC case fold of one code point into UTF-32 `out`. Returns the number of code points written
/// (0 when the character is deleted, e.g. a format character), or a negative ICU status.
int32_t CHeguiICU_nfkcCasefold(uint32_t codePoint, uint32_t *out, int32_t capacity);

/// Fills `table` (65,536 entries, one per BMP code point) with the single-character
/// Traditional→Simplified mapping of ICU's "Traditional-Simplified" transliterator. Characters
/// that do not change (or would change into several characters) map to themselves.
/// Returns the number of changed characters, or a negative ICU status.
int32_t CHeguiICU_traditionalToSimplifiedBMP(uint16_t *table);

/// The reverse direction (ICU "Simplified-Traditional"), single characters only. Used to build
/// test variants of rule examples, never on the checking path.
int32_t CHeguiICU_simplifiedToTraditionalBMP(uint16_t *table);

/// Returns 1 when the code point's script is Han (ideographs), else 0.
int32_t CHeguiICU_isHan(uint32_t codePoint);

/// Returns 1 when the code point is Extended_Pictographic (emoji and pictographs), else 0.
int32_t CHeguiICU_isPictographic(uint32_t codePoint);

/// Returns the East Asian display width of a code point in terminal cells (0, 1 or 2).
int32_t CHeguiICU_displayWidth(uint32_t codePoint);

typedef struct CHeguiWordBreaker CHeguiWordBreaker;

/// Opens an ICU word break iterator for locale "zh". On failure returns NULL and sets *status.
CHeguiWordBreaker *CHeguiWordBreaker_open(int32_t *status);

/// Points the iterator at `length` bytes of UTF-8 (not copied: keep them alive while in use).
void CHeguiWordBreaker_setText(CHeguiWordBreaker *breaker, const char *utf8, int64_t length, int32_t *status);

/// Returns 1 when `offset` (a UTF-8 byte offset into the current text) is a word boundary.
int32_t CHeguiWordBreaker_isBoundary(CHeguiWordBreaker *breaker, int64_t offset);

/// Writes up to `capacity` boundary offsets of the whole current text; returns how many exist.
int64_t CHeguiWordBreaker_boundaries(CHeguiWordBreaker *breaker, int64_t *out, int64_t capacity);

void CHeguiWordBreaker_close(CHeguiWordBreaker *breaker);

/// Converts `length` bytes of text in the ICU converter `charset` ("GBK", "GB18030", "UTF-16",
/// "UTF-16LE", "UTF-16BE") to UTF-8, strictly: a byte sequence that is invalid or has no Unicode
/// mapping stops the conversion (nothing is replaced or dropped). Returns the UTF-8 length, with
/// the bytes in `out` when it fits in `capacity` (call again with a larger buffer when it does
/// not), or -1 with `*status` set and `*errorOffset` at the first byte that could not be read.
int64_t CHeguiICU_toUTF8(const char *charset, const char *input, int64_t length, char *out, int64_t capacity,
                         int32_t *status, int64_t *errorOffset);

#ifdef __cplusplus
}
#endif

#endif
