/* CPU feature detection and the CNN_ISA override. */
#include <stdlib.h>
#include <string.h>

#include "cnn/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long read_xcr0(void)
{
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

unsigned cnn_cpu_detect(void)
{
    unsigned a, b, c, d, flags = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx)
        return 0;
    unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) /* the OS saves XMM and YMM state */
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    int avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
    int avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    if (avx2 && fma)
        flags |= CNN_CPU_AVX2;
    if ((flags & CNN_CPU_AVX2) && avx512f && avx512dq && avx512bw && avx512vl &&
        (xcr0 & 0xe6) == 0xe6) /* and the opmask and ZMM state */
        flags |= CNN_CPU_AVX512;
    return flags;
}
#else
unsigned cnn_cpu_detect(void)
{
    return 0;
}
#endif

int cnn_cpu_flags_from_name(const char *name)
{
    if (!strcmp(name, "c"))
        return 0;
    if (!strcmp(name, "avx2"))
        return CNN_CPU_AVX2;
    if (!strcmp(name, "avx512"))
        return CNN_CPU_AVX2 | CNN_CPU_AVX512;
    return -1;
}

const char *cnn_cpu_level_name(unsigned flags)
{
    if (flags & CNN_CPU_AVX512)
        return "avx512";
    if (flags & CNN_CPU_AVX2)
        return "avx2";
    return "c";
}

unsigned cnn_cpu_flags(void)
{
    static int cached = -1; /* racing first calls compute the same value */
    if (cached < 0) {
        unsigned flags = cnn_cpu_detect();
        const char *isa = getenv("CNN_ISA");
        int cap = isa && *isa ? cnn_cpu_flags_from_name(isa) : -1;
        if (cap >= 0)
            flags &= (unsigned)cap;
        cached = (int)flags;
    }
    return (unsigned)cached;
}
