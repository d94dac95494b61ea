/* CPU features and the choice of kernels.
 *
 * CNN_ISA=c|avx2|avx512 in the environment caps the level used (tests and
 * benchmarks compare levels on one machine); a level the CPU lacks is never
 * used whatever the variable says. */
#ifndef CNN_CPU_H
#define CNN_CPU_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CNN_CPU_AVX2 = 1u << 0,   /* AVX2 + FMA */
    CNN_CPU_AVX512 = 1u << 1, /* AVX-512 F, BW, DQ, VL */
};

/* Features of this CPU, ignoring CNN_ISA. */
unsigned cnn_cpu_detect(void);
/* Features to use: detected ones capped by CNN_ISA (read once). */
unsigned cnn_cpu_flags(void);
/* Parse an ISA name ("c", "avx2", "avx512") to a flag set; -1 if unknown. */
int cnn_cpu_flags_from_name(const char *name);
/* Name of the highest level in flags: "avx512", "avx2" or "c". */
const char *cnn_cpu_level_name(unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
