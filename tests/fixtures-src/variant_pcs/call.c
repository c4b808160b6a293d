/* A PLT call to a function with the AArch64 vector PCS (STO_AARCH64_VARIANT_PCS in the
   dynamic symbol, DT_AARCH64_VARIANT_PCS in the program): glibc >= 2.33 binds it at
   start-up, not lazily (sysdeps/aarch64/dl-machine.h: elf_machine_lazy_rel). */
#include <stdio.h>

__attribute__((aarch64_vector_pcs)) int v_call(int x);

int main(void) {
    puts("started");
    fflush(stdout);
    printf("v_call=%d\n", v_call(6));
    return 0;
}
