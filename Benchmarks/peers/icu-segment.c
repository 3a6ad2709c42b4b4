/*
 * icu-segment: ICU word segmentation of a corpus, one line at a time, as a baseline.
 *
 *   icu-segment CORPUS [--rounds N]
 *
 * Build:
 *   cc -O2 -o icu-segment icu-segment.c $(pkg-config --cflags --libs icu-uc)
 *
 * Reads CORPUS whole and splits it into lines on '\n' (nothing skipped: a trailing
 * newline gives a last, empty line, as in peer.py). Each round converts every line
 * to UTF-16 with u_strFromUTF8 into a reused, growing buffer, points one UBRK_WORD
 * iterator (locale "zh", opened once) at it with ubrk_setText, and walks it to the
 * end, counting boundaries. Only the rounds are timed, in process CPU time. Prints
 * one JSON line in peer.py's format; "hits" is the boundaries of the last round.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getrusage under strict -std= */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

static void check(UErrorCode status, const char *what) {
    if (U_FAILURE(status)) {
        fprintf(stderr, "icu-segment: %s: %s\n", what, u_errorName(status));
        exit(2);
    }
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (p == NULL) {
        fprintf(stderr, "icu-segment: out of memory\n");
        exit(2);
    }
    return p;
}

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail_io(const char *path) {
    fprintf(stderr, "icu-segment: cannot read %s: %s\n", path, strerror(errno));
    exit(2);
}

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_io(path);
    char *data = NULL;
    size_t used = 0, cap = 0, n;
    do {
        if (cap - used < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            data = xrealloc(data, cap);
        }
        n = fread(data + used, 1, cap - used, f);
        used += n;
    } while (n > 0);
    if (ferror(f))
        fail_io(path);
    fclose(f);
    *size = used;
    return data;
}

int main(int argc, char **argv) {
    const char *path = NULL;
    long rounds = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            char *end;
            rounds = strtol(argv[++i], &end, 10);
            if (*end != '\0' || rounds < 1) {
                fprintf(stderr, "icu-segment: --rounds needs a positive number\n");
                return 2;
            }
        } else if (path == NULL && argv[i][0] != '-') {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "usage: icu-segment CORPUS [--rounds N]\n");
        return 2;
    }

    size_t size;
    char *text = read_file(path, &size);

    /* Line starts and lengths, split on '\n'. */
    size_t nlines = 1;
    for (size_t i = 0; i < size; i++)
        nlines += text[i] == '\n';
    size_t *start = xrealloc(NULL, nlines * sizeof *start);
    int32_t *len = xrealloc(NULL, nlines * sizeof *len);
    size_t line = 0, from = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || text[i] == '\n') {
            if (i - from > INT32_MAX / 2) {
                fprintf(stderr, "icu-segment: line %zu is too long\n", line + 1);
                return 2;
            }
            start[line] = from;
            len[line++] = (int32_t)(i - from);
            from = i + 1;
        }
    }

    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &status);
    check(status, "ubrk_open");

    int32_t cap = 1024;
    UChar *buf = xrealloc(NULL, (size_t)cap * sizeof *buf);
    double *seconds = xrealloc(NULL, (size_t)rounds * sizeof *seconds);
    long long hits = 0;
    for (long r = 0; r < rounds; r++) {
        hits = 0;
        double t0 = cpu_seconds();
        for (size_t l = 0; l < nlines; l++) {
            int32_t ulen = 0;
            status = U_ZERO_ERROR;
            u_strFromUTF8(buf, cap, &ulen, text + start[l], len[l], &status);
            if (status == U_BUFFER_OVERFLOW_ERROR) {
                cap = ulen + 1024;
                buf = xrealloc(buf, (size_t)cap * sizeof *buf);
                status = U_ZERO_ERROR;
                u_strFromUTF8(buf, cap, &ulen, text + start[l], len[l], &status);
            }
            check(status, "u_strFromUTF8");
            ubrk_setText(bi, buf, ulen, &status);
            check(status, "ubrk_setText");
            for (int32_t b = ubrk_first(bi); b != UBRK_DONE; b = ubrk_next(bi))
                hits++;
        }
        seconds[r] = cpu_seconds() - t0;
    }

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"contender\": \"icu-segmentation\", \"version\": \"%s\", \"rounds\": [",
           U_ICU_VERSION);
    for (long r = 0; r < rounds; r++)
        printf("%s%.6f", r ? ", " : "", seconds[r]);
    printf("], \"bytes\": %zu, \"lines\": %zu, \"hits\": %lld, \"build_seconds\": 0, "
           "\"maxrss_kb\": %ld}\n",
           size, nlines, hits, ru.ru_maxrss);

    ubrk_close(bi);
    free(seconds);
    free(buf);
    free(len);
    free(start);
    free(text);
    return 0;
}
