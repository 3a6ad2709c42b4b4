// Only the C files of CICUShims include this header. Swift never imports CICU directly:
// Foundation carries its own private ICU, and the two clash at compile time.
#include <unicode/utypes.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/utrans.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
