#include "CICUShims.h"
#include <unicode/utypes.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/utrans.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>
#include <stdlib.h>
#include <unicode/ures.h>
#include <unicode/ustring.h>
#include <stdlib.h>
#include <string.h>

int32_t CHeguiICU_failed(int32_t status) { return U_FAILURE((UErrorCode)status) ? 1 : 0; }

const char *CHeguiICU_errorName(int32_t status) { return u_errorName((UErrorCode)status); }

int32_t CHeguiICU_nfkcCasefoldChangingRanges(uint32_t *starts, uint32_t *ends, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  USet *set = uset_openEmpty();
  uset_applyIntPropertyValue(set, UCHAR_CHANGES_WHEN_NFKC_CASEFOLDED, 1, &status);
  if (U_FAILURE(status)) {
    uset_close(set);
    return -(int32_t)status;
  }
  int32_t count = uset_getItemCount(set);
  for (int32_t i = 0; i < count && i < capacity; i++) {
    UChar32 start = 0, end = 0;
    uset_getItem(set, i, &start, &end, NULL, 0, &status);
    starts[i] = (uint32_t)start;
    ends[i] = (uint32_t)end;
  }
  uset_close(set);
  return count;
}

int32_t CHeguiICU_nfkcCasefold(uint32_t codePoint, uint32_t *out, int32_t capacity) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&status);
  if (U_FAILURE(status)) return -(int32_t)status;
  UChar src[2];
  int32_t srcLength = 0;
  U16_APPEND_UNSAFE(src, srcLength, (UChar32)codePoint);
  UChar dst[64];
  int32_t dstLength = unorm2_normalize(norm, src, srcLength, dst, 64, &status);
  if (U_FAILURE(status)) return -(int32_t)status;
  int32_t written = 0;
  for (int32_t i = 0; i < dstLength && written < capacity;) {
    UChar32 c;
    U16_NEXT(dst, i, dstLength, c);
    out[written++] = (uint32_t)c;
  }
  return written;
}

/// Opens a rule-based system transliterator straight from its rules in ICU's data, without
/// `utrans_openU(id)`'s first-use registry set-up, which registers every system transliterator
/// and costs ≈ 10–15 ms (most of a cold ruleset load). The registry builds the same object from
/// the same rules with the same parser; returns NULL (use the registry) when the data is not
/// laid out as in ICU 72, where `RuleBasedTransliteratorIDs` maps an id to an alias or to
/// `file { resource: <rules>, direction: FORWARD|REVERSE }`.
static UTransliterator *openFromRules(const char *name) {
  UErrorCode status = U_ZERO_ERROR;
  UResourceBundle *root = ures_openDirect(U_ICUDATA_NAME "-translit", "root", &status);
  UResourceBundle *ids = ures_getByKey(root, "RuleBasedTransliteratorIDs", NULL, &status);
  UResourceBundle *entry = NULL;
  UTransliterator *trans = NULL;
  char key[64];
  strncpy(key, name, sizeof key - 1);
  key[sizeof key - 1] = 0;
  for (int hops = 0; hops < 4 && U_SUCCESS(status); hops++) {
    entry = ures_getByKey(ids, key, entry, &status);
    if (U_FAILURE(status)) break;
    UErrorCode aliasStatus = U_ZERO_ERROR;
    int32_t aliasLength = 0;
    const UChar *alias = ures_getStringByKey(entry, "alias", &aliasLength, &aliasStatus);
    if (U_SUCCESS(aliasStatus)) {
      if (aliasLength <= 0 || aliasLength >= (int32_t)sizeof key) break;
      u_austrncpy(key, alias, aliasLength);
      key[aliasLength] = 0;
      continue;
    }
    UResourceBundle *file = ures_getByKey(entry, "file", NULL, &status);
    int32_t rulesLength = 0, directionLength = 0;
    const UChar *rules = ures_getStringByKey(file, "resource", &rulesLength, &status);
    const UChar *direction = ures_getStringByKey(file, "direction", &directionLength, &status);
    if (U_SUCCESS(status) && directionLength > 0) {
      UChar id[64];
      u_uastrncpy(id, key, 63);
      id[63] = 0;
      UParseError parseError;
      UTransDirection dir = direction[0] == u'R' ? UTRANS_REVERSE : UTRANS_FORWARD;
      trans = utrans_openU(id, -1, dir, rules, rulesLength, &parseError, &status);
      if (U_FAILURE(status)) trans = NULL;
    }
    ures_close(file);
    break;
  }
  ures_close(entry);
  ures_close(ids);
  ures_close(root);
  return trans;
}

