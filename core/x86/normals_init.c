/* Standard-normal kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_normals_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->normals = cnn_normals_avx2;
        k->noise_rgb_u8 = cnn_noise_rgb_u8_avx2;
    }
}