static int32_t transliterateHanBMP(const char *name, uint16_t *table) {
  for (uint32_t c = 0; c < 0x10000; c++) table[c] = (uint16_t)c;
  UErrorCode status = U_ZERO_ERROR;
  UTransliterator *trans = openFromRules(name);
  if (trans == NULL) {
    UChar id[64];
    u_uastrncpy(id, name, 63);
    id[63] = 0;
    trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
    if (U_FAILURE(status)) return -(int32_t)status;
  }
  // Only characters in the transliterator's source set can change: asking ICU for that set and
  // transliterating its Han members one by one gives the same table as trying every Han
  // character, in a tenth of the time (this runs on the first check or load of every process).
  USet *source = uset_openEmpty();
  utrans_getSourceSet(trans, 0, source, &status);
  if (U_FAILURE(status)) {
    uset_close(source);
    utrans_close(trans);
    return -(int32_t)status;
  }
  int32_t changed = 0;
  int32_t items = uset_getItemCount(source);
  for (int32_t item = 0; item < items; item++) {
    UChar32 first = 0, last = 0;
    UErrorCode itemStatus = U_ZERO_ERROR;
    if (uset_getItem(source, item, &first, &last, NULL, 0, &itemStatus) != 0) continue;  // a string, not a range
    if (first < 0x2E80) first = 0x2E80;
    if (last > 0xFFFF) last = 0xFFFF;
    for (UChar32 c = first; c <= last; c++) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      UErrorCode scriptStatus = U_ZERO_ERROR;
      if (uscript_getScript(c, &scriptStatus) != USCRIPT_HAN) continue;
      UChar buffer[8] = {(UChar)c};
      int32_t length = 1, limit = 1;
      utrans_transUChars(trans, buffer, &length, 8, 0, &limit, &status);
      if (U_FAILURE(status)) {
        uset_close(source);
        utrans_close(trans);
        return -(int32_t)status;
      }
      if (length == 1 && buffer[0] != (UChar)c && !U16_IS_SURROGATE(buffer[0])) {
        table[c] = buffer[0];
        changed++;
      }
    }
  }
  uset_close(source);
  utrans_close(trans);
  return changed;
}

int32_t CHeguiICU_traditionalToSimplifiedBMP(uint16_t *table) {
  return transliterateHanBMP("Traditional-Simplified", table);
}

int32_t CHeguiICU_simplifiedToTraditionalBMP(uint16_t *table) {
  return transliterateHanBMP("Simplified-Traditional", table);
}

int32_t CHeguiICU_isHan(uint32_t codePoint) {
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript((UChar32)codePoint, &status) == USCRIPT_HAN ? 1 : 0;
}

int32_t CHeguiICU_isPictographic(uint32_t codePoint) {
  return u_hasBinaryProperty((UChar32)codePoint, UCHAR_EXTENDED_PICTOGRAPHIC) ? 1 : 0;
}

int32_t CHeguiICU_displayWidth(uint32_t codePoint) {
  UChar32 c = (UChar32)codePoint;
  int8_t type = u_charType(c);
  if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR) return 0;
  if (c == 0x200B) return 0;
  int32_t eaw = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
  if (eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH) return 2;
  if (u_hasBinaryProperty(c, UCHAR_EMOJI_PRESENTATION)) return 2;
  return 1;
}

struct CHeguiWordBreaker {
  UBreakIterator *iterator;
  UText *text;
};

CHeguiWordBreaker *CHeguiWordBreaker_open(int32_t *status) {
  UErrorCode code = U_ZERO_ERROR;
  UBreakIterator *iterator = ubrk_open(UBRK_WORD, "zh", NULL, 0, &code);
  // U_USING_DEFAULT_WARNING and friends are negative: success.
  if (U_FAILURE(code)) {
    *status = (int32_t)code;
    return NULL;
  }
  CHeguiWordBreaker *breaker = calloc(1, sizeof(CHeguiWordBreaker));
  if (breaker == NULL) {
    ubrk_close(iterator);
    *status = (int32_t)U_MEMORY_ALLOCATION_ERROR;
    return NULL;
  }
  breaker->iterator = iterator;
  *status = 0;
  return breaker;
}

void CHeguiWordBreaker_setText(CHeguiWordBreaker *breaker, const char *utf8, int64_t length, int32_t *status) {
  UErrorCode code = U_ZERO_ERROR;
  breaker->text = utext_openUTF8(breaker->text, utf8, length, &code);
  if (U_FAILURE(code)) {
    *status = (int32_t)code;
    return;
  }
  ubrk_setUText(breaker->iterator, breaker->text, &code);
  *status = U_FAILURE(code) ? (int32_t)code : 0;
}

int32_t CHeguiWordBreaker_isBoundary(CHeguiWordBreaker *breaker, int64_t offset) {
  // With a UTF-8 UText, ICU's break iterator indices are native (byte) offsets.
  return ubrk_isBoundary(breaker->iterator, (int32_t)offset) ? 1 : 0;
}

int64_t CHeguiWordBreaker_boundaries(CHeguiWordBreaker *breaker, int64_t *out, int64_t capacity) {
  int64_t count = 0;
  for (int32_t position = ubrk_first(breaker->iterator); position != UBRK_DONE;
       position = ubrk_next(breaker->iterator)) {
    if (count < capacity) out[count] = position;
    count++;
  }
  return count;
}

void CHeguiWordBreaker_close(CHeguiWordBreaker *breaker) {
  if (breaker == NULL) return;
  ubrk_close(breaker->iterator);
  if (breaker->text != NULL) utext_close(breaker->text);
  free(breaker);
}

int64_t CHeguiICU_toUTF8(const char *charset, const char *input, int64_t length, char *out, int64_t capacity,
                         int32_t *status, int64_t *errorOffset) {
  UErrorCode error = U_ZERO_ERROR;
  *errorOffset = -1;
  UConverter *converter = ucnv_open(charset, &error);
  if (U_FAILURE(error)) {
    *status = error;
    return -1;
  }
  ucnv_setToUCallBack(converter, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &error);
  // Each input byte yields at most one UTF-16 unit (GB18030's four-byte sequences yield two).
  int64_t units = length + 2;
  UChar *utf16 = malloc(sizeof(UChar) * (size_t)units);
  if (utf16 == NULL) {
    ucnv_close(converter);
    *status = U_MEMORY_ALLOCATION_ERROR;
    return -1;
  }
  UChar *target = utf16;
  const char *source = input;
  ucnv_toUnicode(converter, &target, utf16 + units, &source, input + length, NULL, 1, &error);
  if (U_FAILURE(error)) {
    char invalid[32];
    int8_t invalidLength = sizeof(invalid);
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_getInvalidChars(converter, invalid, &invalidLength, &ignored);
    *errorOffset = (int64_t)(source - input) - (U_SUCCESS(ignored) ? invalidLength : 0);
    *status = error;
    free(utf16);
    ucnv_close(converter);
    return -1;
  }
  ucnv_close(converter);
  int32_t written = 0;
  UErrorCode utf8Error = U_ZERO_ERROR;
  int32_t cap = capacity > INT32_MAX ? INT32_MAX : (int32_t)capacity;
  u_strToUTF8(out, cap, &written, utf16, (int32_t)(target - utf16), &utf8Error);
  free(utf16);
  if (utf8Error == U_BUFFER_OVERFLOW_ERROR || utf8Error == U_STRING_NOT_TERMINATED_WARNING) return written;
  if (U_FAILURE(utf8Error)) {
    *status = utf8Error;
    return -1;
  }
  return written;
}
